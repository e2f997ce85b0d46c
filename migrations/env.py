"""Alembic environment: the models' metadata, batch mode for SQLite, and the names that
belong to a dialect's own machinery (PostGIS, the SQLite R*Tree and full-text tables) kept
out of autogenerate's comparison."""

from __future__ import annotations

import warnings
from typing import Any

from alembic import context
from sqlalchemy import Connection

from api.db.engine import create_database_engine
from api.db.models import SQLModel
from api.settings import Settings

config = context.config
# PostGIS's geography column is reflected but never compared (see DIALECT_OWNED).
warnings.filterwarnings("ignore", "Did not recognize type 'geography'")
target_metadata = SQLModel.metadata

# Objects that migrations create per dialect and that no model declares.
DIALECT_OWNED = {
    "location_rtree",
    "location_rtree_node",
    "location_rtree_parent",
    "location_rtree_rowid",
    "resource_language_rtree",
    "resource_language_rtree_node",
    "resource_language_rtree_parent",
    "resource_language_rtree_rowid",
    "resource_fts",
    "resource_fts_data",
    "resource_fts_idx",
    "resource_fts_content",
    "resource_fts_docsize",
    "resource_fts_config",
    "spatial_ref_sys",
    "geog",
    "ix_location_geog",
    "ix_location_confidential",
    "ix_resource_fts_document",
    "directory_version",
}


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "schema":
        return name in (None, "public")
    return name not in DIALECT_OWNED


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write plain SQLAlchemy types, so migrations never import sqlmodel."""
    if type_ == "type" and type(obj).__name__ == "AutoString":
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and type(obj).__name__ == "DateTimeUTC":
        return "sa.DateTime(timezone=True)"
    return False


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
        render_item=render_item,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    url = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url
    engine = create_database_engine(Settings(database_url=url).sqlalchemy_url)
    with engine.connect() as conn:
        run(conn)
    engine.dispose()
