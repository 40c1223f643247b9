"""Standard Webhooks signatures: ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">``.

Pure functions over bytes and strings, so the outbox can sign at send time (the timestamp belongs
to each attempt, the id to the event) and tests can check every branch without I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets as _secrets
import time
from collections.abc import Mapping, Sequence

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a credential
SIGNATURE_VERSION = "v1"
# The specification asks for 24–64 random bytes; we generate 32.
MIN_SECRET_BYTES = 24
MAX_SECRET_BYTES = 64
GENERATED_SECRET_BYTES = 32
# Receivers reject timestamps further than this from their clock (replay protection).
DEFAULT_TOLERANCE_SECONDS = 5 * 60

# The id is a header value and part of the signed content: visible ASCII only, no spaces, so it
# can neither break the header nor smuggle a second signature entry.
_MSG_ID = re.compile(r"^[!-~]{1,255}$")


_REQUIRED_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class SecretError(ValueError):
    """A webhook secret is malformed; the message says what is wrong, never the secret itself."""


class VerificationError(ValueError):
    """A delivery's signature headers do not verify."""


def generate_secret() -> str:
    """A new endpoint secret: ``whsec_`` + base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(GENERATED_SECRET_BYTES)).decode("ascii")


def decode_secret(secret: str) -> bytes:
    """The HMAC key inside a ``whsec_`` secret, of any length.

    Signing accepts any length so published test vectors (Svix's is 18 bytes) can be checked; the
    24–64 byte policy applies to the secrets we issue and store, see ``validate_secret``.
    """
    if not isinstance(secret, str):
        raise SecretError(f"webhook secret must be a string, got {type(secret).__name__}")
    if not secret.startswith(SECRET_PREFIX):
        raise SecretError(f"webhook secret must start with {SECRET_PREFIX!r}")
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SecretError(f"webhook secret after {SECRET_PREFIX!r} is not valid base64") from exc
    if not key:
        raise SecretError("webhook secret is empty")
    return key


def validate_secret(secret: str) -> str:
    """Return ``secret`` unchanged when it is fit to store on an endpoint, else raise ``SecretError``."""
    key = decode_secret(secret)
    if not MIN_SECRET_BYTES <= len(key) <= MAX_SECRET_BYTES:
        raise SecretError(
            f"webhook secret must hold {MIN_SECRET_BYTES}–{MAX_SECRET_BYTES} random bytes, "
            f"it holds {len(key)}"
        )
    return secret


def _check_message(msg_id: str, timestamp: int, body: bytes) -> None:
    if not isinstance(msg_id, str) or not _MSG_ID.match(msg_id):
        raise ValueError("webhook id must be 1–255 visible ASCII characters without spaces")
    # bool is an int subclass; True as a timestamp is always a bug.
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise ValueError(f"webhook timestamp must be non-negative integer unix seconds, got {timestamp!r}")
    if not isinstance(body, bytes | bytearray):
        raise TypeError(f"webhook body must be the exact bytes sent, got {type(body).__name__}")


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One signature entry, ``v1,<base64>``, over the exact bytes that will be sent."""
    _check_message(msg_id, timestamp, body)
    key = decode_secret(secret)
    signed = f"{msg_id}.{timestamp}.".encode() + bytes(body)
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_header(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: one entry per secret, space-separated.

    During a rotation ``secrets`` is (current, previous): a receiver that still holds the old secret
    and one that already holds the new one both verify.
    """
    if isinstance(secrets, str) or not secrets:
        raise SecretError("at least one webhook secret is needed to sign (pass a sequence of secrets)")
    unique = list(dict.fromkeys(secrets))
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in unique)


def webhook_headers(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three Standard Webhooks headers for one attempt."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, msg_id, timestamp, body),
    }


def verify(
    secrets: Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> None:
    """Raise ``VerificationError`` unless one of ``secrets`` signed ``body`` within the tolerance window.

    For our own receivers (tests, the bench's ATS stand-in). Header names are matched case-insensitively.
    """
    if isinstance(secrets, str) or not secrets:
        raise SecretError("at least one webhook secret is needed to verify (pass a sequence of secrets)")
    lowered = {name.lower(): value for name, value in headers.items()}
    missing = [name for name in _REQUIRED_HEADERS if name not in lowered]
    if missing:
        raise VerificationError(f"missing header(s): {', '.join(missing)}")
    msg_id, raw_timestamp, raw_signatures = (
        lowered["webhook-id"],
        lowered["webhook-timestamp"],
        lowered["webhook-signature"],
    )
    if not raw_timestamp.isascii() or not raw_timestamp.isdigit():
        raise VerificationError(f"webhook-timestamp is not unix seconds: {raw_timestamp!r}")
    timestamp = int(raw_timestamp)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        raise VerificationError(
            f"webhook-timestamp {timestamp} is outside the {tolerance_seconds:g} s tolerance"
        )
    try:
        expected = {sign(secret, msg_id, timestamp, body) for secret in secrets}
    except ValueError as exc:
        raise VerificationError(str(exc)) from exc
    # Unknown versions (e.g. asymmetric "v1a") are skipped, as the specification asks.
    offered = [entry for entry in raw_signatures.split(" ") if entry.startswith(f"{SIGNATURE_VERSION},")]
    # Compared as bytes: compare_digest refuses non-ASCII str, and a header is attacker-controlled.
    if not any(
        hmac.compare_digest(entry.encode(), candidate.encode()) for entry in offered for candidate in expected
    ):
        raise VerificationError("no webhook-signature entry matches")
