"""GET /api/v1/metrics/processes/ (the overview), .../{key}/ (every KPI) and
.../{key}/compare/ (a version against the one before)."""

import pytest
from rest_framework.test import APIClient

from processes.deployments import deploy
from tests.metrics.test_kpis import CLAIMS, DAY, HOUR, History, claims_history

pytestmark = pytest.mark.django_db

WINDOW = "start=2026-03-02T00:00:00Z&end=2026-03-16T00:00:00Z"


@pytest.fixture
def claims():
    return claims_history()


def errors_of(response):
    return {detail["field"] for detail in response.json()["error"]["details"]}


def test_a_manager_reads_every_kpi_of_a_process(api_for, manager, claims):
    response = api_for(manager).get(f"/api/v1/metrics/processes/claims/?{WINDOW}")
    assert response.status_code == 200
    body = response.json()
    assert (body["key"], body["name"], body["versions"], body["period"]) == (
        "claims", "Claims", [1], "week")
    # The figures tests/metrics/test_kpis.py works out by hand.
    assert body["cycle_time"]["median"] == 129600 and body["lead_time"]["median"] == 2 * DAY
    assert [p["count"] for p in body["throughput"]["completed"]] == [3, 1]
    assert body["throughput"]["completed"][0]["start"] == "2026-03-02T00:00:00Z"
    assert (body["errors"]["rate"], body["quality"]["rate"], body["sla"]["sla"]) == (0.5, 0.5, "P2D")
    assert body["activities"]["rows"][0]["element_id"] == "check"
    assert body["activities"]["rows"][1]["waiting"] is None
    assert body["sla"]["breached"][0]["id"] == claims["F"].pk
    assert all(body[kpi]["method"] for kpi in ("cycle_time", "wip", "errors", "sla"))


def test_the_window_period_version_and_activity_come_from_the_query(api_for, manager, claims):
    api = api_for(manager)
    days = api.get(f"/api/v1/metrics/processes/claims/?{WINDOW}&period=day&version=1").json()
    assert (days["version"], len(days["wip"]["series"])) == (1, 14)
    pay = api.get(f"/api/v1/metrics/processes/claims/?{WINDOW}&activity=pay").json()
    assert (pay["activity"], pay["errors"]["finished"]) == ("pay", 4)


def test_without_a_window_the_last_90_days_are_measured(api_for, manager, claims):
    body = api_for(manager).get("/api/v1/metrics/processes/claims/").json()
    assert body["cycle_time"]["count"] == 0  # the history is of March 2026
    assert len(body["throughput"]["completed"]) in (13, 14)  # weeks touched by 90 days


@pytest.mark.parametrize("query, field", [
    ("period=year", "period"),
    ("start=2026-03-16T00:00:00Z&end=2026-03-02T00:00:00Z", "end"),
    ("start=yesterday", "start"),
    ("start=1066-10-14T09:00:00Z", "start"),
    ("end=9999-12-31T23:59:59Z", "end"),
    ("version=0", "version"),
    ("version=3", "version"),
    ("activity=sign", "activity"),
    ("start=2020-01-01T00:00:00Z&end=2026-01-01T00:00:00Z&period=day", "period"),
])
def test_a_bad_parameter_is_a_400_naming_it(api_for, manager, claims, query, field):
    response = api_for(manager).get(f"/api/v1/metrics/processes/claims/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert errors_of(response) == {field}


def test_an_unknown_process_is_a_404(api_for, manager):
    response = api_for(manager).get("/api/v1/metrics/processes/nothing/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_overview_lists_every_process_with_its_trends(api_for, manager, claims):
    response = api_for(manager).get(
        "/api/v1/metrics/processes/?start=2026-03-09T00:00:00Z&end=2026-03-16T00:00:00Z")
    assert response.status_code == 200
    body = response.json()
    assert body["previous_start"] == "2026-03-02T00:00:00Z"
    (row,) = body["processes"]
    assert (row["key"], row["mixed"]) == ("claims", True)
    assert row["cycle_time"] == {"value": 12 * HOUR, "previous": 2 * DAY, "trend": "better"}
    assert row["error_rate"]["trend"] == "worse"


def test_the_overview_refuses_a_window_that_ends_before_it_starts(api_for, manager):
    response = api_for(manager).get(
        "/api/v1/metrics/processes/?start=2026-03-09T00:00:00Z&end=2026-03-09T00:00:00Z")
    assert response.status_code == 400 and errors_of(response) == {"end"}


def test_a_version_is_compared_with_the_one_before(api_for, manager, claims):
    second = deploy(CLAIMS.replace(b"Claims", b"Claims 2"), name="c2.bpmn").definitions[0]
    History(second).instance("03-04 09:00", "03-04 10:00")
    response = api_for(manager).get("/api/v1/metrics/processes/claims/compare/")
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["previous_version"]) == (2, 1)
    cycle = next(kpi for kpi in body["kpis"] if kpi["kpi"] == "cycle_time")
    # Median 1 h now against the 2 days of A, B, C, H, I (12 h, 1, 2, 3 days and 1 day).
    assert (cycle["current"], cycle["previous"], cycle["better"]) == (HOUR, DAY, True)
    assert cycle["test"] == "Mann-Whitney U" and cycle["significant"] is False


def test_a_first_version_cannot_be_compared(api_for, manager, claims):
    response = api_for(manager).get("/api/v1/metrics/processes/claims/compare/?version=1")
    assert response.status_code == 400 and errors_of(response) == {"version"}
    latest = api_for(manager).get("/api/v1/metrics/processes/claims/compare/")
    assert latest.status_code == 400 and "no earlier version" in latest.json()["error"]["message"]


@pytest.mark.parametrize("url", [
    "/api/v1/metrics/processes/", "/api/v1/metrics/processes/claims/",
    "/api/v1/metrics/processes/claims/compare/",
])
def test_only_managers_and_administrators_read_metrics(api_for, request, url, claims):
    for persona, expected in [("employee", 403), ("owner", 403), ("outsider", 403),
                              ("admin_user", 200)]:
        response = api_for(request.getfixturevalue(persona)).get(url)
        assert response.status_code in ((expected,) if expected == 403 else (200, 400)), persona
    assert APIClient().get(url).status_code == 401
