"""Public "this listing is wrong" reports, and staff working through them.

A report holds what is wrong, an optional note, the resource and the time: nothing about
the person who sent it (no address, no user agent, no contact details are asked for).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import ProblemReport, ReportKind, Resource, table_of, utcnow
from api.directory.schemas import Page
from api.errors import NotFound

__all__ = [
    "ReportCreate",
    "ReportPublic",
    "ReportReceipt",
    "ReportUpdate",
    "file_report",
    "list_reports",
    "update_report",
]


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ReportKind
    """What is wrong with the listing."""
    message: str | None = Field(default=None, max_length=2000)
    """Optional: what should it say instead? Please leave out names and contact details."""

    @field_validator("message")
    @classmethod
    def _plain_text(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if any((ord(c) < 32 and c not in "\t\n\r") or c == "\x7f" for c in value):
            raise ValueError("contains a control character")
        return value.strip() or None


class ReportReceipt(BaseModel):
    """What the public gets back: enough to know the report arrived, nothing more."""

    id: int
    resource_id: int
    kind: ReportKind
    created_at: datetime


class ReportPublic(ReportReceipt):
    """A report as staff see it."""

    message: str | None = None
    resolved_at: datetime | None = None


class ReportUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolved: bool
    """``true`` marks the report handled; ``false`` reopens it."""


def _public(report: ProblemReport) -> ReportPublic:
    assert report.id is not None and report.resource_id is not None
    return ReportPublic(
        id=report.id,
        resource_id=report.resource_id,
        kind=report.kind,
        created_at=report.created_at,
        message=report.message,
        resolved_at=report.resolved_at,
    )


def file_report(session: Session, resource_id: int, data: ReportCreate) -> ReportReceipt:
    resource = session.get(Resource, resource_id)
    if resource is None or resource.retired_at is not None:
        raise NotFound("resource", resource_id)
    report = ProblemReport(resource_id=resource_id, kind=data.kind, message=data.message)
    session.add(report)
    session.flush()
    public = _public(report)
    return ReportReceipt(
        id=public.id, resource_id=public.resource_id, kind=public.kind, created_at=public.created_at
    )


def list_reports(
    session: Session,
    *,
    resolved: bool | None,
    resource_id: int | None,
    kind: ReportKind | None,
    page: int,
    per_page: int,
) -> Page[ReportPublic]:
    statement = select(ProblemReport)
    if resolved is not None:
        resolved_at = table_of(ProblemReport).c.resolved_at
        statement = statement.where(resolved_at.is_not(None) if resolved else resolved_at.is_(None))
    if resource_id is not None:
        statement = statement.where(col(ProblemReport.resource_id) == resource_id)
    if kind is not None:
        statement = statement.where(col(ProblemReport.kind) == kind)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    rows = session.scalars(
        statement.order_by(col(ProblemReport.created_at).desc(), col(ProblemReport.id).desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page.of([_public(r) for r in rows], total=total, page=page, per_page=per_page)


def update_report(session: Session, report_id: int, data: ReportUpdate) -> ReportPublic:
    report = session.get(ProblemReport, report_id)
    if report is None:
        raise NotFound("problem report", report_id)
    if data.resolved and report.resolved_at is None:
        report.resolved_at = utcnow()
    elif not data.resolved:
        report.resolved_at = None
    session.add(report)
    session.flush()
    return _public(report)
