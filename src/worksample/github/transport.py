"""The httpx transport every installation client sends through: pacing and rate-limit waits.

Pacing lives at the HTTP seam rather than in the provisioning code so that no GitHub write can
skip it, including writes repeated after a rate-limit answer. githubkit's own retry is switched off
(``auto_retry=False``) because it sleeps without telling the pacer, so other jobs would keep writing
into a limit one job already hit.

A write whose pacing slot is more than ``max_wait`` away is not sent: ``PacingDeferred`` (which
githubkit wraps in ``RequestError``) tells the job layer to re-queue itself for then.

A rate-limit answer (see ``ratelimit.rate_limit_wait``) puts a hold on the whole installation. A
short wait (``max_wait`` seconds or less) is waited out here and the request sent again; a longer
one is handed back to githubkit, which raises ``RateLimitExceeded`` with ``retry_after``, and the
job layer turns that into a deferred retry instead of a failed assignment. githubkit only knows a
limit by its headers, so an answer recognised by its message alone is handed back with the
``retry-after`` we computed: otherwise it would surface as a plain 403, a permission error.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import httpx

from worksample.github.pacing import WritePacer
from worksample.github.ratelimit import is_write, needs_message, rate_limit_wait

log = logging.getLogger(__name__)

# Minting an installation token is an App-level call: it is not a write GitHub counts against the
# installation's content-creation limits, and pacing it would delay every job's first request.
_UNPACED = re.compile(r"/app/installations/\d+/access_tokens$")


# Inside a multi-write step (tree, commit, ref) giving up half-way would make the retry redo the
# writes already made, and a budget smaller than the step would then never let it finish. So once a
# step has made its first write, the rest waits in line, up to this long, instead of deferring.
INLINE_MAX_WAIT = 300.0
_inline: ContextVar[bool] = ContextVar("worksample_github_inline_writes", default=False)


@contextmanager
def inline_writes() -> Iterator[None]:
    """Within this block, pacing and rate-limit waits are slept through (up to ``INLINE_MAX_WAIT``)."""
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


class PacedTransport(httpx.AsyncBaseTransport):
    """Wraps another transport; ``key`` names the pacing schedule (one per installation)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        pacer: WritePacer,
        key: str,
        *,
        max_wait: float = 30.0,
        max_attempts: int = 5,
    ) -> None:
        self._inner = inner
        self._pacer = pacer
        self._key = key
        self._max_wait = max_wait
        self._max_attempts = max_attempts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        paced = is_write(request.method) and not _UNPACED.search(request.url.path)
        max_wait = max(self._max_wait, INLINE_MAX_WAIT) if _inline.get() else self._max_wait
        attempt = 1
        while True:
            await self._pacer.wait_for_hold(self._key)
            reservation = None
            if paced:
                # A slot further away than max_wait raises PacingDeferred: the job re-queues itself.
                reservation = await self._pacer.wait_for_write(self._key, max_delay=max_wait)
            response = await self._inner.handle_async_request(request)
            if reservation is not None:
                # GitHub counted the write somewhere between its slot and now; now is the safe end.
                await self._pacer.sent(self._key, reservation.token)
            message = (
                await _message(response) if needs_message(response.status_code, response.headers) else None
            )
            wait = rate_limit_wait(response.status_code, response.headers, time.time(), message)
            if wait is None:
                return response
            if message is not None:
                response.headers["retry-after"] = str(int(wait))
            await self._pacer.hold(self._key, wait)
            log.warning(
                "github.rate_limited installation=%s method=%s path=%s status=%s wait=%.1fs attempt=%d",
                self._key,
                request.method,
                request.url.path,
                response.status_code,
                wait,
                attempt,
            )
            if wait > max_wait or attempt >= self._max_attempts:
                return response
            # The body must be consumed before the connection can be reused for the retry.
            await response.aread()
            await response.aclose()
            attempt += 1

    async def aclose(self) -> None:
        # githubkit builds a short-lived httpx client per call and closes it, which closes its
        # transport; the shared inner transport (and its connection pool) must outlive those
        # clients, so it is closed by its owner, ``GitHubApp.aclose``.
        return None


async def _message(response: httpx.Response) -> str | None:
    """The ``message`` of a JSON error answer (read into memory: GitHub's error bodies are small)."""
    await response.aread()
    try:
        body = response.json()
    except ValueError:
        return None
    message = body.get("message") if isinstance(body, dict) else None
    return message if isinstance(message, str) else None
