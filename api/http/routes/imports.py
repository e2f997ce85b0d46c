"""``POST /api/v1/imports``: staff upload the files ``puente import`` reads.

The upload goes through the same importer as the command line (``seed.upload``, handed in
by ``create_app``), so it is validated the same way and answered with the same per-row
report (as JSON). ``dry_run`` validates without writing; ``partial`` writes the good rows.
The answer is 200 when every row was accepted (or, with ``partial``, when something was
written) and 422 with the report otherwise. The body size is capped (413 problem+json
beyond it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal, Protocol

import anyio.to_thread
from litestar import Request, Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import Example
from litestar.params import QueryParameter
from sqlalchemy import Engine

from api.directory.keys import Scope
from api.http.auth import current_staff, require_scope
from api.settings import Settings

__all__ = ["ImportProgress", "ImportReportLike", "RunImport", "imports_route"]


class ImportReportLike(Protocol):
    @property
    def ok(self) -> bool: ...

    @property
    def written(self) -> bool: ...

    def to_dict(self, *, rows: bool = False) -> dict[str, Any]: ...


class ImportProgress(Protocol):
    """Told of each phase of a run (reading, geocoding, writing) and each row done."""

    def start(self, description: str, total: int) -> None: ...

    def advance(self, count: int = 1) -> None: ...

    def finish(self) -> None: ...


class RunImport(Protocol):
    """The importer, as ``seed.upload.import_upload`` offers it."""

    def __call__(
        self,
        engine: Engine,
        settings: Settings,
        files: Sequence[tuple[str | None, bytes]],
        *,
        kind: Literal["resources", "events", "areas"] | None,
        dry_run: bool,
        partial: bool,
        area_kind: str | None,
        code_property: str | None,
        name_property: str | None,
        actor: str,
        progress: ImportProgress | None = None,
    ) -> ImportReportLike: ...


def imports_route(*, max_upload_bytes: int, run_import: RunImport) -> HTTPRouteHandler:
    """The upload handler, accepting bodies up to ``max_upload_bytes``."""

    @post(
        "/api/v1/imports",
        tags=["staff"],
        summary="Upload seed files (CSV, JSON, GeoJSON) and get the per-row import report",
        description=(
            "Send one or more files as `multipart/form-data` (any field name). The answer is "
            "the importer's report: counts per kind and every problem as file, line, column, "
            "value and reason. 200 when every row was accepted (or, with `partial`, something "
            f"was written); 422 otherwise. Uploads are limited to {max_upload_bytes} bytes."
        ),
        guards=[require_scope],
        opt={"scope": Scope.IMPORTS_WRITE.value},
        security=[{"BearerAuth": []}],
        request_max_body_size=max_upload_bytes,
        status_code=200,
        operation_id="import_files",
    )
    async def upload(
        request: Request[Any, Any, Any],
        db_engine: NamedDependency[Engine],
        settings: NamedDependency[Settings],
        dry_run: Annotated[
            bool,
            QueryParameter(
                description="Validate (and geocode) but write nothing",
                examples=[Example(value=True)],
            ),
        ] = False,
        partial: Annotated[
            bool,
            QueryParameter(
                description="Write the good rows and report the rest",
                examples=[Example(value=False)],
            ),
        ] = False,
        kind: Annotated[
            Literal["resources", "events", "areas"] | None,
            QueryParameter(
                description="What every file holds (else read from each file)",
                examples=[Example(value="resources")],
            ),
        ] = None,
        area_kind: Annotated[
            str | None,
            QueryParameter(
                description="Area files: the kind of area",
                max_length=40,
                examples=[Example(value="neighborhood")],
            ),
        ] = None,
        code_property: Annotated[
            str | None,
            QueryParameter(
                description="Area files: the property with the code",
                max_length=100,
                examples=[Example(value="GEOID")],
            ),
        ] = None,
        name_property: Annotated[
            str | None,
            QueryParameter(
                description="Area files: the property with the name",
                max_length=100,
                examples=[Example(value="NAME")],
            ),
        ] = None,
    ) -> Response[dict[str, Any]]:
        form = await request.form()
        try:
            files = [
                (value.filename, await value.read())
                for _, value in form.multi_items()
                if isinstance(value, UploadFile)
            ]
        finally:
            await form.close()
        actor = current_staff(request).name
        report = await anyio.to_thread.run_sync(
            lambda: run_import(
                db_engine,
                settings,
                files,
                kind=kind,
                dry_run=dry_run,
                partial=partial,
                area_kind=area_kind,
                code_property=code_property,
                name_property=name_property,
                actor=actor,
            )
        )
        accepted = report.ok or (partial and report.written)
        return Response(
            content=report.to_dict(),
            media_type=MediaType.JSON,
            status_code=200 if accepted else 422,
        )

    return upload
