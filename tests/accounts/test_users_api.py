"""/api/v1/users/ and /api/v1/groups/: read-only, for anyone who delegates or assigns work."""

import pytest
from django.contrib.auth.models import Group

from accounts.roles import EMPLOYEES, ROLES
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PERSONAS = ["owner", "employee", "manager", "admin_user", "outsider"]


@pytest.fixture
def colleagues(owner, employee, manager, admin_user, outsider):
    """Everyone, plus Ethan (a second employee) and a former employee who left."""
    make_user("ethan", EMPLOYEES, first_name="Ethan", last_name="Employee")
    make_user("frida", EMPLOYEES, is_active=False)


def usernames(response):
    return [u["username"] for u in response.json()["results"]]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_authenticated_user_lists_the_active_users(api_for, request, colleagues, persona):
    response = api_for(request.getfixturevalue(persona)).get("/api/v1/users/")
    assert response.status_code == 200
    assert usernames(response) == ["ada", "charlie", "emma", "ethan", "max", "olivia"]


def test_a_user_is_described_by_name_and_roles(api_for, colleagues, manager):
    ethan = next(
        u for u in api_for(manager).get("/api/v1/users/").json()["results"]
        if u["username"] == "ethan"
    )
    assert ethan == {
        "id": ethan["id"], "username": "ethan", "full_name": "Ethan Employee",
        "groups": [EMPLOYEES], "is_service_account": False, "email": None,
    }


@pytest.mark.parametrize("persona", ["owner", "employee", "manager", "outsider"])
def test_only_administrators_see_other_peoples_email_addresses(api_for, request, colleagues, persona):
    user = request.getfixturevalue(persona)
    users = api_for(user).get("/api/v1/users/").json()["results"]
    assert {u["username"]: u["email"] for u in users if u["email"]} == {
        user.username: user.email
    }


def test_administrators_see_every_email_address(api_for, colleagues, admin_user):
    users = api_for(admin_user).get("/api/v1/users/").json()["results"]
    assert all(u["email"] == f"{u['username']}@example.com" for u in users)


def test_users_are_filtered_by_group_and_searched_by_name(api_for, colleagues, manager):
    api = api_for(manager)
    assert usernames(api.get("/api/v1/users/", {"group": EMPLOYEES})) == ["emma", "ethan"]
    assert usernames(api.get("/api/v1/users/", {"search": "ethan employee"})) == ["ethan"]
    assert usernames(api.get("/api/v1/users/", {"search": "OLI"})) == ["olivia"]
    assert usernames(api.get("/api/v1/users/", {"group": "Nobody"})) == []


def test_users_come_in_the_platforms_pages(api_for, colleagues, manager):
    body = api_for(manager).get("/api/v1/users/", {"page_size": 2, "page": 2}).json()
    assert body["count"] == 6 and len(body["results"]) == 2
    assert body["next"] and body["previous"]


def test_one_user_and_me(api_for, colleagues, employee, manager):
    api = api_for(employee)
    assert api.get(f"/api/v1/users/{manager.pk}/").json()["full_name"] == ""
    me = api.get("/api/v1/users/me/").json()
    assert (me["id"], me["email"], me["groups"]) == (employee.pk, "emma@example.com", [EMPLOYEES])
    inactive = make_user("gone", is_active=False)
    assert api.get(f"/api/v1/users/{inactive.pk}/").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_authenticated_user_lists_the_groups(api_for, request, colleagues, persona):
    response = api_for(request.getfixturevalue(persona)).get("/api/v1/groups/")
    assert response.status_code == 200
    groups = {g["name"]: g for g in response.json()["results"]}
    assert set(groups) == set(ROLES)
    assert groups[EMPLOYEES]["member_count"] == 2, "Frida left"
    assert set(groups[EMPLOYEES]["capabilities"]) == set(ROLES[EMPLOYEES])


def test_one_group(api_for, employee):
    group = Group.objects.get(name=EMPLOYEES)
    body = api_for(employee).get(f"/api/v1/groups/{group.pk}/").json()
    assert body == {
        "id": group.pk, "name": EMPLOYEES,
        "capabilities": sorted(ROLES[EMPLOYEES]), "member_count": 1,
    }
