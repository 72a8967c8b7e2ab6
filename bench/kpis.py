"""KPIs: the metrics API over 100,000 finished instances, server time per request.

`manage.py generate_history` writes 102,000 instances of the three demo processes over the
last 180 days (about 100,000 of them finished, two versions each), then the API is asked
through Django's test client, as a manager: every KPI of Accounts payable (the largest
process, 45 % of the instances) over the last 30, 90 (the default, as on the dashboards)
and 180 days, the overview of every process, and version 2 against version 1; then the
pages: the process dashboard (KPIs, control charts, comparison, heatmap) and the overview.
Targets (issue 9): one process's KPIs under 0.5 s, its dashboard page under 1 s. Run: `python -m bench.kpis` (PostgreSQL
via `make bench`); BENCH_INSTANCES sets the number of instances.
"""

import io
import os
import time
from datetime import timedelta

from bench.django_setup import settle, setup, timed_get

INSTANCES = int(os.environ.get("BENCH_INSTANCES", "102000"))
KEY = "accounts_payable"


def generate():
    from django.core.management import call_command

    from processes.models import ActivityInstance, ProcessInstance

    started = time.perf_counter()
    call_command("generate_history", instances=INSTANCES, seed=1, force=True, stdout=io.StringIO())
    seconds = time.perf_counter() - started
    finished = ProcessInstance.objects.filter(ended_at__isnull=False).count()
    print(f"{INSTANCES:,} instances ({finished:,} finished, "
          f"{ActivityInstance.objects.count():,} activity rows) generated in {seconds:.0f} s")


def manager():
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("bench-manager")
    user.groups.add(Group.objects.get(name="Managers"))
    return user


def window(days: int) -> str:
    from django.utils import timezone

    start = timezone.now() - timedelta(days=days)
    return f"start={start:%Y-%m-%dT%H:%M:%SZ}"


def main():
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    setup()
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("bench.kpis needs PostgreSQL (DATABASE_URL).")
    from django.test import Client

    from processes.models import ProcessInstance

    generate()
    settle()
    client = Client()
    client.force_login(manager())
    base = f"/api/v1/metrics/processes/{KEY}/"
    for label, url in [
        ("Accounts payable, last 30 days", f"{base}?{window(30)}"),
        ("Accounts payable, last 90 days (default)", base),
        ("Accounts payable, last 180 days", f"{base}?{window(180)}&period=month"),
        ("Overview, 90 days against the 90 before", "/api/v1/metrics/processes/"),
        ("Overview, 30 days against the 30 before", f"/api/v1/metrics/processes/?{window(30)}"),
        ("Accounts payable, version 2 against 1", f"{base}compare/"),
        ("Dashboard page of Accounts payable, last 90 days (every chart)",
         f"/dashboards/{KEY}/"),
        ("Dashboards overview page, 90 days", "/dashboards/"),
    ]:
        median, p95 = timed_get(client, url, runs=15, warmups=2)
        print(f"{label}: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"({ProcessInstance.objects.filter(definition__key=KEY).count():,} instances of {KEY}; "
          "target for one process < 500 ms)")


if __name__ == "__main__":
    main()
