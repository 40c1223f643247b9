"""GitHub's ISO 8601 timestamps (``2026-11-26T01:50:20Z``) as timezone-aware datetimes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_github_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
