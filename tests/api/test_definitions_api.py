"""POST /api/v1/deployments/ and the definitions resource."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import etree

from processes.models import ProcessDefinition
from tests.samples import gateway_without_default, simple_process

pytestmark = pytest.mark.django_db


def post_file(api, data, name="model.bpmn"):
    return api.post("/api/v1/deployments/", {"file": SimpleUploadedFile(name, data)},
                    format="multipart")


def test_deploying_returns_201_with_the_new_definitions(api_for, owner):
    response = post_file(api_for(owner), simple_process())
    assert response.status_code == 201
    body = response.json()
    assert body["definitions"] == [
        {"id": ProcessDefinition.objects.get().pk, "key": "invoice", "version": 1,
         "name": "Invoice approval"}
    ]
    assert isinstance(body["id"], int) and isinstance(body["warnings"], list)


def test_an_identical_file_returns_200_and_no_new_version(api_for, owner):
    api = api_for(owner)
    post_file(api, simple_process())
    response = post_file(api, simple_process())
    assert response.status_code == 200 and response.json()["created"] is False
    assert ProcessDefinition.objects.count() == 1


def test_an_invalid_model_is_a_400_naming_the_element(api_for, owner):
    response = post_file(api_for(owner), gateway_without_default())
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_bpmn"
    assert any(d["element_id"] == "choice" for d in error["details"])


@pytest.mark.parametrize("data", [b"", b"not xml at all", b"<a/>",
                                  b'<!DOCTYPE a SYSTEM "http://example.com/x.dtd"><a/>'])
def test_broken_files_are_400_with_a_message(api_for, owner, data):
    response = post_file(api_for(owner), data)
    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_a_missing_file_field_names_the_field(api_for, owner):
    response = api_for(owner).post("/api/v1/deployments/", {}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "file"


@pytest.mark.parametrize("persona", ["employee", "manager", "outsider"])
def test_only_deployers_may_deploy(api_for, request, persona):
    response = post_file(api_for(request.getfixturevalue(persona)), simple_process())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_definitions_are_filtered_by_key_and_give_xml_and_svg(api_for, owner, manager):
    post_file(api_for(owner), simple_process())
    post_file(api_for(owner), simple_process(task="Changed"))
    post_file(api_for(owner), simple_process(key="hiring", name="Hiring"))
    api = api_for(manager)
    listed = api.get("/api/v1/definitions/?key=invoice").json()
    assert [(d["key"], d["version"]) for d in listed["results"]] == [("invoice", 2), ("invoice", 1)]
    first = listed["results"][1]["id"]
    assert api.get(f"/api/v1/definitions/{first}/").json()["version"] == 1
    assert api.get(f"/api/v1/definitions/{first}/xml").content == simple_process()
    svg = api.get(f"/api/v1/definitions/{first}/diagram.svg")
    assert etree.fromstring(svg.content).tag.endswith("svg")
    assert api.get("/api/v1/definitions/999999/").status_code == 404
