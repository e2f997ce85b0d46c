"""API keys for tests of staff endpoints, made the way ``puente keys create`` makes them."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from api.directory.keys import create_key, revoke_key

__all__ = ["bearer", "issue_key", "revoked_key"]


def issue_key(engine: Engine, *scopes: str, name: str | None = None) -> str:
    with Session(engine) as session:
        _, secret = create_key(
            session, name=name or f"{'+'.join(scopes) or 'none'}-key", scopes=scopes
        )
        session.commit()
    return secret


def revoked_key(engine: Engine, *scopes: str) -> str:
    secret = issue_key(engine, *scopes, name="revoked-key")
    with Session(engine) as session:
        revoke_key(session, "revoked-key")
        session.commit()
    return secret


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
