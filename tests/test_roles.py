"""Roles are groups of capabilities; every page checks who may open it."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import CAPABILITIES, ROLES, capability


@pytest.mark.django_db
def test_migrate_creates_every_role_with_its_capabilities():
    for role, codenames in ROLES.items():
        group = Group.objects.get(name=role)
        assert set(group.permissions.values_list("codename", flat=True)) == set(codenames)


def test_an_employee_may_not_design_or_deploy(employee):
    assert employee.has_perm(capability("work_on_tasks"))
    assert not employee.has_perm(capability("design_processes"))
    assert not employee.has_perm(capability("deploy_processes"))


def test_a_manager_may_read_dashboards_but_not_deploy(manager):
    assert manager.has_perm(capability("view_dashboards"))
    assert not manager.has_perm(capability("deploy_processes"))


def test_a_process_owner_may_design_and_deploy(owner):
    assert owner.has_perm(capability("design_processes"))
    assert owner.has_perm(capability("deploy_processes"))


def test_administrators_hold_every_capability(admin_user):
    assert all(admin_user.has_perm(capability(c)) for c in CAPABILITIES)


def test_a_user_may_hold_several_roles(employee):
    employee.groups.add(Group.objects.get(name="Managers"))
    employee = type(employee).objects.get(pk=employee.pk)
    assert employee.has_perm(capability("work_on_tasks"))
    assert employee.has_perm(capability("view_dashboards"))


def test_an_unknown_capability_is_a_programming_error():
    with pytest.raises(KeyError):
        capability("fly")


def all_paths(resolver=None, prefix=""):
    """Yield a concrete path for every URL pattern that takes no arguments."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from all_paths(pattern, route)
        elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
            yield "/" + re.sub(r"\^|\$|\\Z", "", route)


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login_page_from_every_page(client):
    public = {"/accounts/login/", "/admin/login/"}
    checked = 0
    for path in all_paths():
        if path in public or path.startswith(("/static/", "/api/")):
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login/" in response["Location"], path
        checked += 1
    assert checked >= 3


@pytest.mark.django_db
def test_an_anonymous_api_client_gets_401_json_not_a_login_page(client):
    checked = 0
    for path in all_paths():
        if path.startswith("/api/v1/"):
            response = client.get(path)
            assert response.status_code == 401, path
            assert response.json()["error"]["code"] == "not_authenticated", path
            checked += 1
    assert checked >= 2
