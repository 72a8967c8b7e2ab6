"""The interface shell: login, navigation by role, the system page."""

import pytest
from django.urls import reverse

from processes.jobs import queue


def nav_labels(response):
    return [entry.label for entry in response.context["nav_entries"]]


def test_the_login_page_logs_a_user_in(client, employee):
    response = client.post(
        reverse("login"), {"username": "emma", "password": "pw-emma"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert b"Welcome, emma" in response.content


def test_a_wrong_password_is_refused_with_a_message(client, employee):
    response = client.post(reverse("login"), {"username": "emma", "password": "nope"})
    assert response.status_code == 200
    assert "didn't match" in response.content.decode()


def test_logging_out_needs_a_post_and_ends_the_session(client_for, employee):
    client = client_for(employee)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_home_shows_the_roles_and_what_they_allow(client_for, employee):
    response = client_for(employee).get(reverse("home"))
    assert b"Employees" in response.content
    assert b"Claim and complete tasks in the inbox" in response.content
    assert b"Deploy new process definitions" not in response.content


def test_an_employee_sees_no_operator_or_admin_entries(client_for, employee):
    labels = nav_labels(client_for(employee).get(reverse("home")))
    assert "System" not in labels and "Admin" not in labels


def test_an_administrator_sees_the_system_and_admin_entries(client_for, admin_user):
    labels = nav_labels(client_for(admin_user).get(reverse("home")))
    assert "System" in labels and "Admin" in labels


@pytest.mark.parametrize("persona", ["employee", "manager", "owner", "outsider"])
def test_only_operators_may_open_the_system_page(client_for, persona, request):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("system-status")).status_code == 403


def test_every_nav_entry_opens_for_whoever_sees_it(client_for, admin_user, owner, manager, employee):
    for user in (admin_user, owner, manager, employee):
        client = client_for(user)
        for entry in client.get(reverse("home")).context["nav_entries"]:
            assert client.get(reverse(entry.url_name)).status_code == 200, (user, entry)


def test_the_system_page_shows_failed_jobs_and_warns_when_no_worker_runs(client_for, admin_user):
    job = queue.schedule("mail.send", {"to": ["x@example.com"], "subject": "s", "body": "b"})
    job.retries_left = 0
    job.last_error = "SMTPConnectError: mail server refused"
    job.save()
    response = client_for(admin_user).get(reverse("system-status"))
    assert response.context["jobs_failed"] == 1
    assert b"mail server refused" in response.content
    assert b"No worker has run the dispatcher" in response.content
