"""An index that narrows a nearby search by place and language together (SQLite).

``resource_language_rtree`` holds one entry per language a resource offers, at the point of
the resource's location, with the language as a third dimension: its code (two or three
lower-case letters, by the table's check) as a number, ``api.search.conditions.
language_key``, kept as the span key - 0.25 to key + 0.25 (exact in the index's 32-bit
floats; distinct keys never overlap). The span matters: with no extent in that dimension
every node of one language has no volume, the R*Tree's split choices tie, and its entries
are no longer grouped by place (a box query for Spanish then read ten times the nodes). An entry's id is ``resource_id * 32768 + key``. Triggers keep it equal to
the tables through language changes, moves and relocations; a resource's removal removes
its languages (``ON DELETE CASCADE``), whose trigger removes their entries. Status and
retirement are not indexed: the search still joins the tables and checks them, so the index
only narrows. PostgreSQL needs nothing here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(code: str) -> str:
    """The SQL of ``api.search.conditions.language_key`` for the column ``code``."""
    return (
        f"((unicode(substr({code}, 1, 1)) - 96) * 729"
        f" + (unicode(substr({code}, 2, 1)) - 96) * 27"
        f" + coalesce(unicode(substr({code}, 3, 1)) - 96, 0))"
    )


def _entries(resource_id: str, code: str, location: str) -> str:
    """Rows of the index for ``resource_id`` offering ``code``, at ``location``'s point."""
    key = _key(code)
    return (
        f"{resource_id} * 32768 + {key}, {location}.latitude, {location}.latitude,"
        f" {location}.longitude, {location}.longitude, {key} - 0.25, {key} + 0.25"
    )


TRIGGERS = {
    "resource_language_rtree_insert": f"""AFTER INSERT ON resource_language BEGIN
        INSERT INTO resource_language_rtree
        SELECT {_entries("new.resource_id", "new.code", "l")}
        FROM resource AS r JOIN location AS l ON l.id = r.location_id
        WHERE r.id = new.resource_id;
    END""",
    "resource_language_rtree_delete": f"""AFTER DELETE ON resource_language BEGIN
        DELETE FROM resource_language_rtree WHERE id = old.resource_id * 32768 + {_key("old.code")};
    END""",
    "resource_language_rtree_change": f"""AFTER UPDATE OF resource_id, code
        ON resource_language BEGIN
        DELETE FROM resource_language_rtree WHERE id = old.resource_id * 32768 + {_key("old.code")};
        INSERT INTO resource_language_rtree
        SELECT {_entries("new.resource_id", "new.code", "l")}
        FROM resource AS r JOIN location AS l ON l.id = r.location_id
        WHERE r.id = new.resource_id;
    END""",
    "resource_language_rtree_relocate": f"""AFTER UPDATE OF location_id ON resource BEGIN
        DELETE FROM resource_language_rtree WHERE id IN (
            SELECT new.id * 32768 + {_key("rl.code")}
            FROM resource_language AS rl WHERE rl.resource_id = new.id);
        INSERT INTO resource_language_rtree
        SELECT {_entries("new.id", "rl.code", "l")}
        FROM resource_language AS rl JOIN location AS l ON l.id = new.location_id
        WHERE rl.resource_id = new.id;
    END""",
    "resource_language_rtree_move": f"""AFTER UPDATE OF latitude, longitude ON location BEGIN
        UPDATE resource_language_rtree SET min_lat = new.latitude, max_lat = new.latitude,
            min_lon = new.longitude, max_lon = new.longitude
        WHERE id IN (
            SELECT r.id * 32768 + {_key("rl.code")}
            FROM resource AS r JOIN resource_language AS rl ON rl.resource_id = r.id
            WHERE r.location_id = new.id);
    END""",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE resource_language_rtree"
        " USING rtree(id, min_lat, max_lat, min_lon, max_lon, min_code, max_code)"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "INSERT INTO resource_language_rtree"
        f" SELECT {_entries('rl.resource_id', 'rl.code', 'l')}"
        " FROM resource_language AS rl JOIN resource AS r ON r.id = rl.resource_id"
        " JOIN location AS l ON l.id = r.location_id"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS resource_language_rtree")
