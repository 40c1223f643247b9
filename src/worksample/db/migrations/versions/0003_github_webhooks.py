"""GitHub webhooks in: recorded deliveries, installation repositories, submissions and reviews.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 02:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "github_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=True),
        sa.Column("installation_id", sa.BigInteger(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=500), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_github_deliveries")),
        sa.UniqueConstraint("delivery_id", name=op.f("uq_github_deliveries_delivery_id")),
    )
    op.create_index(
        op.f("ix_github_deliveries_processed_at_received_at"),
        "github_deliveries",
        ["processed_at", "received_at"],
        unique=False,
    )

    op.create_table(
        "installation_repositories",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("full_name", sa.String(length=140), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_installation_repositories")),
    )
    op.create_index(
        op.f("ix_installation_repositories_installation_id"),
        "installation_repositories",
        ["installation_id"],
        unique=False,
    )

    op.create_table(
        "submissions",
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("pr_id", sa.BigInteger(), nullable=False),
        sa.Column("pr_number", sa.Integer(), nullable=False),
        sa.Column("pr_url", sa.String(length=500), nullable=False),
        sa.Column("head_sha", sa.String(length=40), nullable=False),
        sa.Column("files_changed", sa.Integer(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("draft", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reviewers_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scorecard_comment_id", sa.BigInteger(), nullable=True),
        sa.Column("scoring", sa.JSON(), nullable=True),
        sa.Column("scored_event", sa.JSON(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_submissions_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", name=op.f("pk_submissions")),
    )

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("review_id", sa.BigInteger(), nullable=False),
        sa.Column("pr_number", sa.Integer(), nullable=False),
        sa.Column("reviewer_github_id", sa.BigInteger(), nullable=False),
        sa.Column("reviewer_login", sa.String(length=39), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html_url", sa.String(length=500), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("ignored", sa.String(length=200), nullable=True),
        sa.Column("scorecard_status", sa.String(length=16), nullable=True),
        sa.Column("feedback_revision", sa.Integer(), nullable=True),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_reviews_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("assignment_id", "review_id", name=op.f("uq_reviews_assignment_id_review_id")),
    )
    op.create_index(op.f("ix_reviews_assignment_id"), "reviews", ["assignment_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_reviews_assignment_id"), table_name="reviews")
    op.drop_table("reviews")
    op.drop_table("submissions")
    op.drop_index(
        op.f("ix_installation_repositories_installation_id"), table_name="installation_repositories"
    )
    op.drop_table("installation_repositories")
    op.drop_index(op.f("ix_github_deliveries_processed_at_received_at"), table_name="github_deliveries")
    op.drop_table("github_deliveries")
