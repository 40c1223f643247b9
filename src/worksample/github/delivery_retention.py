"""How long the recorded GitHub webhook deliveries (``github_deliveries``) are kept.

Each row holds the verified body verbatim, up to 25 MB, so they cannot be kept for ever. A processed
delivery goes after the retention period; one still unprocessed stays for the sweeper whatever its
age. The row is also what makes GitHub's redelivery of it a duplicate, so the period must outlast
GitHub's redelivery window (3 days; the setting refuses less).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.db.models import GitHubDelivery


async def prune_processed_deliveries(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` deliveries processed before ``before``; returns how many went."""
    oldest = (
        select(GitHubDelivery.id)
        .where(GitHubDelivery.processed_at < before)
        .order_by(GitHubDelivery.processed_at)
        .limit(limit)
    )
    deleted = await session.execute(
        delete(GitHubDelivery)
        .where(GitHubDelivery.id.in_(oldest.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(deleted, "rowcount", 0))
