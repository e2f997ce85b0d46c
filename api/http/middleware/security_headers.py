"""Security headers on every response, and the Content-Security-Policy of the pages.

A page's inline scripts run only with the request's nonce: a page handler calls
``csp_nonce(request)`` and writes ``<script nonce="...">``; the policy sent with that
response names the same nonce. Scripts otherwise come only from the app itself, images
only from the app, inline data and the configured tile host, and no page may be framed.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from api.settings import Settings

__all__ = ["SecurityHeaders", "csp_nonce", "tile_origin"]

NONCE_STATE_KEY = "puente_csp_nonce"
SCHEMA_UI_PREFIX = "/schema"


def csp_nonce(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The nonce for this response's inline scripts (made on first use)."""
    state = connection.scope.setdefault("state", {})
    nonce = state.get(NONCE_STATE_KEY)
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        state[NONCE_STATE_KEY] = nonce
    return str(nonce)


def tile_origin(tile_url: str | None) -> str | None:
    """``https://{s}.tile.example.org/{z}/{x}/{y}.png`` -> ``https://*.tile.example.org``."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc
    labels = host.split(".")
    if labels and "{" in labels[0]:
        host = ".".join(["*", *labels[1:]])
    return f"{parts.scheme}://{host}"


@dataclass(frozen=True, kw_only=True)
class SecurityHeaders:
    tile_host: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SecurityHeaders:
        return cls(tile_host=tile_origin(settings.tile_url))

    def page_policy(self, nonce: str | None) -> str:
        # data: is Leaflet's blank tile placeholder, drawn in the page, not fetched from anyone.
        images = "'self' data:" + (f" {self.tile_host}" if self.tile_host else "")
        scripts = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
        return "; ".join(
            [
                "default-src 'self'",
                f"script-src {scripts}",
                "style-src 'self' 'unsafe-inline'",
                f"img-src {images}",
                "font-src 'self'",
                "connect-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )

    async def before_send(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        if "content-security-policy" in headers:
            return
        content_type = headers.get("content-type", "")
        if not content_type.startswith("text/html"):
            headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        elif scope.get("path", "").startswith(SCHEMA_UI_PREFIX):
            # The OpenAPI viewers load their own scripts; they still may not be framed.
            headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        else:
            nonce = scope.get("state", {}).get(NONCE_STATE_KEY)
            headers["Content-Security-Policy"] = self.page_policy(nonce)
