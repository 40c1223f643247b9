"""Lifecycle: deadline lock columns, timer firings (claims), erasure requests.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 02:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    for name, type_ in (
        ("locked_at", _TS),
        ("deadline_sha", sa.String(length=40)),
        ("lock_failed_at", _TS),
        ("lock_failure", sa.Text()),
        ("archived_at", _TS),
        ("purged_at", _TS),
        ("erase_requested_at", _TS),
    ):
        op.add_column("assignments", sa.Column(name, type_, nullable=True))
    op.add_column(
        "assignments", sa.Column("reinvite_count", sa.Integer(), server_default="0", nullable=False)
    )
    op.create_table(
        "lifecycle_firings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("due_at", _TS, nullable=False),
        sa.Column("claimed_at", _TS, nullable=False),
        sa.Column("claim_token", sa.String(length=32), nullable=False),
        sa.Column("done_at", _TS, nullable=True),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_lifecycle_firings_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_firings")),
        sa.UniqueConstraint(
            "assignment_id", "kind", "due_at", name=op.f("uq_lifecycle_firings_assignment_id_kind_due_at")
        ),
    )
    op.create_index(
        op.f("ix_lifecycle_firings_assignment_id"), "lifecycle_firings", ["assignment_id"], unique=False
    )
    op.create_table(
        "erasure_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", _TS, nullable=False),
        sa.Column("assignments", sa.Integer(), nullable=False),
        sa.Column("completed_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_erasure_requests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_erasure_requests_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_requests")),
    )
    op.create_index(
        op.f("ix_erasure_requests_organization_id"), "erasure_requests", ["organization_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_erasure_requests_organization_id"), table_name="erasure_requests")
    op.drop_table("erasure_requests")
    op.drop_index(op.f("ix_lifecycle_firings_assignment_id"), table_name="lifecycle_firings")
    op.drop_table("lifecycle_firings")
    with op.batch_alter_table("assignments") as batch:
        for name in (
            "reinvite_count",
            "erase_requested_at",
            "purged_at",
            "archived_at",
            "lock_failure",
            "lock_failed_at",
            "deadline_sha",
            "locked_at",
        ):
            batch.drop_column(name)
