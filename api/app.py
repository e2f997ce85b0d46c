"""``create_app(settings)``: the one place the application is wired."""

from __future__ import annotations

import gc
from functools import partial

from advanced_alchemy.extensions.litestar import (
    SQLAlchemyPlugin,
    SQLAlchemySyncConfig,
    SyncSessionConfig,
)
from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from sqlmodel import Session as SQLModelSession

from api.db.engine import create_database_engine
from api.geo.areas import POLYGONS_INFO_KEY, AreaPolygons
from api.geo.geocoding import GEOCODER_INFO_KEY, Geocoder
from api.http.allow import AllowEveryMethod
from api.http.auth import with_bearer_auth
from api.http.caching import ConditionalGet
from api.http.head import serve_head
from api.http.json_depth import BoundedJsonRequest
from api.http.middleware.access_log import AccessLog, logging_config
from api.http.middleware.cors import CorsPolicy
from api.http.middleware.keyed_hash import KeyedHash
from api.http.middleware.protection import BodyLimitMiddleware, Limits, rate_limit_middleware
from api.http.middleware.response_cache import ResponseCachePlugin
from api.http.middleware.security_headers import SecurityHeaders
from api.http.middleware.stores import build_stores
from api.http.nul_bytes import NoNulBytes
from api.http.openapi import openapi_assets, openapi_config
from api.http.problems import problem_details_plugin
from api.http.routes import areas, events, facets, feeds, hsds, meta, reports, staff
from api.http.routes.filters import PARAMS_DEPENDENCIES
from api.http.routes.imports import imports_route
from api.http.routes.resources import get_one_resource, list_resources
from api.http.sessions import request_session_ender
from api.http.strict_query import StrictQuery
from api.search.nearby_index import build_in_background
from api.settings import Settings
from seed.upload import import_upload
from web import app_state as web_app_state
from web import route_handlers as web_route_handlers
from web.staff import staff_console

__all__ = ["create_app", "create_served_app"]

STAFF_AND_REPORTS = [
    reports.report_problem,
    staff.list_audit,
    staff.list_problem_reports,
    staff.update_problem_report,
    *staff.WRITES,
]


def register_each_path_once(app_config: AppConfig) -> AppConfig:
    """Hand every handler to Litestar inside one router.

    Registered one by one, a second handler on a path (``POST /api/v1/events`` beside
    ``GET``) re-registers the first, and Litestar 2.25 then wraps a ``sync_to_thread``
    handler twice, so it answers 500. A router registers each path once.
    """
    app_config.route_handlers = [Router("", route_handlers=list(app_config.route_handlers))]
    return app_config


def create_app(settings: Settings | None = None, *, limits: Limits | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    limits = limits or Limits.from_settings(settings)
    hashing = KeyedHash.from_settings(settings)
    stores = build_stores(settings, hashing=hashing, namespace=limits.namespace)
    access_log = AccessLog()
    cors = CorsPolicy(write_origins=settings.cors_origins)
    security_headers = SecurityHeaders.from_settings(settings)
    engine = create_database_engine(settings.sqlalchemy_url)
    database = SQLAlchemySyncConfig(
        engine_instance=engine,
        session_dependency_key="db_session",
        engine_dependency_key="db_engine",
        # SQLModel sessions (a subclass): the geocoder and area tagging use ``exec``. Through
        # ``info`` they reach this app's geocoder and polygon cache. The app uses neither
        # advanced-alchemy's repository cache nor its file objects, so their listeners are
        # off: the cache listener would otherwise derive an engine on every commit to read
        # its own setting.
        session_config=SyncSessionConfig(
            class_=SQLModelSession,
            info={
                GEOCODER_INFO_KEY: Geocoder(settings=settings),
                POLYGONS_INFO_KEY: AreaPolygons(),
                "enable_cache_listener": False,
            },
        ),
        enable_file_object_listener=False,
    )
    # Set once the config has settled its scope key (unique per config in a process).
    database.before_send_handler = request_session_ender(database.session_scope_key)

    def provide_settings() -> Settings:
        return settings

    return Litestar(
        route_handlers=[
            meta.health,
            meta.ready,
            openapi_assets(),
            areas.list_areas,
            areas.get_area,
            events.list_events,
            facets.list_languages,
            facets.list_categories,
            feeds.resources_geojson,
            feeds.resources_csv,
            feeds.events_ics,
            list_resources,
            get_one_resource,
            *hsds.ROUTES,
            *STAFF_AND_REPORTS,
            imports_route(max_upload_bytes=limits.max_upload_bytes, run_import=import_upload),
            *web_route_handlers(),
            staff_console(
                settings=settings,
                database=database,
                stores=stores.registry,
                shared_stores=stores.shared,
                run_import=import_upload,
                max_upload_bytes=limits.max_upload_bytes,
            ),
        ],
        on_app_init=[serve_head, register_each_path_once],
        plugins=[
            SQLAlchemyPlugin(config=database),
            problem_details_plugin(),
            ResponseCachePlugin(store=stores.response_cache, engine=engine, hashing=hashing),
        ],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            **PARAMS_DEPENDENCIES,
        },
        openapi_config=with_bearer_auth(openapi_config()),
        state=State(
            {
                "settings": settings,
                "engine": engine,
                "stores": stores,
                "hashing": hashing,
                **web_app_state(),
            }
        ),
        on_startup=[partial(build_in_background, engine)],
        on_shutdown=[engine.dispose, stores.close],
        stores=stores.registry,
        middleware=[
            access_log.middleware,
            cors.middleware,
            BodyLimitMiddleware,
            *rate_limit_middleware(limits, hashing),
            ConditionalGet(),
            AllowEveryMethod(),
            NoNulBytes(),
            StrictQuery(prefixes=("/api/", "/hsds")),  # Litestar routes /hsds/ as /hsds
        ],
        # brotli where the client takes it (browsers do), else gzip
        compression_config=CompressionConfig(
            backend="brotli", brotli_quality=5, brotli_gzip_fallback=True, gzip_compress_level=6
        ),
        before_send=[access_log.before_send, security_headers.before_send, cors.before_send],
        request_max_body_size=limits.max_body_bytes,
        request_class=BoundedJsonRequest,
        logging_config=logging_config(),
    )


def create_served_app(settings: Settings | None = None) -> Litestar:
    """The app a long-running server serves (``puente run`` and ``puente serve``): as
    ``create_app()``, and at start the objects made while importing and wiring (some
    hundreds of thousands: modules, models, schemas, which live as long as the process)
    are moved out of the garbage collector's sight. Its full passes would otherwise walk
    them all, a pause of a quarter of a second on one request now and then."""
    app = create_app(settings)
    app.on_startup.append(_freeze_startup_objects)
    return app


def _freeze_startup_objects() -> None:
    gc.collect()
    gc.freeze()
