"""Timers: 1,000 instances each waiting on a PT1S timer, fired by real Celery workers.

The instances are started as fast as one process can; a Celery worker with beat (the
dispatcher) and a second worker fire the timers from PostgreSQL and Redis, as in
production. Lateness is when the timer event ended minus when it was due (started + 1 s),
both as the engine recorded them. Target (issue 4): p99 lateness under 1 s.
Run: `python -m bench.timers` (PostgreSQL and Redis via `make bench`).
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.django_setup import setup

INSTANCES = int(os.environ.get("BENCH_TIMERS", "1000"))
ONE_SECOND = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
  <process id="one_second" isExecutable="true">
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
    <intermediateCatchEvent id="wait">
      <timerEventDefinition><timeDuration>PT1S</timeDuration></timerEventDefinition>
    </intermediateCatchEvent>
    <sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>
    <endEvent id="end"/>
  </process>
</definitions>
"""


def start_workers(log_dir: Path) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bpm.settings"}
    workers = []
    for name, beat in (("timers1", True), ("timers2", False)):
        args = [sys.executable, "-m", "celery", "-A", "bpm", "worker", "-n", f"{name}@%h",
                "--concurrency", "1", "--without-gossip", "--without-mingle", "-l", "warning"]
        if beat:
            args += ["-B", "-s", str(log_dir / "beat-schedule")]
        workers.append(subprocess.Popen(
            args, env=env, stdout=(log_dir / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT, start_new_session=True,
        ))
    return workers


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main():
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
    setup()
    from django.db import connection

    from processes.deployments import deploy
    from processes.instances import start_instance
    from processes.models import ActivityInstance, ProcessInstance

    definition = deploy(ONE_SECOND.encode(), name="one-second.bpmn").definitions[0]
    log_dir = Path(tempfile.mkdtemp(prefix="baton-timers-"))
    workers = start_workers(log_dir)
    try:
        time.sleep(5)  # let the workers connect before the first timer is due
        started = time.monotonic()
        for _ in range(INSTANCES):
            start_instance(definition)
        print(f"{INSTANCES} instances started in {time.monotonic() - started:.1f} s")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if not ProcessInstance.objects.filter(definition=definition, state="active").exists():
                break
            time.sleep(0.5)
        connection.close()
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            worker.wait(30)
    rows = ActivityInstance.objects.filter(definition=definition, element_id="wait")
    late = [
        (row.ended_at - row.started_at - timedelta(seconds=1)).total_seconds()
        for row in rows if row.ended_at
    ]
    print(f"{len(late)} of {INSTANCES} timers fired; lateness p50 {percentile(late, 0.5) * 1000:.0f} ms, "
          f"p99 {percentile(late, 0.99) * 1000:.0f} ms, max {max(late) * 1000:.0f} ms "
          "(target: p99 < 1 s)")
    early = [value for value in late if value < 0]
    assert not early, f"{len(early)} timers fired early"


if __name__ == "__main__":
    main()
