"""GitHub's rate limits: a primary hourly budget per caller, and secondary limits on bursts.

Primary: a fixed window per installation / user / anonymous caller; every response carries
``x-ratelimit-*``; over budget → 403 (or 429) with remaining 0. Secondary: "content-creating"
requests (every POST/PUT/PATCH/DELETE except minting installation tokens) per short and long
sliding window, and concurrent requests per caller; over → 403 with ``retry-after``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from worksample.sandbox.errors import GitHubError
from worksample.sandbox.state import RateLimitConfig

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
    "If you reach out to GitHub Support for help, please include the request ID."
)


@dataclass
class _Bucket:
    window_start: float
    used: int = 0
    content_times: deque[float] = field(default_factory=deque)
    in_flight: int = 0


def is_content_creating(method: str, path: str) -> bool:
    if method not in ("POST", "PUT", "PATCH", "DELETE"):
        return False
    return not (path.startswith("/app/installations/") and path.endswith("/access_tokens"))


class RateLimiter:
    def __init__(self, config: RateLimitConfig) -> None:
        self.config = config
        self._buckets: dict[str, _Bucket] = {}

    def reset(self) -> None:
        self._buckets.clear()

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None or now >= bucket.window_start + self.config.primary_window_seconds:
            in_flight = bucket.in_flight if bucket else 0
            times = bucket.content_times if bucket else deque()
            bucket = _Bucket(window_start=now, content_times=times, in_flight=in_flight)
            self._buckets[key] = bucket
        return bucket

    def headers(self, key: str, now: float) -> dict[str, str]:
        bucket = self._bucket(key, now)
        limit = self.config.primary_limit
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(0, limit - bucket.used)),
            "x-ratelimit-used": str(bucket.used),
            "x-ratelimit-reset": str(math.ceil(bucket.window_start + self.config.primary_window_seconds)),
            "x-ratelimit-resource": "core",
        }

    def admit(self, key: str, method: str, path: str, now: float) -> None:
        """Count the request, or raise GitHub's rate-limit answer. Call ``release`` when it ends."""
        cfg = self.config
        bucket = self._bucket(key, now)
        if bucket.used >= cfg.primary_limit:
            raise GitHubError(
                cfg.primary_status,
                f"API rate limit exceeded for {key.replace(':', ' ID ', 1)}.",
                headers=self.headers(key, now),
            )
        if bucket.in_flight >= cfg.max_concurrent:
            raise GitHubError(403, SECONDARY_MESSAGE, headers={**self.headers(key, now), "retry-after": "1"})
        if is_content_creating(method, path):
            times = bucket.content_times
            while times and times[0] <= now - cfg.content_window_long_seconds:
                times.popleft()
            short = [t for t in times if t > now - cfg.content_window_short_seconds]
            if len(short) >= cfg.content_limit_short:
                wait = short[-cfg.content_limit_short] + cfg.content_window_short_seconds - now
                raise self._secondary(key, now, wait)
            if len(times) >= cfg.content_limit_long:
                wait = times[-cfg.content_limit_long] + cfg.content_window_long_seconds - now
                raise self._secondary(key, now, wait)
            times.append(now)
        bucket.used += 1
        bucket.in_flight += 1

    def _secondary(self, key: str, now: float, wait: float) -> GitHubError:
        headers = {**self.headers(key, now), "retry-after": str(max(1, math.ceil(wait)))}
        return GitHubError(403, SECONDARY_MESSAGE, headers=headers)

    def release(self, key: str) -> None:
        bucket = self._buckets.get(key)
        if bucket is not None and bucket.in_flight > 0:
            bucket.in_flight -= 1
