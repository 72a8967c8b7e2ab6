"""The statements every engine command makes, written as plain SQL.

Starting an instance writes its row and one history row per activity instance; every
later command locks the row, reads the live state and writes it back. Through the ORM,
preparing those values field by field costs more than the engine run itself (profiled:
~0.9 ms of Django field preparation for ten history rows against 50 µs of engine work,
~1 ms to load and save an instance around a timer firing), so this hot path builds the
parameters directly; on PostgreSQL a new instance and its history rows go in one
statement. Everything else goes through the ORM.
"""

import json
from functools import lru_cache

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from processes.models import ActivityInstance, ProcessDefinition, ProcessInstance

INSTANCE_COLUMNS = (
    "definition_id", "business_key", "state", "variables", "tokens", "next_seq",
    "started_by_id", "started_at", "ended_at", "version",
    "parent_id", "parent_token_id", "parent_element_id", "compensable",
)
# Every column but instance_id, which comes first.
ACTIVITY_COLUMNS = (
    "definition_id", "seq", "scope_seq", "token_id", "element_id", "element_type",
    "element_name", "started_at", "ended_at", "outcome", "actor", "variables", "quality",
)


def insert_instance(instance: ProcessInstance, started) -> None:
    """INSERT a new instance and its first history rows; set the instance's key.

    ``started`` holds ``(ActivityStarted, ActivityEnded | None, variables set | None)``.
    """
    if connection.vendor == "postgresql" and started:
        _insert_together(instance, started)
        return
    sql = _instance_sql(connection.vendor)
    with connection.cursor() as cursor:
        if connection.features.can_return_columns_from_insert:
            cursor.execute(sql + f" RETURNING {_quote('id')}", _instance_params(instance))
            _saved(instance, cursor.fetchone()[0])
        else:
            cursor.execute(sql, _instance_params(instance))
            _saved(instance, cursor.lastrowid)
    if started:
        insert_activities(instance, started)


def lock_instance(instance_id: int) -> tuple[ProcessInstance, int, str]:
    """Lock an instance row until the transaction ends and load its live state.

    Returns the instance (its definition loads lazily if asked for) with the deployment
    and process key the engine needs. On SQLite the IMMEDIATE transaction already holds
    the database's only write lock.
    """
    lock = " FOR UPDATE OF i" if connection.features.has_select_for_update_of else ""
    sql = (
        "SELECT i.state, i.tokens, i.variables, i.next_seq, i.version, i.business_key,"
        " i.started_at, i.started_by_id, i.definition_id, i.parent_id, i.parent_token_id,"
        " i.parent_element_id, i.compensable, d.deployment_id, d.key"
        f" FROM {_quote(ProcessInstance._meta.db_table)} i"
        f" JOIN {_quote(ProcessDefinition._meta.db_table)} d ON d.id = i.definition_id"
        f" WHERE i.id = %s{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [instance_id])
        row = cursor.fetchone()
    if row is None:
        raise ProcessInstance.DoesNotExist(f"Instance {instance_id} does not exist.")
    (state, tokens, variables, next_seq, version, business_key, started_at, started_by_id,
     definition_id, parent_id, parent_token_id, parent_element_id, compensable, deployment_id,
     key) = row
    instance = ProcessInstance(
        id=instance_id, state=state, tokens=_json(tokens), variables=_json(variables),
        next_seq=next_seq, version=version, business_key=business_key,
        started_at=_moment(started_at), started_by_id=started_by_id, definition_id=definition_id,
        parent_id=parent_id, parent_token_id=parent_token_id, parent_element_id=parent_element_id,
        compensable=_json(compensable),
    )
    _saved(instance, instance_id)
    return instance, deployment_id, key


def update_instance(instance: ProcessInstance) -> None:
    """Write back what a command changed on a locked instance."""
    sql = (
        f"UPDATE {_quote(ProcessInstance._meta.db_table)} SET tokens = %s, variables = %s,"
        " compensable = %s, next_seq = %s, state = %s, ended_at = %s, version = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [
            json.dumps(instance.tokens, cls=DjangoJSONEncoder),
            json.dumps(instance.variables, cls=DjangoJSONEncoder),
            json.dumps(instance.compensable, cls=DjangoJSONEncoder),
            instance.next_seq, instance.state,
            connection.ops.adapt_datetimefield_value(instance.ended_at), instance.version,
            instance.pk,
        ])


def end_activities(instance: ProcessInstance, seqs, ended_at, outcome: str, actor: str,
                   quality: bool | None = None) -> None:
    """Record the end of the instance's activity instances numbered ``seqs``."""
    table = _quote(ActivityInstance._meta.db_table)
    places = ", ".join(["%s"] * len(seqs))
    set_actor = ", actor = %s" if actor else ""
    set_quality = ", quality = %s" if quality is not None else ""
    params = [connection.ops.adapt_datetimefield_value(ended_at), outcome]
    params += [actor] if actor else []
    params += [quality] if quality is not None else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET ended_at = %s, outcome = %s{set_actor}{set_quality}"
            f" WHERE instance_id = %s AND seq IN ({places})",
            [*params, instance.pk, *seqs],
        )


