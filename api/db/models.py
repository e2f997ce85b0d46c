"""The directory's tables, as SQLModel table models.

Each table has a ``...Base`` with the fields a client may send; the table adds ids and
bookkeeping. ``api.directory.schemas`` builds the Create / Update / Public shapes from the bases.
The database itself refuses impossible values through CHECK constraints, so a bug in a
caller cannot store a latitude of 123 or an unknown category on either engine.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

__all__ = [
    "ApiKey",
    "Area",
    "AuditEntry",
    "Category",
    "Event",
    "EventLanguage",
    "EventStatus",
    "GeocodeCache",
    "IdempotentAnswer",
    "Location",
    "LocationArea",
    "Organization",
    "OrganizationKind",
    "Precision",
    "ProblemReport",
    "ReportKind",
    "Resolution",
    "Resource",
    "ResourceLanguage",
    "ResourceStatus",
    "StaffAccount",
    "StaffInvitation",
    "StaffRole",
    "StaffSession",
    "Support",
    "Verification",
    "VerificationMethod",
    "table_of",
    "utcnow",
]

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Category(StrEnum):
    MEETING_VENUE = "meeting_venue"
    LEGAL_AID = "legal_aid"
    COMMUNITY_PARTNER = "community_partner"
    CONSULATE = "consulate"
    POLICE_STATION = "police_station"


class ResourceStatus(StrEnum):
    ACTIVE = "active"
    TEMPORARILY_CLOSED = "temporarily_closed"
    INACTIVE = "inactive"


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"


class Support(StrEnum):
    STAFF = "staff"
    INTERPRETER = "interpreter"
    MATERIALS = "materials"


class OrganizationKind(StrEnum):
    NONPROFIT = "nonprofit"
    COMMUNITY = "community"
    FAITH = "faith"
    GOVERNMENT = "government"
    LAW_ENFORCEMENT = "law_enforcement"
    CONSULATE = "consulate"
    LEGAL_SERVICES = "legal_services"
    OTHER = "other"


class Precision(StrEnum):
    PROVIDED = "provided"
    ROOFTOP = "rooftop"
    STREET = "street"
    POSTAL_CODE = "postal_code"


class ReportKind(StrEnum):
    WRONG_ADDRESS = "wrong_address"
    WRONG_PHONE = "wrong_phone"
    WRONG_HOURS = "wrong_hours"
    WRONG_LANGUAGES = "wrong_languages"
    CLOSED = "closed"
    OTHER = "other"


class StaffRole(StrEnum):
    EDITOR = "editor"
    REVIEWER = "reviewer"
    ADMIN = "admin"


class VerificationMethod(StrEnum):
    PHONE = "phone"
    VISIT = "visit"
    WEBSITE = "website"
    PARTNER = "partner"


class Resolution(StrEnum):
    FIXED = "fixed"
    DISMISSED = "dismissed"


def utcnow() -> datetime:
    return datetime.now(UTC)


def table_of(model: type[SQLModel]) -> Table:
    """The SQLAlchemy ``Table`` behind a table model, for Core statements."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def one_of(column: str, values: type[StrEnum], name: str | None = None) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=name or f"{column}_known")


def _utc() -> Any:
    return Field(default=None, sa_type=DateTimeUTC(timezone=True), nullable=True)


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=DateTimeUTC(timezone=True), nullable=False)


def _parent(target: str, *, nullable: bool, ondelete: str, index: bool = True) -> Any:
    return Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index
        ),
    )


def language_code() -> CheckConstraint:
    return CheckConstraint(
        "length(code) BETWEEN 2 AND 3 AND code = lower(code)", name="code_iso639"
    )


# --- organizations -------------------------------------------------------------------------


class OrganizationBase(SQLModel):
    external_id: str | None = Field(default=None, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    website: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    kind: OrganizationKind = Field(default=OrganizationKind.NONPROFIT, sa_type=String(30))
    doj_recognized: bool | None = Field(default=None)


class Organization(OrganizationBase, table=True):
    __table_args__ = (one_of("kind", OrganizationKind),)

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=100, unique=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    retired_at: datetime | None = _utc()


# --- locations -----------------------------------------------------------------------------


class LocationBase(SQLModel):
    external_id: str | None = Field(default=None, max_length=100)
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=50)
    postal_code: str | None = Field(default=None, max_length=10)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    geocode_precision: Precision = Field(default=Precision.PROVIDED, sa_type=String(20))
    confidential: bool = Field(default=False)


class Location(LocationBase, table=True):
    __table_args__ = (
        CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        one_of("geocode_precision", Precision),
        Index("ix_location_lat_lon", "latitude", "longitude"),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=100, unique=True)
    created_at: datetime = _created()
    updated_at: datetime = _created()
    retired_at: datetime | None = _utc()


