"""What clients send and receive: the Create / Update / Public shapes of each table.

Table models skip validation, so everything a client writes goes through a ``...Create`` or
``...Update`` model here first: bounded strings, coordinate ranges, known enums, canonical
language codes, dates as ISO 8601 text (never a number of seconds), events that end after
they start.

A confidential location never shows its street address or its true point: ``address`` is
``None`` and the coordinates are the centre of its ZIP area, else of its first other area
(by kind, then code), else its own coordinates rounded to two decimals (about 1 km).
``api.search`` applies that rule (``public_point``) before anything leaves the core.
"""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Generic, Literal, Self, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, model_validator
from sqlmodel import Field, SQLModel

from api.db.models import (
    Category,
    EventBase,
    EventStatus,
    LocationBase,
    OrganizationBase,
    OrganizationKind,
    Precision,
    ResourceBase,
    ResourceStatus,
    Support,
)
from api.directory.languages import UnknownLanguage, normalize_language

__all__ = [
    "MAX_LANGUAGES",
    "AreaPublic",
    "DateTime",
    "EventCreate",
    "EventPublic",
    "EventUpdate",
    "FacetCount",
    "LanguageCode",
    "LanguagePublic",
    "LanguageSupportIn",
    "LocationCreate",
    "LocationPublic",
    "LocationUpdate",
    "NextEvent",
    "OrganizationCreate",
    "OrganizationPublic",
    "OrganizationSummary",
    "OrganizationUpdate",
    "Page",
    "ResourceCreate",
    "ResourceDetail",
    "ResourcePublic",
    "ResourceUpdate",
    "Tombstone",
]

MAX_LANGUAGES = 30
"""Most languages one resource or event may list."""

T = TypeVar("T")


def _canonical_language(value: str) -> str:
    try:
        return normalize_language(value)
    except UnknownLanguage as exc:
        raise ValueError(str(exc)) from None


LanguageCode = Annotated[
    str, Field(min_length=2, max_length=60), AfterValidator(_canonical_language)
]
"""A language as a code or name on the way in; its canonical ISO 639 code once validated."""


_NUMERIC = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*")


def _not_a_number(value: object) -> object:
    """Pydantic would read ``0`` (or ``"0"``) as seconds since 1970; a directory date never
    comes as a number, so a number is refused rather than taken for 1970."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number or (isinstance(value, str) and _NUMERIC.fullmatch(value)):
        raise ValueError(
            "expected an ISO 8601 date and time such as 2026-03-01T18:30:00-06:00, not a number"
        )
    return value


DateTime = Annotated[datetime, BeforeValidator(_not_a_number)]
"""A date and time a client sends: ISO 8601 text, never a number of seconds."""


def _aware(value: datetime | None, name: str) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone offset, e.g. 2026-03-01T18:30:00-06:00")


def _distinct_languages(codes: list[str]) -> None:
    if len(set(codes)) != len(codes):
        raise ValueError("languages lists the same language twice")


# --- organizations -------------------------------------------------------------------------


class OrganizationCreate(OrganizationBase):
    pass


class OrganizationUpdate(SQLModel):
    external_id: str | None = Field(default=None, max_length=100)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    website: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=40)
    kind: OrganizationKind | None = None
    doj_recognized: bool | None = None


class OrganizationPublic(OrganizationBase):
    id: int
    updated_at: datetime


class OrganizationSummary(SQLModel):
    """The organization as it appears inside a resource."""

    id: int
    name: str
    website: str | None = None
    kind: OrganizationKind
    doj_recognized: bool | None = None


# --- areas and locations -------------------------------------------------------------------


class AreaPublic(SQLModel):
    kind: str
    code: str
    name: str


class _FiniteCoordinates(SQLModel):
    @model_validator(mode="after")
    def _finite(self) -> Self:
        for name in ("latitude", "longitude"):
            value = getattr(self, name, None)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number")
        return self


class LocationCreate(LocationBase, _FiniteCoordinates):
    pass


class LocationUpdate(_FiniteCoordinates):
    external_id: str | None = Field(default=None, max_length=100)
    name: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=100)
    state: str | None = Field(default=None, max_length=50)
    postal_code: str | None = Field(default=None, max_length=10)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    geocode_precision: Precision | None = None
    confidential: bool | None = None

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude move together: send both or neither")
        return self


class LocationPublic(SQLModel):
    """Where a resource is, as the public sees it (see the module docstring on confidentiality)."""

    id: int
    name: str | None = None
    address: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    latitude: float
    longitude: float
    precision: Precision
    confidential: bool = False
    areas: list[AreaPublic] = Field(default_factory=list)


# --- languages -----------------------------------------------------------------------------


class LanguageSupportIn(SQLModel):
    code: LanguageCode
    support: Support = Support.STAFF


class LanguagePublic(SQLModel):
    code: str
    name: str
    support: Support | None = None


# --- resources -----------------------------------------------------------------------------


class ResourceCreate(ResourceBase):
    verified_at: DateTime | None = None
    organization_id: int | None = Field(default=None, ge=1)
    location_id: int = Field(ge=1)
    languages: list[LanguageSupportIn] = Field(default_factory=list, max_length=MAX_LANGUAGES)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _aware(self.verified_at, "verified_at")
        _distinct_languages([language.code for language in self.languages])
        return self


class ResourceUpdate(SQLModel):
    external_id: str | None = Field(default=None, max_length=100)
    category: Category | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    services: str | None = Field(default=None, max_length=2000)
    phone: str | None = Field(default=None, max_length=40)
    website: str | None = Field(default=None, max_length=500)
    email: str | None = Field(default=None, max_length=254)
    hours: str | None = Field(default=None, max_length=500)
    fees: str | None = Field(default=None, max_length=500)
    eligibility: str | None = Field(default=None, max_length=1000)
    status: ResourceStatus | None = None
    verified_at: DateTime | None = None
    source_url: str | None = Field(default=None, max_length=2000)
    organization_id: int | None = Field(default=None, ge=1)
    location_id: int | None = Field(default=None, ge=1)
    languages: list[LanguageSupportIn] | None = Field(default=None, max_length=MAX_LANGUAGES)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _aware(self.verified_at, "verified_at")
        if self.languages is not None:
            _distinct_languages([language.code for language in self.languages])
        return self


class NextEvent(SQLModel):
    id: int
    title: str
    starts_at: datetime


class ResourcePublic(SQLModel):
    """A resource in JSON, as DESIGN.md's API contract lists it."""

    id: int
    external_id: str | None = None
    name: str
    category: Category
    description: str | None = None
    services: str | None = None
    organization: OrganizationSummary | None = None
    location: LocationPublic
    distance_km: float | None = None
    languages: list[LanguagePublic] = Field(default_factory=list)
    phone: str | None = None
    website: str | None = None
    email: str | None = None
    hours: str | None = None
    open_now: bool | None = None
    fees: str | None = None
    eligibility: str | None = None
    verified_at: datetime | None = None
    source_url: str | None = None
    status: ResourceStatus
    next_event: NextEvent | None = None
    updated_at: datetime


