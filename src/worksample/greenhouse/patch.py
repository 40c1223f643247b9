"""One attempt of Greenhouse's completion call: a body-less PATCH with Basic auth.

The outbox's guard decides where it may go (``resolve_destination``: URL checks, DNS, the SSRF
address rules, the address pinned for the connection) and its ``AttemptResult`` records what
happened, so the outbox's ``decide`` schedules the retries. Only the request differs from a
webhook: PATCH, no body, no signature, ``Authorization: Basic base64(key:)``.
"""

from __future__ import annotations

import asyncio
import base64
import time
from datetime import UTC, datetime

import httpx

from worksample import __version__
from worksample.outbox.destination import DestinationError, Resolver, resolve_destination, system_resolver
from worksample.outbox.result import AttemptResult, ErrorKind
from worksample.outbox.schedule import parse_retry_after
from worksample.outbox.transport import DeliveryPolicy

USER_AGENT = f"worksample-greenhouse/{__version__}"


def basic_auth(key: str) -> str:
    """Greenhouse's scheme: the API key as user name, an empty password."""
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode("ascii")


def _result(kind: ErrorKind, message: str, started: float, address: str | None) -> AttemptResult:
    elapsed = round((time.monotonic() - started) * 1000)
    return AttemptResult(None, kind, message, elapsed, "", False, None, address)


def _error_kind(exc: httpx.TransportError) -> ErrorKind:
    if isinstance(exc, httpx.TimeoutException):
        return ErrorKind.TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        return ErrorKind.CONNECT
    if isinstance(exc, httpx.ProtocolError):
        return ErrorKind.PROTOCOL
    return ErrorKind.NETWORK


async def attempt_completion_patch(
    url: str, key: str, *, policy: DeliveryPolicy, resolver: Resolver = system_resolver
) -> AttemptResult:
    """PATCH ``url`` once; every failure becomes a result, never an exception."""
    started = time.monotonic()
    deadline = asyncio.get_running_loop().time() + policy.timeout_seconds
    address: str | None = None
    try:
        async with asyncio.timeout_at(deadline):
            destination = await resolve_destination(url, policy.addresses, resolver)
            address = str(destination.address)
            extensions: dict[str, str] = {}
            if destination.url.scheme == "https" and not destination.host_is_address:
                extensions["sni_hostname"] = destination.host
            timeout = httpx.Timeout(policy.timeout_seconds, connect=policy.connect_timeout_seconds)
            # As in the outbox: no proxies from the environment (they would undo the pinning) and
            # no redirects (a redirect is a failure, never followed with our credentials).
            async with httpx.AsyncClient(follow_redirects=False, trust_env=False, timeout=timeout) as client:
                request = client.build_request(
                    "PATCH",
                    destination.connect_url,
                    headers={
                        "host": destination.host_header,
                        "authorization": basic_auth(key),
                        "user-agent": USER_AGENT,
                        "accept-encoding": "identity",
                        "content-length": "0",
                    },
                    extensions=extensions,
                )
                response = await client.send(request)
    except DestinationError as exc:
        return _result(exc.kind, str(exc), started, address)
    except TimeoutError:
        return _result(ErrorKind.TIMEOUT, f"no answer within {policy.timeout_seconds:g} s", started, address)
    except httpx.TransportError as exc:
        return _result(_error_kind(exc), f"{type(exc).__name__}: {exc}", started, address)
    body = response.content[: policy.body_limit_bytes]
    note = None
    if 300 <= response.status_code < 400:
        note = f"redirect to {response.headers.get('location', '(no location)')} not followed"
    return AttemptResult(
        status_code=response.status_code,
        error_kind=None,
        error=note,
        duration_ms=round((time.monotonic() - started) * 1000),
        body=body.decode("utf-8", errors="replace"),
        body_truncated=len(response.content) > policy.body_limit_bytes,
        retry_after=parse_retry_after(response.headers.get("retry-after"), datetime.now(UTC)),
        remote_address=address,
    )
