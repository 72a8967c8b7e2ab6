"""The worklists and the task page, as employees use them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from processes.deployments import deploy
from processes.instances import claim_task, start_instance
from processes.models import Task
from tests.samples import approval_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def approval():
    return deploy(approval_process(), name="approval.bpmn").definitions[0]


def open_task(definition, business_key=""):
    instance = start_instance(definition, business_key=business_key)
    return Task.objects.get(instance=instance)


def test_group_tasks_list_what_is_offered_and_claiming_moves_it_to_my_tasks(client_for, employee, approval):
    task = open_task(approval, "PO-7")
    client = client_for(employee)
    group = client.get("/tasks/group/")
    assert group.status_code == 200 and b"PO-7" in group.content
    assert client.post(f"/tasks/{task.pk}/claim/").status_code == 302
    mine = client.get("/tasks/")
    assert b"PO-7" in mine.content and b"PO-7" not in client.get("/tasks/group/").content
    assert b'title="Open tasks assigned to you">1<' in mine.content, "the count is in the navigation"


def test_another_users_task_answers_404_and_cannot_be_claimed(client_for, employee, outsider, approval):
    task = open_task(approval)
    client = client_for(outsider)
    assert client.get(f"/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/tasks/{task.pk}/claim/").status_code == 404
    assert client.get("/tasks/group/").content.count(b"/claim/") == 0
    task.refresh_from_db()
    assert task.assignee == ""


def test_a_task_claimed_by_a_colleague_cannot_be_completed_by_me(client_for, employee, approval, make_colleague):
    task = open_task(approval)
    claim_task(task.pk, make_colleague)
    response = client_for(employee).post(f"/tasks/{task.pk}/complete/", {"amount": "3"})
    assert response.status_code in (302, 404)
    task.refresh_from_db()
    assert task.state == "open" and task.assignee == make_colleague.get_username()


def test_overdue_tasks_stand_out_and_filters_narrow_the_list(client_for, employee, approval):
    late, fresh = open_task(approval, "LATE-1"), open_task(approval, "FRESH-1")
    Task.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=2), priority=90)
    Task.objects.filter(pk=fresh.pk).update(due_at=timezone.now() + timedelta(days=3))
    client = client_for(employee)
    page = client.get("/tasks/group/").content.decode()
    assert 'class="overdue"' in page and "<mark>overdue</mark>" in page
    overdue = client.get("/tasks/group/?due=overdue").content
    assert b"LATE-1" in overdue and b"FRESH-1" not in overdue
    assert b"FRESH-1" in client.get("/tasks/group/?q=fresh").content
    assert b"LATE-1" not in client.get("/tasks/group/?q=fresh").content
    urgent = client.get("/tasks/group/?priority=80").content
    assert b"LATE-1" in urgent and b"FRESH-1" not in urgent


def test_the_task_page_shows_the_diagram_with_the_task_and_the_history(client_for, employee, approval):
    task = open_task(approval, "PO-9")
    claim_task(task.pk, employee)
    page = client_for(employee).get(f"/tasks/{task.pk}/").content.decode()
    assert 'data-element-id="review"' in page and "current" in page
    assert "PO-9" in page and "History" in page


def test_completed_tasks_are_listed_under_completed_by_me(client_for, employee, approval):
    from processes.instances import complete_task

    task = open_task(approval, "DONE-1")
    claim_task(task.pk, employee)
    complete_task(task.pk, variables={"amount": 2, "approved": True}, user=employee)
    assert b"DONE-1" in client_for(employee).get("/tasks/done/").content


@pytest.fixture
def make_colleague(db):
    from accounts.roles import EMPLOYEES
    from tests.conftest import make_user

    return make_user("ethan", EMPLOYEES)


def test_an_invalid_form_is_shown_again_with_the_message_next_to_the_field(client_for, employee, approval):
    task = open_task(approval)
    claim_task(task.pk, employee)
    client = client_for(employee)
    refused = client.post(f"/tasks/{task.pk}/complete/", {"amount": "0"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert 'id="id_amount_error"' in page and 'aria-invalid="true"' in page
    task.refresh_from_db()
    assert task.state == "open"
    done = client.post(f"/tasks/{task.pk}/complete/", {"amount": "5", "approved": "on"})
    assert done.status_code == 302 and done["Location"] == "/tasks/"
    task.refresh_from_db()
    assert task.state == "completed" and task.instance.variables == {"amount": 5, "approved": True}


def test_long_lists_are_counted_up_to_99_and_paged_without_a_total(client_for, employee, approval):
    for n in range(101):
        open_task(approval, f"K-{n:03d}")
    client = client_for(employee)
    first = client.get("/tasks/group/?sort=created").content.decode()
    assert "Group tasks <span class=\"badge\">99+</span>" in first
    assert "Next →" in first and "Page 1" in first
    last = client.get("/tasks/group/?sort=created&page=5").content.decode()
    assert "K-000" in last and "Next →" not in last and "← Previous" in last


def test_delegating_on_the_page_and_resolving_it_back(client_for, employee, approval, make_colleague):
    task = open_task(approval)
    claim_task(task.pk, employee)
    client_for(employee).post(f"/tasks/{task.pk}/delegate/", {"user": "ethan"})
    task.refresh_from_db()
    assert (task.owner, task.assignee, task.delegation) == ("emma", "ethan", "pending")
    colleague = client_for(make_colleague)
    assert b"Resolve back to emma" in colleague.get(f"/tasks/{task.pk}/").content
    colleague.post(f"/tasks/{task.pk}/resolve/")
    task.refresh_from_db()
    assert (task.assignee, task.delegation) == ("emma", "resolved")


def test_unclaiming_gives_the_task_back_to_its_group(client_for, employee, approval):
    task = open_task(approval)
    claim_task(task.pk, employee)
    client_for(employee).post(f"/tasks/{task.pk}/unclaim/")
    task.refresh_from_db()
    assert task.assignee == ""


def test_only_managers_and_administrators_may_reassign(client_for, employee, manager, approval):
    task = open_task(approval)
    assert client_for(employee).post(f"/tasks/{task.pk}/reassign/", {"user": "emma"}).status_code == 403
    client_for(manager).post(f"/tasks/{task.pk}/reassign/", {"user": "emma"})
    task.refresh_from_db()
    assert task.assignee == "emma"


def test_comments_and_attachments_on_the_task_page(client_for, employee, outsider, approval, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = str(tmp_path)
    task = open_task(approval)
    client = client_for(employee)
    client.post(f"/tasks/{task.pk}/comments/", {"text": "Waiting for the supplier"})
    client.post(f"/tasks/{task.pk}/attachments/",
                {"file": SimpleUploadedFile("quote.pdf", b"%PDF-1.4 quote", "application/pdf")})
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "Waiting for the supplier" in page and "quote.pdf" in page
    attachment = task.attachments.get()
    download = client.get(f"/tasks/{task.pk}/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 quote"
    refused = client.post(f"/tasks/{task.pk}/attachments/",
                          {"file": SimpleUploadedFile("page.html", b"<script>", "text/html")}, follow=True)
    assert task.attachments.count() == 1 and b"are not accepted" in refused.content
    other = client_for(outsider)  # the same test client, now signed in as someone else
    assert other.get(f"/tasks/{task.pk}/attachments/{attachment.pk}/").status_code == 404


def test_a_user_turns_task_emails_off(client_for, employee):
    from accounts.models import NotificationPreference

    client = client_for(employee)
    assert client.get("/accounts/notifications/").status_code == 200
    client.post("/accounts/notifications/", {})
    assert NotificationPreference.objects.get(user=employee).task_emails is False


@pytest.mark.parametrize("action", ["claim", "complete", "unclaim", "delegate", "resolve", "comments", "attachments"])
def test_someone_the_task_is_not_offered_to_gets_404_for_every_action(client_for, outsider, approval, action):
    task = open_task(approval)
    response = client_for(outsider).post(f"/tasks/{task.pk}/{action}/", {"user": "charlie", "text": "hi"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert (task.state, task.assignee, task.comments.count()) == ("open", "", 0)
