"""The answers to writes sent with an ``Idempotency-Key``, kept a day for retries.

A row holds the key, who sent it, the route, a hash of the request and the answer given;
it is written in the same transaction as the write, so a retry after a lost answer gets
that answer again instead of a second record.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotent_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("route", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_answer")),
        sa.UniqueConstraint(
            "key", "actor", "route", name=op.f("uq_idempotent_answer_key_actor_route")
        ),
    )
    op.create_index(
        op.f("ix_idempotent_answer_expires_at"), "idempotent_answer", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_idempotent_answer_expires_at"), table_name="idempotent_answer")
    op.drop_table("idempotent_answer")
