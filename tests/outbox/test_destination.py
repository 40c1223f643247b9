"""The SSRF guard's address rules and URL checks, without any network."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest

from worksample.outbox.destination import (
    AddressPolicy,
    DestinationError,
    blocked_reason,
    check_url,
    resolve_destination,
)
from worksample.outbox.result import ErrorKind

# The address under test, not something we bind to.
UNSPECIFIED = "0.0.0.0"  # noqa: S104


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),  # cloud metadata service
        ("100.64.0.1", "not globally routable"),  # carrier-grade NAT
        (UNSPECIFIED, "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("192.0.2.10", "private"),  # documentation
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fe80::1", "link-local"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),
        ("2001:db8::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "link-local"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("::127.0.0.1", "reserved"),
        ("8.8.8.8", None),
        ("140.82.112.3", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),  # what an IPv6-only worker behind DNS64 sees for 8.8.8.8
        ("2002:808:808::1", None),
    ],
)
def test_blocked_reason(address: str, reason: str | None) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) == reason


def test_allowlist_and_flag() -> None:
    loopback = ipaddress.ip_address("127.0.0.1")
    mapped = ipaddress.ip_address("::ffff:127.0.0.1")
    only_local = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),))
    assert AddressPolicy().refusal(loopback) == "loopback"
    assert only_local.refusal(loopback) is None
    assert only_local.refusal(mapped) is None
    assert only_local.refusal(ipaddress.ip_address("127.0.0.2")) == "loopback"
    assert only_local.refusal(ipaddress.ip_address("10.0.0.1")) == "private"
    everything = AddressPolicy(allow_private=True)
    assert everything.refusal(ipaddress.ip_address("10.0.0.1")) is None
    assert everything.refusal(ipaddress.ip_address("169.254.169.254")) is None
    # No receiver lives at these, and on Linux 0.0.0.0 reaches localhost.
    assert everything.refusal(ipaddress.ip_address(UNSPECIFIED)) == "unspecified"
    assert everything.refusal(ipaddress.ip_address("224.0.0.1")) == "multicast"
    explicit = AddressPolicy(allowed_networks=(ipaddress.ip_network(f"{UNSPECIFIED}/32"),))
    assert explicit.refusal(ipaddress.ip_address(UNSPECIFIED)) is None


def test_check_url_accepts_https_and_idna() -> None:
    assert check_url("https://hooks.example.com/ws?x=1").host == "hooks.example.com"
    assert check_url("https://bücher.example/hook").raw_host == b"xn--bcher-kva.example"
    with pytest.raises(DestinationError, match="must be a string") as caught:
        check_url(b"https://example.com")  # type: ignore[arg-type]
    assert caught.value.kind is ErrorKind.INVALID_URL


async def _public(host: str, port: int) -> Sequence[str]:
    return ["203.0.113.7", "2606:4700:4700::1111"] if host == "doc.test" else ["140.82.112.3"]


async def test_resolve_destination_pins_the_first_address_and_keeps_the_name() -> None:
    destination = await resolve_destination("https://hooks.example.com:8443/ws", AddressPolicy(), _public)
    assert str(destination.address) == "140.82.112.3"
    assert destination.host == "hooks.example.com"
    assert destination.host_header == "hooks.example.com:8443"
    assert not destination.host_is_address
    assert str(destination.connect_url) == "https://140.82.112.3:8443/ws"


async def test_ipv6_literal_is_connected_to_in_brackets() -> None:
    policy = AddressPolicy(allow_private=True)
    destination = await resolve_destination("http://[::1]:8080/hook", policy, _public)
    assert destination.host_is_address
    assert str(destination.connect_url) == "http://[::1]:8080/hook"
    assert destination.host_header == "[::1]:8080"


async def test_one_bad_answer_among_good_ones_refuses_the_host() -> None:
    with pytest.raises(DestinationError, match=r"doc\.test resolves to 203\.0\.113\.7") as caught:
        await resolve_destination("https://doc.test/", AddressPolicy(), _public)
    assert caught.value.kind is ErrorKind.BLOCKED_ADDRESS
