"""What keeps the directory true: listings due for re-verification, open problem reports,
listings without a language, recent changes; finding listings as staff do; recording a
verification and resolving a report.

A listing is *due* when it was never verified or its ``verified_at`` is older than
``Settings.verify_every_days``. Staff see every listing that is not retired, whatever its
status, and retired ones when they ask for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlmodel import Session, col

from api.db.models import (
    AuditEntry,
    Organization,
    ProblemReport,
    Resolution,
    Resource,
    ResourceLanguage,
    Verification,
    VerificationMethod,
)
from api.directory.audit import record, snapshot
from api.errors import NotFound, Unprocessable

__all__ = [
    "Listing",
    "ListingFilter",
    "Listings",
    "VerificationState",
    "count_due",
    "count_open_reports",
    "count_without_language",
    "find_listings",
    "history",
    "open_reports",
    "recent_changes",
    "record_verification",
    "resolve_report",
    "verifications",
]


class VerificationState(StrEnum):
    DUE = "due"
    """Never verified, or verified longer ago than the cycle."""
    NEVER = "never"
    CURRENT = "current"
    REPORTED = "reported"
    """Has an open problem report."""


@dataclass(frozen=True, kw_only=True)
class ListingFilter:
    text: str = ""
    category: str = ""
    language: str = ""
    status: str = ""
    state: VerificationState | None = None
    no_language: bool = False
    retired: bool = False
    """Show retired listings instead of the others."""
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True, kw_only=True)
class Listing:
    id: int
    name: str
    category: str
    status: str
    organization: str | None
    phone: str | None
    verified_at: datetime | None
    open_reports: int
    retired: bool


@dataclass(frozen=True, kw_only=True)
class Listings:
    items: list[Listing]
    total: int
    page: int
    pages: int


def _cutoff(now: datetime, every_days: int) -> datetime:
    return now - timedelta(days=every_days)


def _due(now: datetime, every_days: int) -> ColumnElement[bool]:
    verified = col(Resource.verified_at)
    return or_(verified.is_(None), verified < _cutoff(now, every_days))


def _open_report_exists() -> ColumnElement[bool]:
    return exists().where(
        col(ProblemReport.resource_id) == col(Resource.id), col(ProblemReport.resolved_at).is_(None)
    )


def _has_language() -> ColumnElement[bool]:
    return exists().where(col(ResourceLanguage.resource_id) == col(Resource.id))


def _live() -> ColumnElement[bool]:
    return col(Resource.retired_at).is_(None)


def count_due(session: Session, *, now: datetime, every_days: int) -> int:
    statement = select(func.count()).where(_live(), _due(now, every_days))
    return session.scalar(statement.select_from(Resource)) or 0


def count_open_reports(session: Session) -> int:
    statement = (
        select(func.count())
        .select_from(ProblemReport)
        .join(Resource, col(Resource.id) == col(ProblemReport.resource_id))
        .where(col(ProblemReport.resolved_at).is_(None), _live())
    )
    return session.scalar(statement) or 0


def count_without_language(session: Session) -> int:
    statement = select(func.count()).select_from(Resource).where(_live(), ~_has_language())
    return session.scalar(statement) or 0


def find_listings(
    session: Session, wanted: ListingFilter, *, now: datetime, every_days: int
) -> Listings:
    """One page of listings, the ones needing attention first (open reports, then oldest
    verification), then by name."""
    reports = (
        select(func.count())
        .where(
            col(ProblemReport.resource_id) == col(Resource.id),
            col(ProblemReport.resolved_at).is_(None),
        )
        .correlate(Resource)
        .scalar_subquery()
    )
    statement = select(Resource, col(Organization.name), reports.label("reports")).outerjoin(
        Organization, col(Organization.id) == col(Resource.organization_id)
    )
    retired = col(Resource.retired_at)
    statement = statement.where(retired.is_not(None) if wanted.retired else retired.is_(None))
    if text := wanted.text.strip():
        pattern = f"%{text.lower()}%"
        statement = statement.where(
            or_(
                func.lower(col(Resource.name)).like(pattern),
                func.lower(col(Organization.name)).like(pattern),
                func.lower(func.coalesce(col(Resource.phone), "")).like(pattern),
                func.lower(func.coalesce(col(Resource.description), "")).like(pattern),
            )
        )
    if wanted.category:
        statement = statement.where(col(Resource.category) == wanted.category)
    if wanted.status:
        statement = statement.where(col(Resource.status) == wanted.status)
    if wanted.language:
        statement = statement.where(
            exists().where(
                col(ResourceLanguage.resource_id) == col(Resource.id),
                col(ResourceLanguage.code) == wanted.language,
            )
        )
    if wanted.no_language:
        statement = statement.where(~_has_language())
    verified = col(Resource.verified_at)
    match wanted.state:
        case VerificationState.DUE:
            statement = statement.where(_due(now, every_days))
        case VerificationState.NEVER:
            statement = statement.where(verified.is_(None))
        case VerificationState.CURRENT:
            statement = statement.where(verified >= _cutoff(now, every_days))
        case VerificationState.REPORTED:
            statement = statement.where(_open_report_exists())
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // wanted.per_page))
    page = min(max(wanted.page, 1), pages)
    rows = session.execute(
        statement.order_by(
            reports.desc(),
            verified.is_not(None),
            verified,
            col(Resource.name),
            col(Resource.id),
        )
        .offset((page - 1) * wanted.per_page)
        .limit(wanted.per_page)
    ).all()
    items = [
        Listing(
            id=resource.id,
            name=resource.name,
            category=resource.category,
            status=resource.status,
            organization=organization,
            phone=resource.phone,
            verified_at=resource.verified_at,
            open_reports=count or 0,
            retired=resource.retired_at is not None,
        )
        for resource, organization, count in rows
    ]
    return Listings(items=items, total=total, page=page, pages=pages)


def open_reports(session: Session, *, resource_id: int | None = None) -> list[Any]:
    """Open reports, oldest first, each with its listing's name: ``(report, name)`` rows."""
    statement = (
        select(ProblemReport, col(Resource.name))
        .join(Resource, col(Resource.id) == col(ProblemReport.resource_id))
        .where(col(ProblemReport.resolved_at).is_(None), _live())
    )
    if resource_id is not None:
        statement = statement.where(col(ProblemReport.resource_id) == resource_id)
    return list(
        session.execute(
            statement.order_by(col(ProblemReport.created_at), col(ProblemReport.id))
        ).all()
    )


