"""Front-end assets, served by the app itself so the page asks no third party for anything.

Leaflet comes from its XStatic package, installed from PyPI with the app; nothing is copied
into the repository (the map's clusters are made by the server, ``web.clusters``). Each
package is mounted under a path carrying its version. The page's own CSS, JavaScript and
icon live in ``web/static`` and are served under names carrying a digest of their content
(``puente.3f2a9c1e.js``), read when the app is made. Both kinds of URL change whenever
their content does, so browsers keep them for a year without asking again (``immutable``).
The icons are an inline sprite (``web.icons``), not a webfont.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import xstatic.pkg.leaflet  # type: ignore[import-untyped]
from litestar import Response, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.static_files import create_static_files_router

__all__ = [
    "IMMUTABLE",
    "OWN_PREFIX",
    "OWN_STATIC",
    "STATIC_PREFIX",
    "VENDOR_PACKAGES",
    "AssetUrls",
    "asset_routers",
    "hashed_names",
]

STATIC_PREFIX = "/static"
OWN_STATIC = Path(__file__).parent / "static"

OWN_PREFIX = f"{STATIC_PREFIX}/puente"

VENDOR_PACKAGES: tuple[ModuleType, ...] = (xstatic.pkg.leaflet,)

_YEAR = 365 * 24 * 3600
IMMUTABLE = CacheControlHeader(max_age=_YEAR, public=True, immutable=True)
"""For URLs whose content never changes: a new content gets a new URL."""
DIGEST_CHARS = 10


def hashed_names(directory: Path = OWN_STATIC) -> dict[str, str]:
    """``{"puente.js": "puente.3f2a9c1e07.js", ...}``: each file's name with a digest of it."""
    names = {}
    for path in sorted(directory.iterdir()):
        if path.is_file():
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_CHARS]
            names[path.name] = f"{path.stem}.{digest}{path.suffix}"
    return names


def _vendor_path(package: ModuleType) -> str:
    name = str(package.NAME).replace("_", "-")
    return f"{STATIC_PREFIX}/vendor/{name}-{package.VERSION}"


@dataclass(frozen=True, kw_only=True)
class AssetUrls:
    """Where the page finds each script and stylesheet it loads."""

    leaflet_js: str
    leaflet_css: str
    page_js: str
    page_css: str
    favicon: str

    @classmethod
    def default(cls) -> AssetUrls:
        leaflet = _vendor_path(xstatic.pkg.leaflet)
        names = hashed_names()
        return cls(
            leaflet_js=f"{leaflet}/leaflet.js",
            leaflet_css=f"{leaflet}/leaflet.css",
            page_js=f"{OWN_PREFIX}/{names['puente.js']}",
            page_css=f"{OWN_PREFIX}/{names['puente.css']}",
            favicon=f"{OWN_PREFIX}/{names['favicon.svg']}",
        )

    def shell(self) -> tuple[str, ...]:
        """Every asset a page may load: what the offline service worker keeps."""
        return (
            self.leaflet_js,
            self.leaflet_css,
            self.page_js,
            self.page_css,
            self.favicon,
        )


def own_assets(directory: Path = OWN_STATIC) -> HTTPRouteHandler:
    """``GET /static/puente/{name}``: the page's own files, by their hashed names only."""
    files = {}
    for plain, hashed in hashed_names(directory).items():
        media_type = mimetypes.guess_type(plain)[0] or "application/octet-stream"
        files[hashed] = ((directory / plain).read_bytes(), media_type)

    @get(
        f"{OWN_PREFIX}/{{name:str}}",
        name="puente-static",
        include_in_schema=False,
        sync_to_thread=False,
        cache_control=IMMUTABLE,
    )
    def own_asset(name: FromPath[str]) -> Response[bytes]:
        found = files.get(name)
        if found is None:
            raise NotFoundException(f"no asset {name}")
        content, media_type = found
        return Response(content=content, media_type=media_type)

    return own_asset


def asset_routers() -> list[Router | HTTPRouteHandler]:
    """One static route per XStatic package, plus the page's own files."""
    routers: list[Router | HTTPRouteHandler] = [
        create_static_files_router(
            path=_vendor_path(package),
            directories=[Path(package.BASE_DIR)],
            name=f"vendor-{package.NAME}",
            cache_control=IMMUTABLE,
        )
        for package in VENDOR_PACKAGES
    ]
    routers.append(own_assets())
    return routers
