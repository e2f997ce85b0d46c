"""CSRF protection for the console's forms, and only for them (it sits on the ``/staff``
router, so the public pages, the report form and the API-key writes never meet it).

Litestar's ``CSRFMiddleware`` does the work: a token cookie (``HttpOnly``, ``SameSite=Strict``,
path ``/staff``) and the same token in each form's ``_csrf_token`` field, compared on every
``POST``. Its signing secret is made once and kept in the session store, so every worker
process (and a restart) accepts the tokens the others handed out.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

__all__ = ["COOKIE", "csrf_middleware"]

COOKIE = "puente_staff_csrf"
SECRET_ENTRY = "csrf-signing"  # noqa: S105 - the store key it is kept under


class SharedSecretCSRF(CSRFMiddleware):
    """``CSRFMiddleware`` whose secret is read from (or first written to) a store."""

    def __init__(self, app: ASGIApp, config: CSRFConfig, store: str) -> None:
        super().__init__(app, config)
        self.store = store
        self.ready = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.ready:
            store = scope["litestar_app"].stores.get(self.store)
            secret = await store.get(SECRET_ENTRY)
            if secret is None:
                await store.set(SECRET_ENTRY, secrets.token_hex(32))
                secret = await store.get(SECRET_ENTRY)
            assert secret is not None
            self.config = replace(self.config, secret=secret.decode())
            self.ready = True
        await super().__call__(scope, receive, send)


def csrf_middleware(*, secure: bool, store: str) -> DefineMiddleware:
    config = CSRFConfig(
        secret="set from the store on first use",  # noqa: S106
        cookie_name=COOKIE,
        cookie_path="/staff",
        cookie_secure=secure,
        cookie_httponly=True,
        cookie_samesite="strict",
        header_name="x-csrftoken",
    )
    kwargs: dict[str, Any] = {"config": config, "store": store}
    return DefineMiddleware(SharedSecretCSRF, **kwargs)
