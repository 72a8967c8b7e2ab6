"""Lease tokens and worker names shared by the queue, dispatcher and executor."""

import os
import secrets
import socket
from datetime import timedelta

from django.conf import settings


def new_token() -> str:
    """Return a fresh lease token."""
    return secrets.token_hex(16)


def lease_length() -> timedelta:
    """Return how long a worker may hold a job before others may take it over."""
    return timedelta(seconds=settings.JOB_LEASE_SECONDS)


def worker_name(mode: str) -> str:
    """Name this process as operators will see it on the system page."""
    return f"{socket.gethostname()}:{os.getpid()}:{mode}"
