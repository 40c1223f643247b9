"""One delivery attempt against real HTTP receivers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import random
import socket
import ssl
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Network
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from tests.outbox.certs import make_certificates
from tests.outbox.examples import AT, EXAMPLES
from tests.outbox.receiver import Receiver, running
from worksample.config import Settings
from worksample.outbox.destination import AddressPolicy, Resolver
from worksample.outbox.events import build_event
from worksample.outbox.result import ErrorKind
from worksample.outbox.schedule import Outcome, RetrySchedule, classify, decide
from worksample.outbox.signing import generate_secret
from worksample.outbox.transport import USER_AGENT, DeliveryPolicy, attempt_delivery

SECRET = generate_secret()
LOCAL = DeliveryPolicy(addresses=AddressPolicy(allowed_networks=(IPv4Network("127.0.0.1/32"),)))
BODY = build_event("assignment.scored", EXAMPLES["assignment.scored"], timestamp=AT)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with running(Receiver()) as serving:
        yield serving


def _fixed_dns(answers: Sequence[str], calls: list[str] | None = None) -> Resolver:
    """A DNS that answers every name with ``answers``, recording the names asked."""

    async def resolve(host: str, port: int) -> Sequence[str]:
        if calls is not None:
            calls.append(host)
        return answers

    return resolve


async def test_success_posts_the_exact_signed_bytes(receiver: Receiver) -> None:
    previous = generate_secret()
    result = await attempt_delivery(
        f"{receiver.base_url}/ok", BODY, msg_id="msg_evt_1", secrets=[SECRET, previous], policy=LOCAL
    )
    assert result.succeeded
    assert (result.status_code, result.error_kind, result.error) == (200, None, None)
    assert (result.body, result.body_truncated, result.remote_address) == ('{"ok":true}', False, "127.0.0.1")
    assert 0 <= result.duration_ms < 5000
    [request] = receiver.received
    assert receiver.methods == ["POST"]
    assert request.body == BODY
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert request.headers["webhook-id"] == "msg_evt_1"
    assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 5
    # Rotation: a receiver holding either secret verifies, with the independent implementation.
    for secret in (SECRET, previous):
        assert Webhook(secret).verify(request.body, request.headers)["type"] == "assignment.scored"


async def test_retries_keep_the_webhook_id_and_restamp_the_time(receiver: Receiver) -> None:
    now = int(time.time())
    first = await attempt_delivery(
        f"{receiver.base_url}/fail", BODY, msg_id="msg_2", secrets=[SECRET], policy=LOCAL, timestamp=now
    )
    second = await attempt_delivery(
        f"{receiver.base_url}/ok", BODY, msg_id="msg_2", secrets=[SECRET], policy=LOCAL, timestamp=now + 2
    )
    assert (first.status_code, second.status_code) == (500, 200)
    assert [r.headers["webhook-id"] for r in receiver.received] == ["msg_2", "msg_2"]
    assert [r.headers["webhook-timestamp"] for r in receiver.received] == [str(now), str(now + 2)]
    for request in receiver.received:
        Webhook(SECRET).verify(request.body, request.headers)


async def test_server_error_is_recorded_and_retried(receiver: Receiver) -> None:
    result = await attempt_delivery(
        f"{receiver.base_url}/fail", BODY, msg_id="m", secrets=[SECRET], policy=LOCAL
    )
    assert (result.status_code, result.body, result.succeeded) == (500, "boom: database is down", False)
    assert classify(result) is Outcome.RETRY


async def test_gone_disables_the_endpoint(receiver: Receiver) -> None:
    result = await attempt_delivery(
        f"{receiver.base_url}/gone", BODY, msg_id="m", secrets=[SECRET], policy=LOCAL
    )
    assert result.status_code == 410
    assert classify(result) is Outcome.DISABLE_ENDPOINT


async def test_redirect_is_not_followed(receiver: Receiver) -> None:
    url = f"{receiver.base_url}/redirect"
    result = await attempt_delivery(url, BODY, msg_id="m", secrets=[SECRET], policy=LOCAL)
    assert result.status_code == 301
    assert result.error == "redirect to /ok not followed"
    assert [r.path for r in receiver.received] == ["/redirect"]
    assert classify(result) is Outcome.RETRY


async def test_slow_receiver_hits_the_timeout(receiver: Receiver) -> None:
    policy = DeliveryPolicy(timeout_seconds=0.5, addresses=LOCAL.addresses)
    started = time.monotonic()
    result = await attempt_delivery(
        f"{receiver.base_url}/slow", BODY, msg_id="m", secrets=[SECRET], policy=policy
    )
    assert result.error_kind is ErrorKind.TIMEOUT
    assert result.status_code is None
    assert 450 <= result.duration_ms < 2000
    assert time.monotonic() - started < 2
    assert classify(result) is Outcome.RETRY


async def test_answer_whose_body_stalls_keeps_its_status(receiver: Receiver) -> None:
    policy = DeliveryPolicy(timeout_seconds=0.5, addresses=LOCAL.addresses)
    result = await attempt_delivery(
        f"{receiver.base_url}/drip", BODY, msg_id="m", secrets=[SECRET], policy=policy
    )
    assert (result.status_code, result.succeeded) == (202, True)
    assert (result.body, result.body_truncated) == ("accepted, still talking", True)
    assert result.error == "response body cut short: TimeoutError"
    assert result.duration_ms < 2000


async def test_huge_body_is_capped_without_reading_it_all(receiver: Receiver) -> None:
    result = await attempt_delivery(
        f"{receiver.base_url}/huge", BODY, msg_id="m", secrets=[SECRET], policy=LOCAL
    )
    assert result.status_code == 200
    assert result.body == "x" * 4096
    assert result.body_truncated
    # The receiver would send a gigabyte; we hung up after a few socket buffers' worth.
    assert receiver.huge_bytes_sent < 64 * 2**20


async def test_429_retry_after_seconds_is_honoured(receiver: Receiver) -> None:
    result = await attempt_delivery(
        f"{receiver.base_url}/limited", BODY, msg_id="m", secrets=[SECRET], policy=LOCAL
    )
    assert (result.status_code, result.retry_after) == (429, 30.0)
    now = datetime.now(UTC)
    decision = decide(result, 1, now, random.Random(0), schedule=RetrySchedule(jitter=0))
    assert decision.next_attempt_at == now + timedelta(seconds=30)


async def test_503_retry_after_date_is_honoured_up_to_the_cap(receiver: Receiver) -> None:
    result = await attempt_delivery(
        f"{receiver.base_url}/unavailable", BODY, msg_id="m", secrets=[SECRET], policy=LOCAL
    )
    assert result.status_code == 503
    assert result.retry_after is not None
    assert result.retry_after > 365 * 86400
    now = datetime.now(UTC)
    decision = decide(result, 1, now, random.Random(0), schedule=RetrySchedule(jitter=0))
    assert decision.next_attempt_at == now + timedelta(hours=10)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
async def test_private_addresses_are_refused_unless_allowed(receiver: Receiver, host: str) -> None:
    url = f"http://{host}:{receiver.port}/ok"
    refused = await attempt_delivery(url, BODY, msg_id="m", secrets=[SECRET])
    assert refused.error_kind is ErrorKind.BLOCKED_ADDRESS
    assert refused.error is not None
    assert "loopback" in refused.error
    assert receiver.received == []
    assert classify(refused) is Outcome.RETRY


async def test_allow_flag_from_settings_lets_loopback_through(receiver: Receiver) -> None:
    policy = DeliveryPolicy.from_settings(Settings(outbox_allow_private_networks=True))
    result = await attempt_delivery(
        f"http://localhost:{receiver.port}/ok", BODY, msg_id="m", secrets=[SECRET], policy=policy
    )
    assert result.status_code == 200


async def test_allowlist_from_settings(receiver: Receiver) -> None:
    policy = DeliveryPolicy.from_settings(Settings(outbox_allowed_networks=("127.0.0.1/32",)))
    assert (
        await attempt_delivery(f"{receiver.base_url}/ok", BODY, msg_id="m", secrets=[SECRET], policy=policy)
    ).succeeded
    other = await attempt_delivery(
        f"http://127.0.0.2:{receiver.port}/ok", BODY, msg_id="m", secrets=[SECRET], policy=policy
    )
    assert other.error_kind is ErrorKind.BLOCKED_ADDRESS


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "http or https"),
        ("file:///etc/passwd", "http or https"),
        ("https://user:pw@example.com/hook", "credentials"),
        ("/relative/path", "http or https"),
        ("https:///nohost", "no host"),
        ("http://example.com:99999/", "port 99999 is out of range"),
        ("http://example.com:0/", "port 0 is out of range"),
        ("http://example.com:abc/", "malformed"),
    ],
)
async def test_unusable_urls_are_refused_before_any_connection(url: str, message: str) -> None:
    result = await attempt_delivery(url, BODY, msg_id="m", secrets=[SECRET])
    assert result.error_kind is ErrorKind.INVALID_URL
    assert result.error is not None
    assert message in result.error
    assert classify(result) is Outcome.GIVE_UP


async def test_connection_goes_to_the_checked_address_without_a_second_lookup(receiver: Receiver) -> None:
    calls: list[str] = []
    result = await attempt_delivery(
        f"http://hooks.ats.test:{receiver.port}/ok",
        BODY,
        msg_id="m",
        secrets=[SECRET],
        policy=LOCAL,
        resolver=_fixed_dns(["127.0.0.1"], calls),
    )
    # hooks.ats.test exists only in our resolver: success proves nothing else looked it up.
    assert (result.status_code, calls) == (200, ["hooks.ats.test"])
    assert receiver.received[0].headers["host"] == f"hooks.ats.test:{receiver.port}"


async def test_any_private_answer_refuses_the_host(receiver: Receiver) -> None:
    result = await attempt_delivery(
        f"http://mixed.ats.test:{receiver.port}/ok",
        BODY,
        msg_id="m",
        secrets=[SECRET],
        policy=LOCAL,
        resolver=_fixed_dns(["127.0.0.1", "169.254.169.254"]),
    )
    assert result.error_kind is ErrorKind.BLOCKED_ADDRESS
    assert result.error is not None
    assert "169.254.169.254, a link-local address" in result.error
    assert receiver.received == []


async def test_unresolvable_host_is_a_dns_error() -> None:
    result = await attempt_delivery("http://no-such-host.invalid/hook", BODY, msg_id="m", secrets=[SECRET])
    assert result.error_kind is ErrorKind.DNS
    empty = await attempt_delivery(
        "http://empty.test/hook", BODY, msg_id="m", secrets=[SECRET], resolver=_fixed_dns(["not-an-ip"])
    )
    assert empty.error_kind is ErrorKind.DNS


async def test_refused_connection_is_a_connect_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await attempt_delivery(
        f"http://127.0.0.1:{port}/ok", BODY, msg_id="m", secrets=[SECRET], policy=LOCAL
    )
    assert result.error_kind is ErrorKind.CONNECT
    assert result.remote_address == "127.0.0.1"


async def test_https_verifies_the_configured_host_name_not_the_address(tmp_path: Path) -> None:
    certs = make_certificates(tmp_path, "hooks.ats.test")
    context = ssl.create_default_context(cafile=str(certs.ca_file))
    tls = {"ssl_certfile": str(certs.cert_file), "ssl_keyfile": str(certs.key_file)}
    async with running(Receiver(), **tls) as receiver:
        ok = await attempt_delivery(
            f"https://hooks.ats.test:{receiver.port}/ok",
            BODY,
            msg_id="m",
            secrets=[SECRET],
            policy=LOCAL,
            resolver=_fixed_dns(["127.0.0.1"]),
            ssl_context=context,
        )
        impostor = await attempt_delivery(
            f"https://other.ats.test:{receiver.port}/ok",
            BODY,
            msg_id="m",
            secrets=[SECRET],
            policy=LOCAL,
            resolver=_fixed_dns(["127.0.0.1"]),
            ssl_context=context,
        )
    assert ok.status_code == 200
    assert receiver.received[0].headers["host"] == f"hooks.ats.test:{receiver.port}"
    Webhook(SECRET).verify(receiver.received[0].body, receiver.received[0].headers)
    assert impostor.error_kind is ErrorKind.TLS
    assert len(receiver.received) == 1


def test_policy_from_settings_and_bad_policies() -> None:
    settings = Settings(outbox_timeout_seconds=3, outbox_connect_timeout_seconds=1)
    policy = DeliveryPolicy.from_settings(settings)
    assert (policy.timeout_seconds, policy.connect_timeout_seconds) == (3, 1)
    assert policy.addresses == AddressPolicy()
    with pytest.raises(ValueError, match="timeouts"):
        DeliveryPolicy(timeout_seconds=0)
    with pytest.raises(ValueError, match="body limit"):
        DeliveryPolicy(body_limit_bytes=-1)


async def test_short_schedule_delivers_to_a_flaky_receiver_in_the_end(receiver: Receiver) -> None:
    """The pieces composed as the outbox will: attempt, decide, wait until the stored instant, repeat."""
    settings = Settings(
        outbox_retry_schedule_seconds=(0, 0.05, 0.05, 0.1, 0.1), outbox_allowed_networks=("127.0.0.1/32",)
    )
    schedule, policy, rng = (
        RetrySchedule.from_settings(settings),
        DeliveryPolicy.from_settings(settings),
        random.Random(3),
    )
    outcomes: list[Outcome] = []
    attempt = 0
    started = time.monotonic()
    next_at = schedule.next_attempt_at(0, datetime.now(UTC), None, rng)
    while next_at is not None:
        await asyncio.sleep(max((next_at - datetime.now(UTC)).total_seconds(), 0))
        attempt += 1
        result = await attempt_delivery(
            f"{receiver.base_url}/flaky", BODY, msg_id="msg_flaky", secrets=[SECRET], policy=policy
        )
        decision = decide(result, attempt, datetime.now(UTC), rng, schedule=schedule)
        outcomes.append(decision.outcome)
        next_at = decision.next_attempt_at
    assert outcomes == [Outcome.RETRY] * 3 + [Outcome.SUCCESS]
    assert time.monotonic() - started < 5
    assert {r.headers["webhook-id"] for r in receiver.received} == {"msg_flaky"}
    for request in receiver.received:
        Webhook(SECRET).verify(request.body, request.headers)


async def test_short_schedule_gives_up_on_a_receiver_that_never_recovers(receiver: Receiver) -> None:
    receiver.flaky_failures = 100
    schedule = RetrySchedule(delays_seconds=(0, 0.01, 0.01), jitter=0)
    outcomes = []
    for attempt in range(1, 4):
        result = await attempt_delivery(
            f"{receiver.base_url}/flaky", BODY, msg_id="m", secrets=[SECRET], policy=LOCAL
        )
        outcomes.append(
            decide(result, attempt, datetime.now(UTC), random.Random(0), schedule=schedule).outcome
        )
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.GIVE_UP]
