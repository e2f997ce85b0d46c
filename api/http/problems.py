"""Errors as ``application/problem+json`` (RFC 9457), naming every invalid parameter.

The domain raises ``api.errors``; HTTP code raises ``Problem`` (or Litestar's own
exceptions). This module is the one place each becomes a problem document. A database that
cannot be reached becomes a 503, never a stack trace.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from api.db.engine import BUSY_TIMEOUT_S, is_busy
from api.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    InvalidParam,
    NotFound,
    StaleWrite,
    Unavailable,
    Unprocessable,
)

__all__ = ["InvalidParam", "Problem", "invalid", "problem_details_plugin"]

log = logging.getLogger("puente.errors")

BUSY_RETRY_AFTER_S = 30
"""Retry-After of a write refused because an import held SQLite past the busy timeout."""


class Problem(ProblemDetailsException):
    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        invalid_params: list[InvalidParam] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        extra: dict[str, Any] | None = (
            {"invalid_params": invalid_params} if invalid_params else None
        )
        super().__init__(
            detail=detail or title, status_code=status, title=title, headers=headers, extra=extra
        )


def invalid(params: list[InvalidParam], status: int = 400) -> Problem:
    """A problem naming each bad parameter: ``[{"name", "reason"}, ...]``."""
    names = ", ".join(p["name"] for p in params)
    return Problem(status, "Invalid parameters", f"Check: {names}", invalid_params=params)


def _from_domain(exc: DomainError) -> ProblemDetailsException:
    if isinstance(exc, InvalidInput):
        return invalid(exc.params, status=422 if isinstance(exc, Unprocessable) else 400)
    if isinstance(exc, Conflict):
        if exc.params:
            return invalid(exc.params, status=409)
        return Problem(409, "Conflicting change", exc.detail)
    if isinstance(exc, NotFound):
        return Problem(404, f"Unknown {exc.entity}", str(exc))
    if isinstance(exc, StaleWrite):
        return Problem(412, "Precondition failed", str(exc), headers={"ETag": exc.current})
    if isinstance(exc, Unavailable):
        return Problem(
            503,
            f"{exc.service} unavailable",
            exc.detail,
            headers={"Retry-After": str(exc.retry_after_s)},
        )
    return _from_unexpected(exc)


def _from_validation(exc: ValidationException) -> ProblemDetailsException:
    params: list[InvalidParam] = []
    if isinstance(exc.extra, list):
        for item in exc.extra:
            if isinstance(item, dict):
                param = {"name": str(item.get("key") or "body"), "reason": str(item.get("message"))}
                if source := item.get("source"):
                    param["in"] = str(getattr(source, "value", source))
                params.append(param)
    title = "Invalid request"
    return Problem(400, title, exc.detail or title, invalid_params=params or None)


def _from_http(exc: HTTPException) -> ProblemDetailsException:
    return Problem(exc.status_code, exc.detail, headers=exc.headers)


def _from_database(exc: Exception) -> ProblemDetailsException:
    if is_busy(exc):
        return _busy()
    log.error("database unavailable: %s", type(exc).__name__)
    return Problem(
        503,
        "Database unavailable",
        "The directory's database cannot be reached right now; try again shortly.",
        headers={"Retry-After": "5"},
    )


def _from_unexpected(exc: Exception) -> ProblemDetailsException:
    log.exception("unexpected error: %s", type(exc).__name__)
    return Problem(500, "Internal error", "Something went wrong on our side.")


def _busy() -> ProblemDetailsException:
    return Problem(
        503,
        "Directory busy with an import",
        f"Another write, an import most likely, has held the directory's database for more "
        f"than {BUSY_TIMEOUT_S} seconds; nothing was changed. Send the request again after "
        "the time in Retry-After.",
        headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
    )


def _database_fault(exc: DBAPIError) -> ProblemDetailsException:
    if is_busy(exc.orig):
        return _busy()
    if exc.connection_invalidated or isinstance(exc, OperationalError):
        return _from_database(exc)
    return _from_unexpected(exc)


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                DomainError: _from_domain,
                ValidationException: _from_validation,
                HTTPException: _from_http,
                DBAPIError: _database_fault,
                DisconnectionError: _from_database,
                # Raw driver errors, from code that talks to a connection directly.
                psycopg.OperationalError: _from_database,
                sqlite3.OperationalError: _from_database,
                Exception: _from_unexpected,
            }
        )
    )
