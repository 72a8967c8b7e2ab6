"""A process's event log as CSV or as XES (IEEE 1849-2016), for process-mining tools.

Both formats come from one query over the activity-instance history, read from the
database in chunks and written out as it is read: a log of millions of steps never sits in
memory, and the first bytes leave before the last rows are fetched.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from lxml import etree

from processes.models import ActivityInstance, ProcessDefinition

CHUNK_SIZE = 2000  # rows fetched from the database at a time
ROWS_PER_WRITE = 500  # CSV rows sent together: one write per row would cost a syscall each
BIGGEST_VERSION = 2**31 - 1  # what a PositiveIntegerField holds on every database


class Step(NamedTuple):
    """One activity instance with what the log needs of its process instance."""

    case_id: int
    business_key: str
    version: int
    state: str
    seq: int
    element_id: str
    element_name: str
    element_type: str
    outcome: str
    started_at: datetime
    ended_at: datetime | None
    actor: str

    @property
    def ending(self) -> str:
        """How the step ended (completed, cancelled, error, compensated), or active."""
        if self.ended_at is None:
            return "active"
        return self.outcome or "completed"


# The columns of ActivityInstance a Step is read from, in the Step's order.
STEP_COLUMNS = (
    "instance_id", "instance__business_key", "instance__definition__version",
    "instance__state", "seq", "element_id", "element_name", "element_type", "outcome",
    "started_at", "ended_at", "actor",
)


class UnknownProcess(LookupError):
    """No process with the key (and version) of an export was ever deployed."""


@dataclass(frozen=True)
class EventLog:
    """The history of the instances of process ``key`` (one version, or all of them).

    The window [start, end) applies to when an instance started, so that a case is in the
    log with all its steps or not at all; ``finished_only`` keeps the completed and
    cancelled instances.
    """

    key: str
    version: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    finished_only: bool = False

    def ensure_deployed(self) -> None:
        """Raise UnknownProcess unless the process (and the version asked for) was deployed.

        An unknown key is a mistake worth saying, where an empty log would look like a
        process that never ran.
        """
        definitions = ProcessDefinition.objects.filter(key=self.key)
        if self.version is not None:
            definitions = definitions.filter(version=self.version)
        # No key holds a NUL character, and PostgreSQL refuses to compare text with one.
        if "\x00" in self.key or not definitions.exists():
            version = f" in version {self.version}" if self.version is not None else ""
            raise UnknownProcess(f"No process with the key {self.key!r} was deployed{version}.")

    def steps(self):
        """Yield the log's steps by instance, each instance's in the order they started."""
        rows = (
            ActivityInstance.objects.filter(**self._instance_conditions("instance__"))
            .order_by("instance_id", "seq")
            .values_list(*STEP_COLUMNS)
        )
        for row in rows.iterator(chunk_size=CHUNK_SIZE):
            yield Step._make(row)

    def _instance_conditions(self, prefix: str) -> dict:
        conditions = {"definition__key": self.key}
        if self.version is not None:
            conditions["definition__version"] = self.version
        if self.start is not None:
            conditions["started_at__gte"] = self.start
        if self.end is not None:
            conditions["started_at__lt"] = self.end
        if self.finished_only:
            conditions["ended_at__isnull"] = False
        return {prefix + lookup: value for lookup, value in conditions.items()}

    @property
    def filename(self) -> str:
        return self.key if self.version is None else f"{self.key}-v{self.version}"


class ExportForm(forms.Form):
    """The query parameters of a download, checked the same way for pages and the API."""

    version = forms.IntegerField(required=False, min_value=1, max_value=BIGGEST_VERSION)
    start = forms.DateTimeField(required=False)
    end = forms.DateTimeField(required=False)
    finished_only = forms.TypedChoiceField(
        required=False, choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true", empty_value=False,
    )

    def clean_start(self):
        return _in_utc(self.cleaned_data["start"])

    def clean_end(self):
        return _in_utc(self.cleaned_data["end"])

    def clean(self):
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end and end <= start:
            self.add_error("end", "The end must come after the start.")
        return self.cleaned_data

    def event_log(self, key: str) -> EventLog:
        return EventLog(key, **self.cleaned_data)


def _in_utc(moment: datetime | None) -> datetime | None:
    """Return ``moment`` in UTC, as SQLite's adapter would convert it later.

    Converted here so that a moment near year 1 or 9999 whose offset carries it out of
    Python's range is a mistake in the request, not a crash in the query.
    """
    if moment is None:
        return None
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValidationError("This moment is out of range.", code="invalid") from None


def download(log: EventLog, kind: str) -> StreamingHttpResponse:
    """Return the log streamed as ``kind`` ("csv" or "xes"), as a file to save."""
    content_type, chunks = FORMATS[kind]
    response = StreamingHttpResponse(chunks(log), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{log.filename}.{kind}"
    )
    return response


# CSV ------------------------------------------------------------------------------------

CSV_HEADER = [
    "case_id", "business_key", "process_key", "version", "activity_id", "activity_name",
    "element_type", "lifecycle", "start_timestamp", "complete_timestamp", "resource",
    "instance_state",
]
# A spreadsheet runs a cell starting with these as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_chunks(log: EventLog):
    """Yield the log as CSV text: a header, then one row per step."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for count, step in enumerate(log.steps(), 1):
        writer.writerow([defuse(value) for value in csv_row(log.key, step)])
        if count % ROWS_PER_WRITE == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def csv_row(key: str, step: Step) -> list:
    return [
        step.case_id, step.business_key, key, step.version, step.element_id,
        step.element_name, step.element_type, step.ending, timestamp(step.started_at),
        timestamp(step.ended_at), step.actor, step.state,
    ]


