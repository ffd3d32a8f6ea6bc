"""Standard Webhooks signing (https://www.standardwebhooks.com/): HMAC-SHA256 over `id.timestamp.body`.

`webhook-signature` is `v1,<base64 signature>`, one per secret in force,
space-separated (two during a rotation). The secret is `whsec_` and base64 of
random bytes; the key is those bytes. `tests/webhooks/test_signing.py` checks
that the `standardwebhooks` package's reference verifier accepts it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def secret_new() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def headers(*, secrets_in_force: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets_in_force
        ),
        "content-type": "application/json",
        "user-agent": "Sijil-Webhooks/1",
    }
