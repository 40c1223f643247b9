"""Where a delivery may go: URL checks, DNS resolution and the SSRF guard.

An endpoint URL is chosen by a customer, so without this guard our worker would POST wherever it
points: the cloud metadata service, Redis on localhost, an admin panel on the private network.
We resolve the host once, refuse any answer that is not a public address, and hand back the
checked address so the transport connects to exactly it (no second lookup an attacker's DNS
could answer differently: the "rebinding" gap between check and connect).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from worksample.outbox.result import ErrorKind

if TYPE_CHECKING:
    from worksample.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# host, port -> the addresses it resolves to, as strings. Injectable so tests can play DNS.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]

_DEFAULT_PORTS = {"http": 80, "https": 443}
# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits; a gateway would forward to it.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class DestinationError(Exception):
    """A delivery target was refused before any connection; ``kind`` says which way."""

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which non-public addresses are nevertheless allowed (tests, local development)."""

    allow_private: bool = False
    allowed_networks: tuple[IPNetwork, ...] = field(default=())

    @classmethod
    def from_settings(cls, settings: Settings) -> AddressPolicy:
        return cls(settings.outbox_allow_private_networks, tuple(settings.outbox_allowed_networks))

    def refusal(self, address: IPAddress) -> str | None:
        """Why ``address`` is refused, or None when a delivery may go there."""
        effective = _embedded_ipv4(address) or address
        if any(effective in network or address in network for network in self.allowed_networks):
            return None
        reason = blocked_reason(address)
        # Even "allow private" never means multicast or 0.0.0.0/:: — no receiver lives there, and
        # on Linux a connect to 0.0.0.0 reaches localhost.
        if reason is not None and self.allow_private and reason not in ("multicast", "unspecified"):
            return None
        return reason


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, NAT64, 6to4), if any.

    Python 3.11 judges ``::ffff:127.0.0.1`` by IPv6 rules (not loopback), so we judge the inner
    address instead.
    """
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def blocked_reason(address: IPAddress) -> str | None:
    """The first rule ``address`` breaks, or None for a public unicast address."""
    inner = _embedded_ipv4(address)
    if inner is not None:
        reason = blocked_reason(inner)
        # Mapped and NAT64 addresses *are* their IPv4 address (an IPv6-only worker behind DNS64
        # sees every IPv4 receiver as 64:ff9b::/96); 6to4 must pass the IPv6 rules as well.
        if reason is not None or isinstance(address, ipaddress.IPv4Address) or address.sixtofour is None:
            return reason
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        # Catches what the flags above miss, e.g. 100.64.0.0/10 (carrier-grade NAT).
        ("not globally routable", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def check_url(url: str) -> httpx.URL:
    """Parse an endpoint URL, refusing what we never deliver to. The API should call this on create."""
    if not isinstance(url, str):
        raise DestinationError(
            ErrorKind.INVALID_URL, f"endpoint URL must be a string, got {type(url).__name__}"
        )
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise DestinationError(ErrorKind.INVALID_URL, f"endpoint URL is malformed: {exc}") from exc
    if parsed.scheme not in _DEFAULT_PORTS:
        raise DestinationError(
            ErrorKind.INVALID_URL, f"endpoint URL must be http or https, got {parsed.scheme or 'no'} scheme"
        )
    # Credentials in a URL end up in logs and in our stored endpoint rows; receivers authenticate
    # us by the signature instead.
    if parsed.userinfo:
        raise DestinationError(ErrorKind.INVALID_URL, "endpoint URL must not contain credentials")
    if not parsed.host:
        raise DestinationError(ErrorKind.INVALID_URL, "endpoint URL has no host")
    # httpx accepts any number as a port; the socket layer would fail later with a vaguer error.
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise DestinationError(ErrorKind.INVALID_URL, f"endpoint URL port {parsed.port} is out of range")
    return parsed


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """Resolve with the operating system, as a client library would (without blocking the loop)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        # gaierror for unknown names; UnicodeError for labels the IDNA codec refuses (e.g. > 63 chars).
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DestinationError(ErrorKind.DNS, f"cannot resolve {host}: {detail}") from exc
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True, slots=True)
class Destination:
    """A checked target: the URL as configured, and the one address we will connect to."""

    url: httpx.URL
    address: IPAddress

    @property
    def host(self) -> str:
        """The ASCII (IDNA) host name, for the Host header and TLS SNI."""
        return self.url.raw_host.decode("ascii")

    @property
    def host_is_address(self) -> bool:
        return _parse_address(self.host) is not None

    @property
    def host_header(self) -> str:
        return self.url.netloc.decode("ascii")

    @property
    def connect_url(self) -> httpx.URL:
        """The URL with its host replaced by the checked address, so no second DNS lookup happens."""
        return self.url.copy_with(host=str(self.address))


def _parse_address(text: str) -> IPAddress | None:
    try:
        # A scope id (fe80::1%eth0) is dropped for the check; the link-local rule refuses it anyway.
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


async def resolve_destination(
    url: str, policy: AddressPolicy, resolver: Resolver = system_resolver
) -> Destination:
    """Check ``url`` and resolve its host; refuse it when any address it resolves to is refused.

    Refusing on any (not just choosing a good one) keeps the rule simple to state and to audit;
    a receiver with one private A record among public ones is misconfigured anyway.
    """
    parsed = check_url(url)
    host = parsed.raw_host.decode("ascii")
    literal = _parse_address(host)
    if literal is not None:
        addresses: list[IPAddress] = [literal]
    else:
        port = parsed.port or _DEFAULT_PORTS[parsed.scheme]
        answers = await resolver(host, port)
        addresses = [address for address in map(_parse_address, answers) if address is not None]
        if not addresses:
            raise DestinationError(ErrorKind.DNS, f"{host} resolved to no usable address")
    for address in addresses:
        reason = policy.refusal(address)
        if reason is not None:
            raise DestinationError(
                ErrorKind.BLOCKED_ADDRESS,
                f"{host} resolves to {address}, a {reason} address; deliveries there are not allowed",
            )
    return Destination(parsed, addresses[0])
