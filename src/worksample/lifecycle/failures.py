"""What a failed firing means: try again later, or stop. Pure: no I/O, no clock.

A timer fires once, so closing its firing is final: a deadline never locked, a repository never
purged. Only a definite refusal closes it: nothing on GitHub to act on, or GitHub answering a
4xx that repeating the same request cannot change (404, 410, 422, a 403 that is a permission).
A rate limit (githubkit's ``RateLimitExceeded``, a 429), a 5xx, a timeout, a lost connection or
our own write pacing saying "not before then" all pass: the firing stays open and is taken again
after ``retry-after`` (or a backoff), however many times it takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from githubkit.exception import RateLimitExceeded, RequestError, RequestFailed

from worksample.github.pacing import PacingDeferred
from worksample.lifecycle.context import NotOnGitHub

# Backoff for answers that give no time: 1 min, 2, 4 ... capped at half an hour, so a long outage
# costs a few requests an hour, and the firing still comes soon after GitHub does.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(minutes=30)
# Statuses that say "not now" rather than "no" (5xx too): a timeout, too many requests, and our
# credentials refused (401: a rotated key or a clock off; fixed by an operator, not per assignment).
_TRANSIENT = frozenset({401, 408, 429})


@dataclass(frozen=True)
class Retry:
    after: timedelta
    reason: str


@dataclass(frozen=True)
class Refused:
    reason: str


def describe(exc: BaseException) -> str:
    """One line for the timeline and the firing's outcome: what GitHub was asked, and said."""
    if isinstance(exc, RequestFailed):
        request, response = exc.request, exc.response.raw_response
        try:
            body = response.json()
        except ValueError:
            body = None
        message = body.get("message") if isinstance(body, dict) else None
        said = f"{response.status_code}" + (f" {message}" if isinstance(message, str) else "")
        return f"{type(exc).__name__}: {request.method} {request.url.path} answered {said}"[:400]
    return f"{type(exc).__name__}: {exc}"[:400]


def backoff(attempt: int) -> timedelta:
    """The wait before retry number ``attempt`` (1-based) when GitHub did not say how long."""
    doublings = min(max(0, attempt - 1), 16)
    return min(BACKOFF_CAP, BACKOFF_BASE * (1 << doublings))


def judge(exc: BaseException, attempt: int) -> Retry | Refused | None:
    """``Retry`` (GitHub said not now), ``Refused`` (GitHub said no, or there is nothing on
    GitHub), or None: not an answer from GitHub at all (a bug, the database), which the caller
    leaves to the claim's lease as before. ``attempt`` counts this one (1 the first time)."""
    if isinstance(exc, NotOnGitHub):
        return Refused(describe(exc))
    if isinstance(exc, RateLimitExceeded):
        # GitHub's own time wins when it is longer than ours.
        return Retry(max(exc.retry_after, backoff(attempt)), describe(exc))
    if isinstance(exc, RequestFailed):
        status = exc.response.status_code
        if status >= 500 or status in _TRANSIENT:
            return Retry(backoff(attempt), describe(exc))
        return Refused(describe(exc))
    if isinstance(exc, RequestError):
        if isinstance(exc.exc, PacingDeferred):
            return Retry(max(timedelta(seconds=exc.exc.delay), BACKOFF_BASE), describe(exc.exc))
        # Timeouts and transport errors: nothing was refused.
        return Retry(backoff(attempt), describe(exc))
    return None
