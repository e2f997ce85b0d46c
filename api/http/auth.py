"""The guard that checks API keys on staff routes, and the OpenAPI scheme that names it.

Handlers declare the scope they need with ``opt={"scope": ...}`` and the guard
``require_scope``. ``admin`` implies every other scope. Keys themselves (how they are made,
stored and checked) are ``api.directory.keys``.
"""

from __future__ import annotations

from copy import copy
from typing import Any

import anyio.to_thread
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from sqlalchemy import Engine

from api.directory.keys import Scope, Staff, authenticate
from api.http.problems import Problem

__all__ = [
    "OPENAPI_COMPONENTS",
    "current_staff",
    "require_scope",
    "require_scope_for_flag",
    "with_bearer_auth",
]

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


def with_bearer_auth(config: OpenAPIConfig) -> OpenAPIConfig:
    """The OpenAPI config with the ``BearerAuth`` scheme staff handlers refer to."""
    existing = config.components
    listed = existing if isinstance(existing, list) else [existing]
    config = copy(config)
    config.components = [*listed, OPENAPI_COMPONENTS]
    return config


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
    await _authorize(connection, Scope(route_handler.opt["scope"]))


_FALSE = {"false", "0", "no", "off", "f", "n"}


async def require_scope_for_flag(
    connection: ASGIConnection[Any, Any, Any, Any], route_handler: BaseRouteHandler
) -> None:
    """Guard for a public route with a staff-only flag: when the query parameter named by
    ``opt["staff_flag"]`` is given and not false, the check of :func:`require_scope` for
    ``opt["flag_scope"]``. (Any value but a false one asks for the key, so no spelling of
    "true" slips past.) The route stays public otherwise, with the public read budget."""
    value = connection.query_params.get(route_handler.opt["staff_flag"])
    if value is not None and value.strip().lower() not in _FALSE:
        await _authorize(connection, Scope(route_handler.opt["flag_scope"]))


async def _authorize(connection: ASGIConnection[Any, Any, Any, Any], needed: Scope) -> None:
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
