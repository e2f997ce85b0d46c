"""Staff accounts for the console, their sessions, verifications, and report resolutions.

A staff account keeps an argon2 hash of the password, never the password. A verification
records who confirmed a listing, when and how. A resolved problem report says whether it
was fixed or dismissed, by whom, with a note.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
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
    op.create_table(
        "staff_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sessions_valid_after", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('editor', 'reviewer', 'admin')", name=op.f("ck_staff_account_role_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_account")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_account_email")),
        sa.UniqueConstraint("name", name=op.f("uq_staff_account_name")),
    )
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_session")),
        sa.UniqueConstraint("key", "namespace", name=op.f("uq_staff_session_key_namespace")),
    )
    op.create_index(
        op.f("ix_staff_session_expires_at"), "staff_session", ["expires_at"], unique=False
    )
    op.create_table(
        "verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("staff_name", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.CheckConstraint(
            "method IN ('phone', 'visit', 'website', 'partner')",
            name=op.f("ck_verification_method_known"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resource.id"],
            name=op.f("fk_verification_resource_id_resource"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification")),
    )
    op.create_index(
        op.f("ix_verification_resource_id"), "verification", ["resource_id"], unique=False
    )
    with op.batch_alter_table("problem_report") as batch:
        batch.add_column(sa.Column("resolution", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("resolution_note", sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("problem_report") as batch:
        batch.drop_column("resolution_note")
        batch.drop_column("resolved_by")
        batch.drop_column("resolution")
    op.drop_index(op.f("ix_verification_resource_id"), table_name="verification")
    op.drop_table("verification")
    op.drop_index(op.f("ix_staff_session_expires_at"), table_name="staff_session")
    op.drop_table("staff_session")
    op.drop_table("staff_account")
