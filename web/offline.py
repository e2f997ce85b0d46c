"""The pages without signal: a web app manifest, a service worker and the emergency page.

``GET /sw.js`` is the service worker (``web/offline.js``, served from the site itself with
the page shell's hashed asset URLs written in). It keeps the shell, the last map, list and
map places a resident saw (one of each, replaced by the next) and the emergency page in
each language viewed, all in the browser's own Cache Storage on the phone: nothing leaves
it. Without a network a page is answered from there, and a page never kept falls back to
the emergency page. ``GET /emergency`` lists the region's emergency and services numbers
(``PUENTE_EMERGENCY_NUMBER``, ``PUENTE_SERVICES_NUMBER``: 911 and 211 for Dallas) and the
directory's legal-aid lines with their phone numbers, translated.
``GET /manifest.webmanifest`` names the app in the page's language.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.enums import MediaType
from sqlalchemy.orm import Session

from api.db.models import Category
from api.directory.schemas import ResourcePublic
from api.search import ResourceQuery, search_resources
from api.settings import Settings
from web.i18n import translations
from web.links import EMERGENCY_PATH, MANIFEST_PATH, SERVICE_WORKER_PATH, tel_url
from web.pages import PLAIN_CACHE, base_context, page_state, request_locale
from web.rendering import environment

__all__ = [
    "EMERGENCY_PATH",
    "MANIFEST_PATH",
    "SERVICE_WORKER_PATH",
    "emergency_page",
    "manifest",
    "service_worker",
]

SCRIPT = Path(__file__).parent / "offline.js"
MAX_HOTLINES = 50
THEME_COLOR = "#0b5cad"

SERVICE_WORKER_POLICY = "default-src 'none'; connect-src 'self'; frame-ancestors 'none'"
"""The worker's own CSP: it may fetch from the site, and nothing else."""


@get(SERVICE_WORKER_PATH, name="service-worker", include_in_schema=False, sync_to_thread=False)
def service_worker(request: Request[Any, Any, Any]) -> Response[str]:
    assets = page_state(request).assets
    shell = [*assets.shell(), EMERGENCY_PATH]
    source = SCRIPT.read_text(encoding="utf-8")
    version = hashlib.sha256((json.dumps(shell) + source).encode()).hexdigest()[:12]
    head = f"var SHELL = {json.dumps(shell)};\nvar VERSION = {json.dumps(version)};\n"
    return Response(
        content=head + source,
        media_type="text/javascript",
        headers={
            "Cache-Control": "no-cache",
            "Content-Security-Policy": SERVICE_WORKER_POLICY,
        },
    )


@get(MANIFEST_PATH, name="manifest", include_in_schema=False, sync_to_thread=False)
def manifest(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    ui = request_locale(request)
    gettext = translations(ui.code).gettext
    assets = page_state(request).assets
    return Response(
        content={
            "name": gettext("Puente: help near you, in your language"),
            "short_name": "Puente",
            "lang": ui.code,
            "dir": ui.direction,
            "start_url": f"/?lang={ui.code}",
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": THEME_COLOR,
            "icons": [{"src": assets.favicon, "sizes": "any", "type": "image/svg+xml"}],
        },
        media_type="application/manifest+json",
        headers={"Cache-Control": PLAIN_CACHE, "Vary": "Accept-Language"},
    )


@get(EMERGENCY_PATH, name="emergency-page", include_in_schema=False, sync_to_thread=True)
def emergency_page(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
) -> Response[str]:
    """The region's emergency and services numbers (settings: 911 and 211 for Dallas) and
    the directory's immigration legal-aid lines, to keep for no signal."""
    ui = request_locale(request)
    found = search_resources(
        db_session,
        ResourceQuery(categories=(Category.LEGAL_AID,), per_page=MAX_HOTLINES),
        now=datetime.now(UTC),
        settings=settings,
    )
    hotlines = [
        {"name": item.name, "phone": item.phone, "tel": tel_url(item.phone)}
        for item in found.items
        if isinstance(item, ResourcePublic) and item.phone and tel_url(item.phone)
    ]
    context = base_context(
        request, ui, settings, switch_url=lambda code: f"{EMERGENCY_PATH}?lang={code}"
    )
    context |= {
        "hotlines": hotlines,
        "emergency": _line(settings.emergency_number),
        "services": _line(settings.services_number) if settings.services_number else None,
    }
    html = environment(ui.code).get_template("emergency.html").render(context)
    return Response(
        content=html,
        media_type=MediaType.HTML,
        headers={
            "Content-Language": ui.code,
            "Vary": "Accept-Language",
            "Cache-Control": PLAIN_CACHE,
        },
    )


def _line(number: str) -> dict[str, str | None]:
    return {"number": number, "tel": tel_url(number)}
