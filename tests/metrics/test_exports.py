"""Event-log exports: what a process-mining user finds in the CSV and XES downloads."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from lxml import etree

from processes.deployments import deploy
from processes.instances import claim_task, complete_task, start_instance
from processes.models import ActivityInstance, ProcessInstance, Task
from tests.samples import simple_process

pytestmark = pytest.mark.django_db

XSD = etree.XMLSchema(etree.parse(Path(__file__).parent / "xes" / "xes-ieee-1849-2016.xsd"))
INJECTION = '=HYPERLINK("http://evil.example","Click")'


def at(day, hour=9):
    return datetime(2025, 3, day, hour, tzinfo=UTC)


def iso(day, hour=9):
    return f"2025-03-{day:02}T{hour:02}:00:00.000+00:00"


def case(definition, business_key, state, steps):
    """Write an instance and its steps: (element id, type, name, started, ended, outcome, actor)."""
    ends = [step[4] for step in steps]
    instance = ProcessInstance.objects.create(
        definition=definition, business_key=business_key, state=state, started_at=steps[0][3],
        ended_at=max(ends) if state in ("completed", "cancelled") else None,
    )
    ActivityInstance.objects.bulk_create(
        ActivityInstance(
            instance=instance, definition=definition, seq=seq, element_id=element_id,
            element_type=element_type, element_name=name, started_at=started, ended_at=ended,
            outcome=outcome, actor=actor,
        )
        for seq, (element_id, element_type, name, started, ended, outcome, actor)
        in enumerate(steps, 1)
    )
    return instance


@pytest.fixture
def history():
    """Three invoices: one approved by Max (v1), one waiting (v1), one cancelled (v2)."""
    v1 = deploy(simple_process("invoice"), name="v1.bpmn").definitions[0]
    v2 = deploy(simple_process("invoice", task="Check invoice"), name="v2.bpmn").definitions[0]
    approved = case(v1, "INV-1", "completed", [
        ("start", "startEvent", "Invoice received", at(3), at(3), "completed", ""),
        ("task", "userTask", "Approve invoice", at(3), at(3, 11), "completed", "max"),
        ("end", "endEvent", "Done", at(3, 11), at(3, 11), "completed", ""),
    ])
    waiting = case(v1, INJECTION, "active", [
        ("start", "startEvent", "Invoice received", at(5), at(5), "completed", ""),
        ("task", "userTask", "Approve invoice", at(5), None, "", ""),
    ])
    cancelled = case(v2, "INV-3", "cancelled", [
        ("start", "startEvent", "", at(10), at(10), "completed", ""),
        ("task", "userTask", "Check invoice", at(10), at(10, 12), "cancelled", "ada"),
    ])
    return {"approved": approved, "waiting": waiting, "cancelled": cancelled}


def rows(response):
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def xes(response):
    assert response.status_code == 200, response.content
    document = etree.fromstring(b"".join(response.streaming_content))
    XSD.assertValid(document)
    return document


def value(element, key):
    found = element.find(f"*[@key='{key}']")
    return None if found is None else found.get("value")


def events(trace):
    return [
        (value(e, "concept:name"), value(e, "lifecycle:transition"), value(e, "time:timestamp"))
        for e in trace.iter("event")
    ]


# CSV ------------------------------------------------------------------------------------

def test_csv_has_one_row_per_activity_instance_by_instance(client_for, manager, history):
    found = rows(client_for(manager).get("/metrics/exports/invoice.csv"))

    assert len(found) == 7
    assert found[1] == {
        "case_id": str(history["approved"].pk), "business_key": "INV-1",
        "process_key": "invoice", "version": "1", "activity_id": "task",
        "activity_name": "Approve invoice", "element_type": "userTask",
        "lifecycle": "completed", "start_timestamp": iso(3),
        "complete_timestamp": iso(3, 11), "resource": "max", "instance_state": "completed",
    }
    assert [(r["case_id"], r["activity_id"]) for r in found] == [
        (str(history[name].pk), element)
        for name, elements in [("approved", ["start", "task", "end"]),
                               ("waiting", ["start", "task"]), ("cancelled", ["start", "task"])]
        for element in elements
    ]


def test_csv_shows_running_and_cancelled_steps(client_for, manager, history):
    found = rows(client_for(manager).get("/metrics/exports/invoice.csv"))

    running, cancelled = found[4], found[6]
    assert (running["lifecycle"], running["complete_timestamp"]) == ("active", "")
    assert (cancelled["lifecycle"], cancelled["version"], cancelled["resource"]) == (
        "cancelled", "2", "ada")


def test_csv_defuses_values_a_spreadsheet_would_run(client_for, manager, history):
    ActivityInstance.objects.filter(instance=history["approved"], seq=2).update(actor="@max")

    found = rows(client_for(manager).get("/metrics/exports/invoice.csv"))

    assert found[3]["business_key"] == "'" + INJECTION
    assert found[1]["resource"] == "'@max"
    assert found[0]["business_key"] == "INV-1"


# XES ------------------------------------------------------------------------------------

def test_xes_validates_and_declares_the_standard_extensions(client_for, manager, history):
    log = xes(client_for(manager).get("/metrics/exports/invoice.xes"))

    assert log.get("xes.version") == "1849.2016"
    assert {e.get("prefix") for e in log.iter("extension")} == {
        "concept", "time", "lifecycle", "org"}
    assert [c.get("keys") for c in log.iter("classifier")] == [
        "concept:name", "concept:name lifecycle:transition"]
    assert [g.get("scope") for g in log.iter("global")] == ["trace", "event"]
    assert (value(log, "concept:name"), value(log, "lifecycle:model")) == ("invoice", "standard")


def test_xes_has_a_trace_per_instance_with_its_events_in_order(client_for, manager, history):
    log = xes(client_for(manager).get("/metrics/exports/invoice.xes"))

    traces = log.findall("trace")
    assert [value(t, "concept:name") for t in traces] == [
        str(history[name].pk) for name in ("approved", "waiting", "cancelled")]
    approved = traces[0]
    assert (value(approved, "businessKey"), value(approved, "version")) == ("INV-1", "1")
    assert events(approved) == [
        ("Invoice received", "complete", iso(3)),
        ("Approve invoice", "start", iso(3)),
        ("Approve invoice", "complete", iso(3, 11)),
        ("Done", "complete", iso(3, 11)),
    ]
    start, end = approved.findall("event")[1:3]
    assert value(start, "org:resource") is None
    assert (value(end, "org:resource"), value(end, "elementId"), value(end, "elementType")) == (
        "max", "task", "userTask")
    assert value(start, "concept:instance") == value(end, "concept:instance") == "2"


def test_xes_shows_running_and_aborted_steps(client_for, manager, history):
    log = xes(client_for(manager).get("/metrics/exports/invoice.xes"))

    waiting, cancelled = log.findall("trace")[1:]
    assert events(waiting)[-1] == ("Approve invoice", "start", iso(5))
    assert value(waiting, "businessKey") == INJECTION  # XML needs no defusing
    assert events(cancelled) == [
        ("start", "complete", iso(10)),  # unnamed: the element id
        ("Check invoice", "start", iso(10)),
        ("Check invoice", "ate_abort", iso(10, 12)),
    ]
    assert value(cancelled.findall("event")[-1], "outcome") == "cancelled"


def test_xes_replaces_characters_xml_cannot_hold(client_for, manager, history):
    ProcessInstance.objects.filter(pk=history["approved"].pk).update(business_key="INV\x01-1")

    log = xes(client_for(manager).get("/metrics/exports/invoice.xes"))

    assert value(log.find("trace"), "businessKey") == "INV\ufffd-1"


def test_a_real_run_exports_what_happened(client_for, manager, settings):
    settings.CELERY_BROKER_URL = ""
    definition = deploy(simple_process("invoice"), name="invoice.bpmn").definitions[0]
    instance = start_instance(definition, business_key="INV-9")
    task = Task.objects.get(instance=instance)
    claim_task(task.pk, manager)
    complete_task(task.pk, user=manager)

    log = xes(client_for(manager).get("/metrics/exports/invoice.xes"))

    names = [(name, transition) for name, transition, _ in events(log.find("trace"))]
    assert names == [("Invoice received", "complete"), ("Approve invoice", "start"),
                     ("Approve invoice", "complete"), ("Done", "complete")]
    completed = log.find("trace").findall("event")[2]
    assert value(completed, "org:resource") == "max"
    found = rows(client_for(manager).get("/metrics/exports/invoice.csv"))
    assert [(r["activity_id"], r["instance_state"]) for r in found] == [
        ("start", "completed"), ("task", "completed"), ("end", "completed")]


# Filters --------------------------------------------------------------------------------

def case_ids(response):
    return [value(t, "concept:name") for t in xes(response).findall("trace")]


def test_it_exports_one_version(client_for, manager, history):
    found = case_ids(client_for(manager).get("/metrics/exports/invoice.xes?version=2"))

    assert found == [str(history["cancelled"].pk)]


def test_the_window_applies_to_when_instances_started(client_for, manager, history):
    client = client_for(manager)

    # [start, end): the waiting invoice started exactly at the start, the cancelled one
    # exactly at the end.
    found = case_ids(client.get(
        "/metrics/exports/invoice.xes", {"start": iso(5), "end": "2025-03-10T09:00:00Z"}))
    dates = case_ids(client.get("/metrics/exports/invoice.xes", {"end": "2025-03-04"}))

    assert found == [str(history["waiting"].pk)]
    assert dates == [str(history["approved"].pk)]


def test_it_exports_only_finished_instances(client_for, manager, history):
    found = rows(client_for(manager).get("/metrics/exports/invoice.csv?finished_only=true"))

    assert {r["instance_state"] for r in found} == {"completed", "cancelled"}


def test_a_known_process_without_instances_gives_an_empty_log(client_for, manager, history):
    client = client_for(manager)

    found = rows(client.get("/metrics/exports/invoice.csv?start=2026-01-01"))
    log = xes(client.get("/metrics/exports/invoice.xes?start=2026-01-01"))

    assert found == []
    assert log.findall("trace") == []


def test_a_window_may_span_every_representable_moment(client_for, manager, history):
    found = case_ids(client_for(manager).get("/metrics/exports/invoice.xes", {
        "start": "0001-01-01T00:00:00Z", "end": "9999-12-31T23:59:59.999999Z"}))

    assert len(found) == 3


def test_it_refuses_bad_parameters(client_for, manager, history):
    client = client_for(manager)

    for query in ("version=0", "start=yesterday", "finished_only=perhaps",
                  "start=2025-03-02&end=2025-03-01"):
        response = client.get(f"/metrics/exports/invoice.csv?{query}")
        assert response.status_code == 400, query


def test_an_unknown_process_or_version_is_not_found(client_for, manager, history):
    client = client_for(manager)

    assert client.get("/metrics/exports/nothing.csv").status_code == 404
    assert client.get("/metrics/exports/invoice.xes?version=3").status_code == 404
    assert client.get("/metrics/exports/in%00voice.xes").status_code == 404


# Downloads ------------------------------------------------------------------------------

def test_downloads_are_streamed_files(client_for, manager, history):
    client = client_for(manager)

    csv_file = client.get("/metrics/exports/invoice.csv")
    xes_file = client.get("/metrics/exports/invoice.xes?version=1")

    assert isinstance(csv_file, StreamingHttpResponse)
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_file["Content-Disposition"] == 'attachment; filename="invoice.csv"'
    assert isinstance(xes_file, StreamingHttpResponse)
    assert xes_file["Content-Disposition"] == 'attachment; filename="invoice-v1.xes"'
    # The header, then each of the two traces as soon as it is written, then the end.
    assert len(list(xes_file.streaming_content)) == 4


@pytest.mark.parametrize("path", ["/metrics/exports/invoice.csv", "/metrics/exports/invoice.xes"])
def test_only_dashboard_readers_may_download(client, client_for, employee, owner, manager,
                                             history, path):
    assert client.get(path).status_code == 302  # to the login page
    assert client_for(employee).get(path).status_code == 403
    assert client_for(owner).get(path).status_code == 403
    assert client_for(manager).get(path).status_code == 200


# API ------------------------------------------------------------------------------------

def test_the_api_gives_the_same_files(api_for, client_for, manager, history):
    api = api_for(manager)

    csv_file = api.get("/api/v1/metrics/exports/invoice.csv?version=1", HTTP_ACCEPT="text/csv")
    xes_file = api.get("/api/v1/metrics/exports/invoice.xes", HTTP_ACCEPT="application/xml")

    assert rows(csv_file) == rows(client_for(manager).get("/metrics/exports/invoice.csv?version=1"))
    assert isinstance(xes_file, StreamingHttpResponse)
    assert len(xes(xes_file).findall("trace")) == 3


@pytest.mark.parametrize("path", ["/api/v1/metrics/exports/invoice.csv",
                                  "/api/v1/metrics/exports/invoice.xes"])
def test_the_api_allows_dashboard_readers_only(api_for, client, employee, manager, history, path):
    assert client.get(path).status_code == 401
    assert api_for(employee).get(path).status_code == 403
    assert api_for(manager).get(path).status_code == 200


def test_the_api_names_bad_parameters(api_for, manager, history):
    api = api_for(manager)

    response = api.get("/api/v1/metrics/exports/invoice.csv",
                       {"version": "two", "start": "0001-01-01T00:00:00+14:00",
                        "finished_only": "1"})
    reversed_window = api.get("/api/v1/metrics/exports/invoice.xes",
                              {"start": "2025-03-02", "end": "2025-03-01"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert {d["field"] for d in error["details"]} == {"version", "start", "finished_only"}
    assert reversed_window.json()["error"]["details"] == [
        {"field": "end", "message": "The end must come after the start."}]


def test_the_api_says_which_process_is_unknown(api_for, manager, history):
    response = api_for(manager).get("/api/v1/metrics/exports/invoice.csv?version=9")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found", "details": [],
        "message": "No process with the key 'invoice' was deployed in version 9.",
    }


def test_the_schema_describes_the_downloads(api_for, manager):
    schema = api_for(manager).get("/api/schema/", {"format": "json"}).json()

    for kind, media_type in (("csv", "text/csv"), ("xes", "application/xml")):
        operation = schema["paths"][f"/api/v1/metrics/exports/{{key}}.{kind}"]["get"]
        assert {p["name"] for p in operation["parameters"]} == {
            "key", "version", "start", "end", "finished_only"}
        assert list(operation["responses"]["200"]["content"]) == [media_type]
        assert "application/json" in operation["responses"]["400"]["content"]
