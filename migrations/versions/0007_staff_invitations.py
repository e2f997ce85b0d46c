"""One-time invitation links for new staff accounts.

An invitation keeps the SHA-256 of its token (never the token), who it is for, the role,
who made it, when it expires and when it was used.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_invitation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("invited_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('editor', 'reviewer', 'admin')",
            name=op.f("ck_staff_invitation_role_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_invitation_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("staff_invitation")
