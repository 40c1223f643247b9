"""Lifecycle: when each assignment is next due, firings retried after a rate limit, and the
indexes an erasure needs to stay within the candidate's own rows.

- ``assignments.next_timer_at`` (indexed): the tick reads only assignments with something due;
- ``lifecycle_firings.retry_at`` / ``attempts``: a firing GitHub refused for now stays open;
- ``github_deliveries.repository_id`` (indexed, filled in from the stored bodies): the scrub
  finds a repository's webhook bodies by it instead of searching every body;
- an index on ``idempotency_records.assignment_id``, which purging deletes by.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 06:10:00
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Stored bodies read at once while filling in repository_id (a body can be large).
_BATCH = 200


def _repository_id(body: str) -> int | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    repository = data.get("repository") if isinstance(data, dict) else None
    value = repository.get("id") if isinstance(repository, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _fill_repository_ids() -> None:
    """In Python, batch by batch: a body may hold what PostgreSQL's JSON functions refuse (``\\u0000``)."""
    deliveries = sa.table(
        "github_deliveries",
        sa.column("id", sa.Integer()),
        sa.column("body", sa.Text()),
        sa.column("repository_id", sa.BigInteger()),
    )
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(deliveries.c.id, deliveries.c.body)
            .where(deliveries.c.id > last, deliveries.c.body.like('%"repository"%'))
            .order_by(deliveries.c.id)
            .limit(_BATCH)
        ).all()
        for row_id, body in rows:
            repository_id = _repository_id(body)
            if repository_id is not None:
                bind.execute(
                    sa.update(deliveries).where(deliveries.c.id == row_id).values(repository_id=repository_id)
                )
        if len(rows) < _BATCH:
            return
        last = rows[-1][0]


def upgrade() -> None:
    op.add_column("assignments", sa.Column("next_timer_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_assignments_next_timer_at"), "assignments", ["next_timer_at"], unique=False)
    op.add_column("lifecycle_firings", sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "lifecycle_firings", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("github_deliveries", sa.Column("repository_id", sa.BigInteger(), nullable=True))
    op.create_index(
        op.f("ix_github_deliveries_repository_id"), "github_deliveries", ["repository_id"], unique=False
    )
    op.create_index(
        op.f("ix_idempotency_records_assignment_id"), "idempotency_records", ["assignment_id"], unique=False
    )
    _fill_repository_ids()


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotency_records_assignment_id"), table_name="idempotency_records")
    op.drop_index(op.f("ix_github_deliveries_repository_id"), table_name="github_deliveries")
    with op.batch_alter_table("github_deliveries") as batch:
        batch.drop_column("repository_id")
    with op.batch_alter_table("lifecycle_firings") as batch:
        batch.drop_column("attempts")
        batch.drop_column("retry_at")
    op.drop_index(op.f("ix_assignments_next_timer_at"), table_name="assignments")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("next_timer_at")
