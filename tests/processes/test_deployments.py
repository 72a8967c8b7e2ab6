"""Deploying BPMN files: stored byte for byte, versioned per key, refused when invalid."""

import hashlib

import pytest

from processes.bpmn import BpmnError
from processes.deployments import deploy
from processes.models import Deployment, ProcessDefinition
from tests.samples import gateway_without_default, simple_process

pytestmark = pytest.mark.django_db


def test_a_deployment_keeps_the_file_byte_for_byte_with_checksum_author_and_time(owner):
    data = simple_process()
    result = deploy(data, name="invoice.bpmn", user=owner)
    deployment = Deployment.objects.get(pk=result.deployment.pk)
    assert bytes(deployment.content) == data
    assert deployment.checksum == hashlib.sha256(data).hexdigest()
    assert deployment.deployed_by == owner and deployment.deployed_at is not None
    assert [(d.key, d.version, d.name) for d in result.definitions] == [
        ("invoice", 1, "Invoice approval")
    ]


def test_each_change_becomes_the_next_version_of_its_key():
    deploy(simple_process(task="Approve"), name="a.bpmn")
    deploy(simple_process(task="Approve quickly"), name="b.bpmn")
    third = deploy(simple_process(task="Approve now"), name="c.bpmn")
    assert third.definitions[0].version == 3
    assert ProcessDefinition.objects.filter(key="invoice").count() == 3


def test_deploying_an_identical_file_again_creates_no_new_version():
    first = deploy(simple_process(), name="invoice.bpmn")
    again = deploy(simple_process(), name="copy.bpmn")
    assert not again.created
    assert again.deployment.pk == first.deployment.pk
    assert ProcessDefinition.objects.count() == 1


def test_versions_are_counted_per_key():
    deploy(simple_process(key="invoice"), name="a.bpmn")
    other = deploy(simple_process(key="hiring", task="Screen"), name="b.bpmn")
    assert other.definitions[0].version == 1


def test_an_invalid_file_is_refused_naming_the_element_and_nothing_is_stored():
    with pytest.raises(BpmnError) as refused:
        deploy(gateway_without_default(), name="review.bpmn")
    assert any(p.element_id == "choice" for p in refused.value.problems)
    assert not Deployment.objects.exists()


def test_a_non_executable_process_is_stored_but_cannot_start():
    result = deploy(simple_process(executable=False), name="map.bpmn")
    definition = result.definitions[0]
    assert not definition.is_executable
    assert not definition.can_start


def test_a_model_without_diagram_is_laid_out_and_the_original_is_kept():
    data = simple_process(with_di=False)
    deployment = deploy(data, name="no-di.bpmn").deployment
    assert bytes(deployment.content) == data
    assert b"BPMNShape" in bytes(deployment.laid_out)
    assert b'bpmnElement="task"' in deployment.diagram_xml


def test_a_documentation_model_imports_as_not_executable():
    data = gateway_without_default()
    with pytest.raises(BpmnError):
        deploy(data, name="review.bpmn")
    result = deploy(data, name="review.bpmn", as_documentation=True)
    assert [d.is_executable for d in result.definitions] == [False]
