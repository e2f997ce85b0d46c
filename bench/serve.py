"""What the HTTP benchmark serves: Puente's app, and beside it at ``/bare`` a bare Litestar
app with one JSON handler, both in the same server process.

``granian --interface asgi --factory bench.serve:create_bench_app``
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get

from api.app import create_served_app

__all__ = ["BARE_PATH", "create_bench_app"]

BARE_PATH = "/bare"


@get(BARE_PATH, sync_to_thread=False)
def bare() -> dict[str, Any]:
    return {"status": "ok", "items": [], "total": 0}


def create_bench_app() -> Any:
    puente = create_served_app()
    plain = Litestar(route_handlers=[bare], openapi_config=None)

    async def dispatch(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == BARE_PATH:
            await plain(scope, receive, send)
        else:  # lifespan and everything else: Puente
            await puente(scope, receive, send)

    return dispatch
