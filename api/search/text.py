"""The full-text index of resources, and how search text becomes a condition on it.

Each resource has one document: its name, description, organization name and services,
case-folded and stripped of accents here in Python, so ``asesoria`` finds ``Asesoría`` the
same way on both databases. SQLite keeps the documents in an FTS5 table (Porter stemming for
English); PostgreSQL keeps a tsvector made under the 'simple', 'english' and 'spanish'
configurations, so a word matches as written or by its English or Spanish stem.

Every write to a resource or to an organization's name must call :func:`reindex_resources`
for the resources it touched, in the same transaction (the importer and the staff API do).
Search words match as prefixes, and all of them must match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Integer, bindparam, column, select, text
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import Organization, Resource

__all__ = ["MAX_TERMS", "fold_text", "reindex_resources", "search_terms", "text_match"]

MAX_TERMS = 20
"""Most words one search may hold."""

_WORD = re.compile(r"[^\W_]+")
_CHUNK = 500
_SQLITE_INSERT = text(
    "INSERT INTO resource_fts (rowid, name, description, organization, services)"
    " VALUES (:id, :n, :d, :o, :s)"
)
_POSTGRES_INSERT = text(
    "INSERT INTO resource_fts (resource_id, document) VALUES (:id,"
    " to_tsvector('simple', :doc) || to_tsvector('english', :doc)"
    " || to_tsvector('spanish', :doc))"
)


def fold_text(value: str) -> str:
    """Case-folded, accent-free text: ``Asesoría Legal`` -> ``asesoria legal``."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_terms(q: str) -> list[str]:
    """The words of a search, folded; punctuation and operators are not syntax here."""
    return _WORD.findall(fold_text(q))


def text_match(terms: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """A condition on ``resource.id``: every term is a prefix of a word in its document."""
    if not terms:
        raise ValueError("a text search needs at least one word")
    if dialect == "sqlite":
        expression = " AND ".join(f'"{term}"*' for term in terms)
        matches = text("SELECT rowid FROM resource_fts WHERE resource_fts MATCH :fts_query")
        return col(Resource.id).in_(
            matches.bindparams(fts_query=expression).columns(column("rowid", Integer))
        )
    parts = []
    params: dict[str, str] = {}
    for index, term in enumerate(terms):
        name = f"fts_term_{index}"
        params[name] = f"{term}:*"
        parts.append(
            f"(to_tsquery('simple', :{name}) || to_tsquery('english', :{name})"
            f" || to_tsquery('spanish', :{name}))"
        )
    # Only generated placeholder names are interpolated; the words travel as bound values.
    condition = " && ".join(parts)
    matches = text(f"SELECT resource_id FROM resource_fts WHERE document @@ ({condition})")  # noqa: S608
    return col(Resource.id).in_(
        matches.bindparams(**params).columns(column("resource_id", Integer))
    )


def reindex_resources(session: Session, resource_ids: Iterable[int] | None = None) -> int:
    """Rebuild the documents of these resources (all when ``None``); returns how many.

    Runs in the session's transaction, after flushing it, so it sees the caller's changes.
    Ids of resources that no longer exist simply lose their documents.
    """
    session.flush()
    sqlite = session.get_bind().dialect.name == "sqlite"
    forget = text(
        "DELETE FROM resource_fts WHERE rowid IN :ids"
        if sqlite
        else "DELETE FROM resource_fts WHERE resource_id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    if resource_ids is None:
        session.execute(text("DELETE FROM resource_fts"))
        return _index(session, None, sqlite=sqlite)
    ids = sorted(set(resource_ids))
    written = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        session.execute(forget, {"ids": chunk})
        written += _index(session, chunk, sqlite=sqlite)
    return written


def _index(session: Session, ids: Sequence[int] | None, *, sqlite: bool) -> int:
    rows = select(
        col(Resource.id),
        col(Resource.name),
        col(Resource.description),
        col(Organization.name),
        col(Resource.services),
    ).outerjoin(Organization, col(Organization.id) == col(Resource.organization_id))
    if ids is not None:
        rows = rows.where(col(Resource.id).in_(ids))
    written = 0
    batch: list[dict[str, object]] = []
    for resource_id, name, description, organization, services in session.execute(rows):
        fields = [fold_text(value or "") for value in (name, description, organization, services)]
        if sqlite:
            batch.append(
                {"id": resource_id, "n": fields[0], "d": fields[1], "o": fields[2], "s": fields[3]}
            )
        else:
            batch.append({"id": resource_id, "doc": " \n".join(f for f in fields if f)})
        if len(batch) >= _CHUNK:
            written += _write(session, batch, sqlite=sqlite)
            batch = []
    if batch:
        written += _write(session, batch, sqlite=sqlite)
    return written


def _write(session: Session, batch: list[dict[str, object]], *, sqlite: bool) -> int:
    session.execute(_SQLITE_INSERT if sqlite else _POSTGRES_INSERT, batch)
    return len(batch)
