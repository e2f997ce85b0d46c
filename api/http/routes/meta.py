"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Request, get
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from api.db.engine import ping
from api.http.middleware.stores import StoreSet
from api.http.problems import Problem
from api.search.nearby_index import arrays_built

__all__ = ["health", "ready"]


@get("/health", tags=["meta"], summary="Liveness: the process answers", sync_to_thread=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@get(
    "/ready",
    tags=["meta"],
    summary="Readiness: the database answers",
    description=(
        "503 when the database cannot be reached. Redis is optional: when it is configured "
        'but unreachable the answer is still 200, with `"status": "degraded"` and '
        '`"redis": "unreachable"` (reads are then served uncached, rate limits not counted). '
        '`"nearby"` is `"building"` while a process just started is still reading the '
        "directory into the arrays nearby search ranks from (it answers meanwhile, more "
        'slowly), then `"ready"`.'
    ),
)
async def ready(request: Request[Any, Any, Any]) -> dict[str, str]:
    engine: Engine = request.app.state["engine"]
    stores: StoreSet = request.app.state["stores"]
    try:
        await anyio.to_thread.run_sync(ping, engine)
    except SQLAlchemyError:
        raise Problem(
            503,
            "Database unavailable",
            "The directory's database cannot be reached.",
            headers={"Retry-After": "5"},
        ) from None
    redis = await stores.state()
    status = "degraded" if redis == "unreachable" else "ready"
    nearby = "ready" if arrays_built(engine) else "building"
    return {"status": status, "database": engine.dialect.name, "redis": redis, "nearby": nearby}
