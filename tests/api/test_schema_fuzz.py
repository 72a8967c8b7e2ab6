"""Schemathesis throws generated requests, valid and invalid, at every operation of the live
OpenAPI schema: no answer may be a 5xx, and every answer must match the schema.

The requests go through Django's WSGI application in this process, authenticated as an
administrator (so that every operation is really exercised, not refused with 403), against
a database holding deployed processes, running instances, tasks and an incident.
"""

import os

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from accounts.demo import create_demo_users
from accounts.tokens import create_token
from bpm.wsgi import application
from processes.demo import deploy_demo_processes
from processes.deployments import deploy
from processes.instances import start_instance
from tests.samples import HEADER, approval_process

# Bounded in CI so `make test` stays fast; raise it locally to look harder.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


@pytest.fixture
def api_schema(db):
    # Requests go straight to the WSGI application: keep Django from closing the test's
    # database connection after each, as its test client does.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)



FAILING = (
    '<process id="failing" isExecutable="true"><startEvent id="s"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="compute"/>'
    '<scriptTask id="compute"><script>ratio = 1 / divisor</script></scriptTask>'
    '<sequenceFlow id="f2" sourceRef="compute" targetRef="e"/><endEvent id="e"/></process>'
)


@pytest.fixture
def token(db, settings):
    settings.CELERY_BROKER_URL = ""  # jobs stay in the database
    create_demo_users()
    deploy_demo_processes()
    approval = deploy(approval_process(), name="approval.bpmn").definitions[0]
    failing = deploy((HEADER + FAILING + "</definitions>").encode(), name="f.bpmn").definitions[0]
    for amount in (5, 5000):
        start_instance(approval, variables={"amount": amount})
    start_instance(failing, variables={"divisor": 0})  # an incident
    return create_token(User.objects.get(username="ada"))


def test_no_request_makes_the_api_fail_or_break_its_schema(api_schema, token):
    failures = []
    for operation in api_schema.get_all_operations():
        operation = operation.ok()
        for mode in GenerationMode:
            try:
                fuzz(operation, mode, token)
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE, operation.label  # nothing to get wrong
            except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - reported below
                failures.append(f"{mode.value} {operation.label}: {describe(failure)}")
    assert not failures, "\n\n".join(failures)


def describe(failure) -> str:
    """Schemathesis groups what it found; say each failure, not just how many."""
    found = getattr(failure, "exceptions", None) or [failure]
    return "\n".join(str(item).strip()[:1500] for item in found)


def fuzz(operation, mode, token) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        # Each request in a savepoint: a failure is reported, not left to abort the rest.
        with transaction.atomic():
            case.call_and_validate(
                headers={"Authorization": f"Token {token}"},
                checks=[not_a_server_error, response_schema_conformance],
            )

    run()
