"""Web pages: role grants per organisation (admin, recruiter, reviewer).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 02:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_role_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("github_id", sa.BigInteger(), nullable=False),
        sa.Column("login", sa.String(length=39), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.String(length=39), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_web_role_grants_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_role_grants")),
        sa.UniqueConstraint(
            "organization_id",
            "github_id",
            "role",
            name=op.f("uq_web_role_grants_organization_id_github_id_role"),
        ),
    )
    op.create_index(
        op.f("ix_web_role_grants_organization_id"), "web_role_grants", ["organization_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_web_role_grants_organization_id"), table_name="web_role_grants")
    op.drop_table("web_role_grants")
