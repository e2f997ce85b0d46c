"""``create_app(settings)``: the one place the application is wired."""

from __future__ import annotations

from advanced_alchemy.extensions.litestar import SQLAlchemyPlugin, SQLAlchemySyncConfig
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from api import __version__
from api.database import create_database_engine
from api.http_cache import ConditionalGet
from api.problems import problem_details_plugin
from api.response_cache import ResponseCachePlugin
from api.routes import meta
from api.routes.resources import get_one_resource, list_resources
from api.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    engine = create_database_engine(settings.sqlalchemy_url)
    database = SQLAlchemySyncConfig(
        engine_instance=engine,
        before_send_handler="autocommit",
        session_dependency_key="db_session",
        engine_dependency_key="db_engine",
    )

    def provide_settings() -> Settings:
        return settings

    return Litestar(
        route_handlers=[meta.health, meta.ready, list_resources, get_one_resource],
        plugins=[
            SQLAlchemyPlugin(config=database),
            problem_details_plugin(),
            ResponseCachePlugin(settings=settings, engine=engine),
        ],
        dependencies={"settings": Provide(provide_settings, sync_to_thread=False)},
        openapi_config=OpenAPIConfig(
            title="Puente",
            version=__version__,
            description=(
                "A resident resource directory: meeting venues and their meetings, "
                "immigration legal aid and community partners, by language and area."
            ),
            path="/schema",
        ),
        state=State({"settings": settings}),
        on_shutdown=[engine.dispose],
        middleware=[ConditionalGet()],
        compression_config=CompressionConfig(backend="gzip", gzip_compress_level=6),
    )
