"""The OpenAPI document and its UI, with Swagger UI's files served by the app itself.

Litestar's default UI pages load their scripts, styles and favicon from public CDNs; here
every file comes from the ``swagger-ui-bundle`` package, installed from PyPI.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle  # type: ignore[import-untyped]
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

from api import __version__
from api.http.head import add_head

__all__ = ["ASSETS_PATH", "openapi_assets", "openapi_config"]

ASSETS_PATH = "/static/swagger-ui"
SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)


class SwaggerUI(SwaggerRenderPlugin):
    """Swagger UI whose routes, like every ``GET`` route, answer ``HEAD``."""

    def receive_router(self, router: Router) -> None:
        super().receive_router(router)
        add_head(router)


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
        render_plugins=[ui],
    )


def openapi_assets() -> Router:
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[SWAGGER_UI],
        include_in_schema=False,
        send_as_attachment=False,
    )
