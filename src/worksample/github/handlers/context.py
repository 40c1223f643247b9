"""What every webhook handler receives besides the event: the job's session and shared resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from githubkit import GitHub
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.artifacts.catalog import Catalog
from worksample.github.client import GitHubApp
from worksample.github.routing import WebhookEvent


@dataclass
class HandlerContext:
    # The job's transaction: handlers flush, the job commits once every handler has run.
    session: AsyncSession
    github: GitHubApp
    catalog: Catalog
    # Where reviewers find the reviewer guide (``{public_url}/review/{assignment_id}``).
    public_url: str

    def installation_client(self, event: WebhookEvent) -> GitHub[Any]:
        installation = event.data.get("installation")
        installation_id = installation.get("id") if isinstance(installation, dict) else None
        if not isinstance(installation_id, int):
            raise ValueError(f"{event.event} delivery {event.delivery_id} names no installation")
        return self.github.installation(installation_id)


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
