"""docker-compose.yml describes a production-like deployment that can actually start."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service):
    cmd = service["command"]
    return cmd if isinstance(cmd, str) else " ".join(cmd)


def test_it_has_the_five_services():
    assert set(compose()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_the_web_runs_migrations_then_gunicorn_on_the_wsgi_app():
    command = command_of(compose()["services"]["web"])
    assert command.index("migrate") < command.index("gunicorn bpm.wsgi:application")


def test_worker_and_beat_run_celery_on_the_project_app():
    services = compose()["services"]
    assert command_of(services["worker"]).startswith("celery -A bpm worker")
    assert command_of(services["beat"]).startswith("celery -A bpm beat")


def test_the_app_waits_for_healthy_database_and_broker():
    services = compose()["services"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    for name in ("postgres", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name


def test_the_app_is_configured_only_through_the_environment():
    env = compose()["services"]["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://") and "@postgres:5432/" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert "${SECRET_KEY:?" in env["SECRET_KEY"], "a missing key must stop compose, not default"


def test_data_lives_in_named_volumes():
    data = compose()
    assert {"pgdata", "redisdata", "media"} <= set(data["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["postgres"]["volumes"]


def test_the_image_it_builds_exists():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "npm ci" in dockerfile and "gunicorn" in dockerfile
