"""The console's imports as background jobs: their state and progress kept in a store.

A dry run or an import of 10,000 rows takes longer than a request should wait, so the page
that asks for one starts it here and answers at once; the work runs in a worker thread,
awaited by a task of the app's event loop. The importer reports progress through a
:class:`Tracker` (``seed.progress.Progress``, structurally); the task copies it to the store
twice a second, so any worker process that shares the store (Redis) can show it, and the
importer's thread never waits for the store. The job itself (who asked, the directory
version, the options, the stage, and at the end the report) is kept under its id.

The store is its own (``staff-imports``), never the database: on SQLite the importer holds
the write lock for its whole run, so progress written to the database would wait for it.
Without Redis it is the process's memory, so the page that shows a job must be served by
the process running it (one worker).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import anyio.to_thread
from litestar.stores.base import Store

from api.errors import InvalidInput
from api.http.routes.imports import ImportReportLike

__all__ = ["PUBLISH_S", "STORE", "ImportJobs", "Stage", "Tracker"]

log = logging.getLogger(__name__)

STORE = "staff-imports"
PUBLISH_S = 0.5
"""How often a running job's progress is copied to the store."""

Stage = Literal["previewing", "previewed", "importing", "imported", "failed"]


class Tracker:
    """The importer's progress as it goes: the phase, rows done and the phase's total."""

    def __init__(self) -> None:
        self.phase = ""
        self.done = 0
        self.total = 0

    def start(self, description: str, total: int) -> None:
        self.phase, self.done, self.total = description, 0, total

    def advance(self, count: int = 1) -> None:
        self.done += count

    def finish(self) -> None:
        self.done = self.total

    def state(self) -> dict[str, Any]:
        return {"phase": self.phase, "done": min(self.done, self.total), "total": self.total}


@dataclass(kw_only=True)
class ImportJobs:
    """Jobs under random ids; each lives ``keep_s`` after its last change."""

    store: Store
    keep_s: int
    _running: set[asyncio.Task[None]] = field(default_factory=set)

    async def get(self, job_id: str) -> dict[str, Any] | None:
        raw = await self.store.get(f"job:{job_id}") if len(job_id) < 100 else None
        return json.loads(raw) if raw is not None else None

    async def put(self, job_id: str, job: dict[str, Any]) -> None:
        await self.store.set(f"job:{job_id}", json.dumps(job), expires_in=self.keep_s)

    async def progress(self, job_id: str) -> dict[str, Any]:
        raw = await self.store.get(f"progress:{job_id}")
        return json.loads(raw) if raw is not None else {"phase": "", "done": 0, "total": 0}

    async def keep_files(self, job_id: str, files: list[list[str]]) -> None:
        await self.store.set(f"files:{job_id}", json.dumps(files), expires_in=self.keep_s)

    async def files(self, job_id: str) -> list[list[str]] | None:
        raw = await self.store.get(f"files:{job_id}")
        return json.loads(raw) if raw is not None else None

    async def drop_files(self, job_id: str) -> None:
        await self.store.delete(f"files:{job_id}")

    async def forget(self, job_id: str) -> None:
        for key in ("job", "files", "progress"):
            await self.store.delete(f"{key}:{job_id}")

    async def start(
        self,
        job_id: str,
        job: dict[str, Any],
        *,
        stage: Stage,
        then: Stage,
        work: Callable[[Tracker], ImportReportLike],
    ) -> None:
        """Put the job at ``stage`` and run ``work`` in the background; when it ends the job
        is at ``then`` with the report (every row included), or ``failed``."""
        job = {**job, "stage": stage, "report": None}
        await self.store.delete(f"progress:{job_id}")
        await self.put(job_id, job)
        task = asyncio.get_running_loop().create_task(self._run(job_id, job, then, work))
        self._running.add(task)  # held until done: the loop keeps only weak references
        task.add_done_callback(self._running.discard)

    async def _run(
        self,
        job_id: str,
        job: dict[str, Any],
        then: Stage,
        work: Callable[[Tracker], ImportReportLike],
    ) -> None:
        tracker = Tracker()

        async def publish() -> None:
            while True:
                await self.store.set(
                    f"progress:{job_id}", json.dumps(tracker.state()), expires_in=self.keep_s
                )
                await anyio.sleep(PUBLISH_S)

        try:
            async with anyio.create_task_group() as group:
                group.start_soon(publish)
                report = await anyio.to_thread.run_sync(work, tracker)
                group.cancel_scope.cancel()
        except InvalidInput as exc:
            reasons = "; ".join(f"{p['name']}: {p['reason']}" for p in exc.params)
            await self.put(job_id, {**job, "stage": "failed", "error": reasons})
            return
        except Exception:
            log.exception("a console import failed")
            await self.put(job_id, {**job, "stage": "failed", "error": ""})
            return
        await self.put(job_id, {**job, "stage": then, "report": report.to_dict(rows=True)})
