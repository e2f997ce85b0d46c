"""Liveness and readiness."""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.db.engine import ping
from api.http.problems import Problem

__all__ = ["health", "ready"]


@get("/health", tags=["meta"], summary="Liveness: the process answers", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", tags=["meta"], summary="Readiness: the database answers", sync_to_thread=True)
def ready(db_engine: NamedDependency[Engine]) -> dict[str, str]:
    try:
        ping(db_engine)
    except SQLAlchemyError:
        raise Problem(
            503,
            "Database unavailable",
            "The directory's database cannot be reached.",
            headers={"Retry-After": "5"},
        ) from None
    return {"status": "ready", "database": db_engine.dialect.name}
