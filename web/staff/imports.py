"""``/staff/imports``: upload files, see the importer's dry run, then import exactly that.

The upload runs the importer (the one ``puente import`` and ``POST /api/v1/imports`` use,
handed in by ``create_app``) as a dry run and shows its counts and every problem as
``file:line: column: value: reason``. The files, the options and the directory version at
that moment are kept for half an hour in the console's store under a random id, for the
member who uploaded them only. "Import" writes those same files with those same options,
and is refused when the directory changed in between (its version moved), so what is
written is what was previewed. All-or-nothing unless "keep the good rows" was chosen.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence
from typing import Any, Literal

import anyio.to_thread
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from sqlalchemy import Engine
from sqlmodel import Session

from api.db.version import read_directory_version
from api.directory.keys import Scope
from api.http.routes.imports import RunImport
from api.settings import Settings
from web.staff.rendering import gettext_for, render
from web.staff.sessions import STORE, Member

__all__ = ["PREVIEW_S", "import_pages"]

PREVIEW_S = 30 * 60
"""How long an upload waits for its "Import"."""
KINDS = ("resources", "events", "areas")


def _kind(value: str) -> Literal["resources", "events", "areas"] | None:
    if value == "resources":
        return "resources"
    if value == "events":
        return "events"
    if value == "areas":
        return "areas"
    return None


def import_pages(*, run_import: RunImport, max_upload_bytes: int) -> list[HTTPRouteHandler]:
    """The upload form, the preview and the import, around the importer given."""

    def run(
        engine: Engine,
        settings: Settings,
        files: Sequence[tuple[str | None, bytes]],
        **options: Any,
    ) -> Any:
        return run_import(
            engine,
            settings,
            files,
            area_kind=None,
            code_property=None,
            name_property=None,
            **options,
        )

    @get("/imports", name="staff-imports", include_in_schema=False)
    async def imports(
        request: Request[Any, Any, Any], member: NamedDependency[Member]
    ) -> Response[str]:
        member.require(Scope.IMPORTS_WRITE)
        return render(
            request,
            "imports.html",
            member=member,
            report=None,
            preview=None,
            files=[],
            partial=False,
            refused=None,
            done=False,
        )

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
    ) -> Response[str]:
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
        gettext = gettext_for(request)
        if not files:
            return render(
                request,
                "imports.html",
                member=member,
                report=None,
                preview=None,
                files=[],
                partial=partial,
                refused=gettext("Choose at least one file."),
                done=False,
                status=400,
            )
        version = await anyio.to_thread.run_sync(read_directory_version, db_engine)
        report = await anyio.to_thread.run_sync(
            lambda: run(
                db_engine,
                settings,
                files,
                kind=kind,
                dry_run=True,
                partial=partial,
                actor=member.name,
            )
        )
        shown = report.to_dict()
        preview_id = None
        if report.ok or partial:
            preview_id = secrets.token_urlsafe(24)
            kept = {
                "account_id": member.account_id,
                "version": version,
                "kind": kind,
                "partial": partial,
                "files": [[name, base64.b64encode(content).decode()] for name, content in files],
            }
            store = request.app.stores.get(STORE)
            await store.set(f"import-preview:{preview_id}", json.dumps(kept), expires_in=PREVIEW_S)
        return render(
            request,
            "imports.html",
            member=member,
            report=shown,
            preview=preview_id,
            files=[name for name, _ in files],
            partial=partial,
            refused=None,
            done=False,
            status=200 if report.ok else 422,
        )

    @post("/imports/{preview_id:str}/run", name="staff-imports-run", include_in_schema=False)
    async def run_preview(
        request: Request[Any, Any, Any],
        db_engine: NamedDependency[Engine],
        settings: NamedDependency[Settings],
        member: NamedDependency[Member],
        db_session: NamedDependency[Session],
        preview_id: FromPath[str],
    ) -> Response[str]:
        member.require(Scope.IMPORTS_WRITE)
        db_session.rollback()  # the importer is a writer of its own: hold no lock meanwhile
        gettext = gettext_for(request)
        store = request.app.stores.get(STORE)
        raw = await store.get(f"import-preview:{preview_id}") if len(preview_id) < 100 else None
        kept = json.loads(raw) if raw is not None else None
        if kept is None or kept.get("account_id") != member.account_id:
            return render(
                request,
                "imports.html",
                member=member,
                report=None,
                preview=None,
                files=[],
                partial=False,
                done=False,
                status=404,
                refused=gettext("This preview is unknown or expired; upload the files again."),
            )
        files = [(name, base64.b64decode(content)) for name, content in kept["files"]]
        names = [name for name, _ in files]
        version = await anyio.to_thread.run_sync(read_directory_version, db_engine)
        if version != kept["version"]:
            await store.delete(f"import-preview:{preview_id}")
            return render(
                request,
                "imports.html",
                member=member,
                report=None,
                preview=None,
                files=names,
                partial=kept["partial"],
                done=False,
                status=409,
                refused=gettext(
                    "The directory changed since the preview, so nothing was imported. "
                    "Upload the files again to see a new preview."
                ),
            )
        report = await anyio.to_thread.run_sync(
            lambda: run(
                db_engine,
                settings,
                files,
                kind=_kind(str(kept["kind"] or "")),
                dry_run=False,
                partial=bool(kept["partial"]),
                actor=member.name,
            )
        )
        await store.delete(f"import-preview:{preview_id}")
        return render(
            request,
            "imports.html",
            member=member,
            report=report.to_dict(),
            preview=None,
            files=names,
            partial=kept["partial"],
            refused=None,
            done=True,
            status=200 if report.written else 422,
        )

    return [imports, preview, run_preview]