def resolve_report(
    session: Session,
    report_id: int,
    *,
    resolution: str,
    note: str | None,
    staff_name: str,
    now: datetime,
) -> ProblemReport:
    """Close an open report as ``fixed`` or ``dismissed``, audited under the staff name."""
    report = session.get(ProblemReport, report_id)
    if report is None:
        raise NotFound("problem report", report_id)
    try:
        outcome = Resolution(resolution)
    except ValueError:
        raise Unprocessable(
            [{"name": "resolution", "in": "body", "reason": "expected fixed or dismissed"}]
        ) from None
    before = snapshot(report)
    report.resolved_at = now
    report.resolution = outcome
    report.resolved_by = staff_name
    report.resolution_note = (note or "").strip()[:1000] or None
    session.add(report)
    session.flush()
    record(
        session,
        actor=staff_name,
        action="update",
        entity="problem_report",
        entity_id=report.id,
        before=before,
        after=snapshot(report),
    )
    return report


def record_verification(
    session: Session,
    resource_id: int,
    *,
    method: str,
    note: str | None,
    staff_name: str,
    now: datetime,
) -> Verification:
    """Who confirmed the listing and how; the caller sets ``verified_at`` through the writer."""
    try:
        how = VerificationMethod(method)
    except ValueError:
        known = ", ".join(m.value for m in VerificationMethod)
        raise Unprocessable(
            [{"name": "method", "in": "body", "reason": f"expected one of {known}"}]
        ) from None
    verification = Verification(
        resource_id=resource_id,
        at=now,
        staff_name=staff_name,
        method=how,
        note=(note or "").strip()[:1000] or None,
    )
    session.add(verification)
    session.flush()
    return verification


def verifications(session: Session, resource_id: int) -> list[Verification]:
    return list(
        session.scalars(
            select(Verification)
            .where(col(Verification.resource_id) == resource_id)
            .order_by(col(Verification.at).desc(), col(Verification.id).desc())
        )
    )


def recent_changes(session: Session, *, limit: int = 10) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
            .limit(limit)
        )
    )


def history(session: Session, entity: str, entity_id: int) -> list[AuditEntry]:
    """A record's audit trail, newest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(col(AuditEntry.entity) == entity, col(AuditEntry.entity_id) == entity_id)
            .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        )
    )
