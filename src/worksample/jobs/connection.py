"""How every process of the service connects to Redis for arq: the API, the worker, the tests."""

from __future__ import annotations

import dataclasses

from arq.connections import RedisSettings

# arq's default is 1 s to open a connection. A host under a burst of load (a deploy, a small VM,
# CI running four test processes on two cores) can take longer, and a job then fails with "Timeout
# connecting to server" although Redis is fine. Waiting longer costs nothing when Redis is up.
CONNECT_TIMEOUT_SECONDS = 5


def redis_settings(url: str) -> RedisSettings:
    """arq's connection settings for ``url`` (``redis://``, ``rediss://`` or ``unix://``)."""
    return dataclasses.replace(RedisSettings.from_dsn(url), conn_timeout=CONNECT_TIMEOUT_SECONDS)