# --- resources -----------------------------------------------------------------------------


class ResourceBase(SQLModel):
    external_id: str | None = Field(default=None, max_length=100)
    category: Category = Field(sa_type=String(30))
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    services: str | None = Field(default=None, max_length=2000)
    phone: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=254)
    hours: str | None = Field(default=None, max_length=500)
    fees: str | None = Field(default=None, max_length=500)
    eligibility: str | None = Field(default=None, max_length=1000)
    status: ResourceStatus = Field(default=ResourceStatus.ACTIVE, sa_type=String(30))
    verified_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    source_url: str | None = Field(default=None, max_length=2000)


class Resource(ResourceBase, table=True):
    __table_args__ = (one_of("category", Category), one_of("status", ResourceStatus))

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=100, unique=True)
    organization_id: int | None = _parent("organization.id", nullable=True, ondelete="SET NULL")
    location_id: int | None = _parent("location.id", nullable=False, ondelete="RESTRICT")
    created_at: datetime = _created()
    updated_at: datetime = _created()
    retired_at: datetime | None = _utc()


class ResourceLanguage(SQLModel, table=True):
    """A language a resource works in, and how: staff speak it, interpreters, or materials."""

    __tablename__ = "resource_language"
    __table_args__ = (language_code(), one_of("support", Support))

    resource_id: int = Field(
        sa_column=Column(Integer, ForeignKey("resource.id", ondelete="CASCADE"), primary_key=True)
    )
    code: str = Field(primary_key=True, max_length=3, index=True)
    support: Support = Field(default=Support.STAFF, sa_type=String(20))


# --- events --------------------------------------------------------------------------------


