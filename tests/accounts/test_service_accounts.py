"""manage.py serviceaccount: a user for another system, with tokens and no password."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from accounts.roles import INTEGRATIONS, ROLES, capability
from tests.accounts.conftest import api_with

pytestmark = pytest.mark.django_db


def serviceaccount(*args):
    out = io.StringIO()
    call_command("serviceaccount", *args, stdout=out)
    return out.getvalue().strip()


def test_it_creates_an_integrations_user_whose_token_works(client):
    key = serviceaccount("erp", "--description", "The ERP's order import; ask IT")
    bot = User.objects.get(username="erp")
    assert not bot.has_usable_password()
    assert all(bot.has_perm(capability(c)) for c in ROLES[INTEGRATIONS])
    me = api_with(key).get("/api/v1/users/me/").json()
    assert me["is_service_account"] is True and me["groups"] == [INTEGRATIONS]


def test_it_takes_other_roles():
    serviceaccount("hr-sync", "--roles", "Employees, Managers")
    groups = User.objects.get(username="hr-sync").groups.values_list("name", flat=True)
    assert sorted(groups) == ["Employees", "Managers"]


def test_a_service_account_never_logs_in_with_a_password(client):
    serviceaccount("erp")
    bot = User.objects.get(username="erp")
    bot.set_password("a password someone gave it")
    bot.save()
    response = client.post("/accounts/login/", {"username": "erp", "password": "a password someone gave it"})
    assert "didn't match" in response.content.decode()
    assert client.get("/").status_code == 302


def test_it_refuses_unknown_roles_and_taken_names(employee):
    with pytest.raises(CommandError, match="Unknown role"):
        serviceaccount("erp", "--roles", "Wizards")
    with pytest.raises(CommandError, match="exists already"):
        serviceaccount("emma")
    assert not User.objects.filter(username="erp").exists()


def test_the_users_api_flags_service_accounts(api_for, employee):
    serviceaccount("erp")
    users = api_for(employee).get("/api/v1/users/").json()["results"]
    assert {u["username"]: u["is_service_account"] for u in users} == {"emma": False, "erp": True}


def test_the_admin_lists_and_filters_service_accounts(client):
    serviceaccount("erp")
    User.objects.create_superuser("root", "root@example.com", "pw")
    client.login(username="root", password="pw")
    service_accounts = client.get("/admin/auth/user/?service_account=yes")
    assert service_accounts.status_code == 200
    assert [u.username for u in service_accounts.context["cl"].result_list] == ["erp"]
    assert "service account" in service_accounts.content.decode().lower()
    people = client.get("/admin/auth/user/?service_account=no").context["cl"].result_list
    assert [u.username for u in people] == ["root"]


def test_the_admin_shows_what_a_service_account_is_for_and_its_tokens(client):
    serviceaccount("erp", "--description", "The ERP's order import; ask IT")
    User.objects.create_superuser("root", "root@example.com", "pw")
    client.login(username="root", password="pw")
    bot = User.objects.get(username="erp")
    assert "order import" in client.get(f"/admin/auth/user/{bot.pk}/change/").content.decode()
    tokens = client.get("/admin/accounts/apitoken/").content.decode()
    assert "created with the service account" in tokens
