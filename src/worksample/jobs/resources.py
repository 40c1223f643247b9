"""What every job finds in ``ctx["resources"]``: built once in worker start-up, closed at shutdown."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from worksample.artifacts.catalog import Catalog
from worksample.github.client import GitHubApp
from worksample.provisioning.rendering import RenderCache
from worksample.provisioning.reviewer_access import ReviewerAccessCache
from worksample.provisioning.service import Checkpoint
from worksample.provisioning.templates import TemplateRegistry


@dataclass
class WorkerResources:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    catalog: Catalog
    github: GitHubApp
    queue_name: str
    # None: every repository is created and filled with its own four calls (no templates).
    templates: TemplateRegistry | None = None
    # First retry delay after an unexpected error; doubles per try.
    retry_base_seconds: float = 5.0
    # How long an assignment may sit in requested/provisioning before the sweeper re-queues it.
    stale_after_seconds: float = 300.0
    # Rendered work samples, shared by this worker's jobs.
    renders: RenderCache = field(default_factory=RenderCache)
    # Reviewers known to read the organization's repositories already (no grant needed).
    reviewer_access: ReviewerAccessCache = field(default_factory=ReviewerAccessCache)
    # Test seam: called between a step's GitHub calls and its record (None in production).
    checkpoint: Checkpoint | None = None
