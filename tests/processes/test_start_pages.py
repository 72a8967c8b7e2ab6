"""Start a process: the list of startable processes and their start forms."""

import pytest
from django.urls import reverse

from processes.demo import deploy_demo_processes
from processes.deployments import deploy
from processes.models import ProcessDefinition, ProcessInstance
from tests.samples import HEADER, simple_process

INVOICE = {
    "vendor": "ACME", "invoice_number": "INV-7", "po_number": "", "amount": "120.50",
    "instance-business_key": "INV-7",
}


@pytest.fixture
def demo(db):
    deploy_demo_processes()


def start(client, key, data):
    return client.post(reverse("start-form", args=[key]), data)


def listed_keys(response):
    return [definition.key for definition, _ in response.context["rows"]]


def test_an_employee_sees_the_processes_they_may_start(client_for, employee, demo):
    response = client_for(employee).get(reverse("start-list"))
    assert response.status_code == 200
    assert sorted(listed_keys(response)) == ["accounts_payable", "customer_service", "hiring"]
    assert "Invoice number" in response.content.decode(), "what each start form asks for"


def test_the_start_form_shows_the_models_fields(client_for, employee, demo):
    response = client_for(employee).get(reverse("start-form", args=["accounts_payable"]))
    page = response.content.decode()
    assert 'name="vendor"' in page and 'name="amount"' in page and 'type="number"' in page
    assert 'name="instance-business_key"' in page


def test_an_employee_starts_an_invoice_with_a_valid_form(client_for, employee, demo):
    client = client_for(employee)
    response = start(client, "accounts_payable", INVOICE)
    assert response.status_code == 302
    assert response.url == reverse("home")
    instance = ProcessInstance.objects.get()
    assert instance.definition.key == "accounts_payable"
    assert instance.business_key == "INV-7"
    assert instance.started_by == employee
    assert instance.variables["amount"] == 120.5, "a typed variable, not text"
    assert instance.variables["vendor"] == "ACME"
    assert instance.variables["po_number"] is None, "an empty optional field is None"
    assert instance.variables["initiator"] == "emma"
    page = client.get(response.url).content.decode()
    assert f"Started Accounts payable (instance {instance.pk})" in page


def test_an_invalid_amount_is_shown_next_to_the_field_and_starts_nothing(
    client_for, employee, demo
):
    response = start(client_for(employee), "accounts_payable", {**INVOICE, "amount": "lots"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in str(response.context["form"]["amount"])
    assert '<small id="id_amount_error" class="form-error">Enter a number.</small>' in page
    assert 'value="ACME"' in page, "what was typed is kept"
    assert not ProcessInstance.objects.exists()


def test_every_mistake_is_shown_at_once(client_for, employee, demo):
    data = {**INVOICE, "vendor": "", "instance-business_key": "x" * 300}
    response = start(client_for(employee), "accounts_payable", data)
    assert response.status_code == 400
    assert "vendor" in response.context["form"].errors
    assert "business_key" in response.context["instance_form"].errors
    assert not ProcessInstance.objects.exists()


def test_the_business_key_is_optional(client_for, employee, demo):
    data = {"customer": "Ann", "channel": "chat", "category": "billing", "description": "Bill?"}
    assert start(client_for(employee), "customer_service", data).status_code == 302
    instance = ProcessInstance.objects.get()
    assert instance.business_key == ""
    assert instance.variables["channel"] == "chat"


@pytest.mark.parametrize("persona", ["manager", "outsider"])
def test_only_those_who_may_start_processes_open_the_pages(client_for, request, persona, demo):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("start-list")).status_code == 403
    assert client.get(reverse("start-form", args=["accounts_payable"])).status_code == 403
    assert start(client, "accounts_payable", INVOICE).status_code == 403
    assert not ProcessInstance.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, demo):
    response = client.get(reverse("start-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_navigation_offers_the_page_to_those_who_may_start(client_for, employee, manager):
    def labels(user):
        return [e.label for e in client_for(user).get(reverse("home")).context["nav_entries"]]

    assert "Start a process" in labels(employee)
    assert "Start a process" not in labels(manager)


def test_suspended_and_non_executable_processes_are_not_offered(client_for, employee, demo):
    ProcessDefinition.objects.filter(key="hiring").update(suspended=True)
    deploy(simple_process("documented", "Documented"), name="doc.bpmn", as_documentation=True)
    client = client_for(employee)
    assert sorted(listed_keys(client.get(reverse("start-list")))) == [
        "accounts_payable", "customer_service",
    ]
    assert client.get(reverse("start-form", args=["hiring"])).status_code == 404
    assert client.get(reverse("start-form", args=["documented"])).status_code == 404
    assert start(client, "documented", {}).status_code == 404
    assert not ProcessInstance.objects.exists()


def test_only_the_newest_version_is_offered_and_started(client_for, employee, db):
    deploy(simple_process("invoice", "Invoice v1"), name="v1.bpmn")
    deploy(simple_process("invoice", "Invoice v2", task="Check"), name="v2.bpmn")
    client = client_for(employee)
    rows = client.get(reverse("start-list")).context["rows"]
    assert [(d.key, d.version) for d, _ in rows] == [("invoice", 2)]
    start(client, "invoice", {})
    assert ProcessInstance.objects.get().definition.version == 2


def test_a_suspended_newest_version_is_not_replaced_by_an_older_one(client_for, employee, db):
    deploy(simple_process("invoice", "Invoice v1"), name="v1.bpmn")
    deploy(simple_process("invoice", "Invoice v2", task="Check"), name="v2.bpmn")
    ProcessDefinition.objects.filter(key="invoice", version=2).update(suspended=True)
    assert listed_keys(client_for(employee).get(reverse("start-list"))) == []


def test_a_process_started_only_by_a_message_is_not_offered(client_for, employee, db):
    data = (
        HEADER
        + '<message id="order" name="order"/>'
        '<process id="by_message" isExecutable="true">'
        '<startEvent id="start"><messageEventDefinition messageRef="order"/></startEvent>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="end"/><endEvent id="end"/>'
        "</process></definitions>"
    ).encode()
    deploy(data, name="message.bpmn")
    client = client_for(employee)
    assert listed_keys(client.get(reverse("start-list"))) == []
    assert client.get(reverse("start-form", args=["by_message"])).status_code == 404
