"""Greenhouse assessment partner and candidate invitations by e-mail.

Candidates invited by e-mail have no GitHub login until they sign in, so ``people.login`` and
``assignments.candidate_login`` become nullable; organisations get default reviewers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 02:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: SQLite cannot ALTER a column's nullability in place.
    with op.batch_alter_table("people") as batch:
        batch.alter_column("login", existing_type=sa.String(length=39), nullable=True)
    with op.batch_alter_table("assignments") as batch:
        batch.alter_column("candidate_login", existing_type=sa.String(length=39), nullable=True)
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("default_reviewers", sa.JSON(), nullable=True))

    op.create_table(
        "candidate_invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_error", sa.Text(), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by_github_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_candidate_invitations_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_candidate_invitations_token_hash")),
    )
    op.create_index(
        op.f("ix_candidate_invitations_assignment_id"),
        "candidate_invitations",
        ["assignment_id"],
        unique=False,
    )

    op.create_table(
        "greenhouse_tests",
        sa.Column("assignment_id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("partner_test_id", sa.String(length=64), nullable=False),
        sa.Column("callback_url", sa.String(length=500), nullable=False),
        sa.Column("callback_key", sa.String(length=200), nullable=True),
        sa.Column("greenhouse_profile_url", sa.String(length=500), nullable=True),
        sa.Column("sent_by", sa.String(length=320), nullable=True),
        sa.Column("completion_state", sa.String(length=16), nullable=False),
        sa.Column("completion_attempts", sa.Integer(), nullable=False),
        sa.Column("completion_next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_lease_token", sa.String(length=32), nullable=True),
        sa.Column("completion_last_status", sa.Integer(), nullable=True),
        sa.Column("completion_last_error", sa.Text(), nullable=True),
        sa.Column("completion_delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_greenhouse_tests_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_greenhouse_tests_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("assignment_id", name=op.f("pk_greenhouse_tests")),
    )
    op.create_index(
        op.f("ix_greenhouse_tests_organization_id"), "greenhouse_tests", ["organization_id"], unique=False
    )
    op.create_index(
        op.f("ix_greenhouse_tests_completion_state_completion_next_at"),
        "greenhouse_tests",
        ["completion_state", "completion_next_at"],
        unique=False,
    )

    op.create_table(
        "greenhouse_response_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.String(length=36), nullable=True),
        sa.Column("api_call", sa.String(length=64), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_greenhouse_response_errors_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_greenhouse_response_errors_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_greenhouse_response_errors")),
    )
    op.create_index(
        op.f("ix_greenhouse_response_errors_assignment_id"),
        "greenhouse_response_errors",
        ["assignment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_greenhouse_response_errors_organization_id"),
        "greenhouse_response_errors",
        ["organization_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("greenhouse_response_errors")
    op.drop_table("greenhouse_tests")
    op.drop_table("candidate_invitations")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("default_reviewers")
    # Rows without a login (invited by e-mail, never signed in) cannot survive NOT NULL.
    op.execute("DELETE FROM assignments WHERE candidate_login IS NULL")
    op.execute("DELETE FROM people WHERE login IS NULL")
    with op.batch_alter_table("assignments") as batch:
        batch.alter_column("candidate_login", existing_type=sa.String(length=39), nullable=False)
    with op.batch_alter_table("people") as batch:
        batch.alter_column("login", existing_type=sa.String(length=39), nullable=False)
