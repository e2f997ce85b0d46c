"""When a listing last changed: its own row, its place or its organization, whichever is latest.

A resource (or an event) is published with its location and organization, so an edit to
either changes what a partner reads. ``changed_at`` is the latest of the three rows'
``updated_at`` (a retired organization's too: it leaves the listing), the moment
``updated_since`` compares and the ``updated_at`` a listing shows. Every write and every
retirement sets ``updated_at`` (``api.writes.steps``), so a retired listing's moment is
when it was retired.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ColumnElement, Table, func, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from api.db.models import Organization, table_of

__all__ = ["changed_at", "latest"]

_organization = table_of(Organization).alias("changed_organization")
"""Its own name, so it never correlates with an organization the outer statement joins."""


class latest(GenericFunction[Any]):  # noqa: N801 (an SQL function's name)
    """The largest of its arguments: ``greatest`` on PostgreSQL, ``max`` on SQLite."""

    inherit_cache = True


@compiles(latest)
def _latest_default(element: latest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(latest, "postgresql")
def _latest_postgresql(element: latest, compiler: SQLCompiler, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


def changed_at(table: Table, location: Table) -> ColumnElement[Any]:
    """The latest ``updated_at`` of ``table``'s row (resource or event), its location and
    its organization, read as an aware UTC datetime on both databases."""
    organization = (
        select(_organization.c.updated_at)
        .where(_organization.c.id == table.c.organization_id)
        .scalar_subquery()
    )
    moment = latest(
        table.c.updated_at,
        location.c.updated_at,
        func.coalesce(organization, table.c.updated_at),
    )
    return type_coerce(moment, DateTimeUTC(timezone=True))
