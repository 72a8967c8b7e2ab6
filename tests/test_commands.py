"""The management commands that `make run` uses."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from accounts.roles import capability
from processes.models import ProcessDefinition


def run(*args, **options):
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_load_demo_creates_one_user_per_role_and_prints_their_passwords(settings):
    settings.DEBUG = True
    output = run("load_demo")
    for username, password in [("olivia", "olivia-designs"), ("emma", "emma-works"),
                               ("max", "max-measures"), ("ada", "ada-administers")]:
        assert username in output and password in output
        assert User.objects.get(username=username).check_password(password)
    assert User.objects.get(username="olivia").has_perm(capability("deploy_processes"))
    assert User.objects.get(username="max").has_perm(capability("view_dashboards"))


@pytest.mark.django_db
def test_load_demo_deploys_the_three_example_processes_once(settings):
    settings.DEBUG = True
    output = run("load_demo")
    assert "Accounts payable v1" in output and "Hiring v1" in output
    assert "Customer service v1" in output
    run("load_demo")
    keys = sorted(ProcessDefinition.objects.values_list("key", "version"))
    assert keys == [("accounts_payable", 1), ("customer_service", 1), ("hiring", 1)]
    assert all(d.is_executable and d.deployment.deployed_by.username == "olivia"
               for d in ProcessDefinition.objects.all())


@pytest.mark.django_db
def test_load_demo_runs_again_without_duplicating_or_resetting(settings):
    settings.DEBUG = True
    run("load_demo")
    emma = User.objects.get(username="emma")
    emma.set_password("changed-by-emma")
    emma.save()
    run("load_demo")
    assert User.objects.filter(username="emma").count() == 1
    assert User.objects.get(username="emma").check_password("changed-by-emma")


@pytest.mark.django_db
def test_load_demo_refuses_to_run_in_production(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="public passwords"):
        run("load_demo")
    assert not User.objects.exists()


def test_the_worker_command_points_at_celery_when_a_broker_is_set(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    with pytest.raises(CommandError, match="celery -A bpm worker"):
        run("worker")
