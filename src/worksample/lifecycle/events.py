"""Lifecycle events to the ATS that no status change carries (lock failed, invitation re-issued)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worksample.lifecycle.context import Target
from worksample.outbox.store import emit


async def emit_event(t: Target, event_type: str, data: Mapping[str, Any]) -> None:
    """In the firing's transaction, so the event goes out exactly when the change is committed."""
    await emit(t.session, t.assignment, event_type, data, at=t.now)
