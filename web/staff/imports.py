"""``/staff/imports``: upload files, see the importer's dry run, then import exactly that.

The upload starts the importer (the one ``puente import`` and ``POST /api/v1/imports`` use,
handed in by ``create_app``) as a dry run in the background (``web.staff.import_jobs``) and
answers at once with a redirect to ``/staff/imports/{id}``. That page refreshes itself
while the work runs ("geocoding 120 of 400 rows") and then shows the preview: per file,
the rows to create, update or leave unchanged and every problem as
``file:line: column: value: reason``; then every row, a page at a time, each update with
the fields it changes, old -> new. The files, the options and the directory version at the
upload are kept for half an hour under the random id, for the member who uploaded them
only. "Import" writes those same files with those same options, again in the background,
and is refused when the directory changed in between (its version moved), so what is
written is what was previewed. All-or-nothing unless "keep the good rows" was chosen.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from typing import Any, Literal

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect
from sqlalchemy import Engine
from sqlmodel import Session

from api.db.version import read_directory_version
from api.directory.keys import Scope
from api.http.routes.imports import ImportReportLike, RunImport
from api.settings import Settings
from web.staff.import_jobs import STORE, ImportJobs, Tracker
from web.staff.import_preview import preview_page
from web.staff.rendering import gettext_for, render
from web.staff.sessions import Member

__all__ = ["PREVIEW_S", "REFRESH_S", "import_pages"]

PREVIEW_S = 30 * 60
"""How long an upload waits for its "Import"."""
REFRESH_S = 1
"""How often the page of a running job reloads itself."""

JOBS_STATE = "staff_import_jobs"

Kind = Literal["resources", "events", "areas"]


def _kind(value: str) -> Kind | None:
    if value == "resources":
        return "resources"
    if value == "events":
        return "events"
    if value == "areas":
        return "areas"
    return None


def import_pages(*, run_import: RunImport, max_upload_bytes: int) -> list[HTTPRouteHandler]:
    """The upload form, the job's page (progress, preview, result) and the import."""

    def run(
        engine: Engine,
        settings: Settings,
        files: Sequence[tuple[str | None, bytes]],
        *,
        kind: Kind | None,
        dry_run: bool,
        partial: bool,
        actor: str,
        progress: Tracker,
    ) -> ImportReportLike:
        return run_import(
            engine,
            settings,
            files,
            kind=kind,
            dry_run=dry_run,
            partial=partial,
            area_kind=None,
            code_property=None,
            name_property=None,
            actor=actor,
            progress=progress,
        )

    def jobs(request: Request[Any, Any, Any]) -> ImportJobs:
        state = request.app.state
        if JOBS_STATE not in state:
            state[JOBS_STATE] = ImportJobs(store=request.app.stores.get(STORE), keep_s=PREVIEW_S)
        found: ImportJobs = state[JOBS_STATE]
        return found

    def upload_page(
        request: Request[Any, Any, Any], member: Member, *, refused: str | None, status: int
    ) -> Response[str]:
        return render(
            request, "imports.html", member=member, refused=refused, partial=False, status=status
        )

    async def own_job(
        request: Request[Any, Any, Any], member: Member, job_id: str
    ) -> dict[str, Any] | None:
        job = await jobs(request).get(job_id)
        if job is None or job.get("account_id") != member.account_id:
            return None
        return job

    def unknown(request: Request[Any, Any, Any], member: Member) -> Response[str]:
        gettext = gettext_for(request)
        return upload_page(
            request,
            member,
            refused=gettext("This preview is unknown or expired; upload the files again."),
            status=404,
        )

    @get("/imports", name="staff-imports", include_in_schema=False)
    async def imports(
        request: Request[Any, Any, Any], member: NamedDependency[Member]
    ) -> Response[str]:
        member.require(Scope.IMPORTS_WRITE)
        return upload_page(request, member, refused=None, status=200)

    @post(
        "/imports/preview",
        name="staff-imports-preview",
        include_in_schema=False,
        request_max_body_size=max_upload_bytes,
    )
    async def preview(
        request: Request[Any, Any, Any],
        db_engine: NamedDependency[Engine],
        settings: NamedDependency[Settings],
        member: NamedDependency[Member],
        db_session: NamedDependency[Session],
    ) -> Response[Any]:
        member.require(Scope.IMPORTS_WRITE)
        db_session.rollback()  # the importer is a writer of its own: hold no lock meanwhile
        form = await request.form()
        try:
            files = [
                (value.filename, await value.read())
                for _, value in form.multi_items()
                if isinstance(value, UploadFile) and value.filename
            ]
            kind = _kind(str(form.get("kind", "")))
            partial = form.get("partial") == "on"
        finally:
            await form.close()
        if not files:
            gettext = gettext_for(request)
            return upload_page(
                request, member, refused=gettext("Choose at least one file."), status=400
            )
        version = await anyio.to_thread.run_sync(read_directory_version, db_engine)
        job_id = secrets.token_urlsafe(24)
        job = {
            "account_id": member.account_id,
            "version": version,
            "kind": kind,
            "partial": partial,
            "names": [name for name, _ in files],
        }
        await jobs(request).keep_files(
            job_id, [[name or "", base64.b64encode(content).decode()] for name, content in files]
        )
        await jobs(request).start(
            job_id,
            job,
            stage="previewing",
            then="previewed",
            work=lambda tracker: run(
                db_engine,
                settings,
                files,
                kind=kind,
                dry_run=True,
                partial=partial,
                actor=member.name,
                progress=tracker,
            ),
        )
        return Redirect(f"/staff/imports/{job_id}", status_code=303)

    @get("/imports/{job_id:str}", name="staff-import", include_in_schema=False)
    async def job_page(
        request: Request[Any, Any, Any],
        member: NamedDependency[Member],
        job_id: FromPath[str],
        page: FromQuery[int] = 1,
    ) -> Response[str]:
        member.require(Scope.IMPORTS_WRITE)
        job = await own_job(request, member, job_id)
        if job is None:
            return unknown(request, member)
        stage = job["stage"]
        context: dict[str, Any] = {"job": job, "job_id": job_id, "stage": stage}
        if stage in ("previewing", "importing"):
            progress = await jobs(request).progress(job_id)
            return render(
                request,
                "import.html",
                member=member,
                progress=progress,
                refresh=REFRESH_S,
                shown=None,
                importable=False,
                **context,
            )
        report = job.get("report") or {}
        importable = stage == "previewed" and bool(report.get("ok") or job["partial"])
        if stage == "previewed":
            status = 200 if importable else 422
        elif stage == "imported":
            status = 200 if report.get("written") else 422
        else:
            status = 500
        shown = preview_page(report, page=page) if report else None
        return render(
            request,
            "import.html",
            member=member,
            progress=None,
            refresh=None,
            shown=shown,
            report=report,
            importable=importable,
            status=status,
            **context,
        )

    @post("/imports/{job_id:str}/run", name="staff-imports-run", include_in_schema=False)
    async def run_preview(
        request: Request[Any, Any, Any],
        db_engine: NamedDependency[Engine],
        settings: NamedDependency[Settings],
        member: NamedDependency[Member],
        db_session: NamedDependency[Session],
        job_id: FromPath[str],
    ) -> Response[Any]:
        member.require(Scope.IMPORTS_WRITE)
        db_session.rollback()  # the importer is a writer of its own: hold no lock meanwhile
        job = await own_job(request, member, job_id)
        kept = await jobs(request).files(job_id) if job is not None else None
        report = (job or {}).get("report") or {}
        if (
            job is None
            or kept is None
            or job["stage"] != "previewed"
            or not (report.get("ok") or job["partial"])
        ):
            return unknown(request, member)
        await jobs(request).drop_files(job_id)  # a preview is imported once
        version = await anyio.to_thread.run_sync(read_directory_version, db_engine)
        if version != job["version"]:
            await jobs(request).forget(job_id)
            gettext = gettext_for(request)
            return upload_page(
                request,
                member,
                refused=gettext(
                    "The directory changed since the preview, so nothing was imported. "
                    "Upload the files again to see a new preview."
                ),
                status=409,
            )
        files = [(name, base64.b64decode(content)) for name, content in kept]
        await jobs(request).start(
            job_id,
            job,
            stage="importing",
            then="imported",
            work=lambda tracker: run(
                db_engine,
                settings,
                files,
                kind=_kind(str(job["kind"] or "")),
                dry_run=False,
                partial=bool(job["partial"]),
                actor=member.name,
                progress=tracker,
            ),
        )
        return Redirect(f"/staff/imports/{job_id}", status_code=303)

    return [imports, preview, job_page, run_preview]
