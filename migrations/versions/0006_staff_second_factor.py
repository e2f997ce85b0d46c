"""The staff's second factor (TOTP), and restoring a retired record in the audit trail.

``staff_account.totp_secret`` grows to hold a sealed secret; ``totp_confirmed_at`` says the
second factor is in use (a secret without it is pending enrolment); ``totp_last_step`` is
the time step of the last code taken, so a code is never taken twice. The audit trail's
actions gain ``restore``.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS = "'create', 'update', 'delete', 'import'"


def upgrade() -> None:
    with op.batch_alter_table("staff_account") as batch:
        batch.alter_column(
            "totp_secret",
            existing_type=sa.String(length=64),
            type_=sa.String(length=200),
            existing_nullable=True,
        )
        batch.add_column(
            sa.Column("totp_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_constraint(op.f("ck_audit_entry_action_known"), type_="check")
        batch.create_check_constraint(
            op.f("ck_audit_entry_action_known"), f"action IN ({ACTIONS}, 'restore')"
        )


def downgrade() -> None:
    op.execute("UPDATE audit_entry SET action = 'update' WHERE action = 'restore'")
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_constraint(op.f("ck_audit_entry_action_known"), type_="check")
        batch.create_check_constraint(op.f("ck_audit_entry_action_known"), f"action IN ({ACTIONS})")
    with op.batch_alter_table("staff_account") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_confirmed_at")
        batch.alter_column(
            "totp_secret",
            existing_type=sa.String(length=200),
            type_=sa.String(length=64),
            existing_nullable=True,
        )
