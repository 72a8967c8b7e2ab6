"""manage.py generate_history: months of demo history whose rows are the engine's own."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from metrics.compare import compare_versions
from processes.instances import complete_task, start_instance
from processes.models import ActivityInstance, ProcessDefinition, ProcessInstance, Task
from processes.store.compiled import process_for

pytestmark = pytest.mark.django_db
COMPARED = ("element_id", "element_type", "element_name", "outcome", "actor", "quality",
            "variables", "token_id", "scope_seq")


def generate(*args, **options):
    out = io.StringIO()
    call_command("generate_history", *args, stdout=out, force=True, **options)
    return out.getvalue()


def test_it_writes_finished_and_running_instances_of_two_versions():
    output = generate("--instances", "300", "--seed", "7")
    assert "300 instances of accounts_payable, customer_service, hiring" in output
    assert ProcessInstance.objects.count() == 300
    assert sorted(ProcessDefinition.objects.values_list("key", "version")) == [
        ("accounts_payable", 1), ("accounts_payable", 2), ("customer_service", 1),
        ("customer_service", 2), ("hiring", 1), ("hiring", 2)]
    states = set(ProcessInstance.objects.values_list("state", flat=True))
    assert {"completed", "cancelled"} <= states
    versions = set(ProcessInstance.objects.values_list("definition__version", flat=True))
    assert versions == {1, 2}


def test_every_row_matches_the_model_and_the_instance():
    generate("--instances", "200", "--seed", "3")
    for instance in ProcessInstance.objects.select_related("definition"):
        nodes = process_for(instance.definition).nodes
        rows = list(instance.activities.order_by("seq"))
        assert rows[0].element_type == "startEvent" and rows[0].started_at == instance.started_at
        for row in rows:
            node = nodes[row.element_id]
            assert (row.element_type, row.element_name) == (node.kind, node.name or "")
            assert row.ended_at is None or row.started_at <= row.ended_at
        if instance.state == "completed":
            assert rows[-1].element_type == "endEvent" and rows[-1].ended_at == instance.ended_at
            assert instance.tokens == []
        if instance.state == "active":
            waiting = {t["activity_seq"] for t in instance.tokens}
            assert waiting == {r.seq for r in rows if r.ended_at is None}


def test_tasks_match_their_user_task_rows():
    generate("--instances", "200", "--seed", "4")
    for task in Task.objects.all():
        row = ActivityInstance.objects.get(instance_id=task.instance_id, seq=task.activity_seq)
        assert (row.element_id, row.element_type, row.started_at) == (
            task.element_id, "userTask", task.created_at)
        if task.state == "completed":
            assert row.ended_at == task.completed_at and row.actor == task.completed_by
        if task.claimed_at:
            assert task.created_at <= task.claimed_at <= (task.completed_at or task.claimed_at)
        assert task.candidates.exists() or task.assignee


def test_the_engine_run_again_on_the_same_input_writes_the_same_rows():
    """Replay invoices through the real engine: start them with the generated start
    variables and complete their tasks with the generated forms, until a service task or a
    timer would need the worker; every row the engine ended must equal the generated one."""
    generate("--instances", "60", "--seed", "5", "--processes", "accounts_payable")
    compared, tasks = 0, 0
    for generated in ProcessInstance.objects.filter(state="completed")[:30]:
        replayed = replay(generated)
        for row in replayed.activities.filter(ended_at__isnull=False):
            original = generated.activities.get(seq=row.seq)
            assert [getattr(row, f) for f in COMPARED] == [getattr(original, f) for f in COMPARED]
            compared += 1
        for task in replayed.tasks.all():
            original = generated.tasks.get(activity_seq=task.activity_seq)
            assert (task.element_id, task.name, task.priority) == (
                original.element_id, original.name, original.priority)
            assert set(task.candidates.values_list("kind", "name")) == set(
                original.candidates.values_list("kind", "name"))
            tasks += 1
    assert compared > 100 and tasks > 3


def replay(generated):
    start = generated.activities.get(element_type="startEvent")
    variables = {k: v for k, v in start.variables.items() if k != "initiator"}
    starter, _ = User.objects.get_or_create(username=start.variables["initiator"])
    instance = start_instance(generated.definition, variables=variables, user=starter,
                              business_key=generated.business_key)
    for row in generated.activities.filter(element_type="userTask").order_by("seq"):
        task = Task.objects.filter(instance=instance, state="open").first()
        if task is None or task.activity_seq != row.seq:
            break  # the generated instance went on by a timer or a service first
        worker, _ = User.objects.get_or_create(username=row.actor)
        complete_task(task.pk, variables=row.variables, user=worker)
    return instance


def test_the_second_version_is_faster():
    generate("--instances", "400", "--seed", "2", "--processes", "customer_service")
    cycle = next(k for k in compare_versions("customer_service").kpis if k.kpi == "cycle_time")
    assert cycle.better is True


def test_the_same_seed_gives_the_same_history():
    def shape():
        return list(ActivityInstance.objects.order_by("instance_id", "seq")
                    .values_list("element_id", "outcome", "quality"))

    generate("--instances", "50", "--seed", "11", "--processes", "hiring")
    first = shape()
    ActivityInstance.objects.all().delete()
    ProcessInstance.objects.all().delete()
    generate("--instances", "50", "--seed", "11", "--processes", "hiring")
    assert shape() == first


def test_it_refuses_unknown_processes_and_production(settings):
    with pytest.raises(CommandError, match="payroll"):
        generate("--instances", "5", "--processes", "payroll")
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("generate_history", "--instances", "5", stdout=io.StringIO())
