"""The API allows exactly what the pages allow, role by role.

Each row pairs a page with the API call doing the same thing; for every role, both are
refused (403) or both are allowed. A capability checked in one place and forgotten in the
other fails here.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import ADMINISTRATORS, EMPLOYEES, INTEGRATIONS, MANAGERS, PROCESS_OWNERS
from processes.deployments import deploy
from processes.drafts import new_draft
from processes.instances import start_instance
from tests.conftest import make_user
from tests.samples import approval_process, simple_process

pytestmark = pytest.mark.django_db

ROLES = [None, EMPLOYEES, PROCESS_OWNERS, MANAGERS, ADMINISTRATORS, INTEGRATIONS]


@pytest.fixture
def world(settings):
    """A deployed process with a running instance, and a draft."""
    settings.CELERY_BROKER_URL = ""
    definition = deploy(approval_process(), name="approval.bpmn").definitions[0]
    instance = start_instance(definition, variables={"amount": 3})
    owner = make_user("olga", PROCESS_OWNERS)
    return {"definition": definition, "instance": instance, "draft": new_draft(owner, "D", "d")}


# (pages, API method, API path, body): the call is allowed when one of the pages is;
# {definition} and {instance} are filled in. Definitions are read by those who see processes
# and by those who start them (the start page lists them).
READ_DEFINITIONS = ("/processes/", "/start/")
PAIRS = [
    (READ_DEFINITIONS, "get", "/api/v1/definitions/", None),
    (READ_DEFINITIONS, "get", "/api/v1/definitions/{definition}/statistics/", None),
    (("/deploy/",), "post", "/api/v1/deployments/", "upload"),
    (("/start/",), "post", "/api/v1/instances/", {"definition_key": "approval",
                                              "variables": {"amount": 1}}),
    (("/designer/",), "post", "/api/v1/drafts/", {"name": "New", "key": "new_one"}),
    (("/system/",), "get", "/api/v1/incidents/", None),
    (("/dashboards/",), "get", "/api/v1/metrics/processes/", None),
    (("/dashboards/approval/",), "get", "/api/v1/metrics/processes/approval/", None),
    (("/metrics/exports/approval.csv",), "get", "/api/v1/metrics/exports/approval.csv", None),
]


def allowed(response) -> bool:
    assert response.status_code < 500, response.content
    return response.status_code not in (401, 403)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no role")
@pytest.mark.parametrize("pages, method, path, body", PAIRS, ids=[p[2] for p in PAIRS])
def test_the_api_allows_what_the_pages_allow(client, api_for, world, role, pages, method, path,
                                             body):
    user = make_user("someone", *([role] if role else []))
    client.force_login(user)
    url = path.format(definition=world["definition"].pk, instance=world["instance"].pk)
    if body == "upload":
        body = {"file": SimpleUploadedFile("p.bpmn", simple_process(key="fresh"))}
        response = getattr(api_for(user), method)(url, body, format="multipart")
    else:
        response = getattr(api_for(user), method)(url, body, format="json")
    page_allows = any(allowed(client.get(page)) for page in pages)
    assert allowed(response) == page_allows, f"{role}: {pages} vs {method} {url}"


OPERATIONS = [
    ("post", "/api/v1/instances/{instance}/suspend/", None),
    ("patch", "/api/v1/instances/{instance}/variables/", {"variables": {"amount": 2}}),
    ("post", "/api/v1/instances/{instance}/cancel/", None),
    ("post", "/api/v1/definitions/{definition}/suspend/", None),
]


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "no role")
@pytest.mark.parametrize("method, path, body", OPERATIONS, ids=[o[1] for o in OPERATIONS])
def test_operations_on_instances_and_versions_are_for_owners_and_administrators(
    api_for, world, role, method, path, body
):
    user = make_user("someone", *([role] if role else []))
    url = path.format(definition=world["definition"].pk, instance=world["instance"].pk)
    response = getattr(api_for(user), method)(url, body, format="json")
    assert allowed(response) == (role in (PROCESS_OWNERS, ADMINISTRATORS))
