"""examples/external_worker.py, run as its own process against a live server."""

import subprocess
import sys
from pathlib import Path

import pytest

from accounts.roles import INTEGRATIONS
from accounts.tokens import create_token
from processes.deployments import deploy
from processes.instances import start_instance
from processes.models import Job
from tests.conftest import make_user

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def order_total(transactional_db):
    return deploy((EXAMPLES / "external_worker.bpmn").read_bytes(),
                  name="external_worker.bpmn").definitions[0]


def run_worker(url: str) -> subprocess.CompletedProcess:
    token = create_token(make_user("order-worker", INTEGRATIONS))
    return subprocess.run(
        [sys.executable, str(EXAMPLES / "external_worker.py"), "--url", url, "--token", token,
         "--topic", "order-total", "--max-tasks", "1"],
        check=False, capture_output=True, text=True, timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_completes_the_task_and_the_instance_ends(live_server, order_total):
    instance = start_instance(order_total, variables={"quantity": 3, "unit_price": 9.5})
    worker = run_worker(live_server.url)
    assert worker.returncode == 0, worker.stderr
    instance.refresh_from_db()
    assert instance.state == "completed"
    assert instance.variables["total"] == 28.5


@pytest.mark.django_db(transaction=True)
def test_the_worker_reports_a_failing_handler_with_one_retry_fewer(live_server, order_total):
    instance = start_instance(order_total, variables={"quantity": 0, "unit_price": 9.5})
    worker = run_worker(live_server.url)
    assert worker.returncode == 0, worker.stderr
    task = Job.objects.get(instance=instance)
    assert task.retries_left == 2 and task.locked_until is None
    assert task.last_error == "ValueError: the quantity must be at least 1, not 0"
    assert "Traceback" in task.payload["error_details"]
