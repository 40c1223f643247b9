"""Bad input of every kind ends in the module's own clear error, never an unexpected exception."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tests.outbox.examples import AT, EXAMPLES
from worksample.outbox.destination import AddressPolicy, DestinationError, resolve_destination
from worksample.outbox.events import EventError, build_event, event_types
from worksample.outbox.schedule import parse_retry_after
from worksample.outbox.signing import VerificationError, generate_secret, verify, webhook_headers

SECRET = generate_secret()
NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


async def _public(host: str, port: int) -> Sequence[str]:
    return ["140.82.112.3"]


@given(st.text(max_size=80) | st.from_regex(r"https?://[^/]{0,30}(/.{0,20})?", fullmatch=True))
def test_any_url_is_accepted_or_refused_clearly(url: str) -> None:
    try:
        destination = asyncio.run(resolve_destination(url, AddressPolicy(), _public))
    except DestinationError as exc:
        outcome = str(exc)
    else:
        outcome = destination.url.scheme
    assert outcome


@given(st.text(max_size=40))
def test_any_retry_after_parses_or_is_ignored(header: str) -> None:
    seconds = parse_retry_after(header, NOW)
    assert seconds is None or seconds >= 0


@given(
    st.sampled_from(["webhook-id", "webhook-timestamp", "webhook-signature"]),
    st.text(max_size=60),
)
def test_any_tampered_header_fails_verification_cleanly(name: str, value: str) -> None:
    body = b'{"type":"webhook.test"}'
    headers = webhook_headers([SECRET], "msg_1", int(NOW.timestamp()), body)
    headers[name] = value
    with contextlib.suppress(VerificationError):
        verify([SECRET], headers, body, now=NOW.timestamp())


@given(st.sampled_from(event_types()), st.dictionaries(st.text(max_size=20), json_values, max_size=6))
def test_any_data_builds_or_is_refused_clearly(event_type: str, extra: dict[str, object]) -> None:
    data = {**EXAMPLES[event_type], **extra}
    try:
        outcome = build_event(event_type, data, timestamp=AT)
    except EventError as exc:
        outcome = str(exc).encode()
    assert outcome.startswith((b'{"data":', event_type.encode(), b"data"))
