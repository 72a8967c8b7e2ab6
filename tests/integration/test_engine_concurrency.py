"""The engine under real concurrency: PostgreSQL, Redis and two Celery worker processes."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection

from processes.deployments import deploy
from processes.events import NothingWaits, correlate_message
from processes.instances import TaskNotOpen, complete_task, start_instance
from processes.models import ProcessInstance, Task
from tests.polling import wait_until
from tests.samples import HEADER, approval_process


class Remote:
    """A local HTTP service the service tasks call; it records what it was asked."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self.calls = []
        self.release = threading.Event()
        self.block_first = False
        self.lock = threading.Lock()
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                key = body.get("branch")
                with remote.lock:
                    remote.calls.append((key, self.headers.get("Idempotency-Key")))
                    first = len(remote.calls) == 1
                if remote.block_first and first:
                    remote.release.wait(60)
                time.sleep(remote.delay)
                payload = json.dumps({"ok": True, "branch": key}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()


@pytest.fixture
def remote():
    service = Remote()
    yield service
    service.close()


def service_task(task_id, url, branch):
    return (
        f'<serviceTask id="{task_id}" name="Call {branch}">\n'
        "  <extensionElements>\n"
        f'    <baton:http method="POST" url="{url}">\n'
        f'      <baton:body>${{{{"branch": "{branch}"}}}}</baton:body>\n'
        "    </baton:http>\n"
        "  </extensionElements>\n"
        "</serviceTask>\n"
    )


def one_service(url) -> bytes:
    """Start → one service task calling ``url`` → end."""
    return (HEADER + '<process id="one" isExecutable="true"><startEvent id="start"/>'
            '<sequenceFlow id="f0" sourceRef="start" targetRef="call0"/>'
            + service_task("call0", url, "b0")
            + '<sequenceFlow id="f1" sourceRef="call0" targetRef="end"/><endEvent id="end"/>'
            "</process></definitions>").encode()


def parallel_services(url, branches=2) -> bytes:
    """Start → fork → N service tasks calling ``url`` → join → end."""
    body = ['<process id="fanout" isExecutable="true"><startEvent id="start"/>',
            '<sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>',
            '<parallelGateway id="fork"/><parallelGateway id="join"/>']
    for n in range(branches):
        body.append(service_task(f"call{n}", url, f"b{n}"))
        body.append(f'<sequenceFlow id="in{n}" sourceRef="fork" targetRef="call{n}"/>')
        body.append(f'<sequenceFlow id="out{n}" sourceRef="call{n}" targetRef="join"/>')
    body.append('<sequenceFlow id="fend" sourceRef="join" targetRef="end"/><endEvent id="end"/>')
    body.append("</process></definitions>")
    return (HEADER + "\n".join(body)).encode()


def test_parallel_branches_finishing_together_on_two_workers_are_all_joined(celery_workers, remote):
    remote.delay = 1.0
    celery_workers.start("w1")
    celery_workers.start("w2", beat=True)
    definition = deploy(parallel_services(remote.url), name="fanout.bpmn").definitions[0]
    instances = [start_instance(definition) for _ in range(4)]
    assert wait_until(
        lambda: ProcessInstance.objects.filter(pk__in=[i.pk for i in instances], state="completed").count() == 4,
        timeout=60,
    )
    assert sorted(key for key, _ in remote.calls) == ["b0"] * 4 + ["b1"] * 4
    for instance in instances:
        joins = instance.activities.filter(element_id="join", ended_at__isnull=False).count()
        assert joins == 1, "the join fired exactly once per instance"


@pytest.mark.django_db(transaction=True)
def test_one_task_completed_twice_at_once_succeeds_exactly_once(employee):
    definition = deploy(approval_process(), name="approval.bpmn").definitions[0]
    instance = start_instance(definition)
    task = Task.objects.get(instance=instance)
    barrier = threading.Barrier(2)
    outcomes = []

    def complete():
        try:
            barrier.wait()
            complete_task(task.pk, variables={"amount": 1, "approved": True}, user=employee)
            outcomes.append("done")
        except TaskNotOpen:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["conflict", "done"]
    assert instance.activities.filter(element_id="review", ended_at__isnull=False).count() == 1
    assert ProcessInstance.objects.get(pk=instance.pk).state == "completed"


def test_a_worker_killed_mid_job_does_not_leave_the_instance_stuck(celery_workers, remote):
    celery_workers.env["JOB_LEASE_SECONDS"] = "3"
    remote.block_first = True
    doomed = celery_workers.start("doomed")
    definition = deploy(one_service(remote.url), name="one.bpmn").definitions[0]
    instance = start_instance(definition)
    assert wait_until(lambda: len(remote.calls) == 1, timeout=30), "the first worker took the job"
    celery_workers.kill(doomed)
    remote.release.set()
    celery_workers.start("rescuer", beat=True)
    assert wait_until(
        lambda: ProcessInstance.objects.get(pk=instance.pk).state == "completed", timeout=60
    )
    assert len(remote.calls) == 2, "the job ran again after its lease expired"
    first_key, second_key = (key for _, key in remote.calls)
    assert first_key != second_key, "each attempt has its own idempotency key"


def test_no_job_runs_twice_at_the_same_time(celery_workers, remote):
    remote.delay = 0.2
    celery_workers.start("w1", beat=True)
    celery_workers.start("w2", beat=True)
    definition = deploy(parallel_services(remote.url, branches=5), name="five.bpmn").definitions[0]
    instances = [start_instance(definition) for _ in range(6)]
    assert wait_until(
        lambda: ProcessInstance.objects.filter(pk__in=[i.pk for i in instances], state="completed").count() == 6,
        timeout=90,
    )
    assert len(remote.calls) == 30
    assert len({key for _, key in remote.calls}) == 30, "every job ran exactly once"


@pytest.mark.django_db(transaction=True)
def test_one_message_delivered_twice_at_once_resumes_the_instance_once():
    xml = (
        HEADER + '<message id="m" name="paid"/><process id="wait" isExecutable="true"><startEvent id="s"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="paid"/>'
        '<intermediateCatchEvent id="paid"><messageEventDefinition messageRef="m"/></intermediateCatchEvent>'
        '<sequenceFlow id="f2" sourceRef="paid" targetRef="e"/><endEvent id="e"/></process></definitions>'
    )
    definition = deploy(xml.encode(), name="wait.bpmn").definitions[0]
    instance = start_instance(definition, business_key="B-1")
    barrier = threading.Barrier(2)
    outcomes = []

    def deliver():
        try:
            barrier.wait()
            outcomes.append(correlate_message("paid", business_key="B-1"))
        except NothingWaits:
            outcomes.append("nothing waits")
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes, key=str) == [[instance.pk], "nothing waits"]
    assert instance.activities.filter(element_id="paid").count() == 1
    assert ProcessInstance.objects.get(pk=instance.pk).state == "completed"
