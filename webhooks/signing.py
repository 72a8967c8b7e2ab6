"""How a delivery proves it comes from Baton: an HMAC of its timestamp and body.

Signing the timestamp with the body lets a receiver refuse a delivery replayed later:
it recomputes the signature and checks that the timestamp is recent (docs/api.md).
"""

import hashlib
import hmac


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Return ``sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def signed_headers(delivery, timestamp: str, body: bytes) -> dict[str, str]:
    """Return the headers that name, date and sign one attempt of ``delivery``."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "Baton-Webhooks/1",
        "X-Baton-Event": delivery.event,
        "X-Baton-Delivery": str(delivery.pk),
        "X-Baton-Timestamp": timestamp,
        "X-Baton-Signature": signature(delivery.subscription.secret, timestamp, body),
    }
