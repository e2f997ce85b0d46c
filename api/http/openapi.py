"""The OpenAPI document and its UI, with Swagger UI's files served by the app itself.

Litestar's default UI pages load their scripts, styles and favicon from public CDNs; here
every file comes from the ``swagger-ui-bundle`` package, installed from PyPI.

Litestar documents every error as its own ``{status_code, detail, extra}`` JSON, while the
server answers ``application/problem+json`` (``api.http.problems``). :func:`finish_document`
settles that once, on the generated document, before either plugin renders it: every 4xx
and 5xx response becomes a ``Problem``, every route under ``/api/`` documents the ``400``
its strict parameters give (``api.http.strict_query``), and a public operation says so
with an empty ``security`` list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import swagger_ui_bundle  # type: ignore[import-untyped]
from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

from api import __version__
from api.http.head import add_head

__all__ = ["ASSETS_PATH", "PROBLEM_SCHEMA", "finish_document", "openapi_assets", "openapi_config"]

ASSETS_PATH = "/static/swagger-ui"
SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)


PROBLEM_MEDIA_TYPE = "application/problem+json"
NDJSON_MEDIA_TYPE = "application/x-ndjson"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem; `invalid_params` names each bad parameter and why.",
    "required": ["status", "title", "detail"],
    "properties": {
        "status": {"type": "integer", "description": "The HTTP status code"},
        "title": {"type": "string", "description": "What kind of problem"},
        "detail": {"type": "string", "description": "What went wrong, for a person"},
        "invalid_params": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "properties": {
                    "name": {"type": "string", "description": "The parameter or field"},
                    "in": {"type": "string", "description": "query, path, header or body"},
                    "reason": {"type": "string", "description": "What was expected"},
                },
            },
        },
    },
}
_PROBLEM_CONTENT = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_FINISHED = "x-puente-finished"


def finish_document(document: dict[str, Any]) -> dict[str, Any]:
    """Make the generated document say what the server does; done once, in place."""
    if document.get(_FINISHED):
        return document
    document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if (operation := item.get(method)) is None:
                continue
            responses = operation.setdefault("responses", {})
            if path.startswith("/api/") and "400" not in responses:
                responses["400"] = {"description": "A parameter is unknown or invalid"}
            for code, description in _errors_of(path, method, operation):
                responses.setdefault(code, {"description": description})
            _document_ndjson(operation)
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = _PROBLEM_CONTENT
            operation.setdefault("security", [])
    document[_FINISHED] = True
    return document


def _errors_of(path: str, method: str, operation: dict[str, Any]) -> list[tuple[str, str]]:
    """The errors every operation of its kind can answer, whatever its handler declares."""
    errors: list[tuple[str, str]] = []
    served = path.startswith(("/api/", "/hsds")) or path == "/ready"
    if served:
        errors.append(("503", "The database cannot be reached, or is busy with an import"))
    if path.startswith(("/api/", "/hsds")):
        errors.append(("429", "Too many requests; see Retry-After"))
    if "{" in path:
        errors.append(("404", "No record has this id"))
    if operation.get("security"):
        errors += [("401", "No valid API key"), ("403", "The key lacks the scope")]
    if method in ("post", "patch", "put"):
        errors += [
            ("413", "The body is too large"),
            ("422", "The body is well-formed but cannot be used"),
        ]
    if method in ("post", "patch", "put", "delete"):
        errors.append(("409", "The change conflicts with the directory or a request in flight"))
    names = {p.get("name") for p in operation.get("parameters", [])}
    if "If-Match" in names:
        errors.append(("412", "If-Match does not name the current ETag"))
    if "address" in names:
        errors.append(("422", "The address names no place the geocoder knows"))
    return errors


def _document_ndjson(operation: dict[str, Any]) -> None:
    """An HSDS list's ``format=ndjson`` answers one JSON record a line."""
    formats = [p for p in operation.get("parameters", []) if p.get("name") == "format"]
    answered = operation.get("responses", {}).get("200", {}).get("content")
    if answered is not None and any("ndjson" in str(p) for p in formats):
        answered.setdefault(
            NDJSON_MEDIA_TYPE,
            {"schema": {"type": "string", "description": "One JSON record a line"}},
        )


class SwaggerUI(SwaggerRenderPlugin):
    """Swagger UI whose routes, like every ``GET`` route, answer ``HEAD``."""

    def receive_router(self, router: Router) -> None:
        super().receive_router(router)
        add_head(router)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, finish_document(openapi_schema))


class OpenAPIJson(JsonRenderPlugin):
    """``/schema/openapi.json``, finished by :func:`finish_document`."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, finish_document(openapi_schema))


def openapi_config() -> OpenAPIConfig:
    ui = SwaggerUI(
        path="/",
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )
    return OpenAPIConfig(
        title="Puente",
        version=__version__,
        description=(
            "A resident resource directory: meeting venues and their meetings, immigration "
            "legal aid and community partners, by language and area. Read endpoints are "
            "public; write endpoints need `Authorization: Bearer <key>` with a scope. "
            "Errors are `application/problem+json` (RFC 9457). Every `GET` also answers "
            "`HEAD`; the feeds answer `HEAD` with their length and `Range` with a piece. "
            "POSTs take an `Idempotency-Key` header, so a retried write is answered, not "
            "done twice. On SQLite, a write that waits too long behind an import is a 503 "
            "`Directory busy with an import` with `Retry-After`."
        ),
        path="/schema",
        render_plugins=[ui, OpenAPIJson()],
    )


def openapi_assets() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[SWAGGER_UI],
        include_in_schema=False,
        send_as_attachment=False,
    )
