"""API keys, scopes and the guard that checks them.

A key is ``puente_`` followed by 32 random bytes (URL-safe base64). The database keeps its
first characters (to find the row) and the SHA-256 of the whole key; the key itself is shown
once, when it is created. A key of 256 random bits cannot be guessed from its hash, so a
fast hash is enough; the comparison is constant-time all the same.

Handlers declare the scope they need with ``opt={"scope": ...}`` and the guard
``require_scope``. ``admin`` implies every other scope.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from api.models import ApiKey, utcnow
from api.problems import Problem

__all__ = [
    "KEY_PREFIX",
    "OPENAPI_COMPONENTS",
    "Scope",
    "Staff",
    "authenticate",
    "create_key",
    "current_staff",
    "hash_key",
    "list_keys",
    "parse_scopes",
    "require_scope",
    "revoke_key",
    "with_bearer_auth",
]

KEY_PREFIX = "puente_"
LOOKUP_LENGTH = 16
"""Characters of the key stored in clear to find its row (the fixed prefix and 9 random)."""
LAST_USED_RESOLUTION = timedelta(minutes=1)
"""``last_used_at`` is written at most once a minute per key, not on every request."""
STAFF_STATE_KEY = "puente_staff"
REALM = 'Bearer realm="puente"'
OPENAPI_COMPONENTS = Components(
    security_schemes={
        "BearerAuth": SecurityScheme(
            type="http",
            scheme="bearer",
            description="An API key from `puente keys create`, as `Authorization: Bearer <key>`.",
        )
    }
)


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


def with_bearer_auth(config: OpenAPIConfig) -> OpenAPIConfig:
    """The OpenAPI config with the ``BearerAuth`` scheme staff handlers refer to."""
    existing = config.components
    listed = existing if isinstance(existing, list) else [existing]
    config = copy(config)
    config.components = [*listed, OPENAPI_COMPONENTS]
    return config


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
        if match.last_used_at is None or now - match.last_used_at >= LAST_USED_RESOLUTION:
            match.last_used_at = now
            session.add(match)
            session.commit()
    return staff


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Authentication required", detail, headers={"WWW-Authenticate": REALM})


async def require_scope(
    connection: ASGIConnection[Any, Any, Any, Any], route_handler: BaseRouteHandler
) -> None:
    """Guard: a valid, unrevoked key with the handler's ``opt["scope"]`` (or ``admin``)."""
    needed = Scope(route_handler.opt["scope"])
    token = _bearer(connection)
    if token is None:
        raise _unauthorized("Send an API key as 'Authorization: Bearer <key>'.")
    engine: Engine = connection.app.state["engine"]
    staff = await anyio.to_thread.run_sync(authenticate, engine, token)
    if staff is None:
        raise Problem(
            401,
            "Invalid API key",
            "The API key is unknown or has been revoked.",
            headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'},
        )
    if not staff.allows(needed):
        raise Problem(
            403,
            "Missing scope",
            f"This key (scopes: {' '.join(sorted(staff.scopes)) or 'none'}) lacks the "
            f"'{needed.value}' scope this action needs.",
        )
    connection.scope.setdefault("state", {})[STAFF_STATE_KEY] = staff


def current_staff(connection: ASGIConnection[Any, Any, Any, Any]) -> Staff:
    """The staff member ``require_scope`` let through (for the audit's actor)."""
    staff = connection.scope.get("state", {}).get(STAFF_STATE_KEY)
    if not isinstance(staff, Staff):
        raise RuntimeError("current_staff used on a handler without the require_scope guard")
    return staff
