"""API keys and scopes: how a key is made, stored, listed, revoked and recognised.

A key is ``puente_`` followed by 32 random bytes (URL-safe base64). The database keeps its
first characters (to find the row) and the SHA-256 of the whole key; the key itself is shown
once, when it is created. A key of 256 random bits cannot be guessed from its hash, so a
fast hash is enough; the comparison is constant-time all the same.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine, update
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from api.db.engine import begin_writing
from api.db.models import ApiKey, utcnow

__all__ = [
    "KEY_PREFIX",
    "Scope",
    "Staff",
    "authenticate",
    "create_key",
    "hash_key",
    "list_keys",
    "parse_scopes",
    "revoke_key",
]

KEY_PREFIX = "puente_"
LOOKUP_LENGTH = 16
"""Characters of the key stored in clear to find its row (the fixed prefix and 9 random)."""
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is written at most once a minute per key, not on every request."""


class Scope(StrEnum):
    RESOURCES_WRITE = "resources:write"
    EVENTS_WRITE = "events:write"
    IMPORTS_WRITE = "imports:write"
    REPORTS_READ = "reports:read"
    ADMIN = "admin"


@dataclass(frozen=True, kw_only=True)
class Staff:
    """Who made an authenticated request: the key's name and its scopes."""

    name: str
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    """Scopes from names; unknown names raise ``ValueError`` listing the known ones."""
    scopes: set[Scope] = set()
    for value in values:
        for name in value.replace(",", " ").split():
            try:
                scopes.add(Scope(name))
            except ValueError:
                known = ", ".join(s.value for s in Scope)
                raise ValueError(f"unknown scope {name!r}: expected one of {known}") from None
    return frozenset(scopes)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, name: str, scopes: Sequence[str]) -> tuple[ApiKey, str]:
    """Store a new key and return it with the secret, which is never stored or shown again."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("the name must have 1 to 100 characters")
    parsed = parse_scopes(scopes)
    if not parsed:
        raise ValueError("give at least one scope")
    if session.exec(select(ApiKey).where(ApiKey.name == name)).first() is not None:
        raise ValueError(f"a key named {name!r} already exists")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        name=name,
        prefix=secret[:LOOKUP_LENGTH],
        key_hash=hash_key(secret),
        scopes=" ".join(sorted(s.value for s in parsed)),
    )
    session.add(row)
    session.flush()
    return row, secret


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.exec(select(ApiKey).order_by(col(ApiKey.name))))


def revoke_key(session: Session, name: str) -> ApiKey:
    row = session.exec(select(ApiKey).where(ApiKey.name == name)).first()
    if row is None:
        raise LookupError(f"no key named {name!r}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
    return row


def authenticate(engine: Engine, key: str, *, now: datetime | None = None) -> Staff | None:
    """The staff member a key belongs to, or ``None`` for an unknown or revoked key."""
    if not key.startswith(KEY_PREFIX) or len(key) > 200:
        return None
    now = now or utcnow()
    digest = hash_key(key)
    with Session(engine) as session:
        candidates = session.exec(select(ApiKey).where(ApiKey.prefix == key[:LOOKUP_LENGTH])).all()
        match = next((c for c in candidates if hmac.compare_digest(c.key_hash, digest)), None)
        if match is None or match.revoked_at is not None:
            return None
        staff = Staff(name=match.name, scopes=parse_scopes([match.scopes]))
        stale = match.last_used_at is None or now - match.last_used_at >= LAST_USED_RESOLUTION
        key_id = match.id
    if stale:
        _note_use(engine, key_id, now)
    return staff


def _note_use(engine: Engine, key_id: int | None, now: datetime) -> None:
    """Set ``last_used_at`` in a transaction of its own that begins as a writer (a read
    upgraded to a write fails at once while another writer, an import say, holds SQLite).
    Only a note: if the database stays busy, the key still works and the next use notes it."""
    with Session(engine) as session:
        try:
            begin_writing(session)
            session.execute(update(ApiKey).where(col(ApiKey.id) == key_id).values(last_used_at=now))
            session.commit()
        except OperationalError:
            session.rollback()