def defuse(value):
    """Prefix text a spreadsheet would run as a formula with an apostrophe, as OWASP advises."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def timestamp(moment: datetime | None) -> str:
    """ISO 8601 in UTC with its offset and milliseconds, as XES dates are written."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds") if moment else ""


def _drain(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


# XES ------------------------------------------------------------------------------------

# The XSD types xes.version as xs:decimal: "1849-2016" would not validate. The standard's
# certification logs write it as below.
XES_VERSION = "1849.2016"
EXTENSIONS = [
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
]
# How each ending reads in the standard lifecycle model: a compensated step did complete
# (and was undone later); a cancelled one, or one an error interrupted, was aborted.
TRANSITIONS = {
    "completed": "complete", "compensated": "complete",
    "cancelled": "ate_abort", "error": "ate_abort",
}
# Characters XML 1.0 cannot carry, even escaped (control characters, lone surrogates).
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xes_chunks(log: EventLog):
    """Yield the log as XES: the header, then one instance's trace at a time."""
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element("log", {"xes.version": XES_VERSION}):
            xf.write("\n")
            for element in log_header(log.key):
                xf.write(element, pretty_print=True)
            xf.flush()
            yield _drain(buffer)  # before the query runs, which may take a while
            for _, steps in groupby(log.steps(), key=attrgetter("case_id")):
                xf.write(trace(list(steps)), pretty_print=True)
                xf.flush()
                yield _drain(buffer)
    yield _drain(buffer)


def log_header(key: str):
    """Yield the extensions, globals, classifiers and attributes that precede the traces."""
    for name, prefix, uri in EXTENSIONS:
        yield etree.Element("extension", name=name, prefix=prefix, uri=uri)
    trace_globals = etree.Element("global", scope="trace")
    trace_globals.append(attribute("string", "concept:name", "UNKNOWN"))
    yield trace_globals
    event_globals = etree.Element("global", scope="event")
    event_globals.extend([
        attribute("string", "concept:name", "UNKNOWN"),
        attribute("string", "lifecycle:transition", "complete"),
        attribute("date", "time:timestamp", "1970-01-01T00:00:00.000+00:00"),
    ])
    yield event_globals
    yield etree.Element("classifier", name="Activity", scope="event", keys="concept:name")
    yield etree.Element("classifier", name="ActivityTransition", scope="event",
                        keys="concept:name lifecycle:transition")
    yield attribute("string", "concept:name", key)
    yield attribute("string", "lifecycle:model", "standard")


def trace(steps: list[Step]) -> etree._Element:
    """Return one instance's trace: its attributes, then its events in time order."""
    first = steps[0]
    element = etree.Element("trace")
    element.extend([
        attribute("string", "concept:name", str(first.case_id)),
        attribute("string", "businessKey", first.business_key),
        attribute("int", "version", str(first.version)),
        attribute("string", "state", first.state),
    ])
    events = sorted(
        (moment, step.seq, order, transition, step)
        for step in steps
        for order, (transition, moment) in enumerate(transitions(step))
    )
    element.extend(event(step, transition, moment) for moment, _, _, transition, step in events)
    return element


def transitions(step: Step) -> list[tuple[str, datetime]]:
    """Return the step's lifecycle transitions: start and its end, or only one of them.

    A step that took no time (an event, a gateway, a script run in the same command) has
    only its end: a start at the same moment would say nothing more. A running step has
    only its start.
    """
    if step.ended_at is None:
        return [("start", step.started_at)]
    end = TRANSITIONS.get(step.ending, "unknown")
    if step.ended_at == step.started_at:
        return [(end, step.ended_at)]
    return [("start", step.started_at), (end, step.ended_at)]


def event(step: Step, transition: str, moment: datetime) -> etree._Element:
    """Return one event; the resource and outcome belong to the end, which the actor did."""
    element = etree.Element("event")
    element.extend([
        attribute("string", "concept:name", step.element_name or step.element_id),
        attribute("string", "concept:instance", str(step.seq)),
        attribute("string", "lifecycle:transition", transition),
        attribute("date", "time:timestamp", timestamp(moment)),
    ])
    if transition != "start":
        if step.actor:
            element.append(attribute("string", "org:resource", step.actor))
        element.append(attribute("string", "outcome", step.ending))
    element.append(attribute("string", "elementId", step.element_id))
    element.append(attribute("string", "elementType", step.element_type))
    return element


def attribute(kind: str, key: str, value: str) -> etree._Element:
    """Return the XES attribute ``<kind key="…" value="…"/>``.

    Characters XML cannot hold become U+FFFD: a control character in a business key would
    otherwise break the download half-way.
    """
    return etree.Element(kind, key=key, value=NOT_XML.sub("\ufffd", value))


FORMATS = {
    "csv": ("text/csv; charset=utf-8", csv_chunks),
    "xes": ("application/xml; charset=utf-8", xes_chunks),
}
