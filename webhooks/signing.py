"""How a delivery is signed, and how a receiver checks it.

`X-CMS-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>` with `X-CMS-Timestamp` (Unix
seconds): the timestamp is inside the signature so a captured request cannot be replayed later with a new
time. Receivers should also refuse timestamps older than a few minutes and de-duplicate on `X-CMS-Delivery`.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-CMS-Signature"
TIMESTAMP_HEADER = "X-CMS-Timestamp"
DELIVERY_HEADER = "X-CMS-Delivery"
EVENT_HEADER = "X-CMS-Event"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, sent: str, *, tolerance: int | None = 300) -> bool:
    """What a receiver does: constant-time compare, and refuse stale timestamps."""
    if tolerance is not None:
        try:
            if abs(time.time() - int(timestamp)) > tolerance:
                return False
        except ValueError:
            return False
    return hmac.compare_digest(signature(secret, timestamp, body), sent)


def signed_headers(*, secret: str, body: bytes, delivery_id: str, event: str, now: float | None = None) -> dict:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "cms-webhooks/1",
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
