"""Fixtures for the outbox's end-to-end tests: settings that allow 127.0.0.1 and retry in
fractions of a second, a receiver on 127.0.0.1, and the real arq worker running in the background."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.outbox.ats import running_worker
from tests.outbox.receiver import Receiver, running
from worksample.config import Settings

# A schedule of four attempts a third of a second apart, without jitter: retry tests take seconds.
SHORT_SCHEDULE = (0.0, 0.3, 0.3, 0.3)
OUTBOX_TEST_SETTINGS: dict[str, Any] = {
    "outbox_retry_schedule_seconds": SHORT_SCHEDULE,
    "outbox_retry_jitter": 0.0,
    "outbox_allowed_networks": (ipaddress.ip_network("127.0.0.1/32"),),
    "outbox_timeout_seconds": 3.0,
    "outbox_connect_timeout_seconds": 1.0,
    "outbox_lease_margin_seconds": 0.5,
    "github_write_interval_seconds": 0.0,
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared ``settings``, with the outbox's test options (also seen by ``world_settings``)."""
    return settings.model_copy(update=OUTBOX_TEST_SETTINGS)


@pytest.fixture
async def ats() -> AsyncIterator[Receiver]:
    """The ATS: a real HTTP server on 127.0.0.1."""
    async with running(Receiver()) as receiver:
        yield receiver


@pytest.fixture
async def outbox_worker(world_settings: Settings, github_world: Any) -> AsyncIterator[None]:
    """The real arq worker (not burst: its every-second dispatcher cron runs) for the test's queue."""
    async with running_worker(world_settings, github_world.transport):
        yield
