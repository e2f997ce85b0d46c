"""Front-end assets, served by the app itself so the page asks no third party for anything.

Leaflet, Leaflet.markercluster and Font Awesome come from their XStatic packages, installed
from PyPI with the app; nothing is copied into the repository. Each package is mounted under
a path carrying its version, so browsers may cache it for long. The page's own CSS and
JavaScript live in ``web/static``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import xstatic.pkg.font_awesome  # type: ignore[import-untyped]
import xstatic.pkg.leaflet  # type: ignore[import-untyped]
import xstatic.pkg.leaflet_markercluster  # type: ignore[import-untyped]
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

__all__ = ["OWN_STATIC", "STATIC_PREFIX", "VENDOR_PACKAGES", "AssetUrls", "asset_routers"]

STATIC_PREFIX = "/static"
OWN_STATIC = Path(__file__).parent / "static"

VENDOR_PACKAGES: tuple[ModuleType, ...] = (
    xstatic.pkg.leaflet,
    xstatic.pkg.leaflet_markercluster,
    xstatic.pkg.font_awesome,
)

_YEAR = 365 * 24 * 3600


def _vendor_path(package: ModuleType) -> str:
    name = str(package.NAME).replace("_", "-")
    return f"{STATIC_PREFIX}/vendor/{name}-{package.VERSION}"


@dataclass(frozen=True, kw_only=True)
class AssetUrls:
    """Where the page finds each script and stylesheet it loads."""

    leaflet_js: str
    leaflet_css: str
    markercluster_js: str
    markercluster_css: str
    markercluster_default_css: str
    fontawesome_css: tuple[str, ...]
    page_js: str
    page_css: str
    favicon: str

    @classmethod
    def default(cls) -> AssetUrls:
        leaflet = _vendor_path(xstatic.pkg.leaflet)
        cluster = _vendor_path(xstatic.pkg.leaflet_markercluster)
        fonts = _vendor_path(xstatic.pkg.font_awesome)
        own = f"{STATIC_PREFIX}/puente"
        return cls(
            leaflet_js=f"{leaflet}/leaflet.js",
            leaflet_css=f"{leaflet}/leaflet.css",
            markercluster_js=f"{cluster}/leaflet.markercluster.js",
            markercluster_css=f"{cluster}/MarkerCluster.css",
            markercluster_default_css=f"{cluster}/MarkerCluster.Default.css",
            fontawesome_css=(f"{fonts}/css/fontawesome.min.css", f"{fonts}/css/solid.min.css"),
            page_js=f"{own}/puente.js",
            page_css=f"{own}/puente.css",
            favicon=f"{own}/favicon.svg",
        )


def asset_routers() -> list[Router]:
    """One static route per XStatic package, plus the page's own files."""
    routers = [
        create_static_files_router(
            path=_vendor_path(package),
            directories=[Path(package.BASE_DIR)],
            name=f"vendor-{package.NAME}",
            cache_control=CacheControlHeader(max_age=_YEAR, public=True),
        )
        for package in VENDOR_PACKAGES
    ]
    routers.append(
        create_static_files_router(
            path=f"{STATIC_PREFIX}/puente",
            directories=[OWN_STATIC],
            name="puente-static",
            cache_control=CacheControlHeader(max_age=3600, public=True),
        )
    )
    return routers
