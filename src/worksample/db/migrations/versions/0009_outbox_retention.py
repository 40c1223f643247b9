"""Outbox: when an endpoint was last re-enabled, and an index for deleting old events.

- ``webhook_endpoints.enabled_at``: the disabling rule counts only failures after it, so the run of
  failures that disabled an endpoint cannot disable it again right after a re-enable. Null for
  every existing endpoint (never re-enabled since this column exists: counted as before);
- an index on ``outbox_events.created_at``: retention deletes the oldest settled events first.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 07:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("enabled_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f("ix_outbox_events_created_at"), "outbox_events", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_outbox_events_created_at"), table_name="outbox_events")
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("enabled_at")
