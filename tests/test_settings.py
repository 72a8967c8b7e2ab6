"""Settings come from the environment and refuse unsafe production values."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bpm.env import env_bool, env_int, env_list, env_secret

ROOT = Path(__file__).resolve().parents[1]


def load_settings(**env):
    """Import the settings in a fresh interpreter with exactly ``env``; return the result."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='bpm.settings'; "
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=60,
    )


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_mode_refuses_the_development_key():
    from bpm.settings import INSECURE_DEV_KEY

    result = load_settings(DEBUG="false", SECRET_KEY=INSECURE_DEV_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_mode_runs_on_sqlite_under_var_by_default():
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    engine, name, debug = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "var" / "baton.sqlite3"
    assert debug == "True"


def test_database_url_selects_postgresql():
    result = load_settings(SECRET_KEY="k" * 50, DATABASE_URL="postgres://u:p@db:5432/baton")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.postgresql", "baton"]


def test_a_misspelt_boolean_is_refused(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match="DEBUG must be true or false"):
        env_bool("DEBUG")


def test_a_non_number_is_refused(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT must be a whole number"):
        env_int("EMAIL_PORT", 25)


def test_lists_drop_blanks(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "bpm.example.com, ,localhost")
    assert env_list("ALLOWED_HOSTS") == ["bpm.example.com", "localhost"]


def test_secrets_can_come_from_a_file(monkeypatch, tmp_path):
    (tmp_path / "key").write_text("s3cret\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    assert env_secret("SECRET_KEY") == "s3cret"
