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
            for code, response in responses.items():
                if code[0] in "45":
                    response["content"] = _PROBLEM_CONTENT
            operation.setdefault("security", [])
    document[_FINISHED] = True
    return document


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
            "`HEAD`; the feeds answer `HEAD` with their length and `Range` with a piece."
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