class EventBase(SQLModel):
    external_id: str | None = Field(default=None, max_length=100)
    title: str = Field(min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    starts_at: datetime = Field(sa_type=DateTimeUTC(timezone=True), nullable=False, index=True)
    ends_at: datetime | None = Field(default=None, sa_type=DateTimeUTC(timezone=True))
    status: EventStatus = Field(default=EventStatus.SCHEDULED, sa_type=String(20))
    source_url: str | None = Field(default=None, max_length=2000)


class Event(EventBase, table=True):
    __table_args__ = (
        one_of("status", EventStatus),
        CheckConstraint("ends_at IS NULL OR ends_at > starts_at", name="ends_after_start"),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, max_length=100, unique=True)
    location_id: int | None = _parent("location.id", nullable=False, ondelete="RESTRICT")
    organization_id: int | None = _parent("organization.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = _created()
    updated_at: datetime = _created()
    retired_at: datetime | None = _utc()


class EventLanguage(SQLModel, table=True):
    __tablename__ = "event_language"
    __table_args__ = (language_code(),)

    event_id: int = Field(
        sa_column=Column(Integer, ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    )
    code: str = Field(primary_key=True, max_length=3)


# --- areas ---------------------------------------------------------------------------------


class Area(SQLModel, table=True):
    """A named polygon of a kind (``council_district``, ``zip``, ...) kept as GeoJSON."""

    __table_args__ = (
        CheckConstraint("kind = lower(kind) AND length(kind) > 0", name="kind_lowercase"),
        CheckConstraint("min_latitude <= max_latitude", name="bbox_latitude"),
        CheckConstraint("min_longitude <= max_longitude", name="bbox_longitude"),
        UniqueConstraint("kind", "code"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    note: str | None = Field(default=None, max_length=500)
    geometry: str = Field(sa_type=Text)
    min_latitude: float
    min_longitude: float
    max_latitude: float
    max_longitude: float
    center_latitude: float
    center_longitude: float
    source_url: str | None = Field(default=None, max_length=2000)
    updated_at: datetime = _created()


class LocationArea(SQLModel, table=True):
    __tablename__ = "location_area"

    location_id: int = Field(
        sa_column=Column(Integer, ForeignKey("location.id", ondelete="CASCADE"), primary_key=True)
    )
    area_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("area.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )


# --- staff, audit, caches, reports ---------------------------------------------------------


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=128)
    scopes: str = Field(max_length=300)
    created_at: datetime = _created()
    last_used_at: datetime | None = _utc()
    revoked_at: datetime | None = _utc()


class AuditEntry(SQLModel, table=True):
    __tablename__ = "audit_entry"
    __table_args__ = (
        CheckConstraint(
            "action IN ('create', 'update', 'delete', 'import', 'restore')", name="action_known"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(
        default_factory=utcnow, sa_type=DateTimeUTC(timezone=True), nullable=False, index=True
    )
    actor: str = Field(max_length=100)
    action: str = Field(max_length=20)
    entity: str = Field(max_length=40, index=True)
    entity_id: int | None = Field(default=None)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class GeocodeCache(SQLModel, table=True):
    """Every geocoder answer, a miss included, so a second import asks nothing.

    It keeps the normalised query and the answer, never who asked.
    """

    __tablename__ = "geocode_cache"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
        UniqueConstraint("provider", "query"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=20)
    query: str = Field(max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    precision: str | None = Field(default=None, max_length=20)
    created_at: datetime = _created()


class ProblemReport(SQLModel, table=True):
    """A public "this listing is wrong" report. No personal data: no IP, no user agent."""

    __tablename__ = "problem_report"
    __table_args__ = (one_of("kind", ReportKind),)

    id: int | None = Field(default=None, primary_key=True)
    resource_id: int | None = _parent("resource.id", nullable=False, ondelete="CASCADE")
    kind: ReportKind = Field(sa_type=String(30))
    message: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _created()
    resolved_at: datetime | None = _utc()
    resolution: Resolution | None = Field(default=None, sa_type=String(20))
    """``fixed`` or ``dismissed``, set by the staff member who resolved it."""
    resolved_by: str | None = Field(default=None, max_length=100)
    resolution_note: str | None = Field(default=None, max_length=1000)


class StaffAccount(SQLModel, table=True):
    """A person who signs in to the console. Only an argon2 hash of the password is kept."""

    __tablename__ = "staff_account"
    __table_args__ = (one_of("role", StaffRole),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(max_length=100, unique=True)
    """Shown in the audit trail beside every change the person makes."""
    role: StaffRole = Field(sa_type=String(20))
    password_hash: str = Field(max_length=200)
    active: bool = Field(default=True)
    totp_secret: str | None = Field(default=None, max_length=200)
    """The TOTP secret, sealed (``api.directory.second_factor``); pending until confirmed."""
    totp_confirmed_at: datetime | None = _utc()
    """When the second factor was confirmed with a code; unset, it is not in use."""
    totp_last_step: int | None = Field(default=None)
    """The time step of the last code accepted: no code of that step or before is taken again."""
    created_at: datetime = _created()
    last_sign_in_at: datetime | None = _utc()
    sessions_valid_after: datetime | None = _utc()
    """Sessions begun before this moment are over (set by signing out and deactivation)."""


class StaffInvitation(SQLModel, table=True):
    """A one-time link to set up a staff account: single use, until it expires. Only the
    SHA-256 of its token is kept; the link itself is shown once, to the admin who made it."""

    __tablename__ = "staff_invitation"
    __table_args__ = (one_of("role", StaffRole),)

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    email: str = Field(max_length=254)
    name: str = Field(max_length=100)
    role: StaffRole = Field(sa_type=String(20))
    invited_by: str = Field(max_length=100)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=DateTimeUTC(timezone=True), nullable=False)
    used_at: datetime | None = _utc()


class Verification(SQLModel, table=True):
    """A staff member confirmed a listing: when, who, how, and what they noted."""

    __table_args__ = (one_of("method", VerificationMethod),)

    id: int | None = Field(default=None, primary_key=True)
    resource_id: int | None = _parent("resource.id", nullable=False, ondelete="CASCADE")
    at: datetime = _created()
    staff_name: str = Field(max_length=100)
    method: VerificationMethod = Field(sa_type=String(20))
    note: str | None = Field(default=None, max_length=1000)


class StaffSession(SQLModel, table=True):
    """A console session's data, kept by key until it expires (the database session store,
    used when no Redis is configured). Holds who signed in, never what they looked at."""

    __tablename__ = "staff_session"
    __table_args__ = (UniqueConstraint("key", "namespace"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255)
    namespace: str = Field(max_length=255)
    value: bytes = Field(sa_type=LargeBinary, nullable=False)
    expires_at: datetime | None = Field(
        default=None, sa_type=DateTimeUTC(timezone=True), nullable=True, index=True
    )


class IdempotentAnswer(SQLModel, table=True):
    """The first answer to a write sent with an ``Idempotency-Key``, kept for a retry.

    One row per key, actor (the API key's name, or ``public`` for problem reports) and route
    (method and path), written in the same transaction as the write it answers. It keeps a
    hash of the request, never the request itself, and is deleted once it expires.
    """

    __tablename__ = "idempotent_answer"
    __table_args__ = (UniqueConstraint("key", "actor", "route"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255)
    actor: str = Field(max_length=100)
    route: str = Field(max_length=300)
    fingerprint: str = Field(max_length=64)
    """SHA-256 of the request's query string and body: a retry must send the same."""
    status: int
    media_type: str = Field(max_length=100)
    headers: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    body: bytes = Field(sa_type=LargeBinary, nullable=False)
    created_at: datetime = _created()
    expires_at: datetime = Field(sa_type=DateTimeUTC(timezone=True), nullable=False, index=True)