# --- events --------------------------------------------------------------------------------


class EventCreate(EventBase):
    starts_at: DateTime
    ends_at: DateTime | None = None
    location_id: int = Field(ge=1)
    organization_id: int | None = Field(default=None, ge=1)
    languages: list[LanguageCode] = Field(default_factory=list, max_length=MAX_LANGUAGES)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _aware(self.starts_at, "starts_at")
        _aware(self.ends_at, "ends_at")
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        _distinct_languages(self.languages)
        return self


class EventUpdate(SQLModel):
    """A partial change; when both ends are sent they must be in order (the database checks
    the stored pair again, so a change to one end alone cannot invert them)."""

    external_id: str | None = Field(default=None, max_length=100)
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=4000)
    starts_at: DateTime | None = None
    ends_at: DateTime | None = None
    status: EventStatus | None = None
    source_url: str | None = Field(default=None, max_length=2000)
    location_id: int | None = Field(default=None, ge=1)
    organization_id: int | None = Field(default=None, ge=1)
    languages: list[LanguageCode] | None = Field(default=None, max_length=MAX_LANGUAGES)

    @model_validator(mode="after")
    def _check(self) -> Self:
        _aware(self.starts_at, "starts_at")
        _aware(self.ends_at, "ends_at")
        if (
            self.starts_at is not None
            and self.ends_at is not None
            and self.ends_at <= self.starts_at
        ):
            raise ValueError("ends_at must be after starts_at")
        if self.languages is not None:
            _distinct_languages(self.languages)
        return self


class EventPublic(SQLModel):
    id: int
    external_id: str | None = None
    title: str
    description: str | None = None
    starts_at: datetime
    ends_at: datetime | None = None
    status: EventStatus
    source_url: str | None = None
    organization: OrganizationSummary | None = None
    location: LocationPublic
    distance_km: float | None = None
    languages: list[LanguagePublic] = Field(default_factory=list)
    updated_at: datetime


class Tombstone(SQLModel):
    """A retired listing in a sync (``include_retired=true``): which one, and when it was
    retired. Nothing else of it is sent."""

    id: int
    status: Literal["retired"] = "retired"
    updated_at: datetime


class ResourceDetail(ResourcePublic):
    """One resource with its upcoming events (soonest first)."""

    events: list[EventPublic] = Field(default_factory=list)


class FacetCount(SQLModel):
    """How many resources match one value of a facet; ``kind``/``code`` only for areas."""

    value: str
    name: str
    count: int
    kind: str | None = None
    code: str | None = None


# --- pages ---------------------------------------------------------------------------------


class Page(BaseModel, Generic[T]):
    """One page of a list; ``pages`` is 0 when nothing matches."""

    model_config = ConfigDict(frozen=True)

    items: list[T]
    total: int
    page: int
    per_page: int
    pages: int

    @classmethod
    def of(cls, items: list[T], *, total: int, page: int, per_page: int) -> Page[T]:
        return cls(
            items=items, total=total, page=page, per_page=per_page, pages=-(-total // per_page)
        )
