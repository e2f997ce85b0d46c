"""Full-text search over resources, and an index of confidential locations.

``resource_fts`` holds one document per resource (its name, description, organization name
and services, accent-stripped and case-folded by ``api.search.text``), kept in step by
``api.search.text.reindex_resources`` in the same transaction as each write.
SQLite: an FTS5 table (unicode61 without diacritics, Porter stemming); a trigger drops a
deleted resource's document.
PostgreSQL: a tsvector per resource under the 'simple', 'english' and 'spanish'
configurations in a GIN index; a deleted resource's row goes with it (ON DELETE CASCADE).
Both: a partial index of confidential locations, which spatial search treats apart.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONFIDENTIAL_INDEX = "CREATE INDEX ix_location_confidential ON location (id) WHERE confidential"

SQLITE_UP = [
    """CREATE VIRTUAL TABLE resource_fts USING fts5(
        name, description, organization, services,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER resource_fts_delete AFTER DELETE ON resource BEGIN
        DELETE FROM resource_fts WHERE rowid = old.id;
    END""",
    CONFIDENTIAL_INDEX,
]
SQLITE_DOWN = [
    "DROP INDEX IF EXISTS ix_location_confidential",
    "DROP TRIGGER IF EXISTS resource_fts_delete",
    "DROP TABLE IF EXISTS resource_fts",
]

POSTGRESQL_UP = [
    """CREATE TABLE resource_fts (
        resource_id integer NOT NULL,
        document tsvector NOT NULL,
        CONSTRAINT pk_resource_fts PRIMARY KEY (resource_id),
        CONSTRAINT fk_resource_fts_resource_id_resource FOREIGN KEY (resource_id)
            REFERENCES resource (id) ON DELETE CASCADE
    )""",
    "CREATE INDEX ix_resource_fts_document ON resource_fts USING gin (document)",
    CONFIDENTIAL_INDEX,
]
POSTGRESQL_DOWN = [
    "DROP INDEX IF EXISTS ix_location_confidential",
    "DROP TABLE IF EXISTS resource_fts",
]


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_UP if sqlite else POSTGRESQL_UP:
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_DOWN if sqlite else POSTGRESQL_DOWN:
        op.execute(statement)
