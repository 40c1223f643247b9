"""Reading GitHub's rate-limit answers. Pure functions: no I/O, no clock of their own.

GitHub answers an exceeded limit with 403 or 429 and either ``retry-after`` (secondary limits)
or ``x-ratelimit-remaining: 0`` plus ``x-ratelimit-reset`` (the primary budget). GitHub also
documents a secondary-limit 403 with neither header ("otherwise, wait for at least one minute"),
recognisable only by its message. Any other 403 is a permission error and must not be waited out.
"""

from __future__ import annotations

from collections.abc import Mapping

# Methods GitHub counts as mutative ("wait at least one second between mutative requests").
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})

# When neither header says how long, GitHub's guidance is to wait at least a minute.
DEFAULT_SECONDARY_WAIT = 60.0


def rate_limit_wait(
    status: int, headers: Mapping[str, str], now: float, message: str | None = None
) -> float | None:
    """Seconds to wait before retrying, or ``None`` when the answer is not a rate limit.

    ``now`` is unix time; ``x-ratelimit-reset`` is an absolute unix time, ``retry-after`` relative.
    ``message`` is the answer's JSON ``message``, which only matters for a 403 without headers.
    """
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            # An HTTP-date form is allowed by RFC 9110 but GitHub does not send it; be cautious.
            return DEFAULT_SECONDARY_WAIT
    if headers.get("x-ratelimit-remaining") == "0":
        reset = headers.get("x-ratelimit-reset")
        if reset is None:
            return DEFAULT_SECONDARY_WAIT
        try:
            # +1: the reset second itself may still be inside the exhausted window.
            return max(0.0, float(reset) - now) + 1.0
        except ValueError:
            return DEFAULT_SECONDARY_WAIT
    if status == 429 or (message is not None and is_secondary_limit_message(message)):
        # 429 is only ever a limit, even when GitHub forgot the headers.
        return DEFAULT_SECONDARY_WAIT
    return None


def needs_message(status: int, headers: Mapping[str, str]) -> bool:
    """Whether only the body's message can tell a rate limit from a permission error."""
    return status == 403 and "retry-after" not in headers and headers.get("x-ratelimit-remaining") != "0"


def is_secondary_limit_message(message: str) -> bool:
    # GitHub's wording: "You have exceeded a secondary rate limit..."; older answers said "abuse
    # detection mechanism". githubkit matches "secondary rate" the same way.
    lowered = message.lower()
    return "secondary rate limit" in lowered or "abuse detection" in lowered


def is_write(method: str) -> bool:
    return method.upper() in WRITE_METHODS
