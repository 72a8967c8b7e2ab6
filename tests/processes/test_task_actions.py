"""Working on tasks: unclaim, delegate and resolve, reassign, comments, attachments, lanes,
and the e-mails that tell people about their tasks."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import NotificationPreference
from accounts.roles import EMPLOYEES
from processes.deployments import deploy
from processes.instances import (
    DelegationPending,
    TaskNotOpen,
    claim_task,
    complete_task,
    start_instance,
)
from processes.models import Job, Task
from processes.task_actions import (
    InvalidInput,
    NotAllowed,
    NotDelegated,
    add_attachment,
    add_comment,
    delegate,
    reassign,
    resolve,
    unclaim,
)
from tests.conftest import make_user
from tests.processes.test_services import make_due, run_jobs
from tests.samples import HEADER, approval_process

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    """Jobs wait for run_jobs(); files go to a temporary MEDIA_ROOT."""
    settings.CELERY_BROKER_URL = ""
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ethan(db):
    return make_user("ethan", EMPLOYEES)


def a_task(xml: bytes = None, **start) -> Task:
    definition = deploy(xml or approval_process(), name="p.bpmn").definitions[0]
    instance = start_instance(definition, **start)
    return Task.objects.get(instance=instance)


def user_task_process(task_attributes: str, lanes: str = "") -> bytes:
    return (
        HEADER + '<process id="p" name="Purchase" isExecutable="true">' + lanes
        + '<startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="task"/>'
        f'<userTask id="task" name="Check order" {task_attributes}/>'
        '<sequenceFlow id="f2" sourceRef="task" targetRef="end"/><endEvent id="end"/>'
        "</process></definitions>"
    ).encode()


def sent(subject_start: str) -> list:
    """Run due jobs, and the mail jobs they wrote, then return the e-mails sent so far."""
    for _ in range(2):
        run_jobs()
    return [m for m in mail.outbox if m.subject.startswith(subject_start)]


# Unclaim


def test_the_assignee_unclaims_a_task(employee):
    task = a_task()
    claim_task(task.pk, employee)
    task = unclaim(task.pk, employee)
    assert (task.assignee, task.claimed_at) == ("", None)


def test_a_colleague_cannot_unclaim_someone_elses_task(employee, ethan):
    task = a_task()
    claim_task(task.pk, employee)
    with pytest.raises(NotAllowed):
        unclaim(task.pk, ethan)


def test_an_operator_unclaims_anyones_task(employee, admin_user):
    task = a_task()
    claim_task(task.pk, employee)
    assert unclaim(task.pk, admin_user).assignee == ""


def test_an_outsider_cannot_touch_a_task(employee, outsider):
    task = a_task()
    for act in (lambda: unclaim(task.pk, outsider), lambda: delegate(task.pk, employee, outsider),
                lambda: add_comment(task.pk, outsider, "hi")):
        with pytest.raises(NotAllowed):
            act()


# Delegate and resolve


def test_a_delegated_task_comes_back_to_its_owner(employee, ethan):
    task = a_task()
    claim_task(task.pk, employee)
    task = delegate(task.pk, ethan, employee)
    assert (task.owner, task.assignee, task.delegation) == ("emma", "ethan", "pending")
    with pytest.raises(DelegationPending):
        complete_task(task.pk, variables={"amount": 1}, user=ethan)
    task = resolve(task.pk, ethan)
    assert (task.owner, task.assignee, task.delegation) == ("emma", "emma", "resolved")
    assert complete_task(task.pk, variables={"amount": 1}, user=employee).state == "completed"


def test_only_the_delegate_resolves(employee, ethan):
    task = a_task()
    claim_task(task.pk, employee)
    delegate(task.pk, ethan, employee)
    with pytest.raises(NotAllowed):
        resolve(task.pk, employee)


def test_a_task_not_delegated_cannot_be_resolved(employee):
    task = a_task()
    claim_task(task.pk, employee)
    with pytest.raises(NotDelegated):
        resolve(task.pk, employee)


def test_delegating_further_keeps_the_first_owner(employee, ethan):
    finn = make_user("finn", EMPLOYEES)
    task = a_task()
    claim_task(task.pk, employee)
    delegate(task.pk, ethan, employee)
    task = delegate(task.pk, finn, ethan)
    assert (task.owner, task.assignee) == ("emma", "finn")


def test_a_delegate_must_be_able_to_work_on_tasks(employee, outsider):
    task = a_task()
    with pytest.raises(InvalidInput) as refused:
        delegate(task.pk, outsider, employee)
    assert refused.value.field == "user"
    with pytest.raises(InvalidInput):
        delegate(task.pk, employee, employee)


def test_a_delegated_task_cannot_be_unclaimed(employee, ethan):
    task = a_task()
    delegate(task.pk, ethan, employee)
    with pytest.raises(DelegationPending):
        unclaim(task.pk, ethan)


# Reassign


def test_a_manager_reassigns_a_task_he_cannot_see(employee, ethan, manager):
    task = a_task()
    claim_task(task.pk, employee)
    task = reassign(task.pk, ethan, manager)
    assert task.assignee == "ethan"


def test_reassigning_ends_a_pending_delegation(employee, ethan, admin_user):
    task = a_task()
    delegate(task.pk, ethan, employee)
    task = reassign(task.pk, employee, admin_user)
    assert (task.assignee, task.delegation) == ("emma", "")


def test_an_employee_cannot_reassign(employee, ethan):
    task = a_task()
    with pytest.raises(NotAllowed):
        reassign(task.pk, ethan, employee)


def test_a_closed_task_cannot_be_reassigned(employee, ethan, manager):
    task = a_task()
    complete_task(task.pk, variables={"amount": 1}, user=employee)
    with pytest.raises(TaskNotOpen):
        reassign(task.pk, ethan, manager)


# Comments and attachments


def test_comments_are_kept_in_order(employee, ethan):
    task = a_task()
    add_comment(task.pk, employee, "  Waiting for the invoice. ")
    add_comment(task.pk, ethan, "It came.")
    assert [(c.author, c.text) for c in task.comments.all()] == [
        ("emma", "Waiting for the invoice."), ("ethan", "It came.")
    ]
    with pytest.raises(InvalidInput):
        add_comment(task.pk, employee, "   ")


def test_an_attachment_is_stored_through_the_default_storage(employee):
    task = a_task()
    upload = SimpleUploadedFile("../../offer.PDF", b"%PDF-1.4 offer", content_type="text/html")
    attachment = add_attachment(task.pk, employee, upload)
    assert (attachment.name, attachment.size, attachment.uploaded_by) == ("offer.PDF", 14, "emma")
    assert attachment.content_type == "application/pdf"  # from the name, not the browser
    assert attachment.file.name.startswith(f"tasks/{task.pk}/")
    with default_storage.open(attachment.file.name) as stored:
        assert stored.read() == b"%PDF-1.4 offer"


def test_an_attachment_too_large_is_refused(employee, settings):
    settings.TASK_ATTACHMENT_MAX_BYTES = 10
    task = a_task()
    with pytest.raises(InvalidInput, match="at most 10") as refused:
        add_attachment(task.pk, employee, SimpleUploadedFile("a.txt", b"x" * 11))
    assert refused.value.field == "file"
    assert not task.attachments.exists()


def test_an_attachment_of_a_type_not_allowed_is_refused(employee):
    task = a_task()
    for name in ("page.html", "run.exe", "noextension"):
        with pytest.raises(InvalidInput, match="not accepted"):
            add_attachment(task.pk, employee, SimpleUploadedFile(name, b"x"))


# Lanes


LANES = (
    '<laneSet id="ls"><lane id="l1" name="Purchasing"><flowNodeRef>start</flowNodeRef>'
    '<childLaneSet id="cls"><lane id="l2" name="Buyers"><flowNodeRef>task</flowNodeRef></lane>'
    "</childLaneSet></lane></laneSet>"
)


def test_a_task_nobody_was_named_for_is_offered_to_its_innermost_lane(employee):
    task = a_task(user_task_process("", LANES))
    assert list(task.candidates.values_list("kind", "name")) == [("group", "Buyers")]


def test_named_candidates_win_over_the_lane(employee):
    task = a_task(user_task_process('baton:candidateUsers="emma"', LANES))
    assert list(task.candidates.values_list("kind", "name")) == [("user", "emma")]


def test_a_task_in_a_subprocess_takes_the_lane_of_the_subprocess(employee):
    xml = (
        HEADER + '<process id="p" isExecutable="true">'
        '<laneSet id="ls"><lane id="l1" name="Warehouse"><flowNodeRef>sub</flowNodeRef></lane></laneSet>'
        '<startEvent id="start"/><sequenceFlow id="f1" sourceRef="start" targetRef="sub"/>'
        '<subProcess id="sub"><startEvent id="s2"/><sequenceFlow id="g1" sourceRef="s2" targetRef="task"/>'
        '<userTask id="task"/><sequenceFlow id="g2" sourceRef="task" targetRef="e2"/><endEvent id="e2"/>'
        '</subProcess><sequenceFlow id="f2" sourceRef="sub" targetRef="end"/><endEvent id="end"/>'
        "</process></definitions>"
    ).encode()
    task = a_task(xml)
    assert list(task.candidates.values_list("kind", "name")) == [("group", "Warehouse")]


# Notifications


def test_the_assignee_of_a_new_task_gets_an_email_linking_to_it(employee, settings):
    settings.SITE_URL = "https://bpm.example.com"
    task = a_task(user_task_process('baton:assignee="emma"'), business_key="PO-7")
    [message] = sent("Task assigned")
    assert message.to == ["emma@example.com"]
    assert "Check order" in message.subject and "PO-7" in message.body
    assert f"https://bpm.example.com/tasks/{task.pk}/" in message.body


def test_delegating_and_reassigning_tell_the_new_assignee_and_resolving_the_owner(
    employee, ethan, manager
):
    task = a_task()
    delegate(task.pk, ethan, employee)
    resolve(task.pk, ethan)
    reassign(task.pk, ethan, manager)
    assert [m.to for m in sent("Task assigned")] == [
        ["ethan@example.com"], ["emma@example.com"], ["ethan@example.com"]
    ]
    assert "emma assigned you" in mail.outbox[0].body


def test_nobody_is_told_about_what_they_did_themselves(employee, admin_user):
    task = a_task()
    reassign(task.pk, admin_user, admin_user)
    assert sent("Task assigned") == []


def test_a_user_who_opted_out_gets_no_email(employee, ethan):
    NotificationPreference.objects.create(user=ethan, task_emails=False)
    task = a_task()
    delegate(task.pk, ethan, employee)
    assert sent("Task") == []


def test_an_overdue_task_is_reported_once_to_its_candidates(employee, ethan):
    NotificationPreference.objects.create(user=ethan, task_emails=True)
    task = a_task(user_task_process('baton:candidateGroups="Employees" baton:dueDate="PT1H"'))
    assert sent("Task overdue") == []  # not due yet
    make_due(kind="tasks.overdue")
    overdue = sent("Task overdue")
    assert sorted(m.to[0] for m in overdue) == ["emma@example.com", "ethan@example.com"]
    assert f"#{task.pk}" in overdue[0].body
    run_jobs()
    assert len(sent("Task overdue")) == 2
    assert not Job.objects.filter(kind="tasks.overdue").exists()


def test_an_overdue_assigned_task_is_reported_to_its_assignee_only(employee, ethan):
    task = a_task(user_task_process('baton:candidateGroups="Employees" baton:dueDate="PT1H"'))
    claim_task(task.pk, ethan)
    make_due(kind="tasks.overdue")
    assert [m.to for m in sent("Task overdue")] == [["ethan@example.com"]]


def test_a_task_completed_in_time_is_never_reported(employee):
    task = a_task(user_task_process('baton:candidateGroups="Employees" baton:dueDate="PT1H"'))
    complete_task(task.pk, user=employee)
    make_due(kind="tasks.overdue")
    assert sent("Task overdue") == []
