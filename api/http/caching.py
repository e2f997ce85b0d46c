"""Conditional GET for public reads: strong ETags, ``304 Not Modified`` and cache headers.

A handler builds its answer with :func:`cacheable_json` (or sets ``ETag`` itself with
:func:`etag_for` and :func:`cache_headers`): the ETag is a hash of the uncompressed body.
:class:`ConditionalGet`, an app-level middleware, then does the rest for every ``GET``,
whether the answer came from the handler or from the response cache:

* when the body went out compressed, it gives that representation its own strong tag
  (``"<hash>-gzip"``), as RFC 9110 asks of different content codings;
* when ``If-None-Match`` names the tag (or ``*``), it sends ``304`` with the validators and
  cache headers only.

Streamed feeds without an ``ETag`` pass through untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Response
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import MediaType, ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from pydantic import BaseModel

from api.directory.etags import etag_for, names_tag

__all__ = [
    "PUBLIC_CACHE_CONTROL",
    "ConditionalGet",
    "cache_headers",
    "cacheable_json",
    "etag_for",
    "etag_matches",
]

PUBLIC_CACHE_CONTROL = "public, max-age=60"
"""Public reads may be kept a minute by browsers and shared caches, then revalidated."""

_KEPT_ON_304 = (b"etag", b"cache-control", b"vary", b"content-location", b"expires", b"date")


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, RFC 9110 13.1.2)."""
    return bool(if_none_match) and names_tag(if_none_match or "", etag)


def cache_headers(etag: str, *, cache_control: str = PUBLIC_CACHE_CONTROL) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}


def cacheable_json(
    payload: BaseModel | bytes,
    *,
    cache_control: str = PUBLIC_CACHE_CONTROL,
    headers: Mapping[str, str] | None = None,
    media_type: str = MediaType.JSON,
) -> Response[Any]:
    """A ``200`` JSON response carrying its ETag and public cache headers."""
    body = payload if isinstance(payload, bytes) else payload.model_dump_json().encode()
    return Response(
        content=body,
        media_type=media_type,
        headers={**cache_headers(etag_for(body), cache_control=cache_control), **(headers or {})},
    )


def _with_one_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers with one ``Vary`` naming each field once (compression adds its own)."""
    fields: list[str] = []
    kept = []
    for key, value in headers:
        if key.lower() == b"vary":
            for field in value.decode("latin-1").split(","):
                if field.strip() and field.strip().lower() not in (f.lower() for f in fields):
                    fields.append(field.strip())
        else:
            kept.append((key, value))
    if fields:
        kept.append((b"vary", ", ".join(fields).encode("latin-1")))
    return kept


class ConditionalGet(ASGIMiddleware):
    """Answers ``304`` to a ``GET`` whose ``If-None-Match`` names the response's ETag.

    Messages are copied, never changed in place: the response cache keeps the originals.
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] not in ("GET", "HEAD"):
            await next_app(scope, receive, send)
            return
        if_none_match = next(
            (value.decode("latin-1") for key, value in scope["headers"] if key == b"if-none-match"),
            None,
        )
        not_modified = False

        async def send_conditionally(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start":
                etag = MutableScopeHeaders(message).get("etag")
                if etag:
                    message = {**message, "headers": _with_one_vary(list(message["headers"]))}
                    headers = MutableScopeHeaders(message)
                    coding = headers.get("content-encoding")
                    strong = not etag.startswith("W/") and etag.endswith('"')
                    if strong and coding and coding != "identity":
                        etag = f'{etag[:-1]}-{coding}"'
                        headers["etag"] = etag
                    if message["status"] == 200 and etag_matches(if_none_match, etag):
                        not_modified = True
                        kept = [(k, v) for k, v in message["headers"] if k.lower() in _KEPT_ON_304]
                        await send({"type": "http.response.start", "status": 304, "headers": kept})
                        await send({"type": "http.response.body", "body": b"", "more_body": False})
                        return
            elif not_modified:
                return
            await send(message)

        await next_app(scope, receive, send_conditionally)
