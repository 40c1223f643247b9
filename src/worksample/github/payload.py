"""Reading fields out of a webhook payload (or a REST answer) without trusting its shape.

GitHub's payloads are plain JSON, and a field missing or of another type must end as "not there",
never as a ``KeyError`` deep in a handler. Kept apart from the handlers so that domain code
(``review``) can read payloads without importing the handlers that call it.
"""

from __future__ import annotations

from typing import Any


def field(data: dict[str, Any], *path: str) -> Any:
    """``data[path[0]][path[1]]...``, or None when any step is missing or not an object."""
    value: Any = data
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def int_field(data: dict[str, Any], *path: str) -> int | None:
    value = field(data, *path)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def str_field(data: dict[str, Any], *path: str) -> str | None:
    value = field(data, *path)
    return value if isinstance(value, str) else None
