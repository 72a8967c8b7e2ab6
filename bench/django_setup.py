"""Set Django up for a benchmark on its own database, migrated and emptied first.

Benchmarks never touch the development or test databases: `make bench` points
DATABASE_URL at a `baton_bench` PostgreSQL database, created here if it is missing.
"""

import os
import statistics
import time

import django
import psycopg2
from psycopg2 import sql


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm.settings")
    os.environ.setdefault("SECRET_KEY", "benchmarks-only-not-a-secret-" + "x" * 20)
    url = os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/baton_bench"
    )
    if url.startswith("postgres"):
        _create_database(url)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    settle()


def settle() -> None:
    """Let PostgreSQL write out what an earlier benchmark left, so it does not slow this one."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


def _create_database(url: str) -> None:
    base, name = url.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def timed_get(client, url: str, runs: int, warmups: int = 2) -> tuple[float, float]:
    """Median and 95th percentile, in seconds, of ``runs`` GETs of ``url`` after warming up."""
    for _ in range(warmups):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - started)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]
