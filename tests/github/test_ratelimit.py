"""Which GitHub answers are rate limits, and how long they say to wait."""

from __future__ import annotations

import pytest

from worksample.github.ratelimit import DEFAULT_SECONDARY_WAIT, is_write, needs_message, rate_limit_wait

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("status", "headers", "expected"),
    [
        (200, {"retry-after": "5"}, None),
        (403, {"retry-after": "7"}, 7.0),
        (429, {"retry-after": "0"}, 0.0),
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 30)}, 31.0),
        # A reset already in the past still waits the one second of margin.
        (403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) - 30)}, 1.0),
        (403, {"x-ratelimit-remaining": "0"}, DEFAULT_SECONDARY_WAIT),
        (403, {"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, DEFAULT_SECONDARY_WAIT),
        (429, {}, DEFAULT_SECONDARY_WAIT),
        # A 403 with budget left is a permission error: waiting would never help.
        (403, {"x-ratelimit-remaining": "4999"}, None),
        (404, {"x-ratelimit-remaining": "0"}, None),
    ],
)
def test_rate_limit_wait(status: int, headers: dict[str, str], expected: float | None) -> None:
    assert rate_limit_wait(status, headers, NOW) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # GitHub documents a secondary-limit 403 with no header: "wait for at least one minute".
        ("You have exceeded a secondary rate limit. Please wait a few minutes.", DEFAULT_SECONDARY_WAIT),
        ("You have triggered an abuse detection mechanism.", DEFAULT_SECONDARY_WAIT),
        ("Resource not accessible by integration", None),
        (None, None),
    ],
)
def test_a_403_without_headers_is_a_limit_only_by_its_message(
    message: str | None, expected: float | None
) -> None:
    assert needs_message(403, {})
    assert rate_limit_wait(403, {}, NOW, message) == expected


def test_write_methods() -> None:
    assert [m for m in ("GET", "HEAD", "post", "PUT", "PATCH", "DELETE") if is_write(m)] == [
        "post",
        "PUT",
        "PATCH",
        "DELETE",
    ]
