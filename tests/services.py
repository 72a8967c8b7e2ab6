"""Exit 0 if the PostgreSQL and Redis given on the command line answer, else 1 with why.

Used by `make test-integration` to decide whether the integration suite can run.
"""

import sys

import psycopg2
import redis


def main(database_url: str, broker_url: str) -> int:
    problems = []
    try:
        psycopg2.connect(database_url, connect_timeout=3).close()
    except psycopg2.Error as exc:
        problems.append(f"PostgreSQL at {database_url}: {exc}".strip())
    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        problems.append(f"Redis at {broker_url}: {exc}")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
