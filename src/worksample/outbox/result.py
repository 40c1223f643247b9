"""What one delivery attempt produced: the value the transport returns and the outbox records.

Kept apart from ``transport`` so the schedule (and the database layer) can read results without
importing an HTTP client.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

# What a database text column cannot hold or a reader of the log cannot see: NUL (PostgreSQL
# text refuses it outright), the other C0 controls except tab and line breaks, and lone
# surrogates (not encodable as UTF-8, which an exception's text may carry).
_UNSTORABLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class ErrorKind(StrEnum):
    """Why an attempt got no HTTP response. Stored as text, so values never change meaning."""

    INVALID_URL = "invalid_url"  # scheme, credentials or host unusable: retrying cannot help
    BLOCKED_ADDRESS = "blocked_address"  # resolves to loopback/private/...: refused by the SSRF guard
    DNS = "dns"  # the host name did not resolve
    CONNECT = "connect"  # TCP connection refused or unreachable
    TLS = "tls"  # handshake or certificate verification failed
    TIMEOUT = "timeout"  # connect, write, read or the whole attempt took too long
    PROTOCOL = "protocol"  # the peer did not speak valid HTTP
    NETWORK = "network"  # the connection broke mid-exchange


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """One attempt: either an HTTP status (any, including 3xx) or an error kind, never both."""

    status_code: int | None
    error_kind: ErrorKind | None
    # Human-readable reason for an error (or for a refused redirect: the Location), for the log.
    error: str | None
    duration_ms: int
    # The first few KB of the response body, decoded leniently: enough to show a receiver's error.
    body: str
    body_truncated: bool
    # Seconds the receiver asked us to wait (Retry-After), when it said so; the schedule decides
    # whether to honour it (only on 429 and 503).
    retry_after: float | None
    # The address we actually connected to, after the SSRF check: useful when DNS changes.
    remote_address: str | None = None

    def __post_init__(self) -> None:
        if (self.status_code is None) == (self.error_kind is None):
            raise ValueError("an AttemptResult has exactly one of status_code and error_kind")

    @property
    def succeeded(self) -> bool:
        """Only 2xx counts: a redirect is a failure because we never follow it."""
        return self.status_code is not None and 200 <= self.status_code < 300


def storable_text(text: str) -> str:
    """``text`` with every character a database text column (or a log reader) would choke on
    replaced by U+FFFD: a receiver's answer is arbitrary bytes, and storing it must not fail."""
    return _UNSTORABLE.sub("\ufffd", text)
