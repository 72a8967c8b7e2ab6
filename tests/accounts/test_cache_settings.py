"""The cache that holds the counters: local memory by default, Redis when configured."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cache_setting(**env):
    """Import the settings in a fresh interpreter with ``env``; return its output or error."""
    clean = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'bpm.settings'; "
        "from django.conf import settings as s; c = s.CACHES['default']; "
        "print(c['BACKEND'].rsplit('.', 1)[-1], c.get('LOCATION', ''))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, "DEBUG": "true", **env},
        capture_output=True, text=True, timeout=60, check=False,
    )
    return result.stdout.split() if result.returncode == 0 else result.stderr


def test_without_redis_each_process_counts_in_its_memory():
    assert cache_setting() == ["LocMemCache"]


def test_cache_url_or_redis_url_selects_redis():
    assert cache_setting(CACHE_URL="redis://cache:6379/1") == ["RedisCache", "redis://cache:6379/1"]
    assert cache_setting(REDIS_URL="redis://redis:6379/2") == ["RedisCache", "redis://redis:6379/2"]


def test_an_unusable_cache_url_is_refused():
    assert "CACHE_URL must be a redis:// URL" in cache_setting(CACHE_URL="memcached://x:11211")