def record_variables(instance: ProcessInstance, seq: int, changes: dict) -> None:
    """Keep on an earlier activity instance the variables it set now (a form, a result)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_quote(ActivityInstance._meta.db_table)} SET variables = %s"
            " WHERE instance_id = %s AND seq = %s",
            [json.dumps(changes, cls=DjangoJSONEncoder), instance.pk, seq],
        )


def _moment(value):
    """Read a datetime column as the ORM would (SQLite hands back text)."""
    field = ProcessInstance._meta.get_field("started_at")
    for converter in connection.ops.get_db_converters(field.get_col(ProcessInstance._meta.db_table)):
        value = converter(value, field, connection)
    return value


def _json(value):
    """PostgreSQL hands jsonb to Django as text, like SQLite: decode it here."""
    return json.loads(value) if isinstance(value, (str, bytes)) else value


def insert_activities(instance: ProcessInstance, started) -> None:
    """INSERT one history row per ``(ActivityStarted, ActivityEnded | None, changes)``."""
    params = []
    for row in _activity_rows(instance, started):
        params += [instance.pk, *row]
    with connection.cursor() as cursor:
        cursor.execute(_activities_sql(connection.vendor, len(started)), params)


def _insert_together(instance: ProcessInstance, started) -> None:
    """One statement: the instance row, then its history rows with the new key."""
    params = _instance_params(instance)
    for row in _activity_rows(instance, started):
        params += row
    with connection.cursor() as cursor:
        cursor.execute(_together_sql(len(started)), params)
        _saved(instance, cursor.fetchone()[0])


@lru_cache
def _instance_sql(vendor: str) -> str:
    return _insert(ProcessInstance, INSTANCE_COLUMNS) + _values(len(INSTANCE_COLUMNS), 1)


@lru_cache(maxsize=64)
def _activities_sql(vendor: str, rows: int) -> str:
    columns = ("instance_id", *ACTIVITY_COLUMNS)
    return _insert(ActivityInstance, columns) + _values(len(columns), rows)


@lru_cache(maxsize=64)
def _together_sql(rows: int) -> str:
    return (
        f"WITH new AS ({_instance_sql('postgresql')} RETURNING {_quote('id')}) "
        f"{_insert(ActivityInstance, ('instance_id', *ACTIVITY_COLUMNS))}"
        f" SELECT new.{_quote('id')}, v.* FROM new, ({_typed_values(rows)}) AS v"
        f" RETURNING {_quote('instance_id')}"
    )


def _instance_params(instance: ProcessInstance) -> list:
    when = connection.ops.adapt_datetimefield_value
    return [
        instance.definition_id, instance.business_key, instance.state,
        json.dumps(instance.variables, cls=DjangoJSONEncoder),
        json.dumps(instance.tokens, cls=DjangoJSONEncoder),
        instance.next_seq, instance.started_by_id, when(instance.started_at),
        when(instance.ended_at), instance.version,
        instance.parent_id, instance.parent_token_id, instance.parent_element_id,
        json.dumps(instance.compensable, cls=DjangoJSONEncoder),
    ]


def _activity_rows(instance: ProcessInstance, started):
    when = connection.ops.adapt_datetimefield_value
    for begin, end, changes in started:
        yield [
            instance.definition_id, begin.seq, begin.scope_seq, begin.token_id,
            begin.element_id, begin.element_type, begin.element_name or "",
            when(begin.started_at), when(end.ended_at) if end else None,
            end.outcome if end else "", (end.actor or "") if end else "",
            json.dumps(changes, cls=DjangoJSONEncoder) if changes else None,
            end.quality if end else None,
        ]


def _saved(instance: ProcessInstance, pk: int) -> None:
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert(model, columns) -> str:
    return f"INSERT INTO {_quote(model._meta.db_table)} ({', '.join(map(_quote, columns))})"


def _values(width: int, rows: int) -> str:
    one = "(" + ", ".join(["%s"] * width) + ")"
    return " VALUES " + ", ".join([one] * rows)


def _typed_values(rows: int) -> str:
    """VALUES whose first row casts each column, so NULLs of every row get the right type."""
    fields = [ActivityInstance._meta.get_field(c) for c in ACTIVITY_COLUMNS]
    first = "(" + ", ".join(f"%s::{f.rel_db_type(connection) if f.is_relation else f.db_type(connection)}" for f in fields) + ")"
    rest = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return " VALUES " + ", ".join([first] + [rest] * (rows - 1))
