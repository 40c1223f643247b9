"""One delivery attempt: POST the exact bytes, signed, to a checked address; return what happened.

No database and no retry logic here: the outbox stores the ``AttemptResult`` and asks ``schedule``
what to do next. Every failure becomes a result, never an exception, so a job can always record
the attempt; only programming errors (a malformed secret or id) raise.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING

import httpx

from worksample import __version__
from worksample.outbox.destination import (
    AddressPolicy,
    Destination,
    DestinationError,
    Resolver,
    resolve_destination,
    system_resolver,
)
from worksample.outbox.result import AttemptResult, ErrorKind
from worksample.outbox.schedule import parse_retry_after
from worksample.outbox.signing import webhook_headers

if TYPE_CHECKING:
    from worksample.config import Settings

USER_AGENT = f"worksample-webhooks/{__version__} (Standard Webhooks)"
# Enough to show a receiver's error message in the attempt log; polar keeps 2,048 characters.
DEFAULT_BODY_LIMIT_BYTES = 4096


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    timeout_seconds: float = 15.0
    connect_timeout_seconds: float = 5.0
    body_limit_bytes: int = DEFAULT_BODY_LIMIT_BYTES
    addresses: AddressPolicy = field(default_factory=AddressPolicy)

    def __post_init__(self) -> None:
        if not self.timeout_seconds > 0 or not self.connect_timeout_seconds > 0:
            raise ValueError("delivery timeouts must be > 0 seconds")
        if self.body_limit_bytes < 0:
            raise ValueError("the response body limit must be >= 0 bytes")

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        return cls(
            timeout_seconds=settings.outbox_timeout_seconds,
            connect_timeout_seconds=settings.outbox_connect_timeout_seconds,
            addresses=AddressPolicy.from_settings(settings),
        )


@cache
def _default_ssl_context() -> ssl.SSLContext:
    # Built once: loading the CA bundle for every attempt costs more than the request on a LAN.
    return httpx.create_ssl_context()


def _error(kind: ErrorKind, message: str, started: float, address: str | None = None) -> AttemptResult:
    return AttemptResult(None, kind, message, _elapsed_ms(started), "", False, None, address)


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _transport_error_kind(exc: httpx.TransportError) -> ErrorKind:
    if isinstance(exc, httpx.TimeoutException):
        return ErrorKind.TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        return ErrorKind.TLS if _caused_by_tls(exc) else ErrorKind.CONNECT
    if isinstance(exc, httpx.ProtocolError):
        return ErrorKind.PROTOCOL
    return ErrorKind.NETWORK


def _caused_by_tls(exc: BaseException) -> bool:
    # httpx wraps httpcore's error, which wraps the ssl module's: look down the chain.
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _read_capped(response: httpx.Response, limit: int, kept: bytearray) -> bool:
    """Append at most ``limit`` bytes of the body to ``kept``; True when there was more.

    Streamed, so a receiver cannot make us buffer gigabytes; raw bytes (no decompression, and we
    ask for ``identity``), so a small gzip bomb cannot expand here either. ``kept`` is filled in
    place so whatever arrived before a timeout is still there for the log.
    """
    async for chunk in response.aiter_raw():
        room = limit - len(kept)
        kept += chunk[:room]
        if len(chunk) > room:
            return True
    return False


async def attempt_delivery(
    url: str,
    body: bytes,
    *,
    msg_id: str,
    secrets: Sequence[str],
    policy: DeliveryPolicy | None = None,
    timestamp: int | None = None,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
) -> AttemptResult:
    """POST ``body`` to ``url`` once, signed with ``secrets`` (current first, then previous).

    ``msg_id`` is the event's id (the same on every retry); ``timestamp`` is this attempt's, now by
    default. The whole attempt, DNS included, is bounded by ``policy.timeout_seconds``; a response
    whose headers arrived in time keeps its status even if its body does not finish.
    """
    policy = policy or DeliveryPolicy()
    sent_at = int(time.time()) if timestamp is None else timestamp
    headers = {
        **webhook_headers(secrets, msg_id, sent_at, body),
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "accept-encoding": "identity",
    }
    started = time.monotonic()
    deadline = asyncio.get_running_loop().time() + policy.timeout_seconds
    address: str | None = None
    try:
        async with asyncio.timeout_at(deadline):
            destination = await resolve_destination(url, policy.addresses, resolver)
        address = str(destination.address)
        return await _post(destination, body, headers, policy, ssl_context, started, deadline)
    except DestinationError as exc:
        return _error(exc.kind, str(exc), started, address)
    except TimeoutError:
        return _error(ErrorKind.TIMEOUT, f"no answer within {policy.timeout_seconds:g} s", started, address)
    except httpx.TransportError as exc:
        return _error(_transport_error_kind(exc), f"{type(exc).__name__}: {exc}", started, address)


async def _post(
    destination: Destination,
    body: bytes,
    headers: dict[str, str],
    policy: DeliveryPolicy,
    ssl_context: ssl.SSLContext | None,
    started: float,
    deadline: float,
) -> AttemptResult:
    extensions: dict[str, str] = {}
    if destination.url.scheme == "https" and not destination.host_is_address:
        # We connect to an IP, so tell TLS the real name: SNI and certificate checks use it.
        extensions["sni_hostname"] = destination.host
    timeout = httpx.Timeout(policy.timeout_seconds, connect=policy.connect_timeout_seconds)
    # trust_env=False: an HTTP(S)_PROXY from the environment would resolve the name itself and
    # undo the address pinning; redirects are failures by contract, never followed.
    async with httpx.AsyncClient(
        follow_redirects=False,
        trust_env=False,
        timeout=timeout,
        verify=ssl_context or _default_ssl_context(),
    ) as client:
        request = client.build_request(
            "POST",
            destination.connect_url,
            content=body,
            headers={**headers, "host": destination.host_header},
            extensions=extensions,
        )
        async with asyncio.timeout_at(deadline):
            response = await client.send(request, stream=True)
        # The status line is the receiver's answer; the body is only kept for the log, so trouble
        # reading it (a trickling or broken stream) cuts the log short instead of failing the attempt.
        kept = bytearray()
        note = None
        try:
            async with asyncio.timeout_at(deadline):
                truncated = await _read_capped(response, policy.body_limit_bytes, kept)
        except (TimeoutError, httpx.TransportError) as exc:
            truncated = True
            note = f"response body cut short: {type(exc).__name__}"
        finally:
            await response.aclose()
    if 300 <= response.status_code < 400:
        note = f"redirect to {response.headers.get('location', '(no location)')} not followed"
    return AttemptResult(
        status_code=response.status_code,
        error_kind=None,
        error=note,
        duration_ms=_elapsed_ms(started),
        body=kept.decode("utf-8", errors="replace"),
        body_truncated=truncated,
        retry_after=parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC)),
        remote_address=str(destination.address),
    )
