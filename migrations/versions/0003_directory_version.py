"""A directory version: one counter that every change to the directory bumps.

Response caches key public reads on it, so any write — through the API, an import run from
the command line in another process, or plain SQL — makes every cached read stale at the
moment the change commits (the counter is a row, so it commits with the change).
PostgreSQL bumps it once per transaction (statement triggers that remember the bump in a
transaction-local setting); SQLite, which has no statement triggers, once per row (an
in-place update of one row).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIRECTORY_TABLES = (
    "organization",
    "location",
    "resource",
    "resource_language",
    "event",
    "event_language",
    "area",
    "location_area",
)
SQLITE_EVENTS = ("insert", "update", "delete")
BUMP = "UPDATE directory_version SET version = version + 1 WHERE id = 1"


def upgrade() -> None:
    op.create_table(
        "directory_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_directory_version_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_version")),
    )
    op.execute("INSERT INTO directory_version (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        # Once per transaction: repeated updates of one row inside a transaction leave a
        # chain of row versions that each further update must walk (a bulk load would slow
        # down as it goes). A transaction-local setting remembers the bump.
        op.execute(
            "CREATE FUNCTION directory_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN"
            " IF current_setting('puente.directory_bumped', true) IS DISTINCT FROM"
            " txid_current()::text THEN"
            f" {BUMP};"
            " PERFORM set_config('puente.directory_bumped', txid_current()::text, true);"
            " END IF;"
            " RETURN NULL; END $$"
        )
        for table in DIRECTORY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_directory_version"
                f" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION directory_version_bump()"
            )
        return
    for table in DIRECTORY_TABLES:
        for event in SQLITE_EVENTS:
            op.execute(
                f"CREATE TRIGGER {table}_{event}_directory_version AFTER {event.upper()}"
                f" ON {table} BEGIN {BUMP}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in DIRECTORY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_directory_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS directory_version_bump()")
    else:
        for table in DIRECTORY_TABLES:
            for event in SQLITE_EVENTS:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{event}_directory_version")
    op.drop_table("directory_version")
