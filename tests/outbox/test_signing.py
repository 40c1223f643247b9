"""Standard Webhooks signing, checked against the Svix vector and the independent ``standardwebhooks``."""

from __future__ import annotations

import base64
import time

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from worksample.outbox.signing import (
    SecretError,
    VerificationError,
    decode_secret,
    generate_secret,
    sign,
    signature_header,
    validate_secret,
    verify,
    webhook_headers,
)

SVIX_SECRET = "whsec_plJ3nmyCDGBKInavdOK15jsl"
SVIX_ID = "msg_loFOjxBNrRLzqYUf"
SVIX_TIMESTAMP = 1731705121
SVIX_BODY = b'{"event_type":"ping","data":{"success":true}}'
SVIX_SIGNATURE = "v1,rAvfW3dJ/X/qxhsaXPOyyCGmRKsaKWcsNccKXlIktD0="

BODY = b'{"type":"webhook.test","timestamp":"2026-11-26T01:00:00Z","data":{"caf\xc3\xa9":"\xe2\x9c\x93"}}'


def test_svix_test_vector() -> None:
    assert sign(SVIX_SECRET, SVIX_ID, SVIX_TIMESTAMP, SVIX_BODY) == SVIX_SIGNATURE


def test_generated_secret_shape() -> None:
    first, second = generate_secret(), generate_secret()
    assert first != second
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert validate_secret(first) == first


def test_independent_verifier_accepts_our_signature() -> None:
    secret = generate_secret()
    headers = webhook_headers([secret], "msg_2QpZ8", int(time.time()), BODY)
    assert Webhook(secret).verify(BODY, headers) == {
        "type": "webhook.test",
        "timestamp": "2026-11-26T01:00:00Z",
        "data": {"café": "✓"},
    }


def test_independent_verifier_rejects_a_changed_body_or_another_secret() -> None:
    secret = generate_secret()
    headers = webhook_headers([secret], "msg_1", int(time.time()), BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace(b"test", b"tost"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(BODY, headers)


def test_rotation_signs_with_both_secrets_and_each_verifies() -> None:
    current, previous = generate_secret(), generate_secret()
    now = int(time.time())
    headers = webhook_headers([current, previous], "msg_rot", now, BODY)
    entries = headers["webhook-signature"].split(" ")
    assert entries == [sign(current, "msg_rot", now, BODY), sign(previous, "msg_rot", now, BODY)]
    for secret in (current, previous):
        Webhook(secret).verify(BODY, headers)
        verify([secret], headers, BODY)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(BODY, headers)


def test_duplicate_secret_is_signed_once() -> None:
    secret = generate_secret()
    assert signature_header([secret, secret], "msg_1", 1, b"{}") == sign(secret, "msg_1", 1, b"{}")


def test_our_verify_checks_the_tolerance_window() -> None:
    secret = generate_secret()
    headers = webhook_headers([secret], "msg_1", 1_000_000, BODY)
    verify([secret], headers, BODY, now=1_000_000 + 300)
    with pytest.raises(VerificationError, match="tolerance"):
        verify([secret], headers, BODY, now=1_000_000 + 301)
    with pytest.raises(VerificationError, match="tolerance"):
        verify([secret], headers, BODY, now=1_000_000 - 301)


def test_our_verify_refuses_forgeries_and_missing_headers() -> None:
    secret = generate_secret()
    now = int(time.time())
    headers = webhook_headers([secret], "msg_1", now, BODY)
    with pytest.raises(VerificationError, match="no webhook-signature entry matches"):
        verify([secret], {**headers, "webhook-id": "msg_2"}, BODY)
    with pytest.raises(VerificationError, match="no webhook-signature entry matches"):
        verify([secret], {**headers, "webhook-signature": "v1a,AAAA v2,BBBB é"}, BODY)
    with pytest.raises(VerificationError, match="missing header"):
        verify([secret], {"webhook-id": "msg_1"}, BODY)
    with pytest.raises(VerificationError, match="unix seconds"):
        verify([secret], {**headers, "webhook-timestamp": "12.5"}, BODY)
    # Header names are case-insensitive on the wire.
    verify([secret], {name.upper(): value for name, value in headers.items()}, BODY)


@pytest.mark.parametrize(
    ("secret", "message"),
    [
        ("plJ3nmyCDGBKInavdOK15jsl", "must start with 'whsec_'"),
        ("whsec_not base64!", "not valid base64"),
        ("whsec_", "empty"),
        ("whsec_" + base64.b64encode(b"x" * 23).decode(), "24–64 random bytes, it holds 23"),
        ("whsec_" + base64.b64encode(b"x" * 65).decode(), "24–64 random bytes, it holds 65"),
    ],
)
def test_bad_secrets_are_refused_clearly(secret: str, message: str) -> None:
    with pytest.raises(SecretError, match=message):
        validate_secret(secret)


def test_short_published_secret_signs_but_is_not_storable() -> None:
    assert len(decode_secret(SVIX_SECRET)) == 18
    with pytest.raises(SecretError, match="it holds 18"):
        validate_secret(SVIX_SECRET)


@pytest.mark.parametrize(
    ("msg_id", "timestamp", "body", "error"),
    [
        ("", 1, b"{}", ValueError),
        ("msg 1", 1, b"{}", ValueError),
        ("msg\r\nx-evil: 1", 1, b"{}", ValueError),
        ("msg_1", -1, b"{}", ValueError),
        ("msg_1", True, b"{}", ValueError),
        ("msg_1", 1.5, b"{}", ValueError),
        ("msg_1", 1, "{}", TypeError),
    ],
)
def test_bad_messages_are_refused(msg_id: str, timestamp: int, body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        sign(generate_secret(), msg_id, timestamp, body)


def test_signing_needs_a_sequence_of_secrets() -> None:
    with pytest.raises(SecretError, match="at least one"):
        signature_header([], "msg_1", 1, b"{}")
    with pytest.raises(SecretError, match="sequence"):
        signature_header(generate_secret(), "msg_1", 1, b"{}")
