"""Template repositories: render once, then one ``generate`` call per candidate.

Creating a repository and committing the work sample into it takes four calls (create, tree,
commit, ref). Most assignments of one role render to exactly the same files (same artifact, same
company name and dates), so the rendered tree is committed once into a private *template*
repository named after the digest of its content, and each candidate's repository is generated
from it in one call (``POST /repos/{org}/{template}/generate``), which GitHub fills with the
template's files in a single "Initial commit". Amortised over a role's candidates that is one call
instead of four, and one content-creating request instead of four against the secondary limits.

Which templates exist is remembered in a ``TemplateRegistry`` (Redis in the worker, so every
process shares it; in memory for a single process). The registry is only a cache: a missing
entry costs one rebuild (adopt the template repository by name and marker, commit its content
again, remember it), guarded by a lock so concurrent jobs build it once. An entry expires after a
day, so a template deleted on GitHub is noticed (``generate`` answers 404 and the entry is dropped).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from githubkit import GitHub
from redis.asyncio import Redis

from worksample.provisioning import github_calls as calls
from worksample.provisioning.errors import ProvisioningFailed

TEMPLATE_PREFIX = "worksample-template"
TEMPLATE_MARKER = "worksample template"
REGISTRY_TTL_SECONDS = 24 * 3600
# Building a template takes four GitHub calls; a holder that died frees the lock after this.
LOCK_TIMEOUT_SECONDS = 120
# Templates are (re)built with this date, so the same content always makes the same commit.
TEMPLATE_DATE = datetime(2020, 1, 1, tzinfo=UTC)


def content_digest(files: Mapping[str, bytes]) -> str:
    """A digest of the rendered tree: paths and bytes, independent of dict order."""
    h = hashlib.sha256()
    for path in sorted(files):
        content = files[path]
        h.update(f"{path}\0{len(content)}\0".encode())
        h.update(content)
    return h.hexdigest()


def template_name(artifact_id: str, digest: str) -> str:
    return f"{TEMPLATE_PREFIX}-{artifact_id}-{digest[:12]}"


def template_description(title: str, digest: str) -> str:
    return f"{title[:200]} ({TEMPLATE_MARKER} {digest[:12]}; candidates' repositories are generated from it)"


def is_our_template(description: str | None, digest: str) -> bool:
    return description is not None and f"({TEMPLATE_MARKER} {digest[:12]};" in description


class TemplateRegistry(Protocol):
    async def get(self, installation_id: int, digest: str) -> str | None:
        """The template's ``owner/name`` when it is known to hold exactly this content."""
        ...

    async def put(self, installation_id: int, digest: str, full_name: str) -> None: ...

    async def forget(self, installation_id: int, digest: str) -> None: ...

    def building(self, installation_id: int, digest: str) -> AbstractAsyncContextManager[None]:
        """Held while one job builds the template, so the others wait instead of building it too."""
        ...


class LocalTemplateRegistry:
    """In-process registry: right for one process; several processes would each build once."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, str], str] = {}
        self._locks: dict[tuple[int, str], asyncio.Lock] = {}

    async def get(self, installation_id: int, digest: str) -> str | None:
        return self._known.get((installation_id, digest))

    async def put(self, installation_id: int, digest: str, full_name: str) -> None:
        self._known[(installation_id, digest)] = full_name

    async def forget(self, installation_id: int, digest: str) -> None:
        self._known.pop((installation_id, digest), None)

    @asynccontextmanager
    async def building(self, installation_id: int, digest: str) -> AsyncIterator[None]:
        async with self._locks.setdefault((installation_id, digest), asyncio.Lock()):
            yield


class RedisTemplateRegistry:
    """Registry shared by every worker process through Redis."""

    def __init__(self, redis: Redis, prefix: str = "worksample:templates") -> None:
        self._redis = redis
        self._prefix = prefix

    def _key(self, installation_id: int, digest: str) -> str:
        return f"{self._prefix}:{installation_id}:{digest}"

    async def get(self, installation_id: int, digest: str) -> str | None:
        value = await self._redis.get(self._key(installation_id, digest))
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def put(self, installation_id: int, digest: str, full_name: str) -> None:
        await self._redis.set(self._key(installation_id, digest), full_name, ex=REGISTRY_TTL_SECONDS)

    async def forget(self, installation_id: int, digest: str) -> None:
        await self._redis.delete(self._key(installation_id, digest))

    @asynccontextmanager
    async def building(self, installation_id: int, digest: str) -> AsyncIterator[None]:
        lock = self._redis.lock(
            f"{self._key(installation_id, digest)}:lock",
            timeout=LOCK_TIMEOUT_SECONDS,
            blocking_timeout=LOCK_TIMEOUT_SECONDS,
        )
        async with lock:
            yield


async def ensure_template(
    gh: GitHub[Any],
    registry: TemplateRegistry,
    *,
    installation_id: int,
    org: str,
    artifact_id: str,
    title: str,
    files: Mapping[str, bytes],
) -> str:
    """``owner/name`` of the template repository holding exactly ``files``, built on first use."""
    digest = content_digest(files)
    known = await registry.get(installation_id, digest)
    if known is not None:
        return known
    async with registry.building(installation_id, digest):
        known = await registry.get(installation_id, digest)
        if known is not None:
            return known
        name = template_name(artifact_id, digest)
        repo = await calls.create_repository(
            gh, org, name, template_description(title, digest), is_template=True
        )
        if repo is None:
            # Left by a build that crashed before it was remembered: adopt it and commit again.
            repo = await calls.get_repository(gh, org, name)
            if repo is None or not is_our_template(repo.description, digest):
                raise ProvisioningFailed(f"repository {org}/{name} exists and is not our template")
        owner, repo_name = repo.full_name.split("/", 1)
        await calls.commit_files(
            gh, owner, repo_name, repo.default_branch, files, message=f"{title}\n", date=TEMPLATE_DATE
        )
        await registry.put(installation_id, digest, repo.full_name)
        return repo.full_name
