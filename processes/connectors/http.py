"""The built-in HTTP connector: method, URL, headers and body from the model's expressions."""

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

from processes.engine.expressions import compile_expression, is_expression

MAX_RESPONSE_BYTES = 1024 * 1024


@lru_cache(maxsize=1024)
def _compiled(text: str):
    return compile_expression(text)


def render(text, variables, context):
    """Evaluate ``${...}`` in a text from the model; plain text is returned as it is."""
    if text is None or not is_expression(text):
        return text
    return _compiled(text).evaluate(variables, now=context.now)


def call(http, variables, context) -> dict:
    """Send the request; return {"status", "body", "headers"}; raise on failure."""
    url = str(render(http.url, variables, context))
    check_url(url)
    body = render(http.body, variables, context)
    headers = {name: str(render(value, variables, context)) for name, value in http.headers}
    data = None
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            data = str(body).encode()
    headers["Idempotency-Key"] = context.idempotency_key
    request = urllib.request.Request(url, data=data, method=(http.method or "GET").upper(), headers=headers)
    timeout = min(http.timeout or settings.BATON_HTTP_TIMEOUT_SECONDS, 60)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return read(response)
    except urllib.error.HTTPError as error:
        text = error.read(2000).decode(errors="replace")
        raise RuntimeError(f"{request.method} {url} answered {error.code}: {text}") from None


def read(response) -> dict:
    raw = response.read(MAX_RESPONSE_BYTES + 1)
    if len(raw) > MAX_RESPONSE_BYTES:
        raise RuntimeError(f"The response is larger than {MAX_RESPONSE_BYTES} bytes.")
    text = raw.decode(response.headers.get_content_charset() or "utf-8", errors="replace")
    is_json = "json" in (response.headers.get_content_type() or "")
    return {
        "status": response.status,
        "body": json.loads(text) if is_json and text else text,
        "headers": dict(response.headers.items()),
    }


def check_url(url: str) -> None:
    """Refuse non-HTTP URLs and, unless allowed, private addresses (server-side forgery)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Only http and https URLs may be called, not {url!r}.")
    if settings.BATON_HTTP_ALLOW_PRIVATE:
        return
    for *_, address in socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP):
        ip = ipaddress.ip_address(address[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast:
            raise ValueError(f"{parts.hostname} resolves to {ip}, a private address: refused.")
