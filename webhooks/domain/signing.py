"""How a delivery is signed: HMAC-SHA256 with the endpoint's secret over ``"<timestamp>.<body>"``.

The header carries both, ``LEO-Signature: t=1767225600,v1=5257a869...``; a receiver recomputes the HMAC over the
timestamp it was given, a full stop and the raw body, compares in constant time, and refuses old timestamps.
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "LEO-Signature"
SECRET_PREFIX = "whsec_"  # noqa: S105 -- a label in front of each secret, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"
