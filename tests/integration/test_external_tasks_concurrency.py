"""External tasks under real concurrency: many workers fetch from one topic on PostgreSQL."""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.utils import timezone

from processes.deployments import deploy
from processes.external_tasks import Topic, available, complete, fetch_and_lock
from processes.instances import start_instance
from processes.models import Job, ProcessInstance
from tests.samples import HEADER

WORKERS = 8
TASKS = 120
TOPICS = [Topic("shipping", lock_duration_ms=600_000)]


def shipping():
    return deploy((
        HEADER + '<process id="shipping" isExecutable="true"><startEvent id="start"/>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="ship"/>'
        '<serviceTask id="ship" baton:type="external" baton:topic="shipping"/>'
        '<sequenceFlow id="f2" sourceRef="ship" targetRef="end"/><endEvent id="end"/>'
        "</process></definitions>"
    ).encode(), name="shipping.bpmn").definitions[0]


def test_concurrent_workers_never_get_the_same_task_and_get_them_all(transactional_db):
    definition = shipping()
    for number in range(TASKS):
        start_instance(definition, business_key=f"ORDER-{number}")
    all_tasks = set(Job.objects.values_list("pk", flat=True))
    barrier = threading.Barrier(WORKERS)

    def work(worker_id) -> list[int]:
        """Fetch, lock and complete tasks, three at a time, until none is left."""
        got = []
        try:
            barrier.wait()
            while available(["shipping"], timezone.now()).exists():
                for task in fetch_and_lock(worker_id, TOPICS, max_tasks=3):
                    got.append(task.pk)
                    complete(task.pk, worker_id, {"shipped_by": worker_id})
        finally:
            connection.close()
        return got

    with ThreadPoolExecutor(WORKERS) as pool:
        futures = [pool.submit(work, f"w{number}") for number in range(WORKERS)]
    counts = Counter(task for future in futures for task in future.result())

    assert [task for task, times in counts.items() if times > 1] == []
    assert set(counts) == all_tasks
    instances = ProcessInstance.objects.all()
    assert {i.state for i in instances} == {"completed"}
    assert all(i.variables["shipped_by"] for i in instances)
