"""The directory published as HSDS collections: which records a list or a page holds.

Services are the directory's resources of every status, found through ``api.search`` (so
``search`` is the same full-text match as ``q``, and ``proximity`` the same distance
ranking as ``near`` with a radius); a retired resource is listed as a ``defunct`` service
so a partner's mirror follows deletions (not when searching by text or distance: it is no
longer in the search index's sense of the directory). The HSDS filters that Puente's
search does not know (``modified_after``, ``postcode``, ``organization_id``, taxonomy
terms) narrow that ordered result. Organizations are the directory's organizations that
are not retired; the taxonomy terms are Puente's categories and the languages in use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, overload

from sqlalchemy import ColumnElement, exists, false, or_, select, true
from sqlalchemy.orm import Session
from sqlmodel import col

from api.db.models import (
    Area,
    Category,
    Location,
    Organization,
    OrganizationKind,
    Resource,
    ResourceLanguage,
    ResourceStatus,
)
from api.directory.schemas import OrganizationPublic, ResourcePublic
from api.errors import InvalidInput, InvalidParam, NotFound
from api.formats import hsds
from api.search import MAX_RADIUS_KM, ResourceQuery
from api.search.conditions import RESOURCE_CHANGED_AT
from api.search.ranking import CHUNK, rank
from api.search.results import Hit, KnownAreas, publish_resources
from api.settings import Settings

__all__ = [
    "DEFAULT_PER_PAGE",
    "MAX_PER_PAGE",
    "Collection",
    "HsdsQuery",
    "Listing",
    "Services",
    "find_service",
    "hsds_query_from_params",
    "list_organizations",
    "list_services",
    "list_taxonomy_terms",
    "page_of",
]

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
_PROXIMITY_MAX_M = MAX_RADIUS_KM * 1000
_ORGANIZATION_FIELDS = tuple(OrganizationPublic.model_fields)
_IN_CHUNK = 5000
"""Ids per ``IN (...)``: well under SQLite's and PostgreSQL's parameter limits."""


@dataclass(frozen=True, kw_only=True)
class HsdsQuery:
    """The HSDS API's filters, already read."""

    search: str | None = None
    modified_after: datetime | None = None
    organization_id: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    postcode: str | None = None
    proximity_m: float | None = None
    """Metres from the centre of ``postcode``'s ZIP area."""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


def hsds_query_from_params(
    *,
    search: str | None = None,
    modified_after: str | None = None,
    organization_id: str | None = None,
    taxonomy_term_id: str | None = None,
    taxonomy_id: str | None = None,
    postcode: str | None = None,
    proximity: str | None = None,
    page: str | None = None,
    per_page: str | None = None,
) -> HsdsQuery:
    """Read the parameters, naming every one that cannot be read (``InvalidInput``)."""
    errors: list[InvalidParam] = []
    after: datetime | None = None
    if modified_after:
        try:
            after = datetime.fromisoformat(modified_after.strip().replace("Z", "+00:00"))
        except ValueError:
            after = None
        if after is None or after.utcoffset() is None:
            errors.append(
                {
                    "name": "modified_after",
                    "reason": "expected a date-time with its offset, e.g. 2025-03-01T00:00:00Z",
                }
            )
            after = None
    metres: float | None = None
    if proximity:
        try:
            metres = float(proximity)
        except ValueError:
            metres = None
        if metres is None or not 0 < metres <= _PROXIMITY_MAX_M:
            errors.append(
                {
                    "name": "proximity",
                    "reason": f"expected metres, more than 0 and at most {_PROXIMITY_MAX_M:.0f}",
                }
            )
            metres = None
        elif not postcode:
            errors.append({"name": "proximity", "reason": "needs postcode (measured from it)"})
    number = _whole(errors, "page", page, most=1_000_000) or 1
    size = _whole(errors, "per_page", per_page, most=MAX_PER_PAGE) or DEFAULT_PER_PAGE
    if errors:
        raise InvalidInput(errors)
    return HsdsQuery(
        search=(search or "").strip() or None,
        modified_after=after,
        organization_id=organization_id or None,
        taxonomy_term_id=taxonomy_term_id or None,
        taxonomy_id=taxonomy_id or None,
        postcode=(postcode or "").strip() or None,
        proximity_m=metres,
        page=number,
        per_page=size,
    )


def _whole(errors: list[InvalidParam], name: str, value: str | None, *, most: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= most:
        errors.append({"name": name, "reason": f"expected a whole number from 1 to {most}"})
        return None
    return number


class Services(Sequence[ResourcePublic]):
    """Matching services in order, published only when read: a slice publishes just its
    hits (a page costs a page, whatever the directory's size), iteration a chunk at a
    time."""

    def __init__(
        self, session: Session, hits: list[Hit], *, now: datetime, settings: Settings
    ) -> None:
        self._session, self._hits, self._now, self._settings = session, hits, now, settings
        self._areas = KnownAreas(session=session)

    def __len__(self) -> int:
        return len(self._hits)

    @overload
    def __getitem__(self, index: int) -> ResourcePublic: ...
    @overload
    def __getitem__(self, index: slice) -> list[ResourcePublic]: ...
    def __getitem__(self, index: int | slice) -> ResourcePublic | list[ResourcePublic]:
        if isinstance(index, slice):
            return self._publish(self._hits[index])
        return self._publish([self._hits[index]])[0]

    def __iter__(self) -> Iterator[ResourcePublic]:
        for start in range(0, len(self._hits), CHUNK):
            yield from self._publish(self._hits[start : start + CHUNK])

    def _publish(self, hits: Sequence[Hit]) -> list[ResourcePublic]:
        return publish_resources(self._session, hits, self._now, self._settings, self._areas)


@dataclass(frozen=True, kw_only=True)
class Listing:
    """Matching services in order, and what the encoder needs to shape them."""

    resources: Services
    encoder: hsds.Encoder


def _encoder(
    session: Session, settings: Settings, now: datetime, retired: Sequence[int] = ()
) -> hsds.Encoder:
    # Plain rows built without validation: they come from the database, already checked,
    # and validating thousands of organizations costs more than the rest of a page.
    rows = session.execute(
        select(*(col(getattr(Organization, name)) for name in _ORGANIZATION_FIELDS)).where(
            col(Organization.retired_at).is_(None)
        )
    ).mappings()
    organizations = {
        row["id"]: OrganizationPublic.model_construct(
            **{**row, "kind": OrganizationKind(row["kind"])}
        )
        for row in rows
    }
    return hsds.Encoder(
        zone=settings.zone,
        today=now.astimezone(settings.zone).date(),
        organizations=organizations,
        retired=frozenset(retired),
    )


def _centre(session: Session, postcode: str) -> tuple[float, float]:
    found = session.execute(
        select(col(Area.center_latitude), col(Area.center_longitude)).where(
            col(Area.kind) == "zip", col(Area.code) == postcode
        )
    ).first()
    if found is None:
        raise InvalidInput(
            [{"name": "postcode", "reason": f"{postcode} is not a ZIP area of this directory"}]
        )
    return float(found[0]), float(found[1])


def list_services(
    session: Session, query: HsdsQuery, *, now: datetime, settings: Settings
) -> Listing:
    """Every service matching ``query``, in order (pagination is the caller's). The ids
    are chosen and ordered in SQL; a record is built only when it is read."""
    near = None
    if query.proximity_m is not None and query.postcode:
        near = _centre(session, query.postcode)
    search = ResourceQuery(
        q=query.search,
        statuses=tuple(ResourceStatus),
        near=near,
        radius_km=None if query.proximity_m is None else query.proximity_m / 1000,
        sort="distance" if near else "name",
    )
    hits, _ = rank(session, search, now, settings, window=None, areas=KnownAreas(session=session))
    retired: list[int] = list(
        session.scalars(
            select(col(Resource.id))
            .where(col(Resource.retired_at).is_not(None))
            .order_by(col(Resource.name), col(Resource.id))
        )
    )
    if query.search is None and near is None:
        hits += [Hit(resource_id, None) for resource_id in retired]
    encoder = _encoder(session, settings, now, retired)
    if conditions := _conditions(session, query, encoder, near):
        kept = _kept_ids(session, [hit.id for hit in hits], conditions)
        hits = [hit for hit in hits if hit.id in kept]
    return Listing(resources=Services(session, hits, now=now, settings=settings), encoder=encoder)


def _conditions(
    session: Session, query: HsdsQuery, encoder: hsds.Encoder, near: Any
) -> list[ColumnElement[bool]]:
    """The HSDS filters Puente's search does not take, as conditions on a resource (its
    location joined); a filter that nothing can match is ``false()``."""
    conditions: list[ColumnElement[bool]] = []
    if query.modified_after is not None:
        conditions.append(query.modified_after <= RESOURCE_CHANGED_AT)
    if query.postcode and near is None:
        conditions.append(col(Location.postal_code) == query.postcode)
    if query.organization_id:
        # A listing shows its organization only while the organization is not retired.
        ids = [
            organization.id
            for organization in (encoder.organizations or {}).values()
            if hsds.record_id("organization", organization.id, organization.external_id)
            == query.organization_id
        ]
        conditions.append(col(Resource.organization_id).in_(ids) if ids else false())
    if query.taxonomy_term_id:
        categories = [c for c in Category if hsds.category_term(c)["id"] == query.taxonomy_term_id]
        codes = [
            code
            for code in _language_codes(session, live_only=False)
            if hsds.language_term(code)["id"] == query.taxonomy_term_id
        ]
        conditions.append(
            or_(
                col(Resource.category).in_([c.value for c in categories]),
                _offers(col(ResourceLanguage.code).in_(codes)),
            )
            if categories or codes
            else false()
        )
    if query.taxonomy_id == hsds.taxonomy(hsds.LANGUAGE_TAXONOMY)["id"]:
        conditions.append(_offers(true()))
    elif query.taxonomy_id not in (None, hsds.taxonomy(hsds.CATEGORY_TAXONOMY)["id"]):
        conditions.append(false())
    return conditions


def _offers(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(col(ResourceLanguage.resource_id) == col(Resource.id), condition)


def _kept_ids(
    session: Session, ids: Sequence[int], conditions: Sequence[ColumnElement[bool]]
) -> set[int]:
    kept: set[int] = set()
    for start in range(0, len(ids), _IN_CHUNK):
        kept.update(
            session.scalars(
                select(col(Resource.id))
                .join(Location, col(Location.id) == col(Resource.location_id))
                .where(col(Resource.id).in_(ids[start : start + _IN_CHUNK]), *conditions)
            )
        )
    return kept


def _language_codes(session: Session, *, live_only: bool) -> list[str]:
    statement = select(col(ResourceLanguage.code)).join(
        Resource, col(Resource.id) == col(ResourceLanguage.resource_id)
    )
    if live_only:
        statement = statement.where(col(Resource.retired_at).is_(None))
    return sorted(set(session.scalars(statement)))


def find_service(
    session: Session,
    identifier: str,
    *,
    now: datetime,
    settings: Settings,
    kind: str = "service",
) -> tuple[ResourcePublic, hsds.Encoder]:
    """The resource whose service (or, for ``kind="service_at_location"``, whose
    service_at_location) has this HSDS id, retired ones included; ``NotFound`` otherwise.
    Ids are derived, not stored, so each row's is derived again (no record is built)."""
    rows = session.execute(
        select(col(Resource.id), col(Resource.external_id), col(Resource.retired_at))
    )
    for resource_id, external_id, retired_at in rows:
        assert resource_id is not None  # a primary key
        service_id = hsds.record_id("resource", resource_id, external_id)
        if kind == "service_at_location":
            service_id = hsds.hsds_id("service_at_location", service_id)
        if service_id == identifier:
            areas = KnownAreas(session=session)
            (resource,) = publish_resources(session, [Hit(resource_id, None)], now, settings, areas)
            retired = [resource_id] if retired_at is not None else []
            return resource, _encoder(session, settings, now, retired)
    raise NotFound(kind, identifier)


@dataclass(frozen=True, kw_only=True)
class Collection:
    organizations: list[OrganizationPublic]
    services: dict[int, list[ResourcePublic]]
    encoder: hsds.Encoder


def list_organizations(
    session: Session, query: HsdsQuery, *, now: datetime, settings: Settings
) -> Collection:
    """Organizations that are not retired, by name; ``search`` matches words of the name
    or description."""
    listing = list_services(session, HsdsQuery(), now=now, settings=settings)
    by_organization: dict[int, list[ResourcePublic]] = {}
    for resource in listing.resources:
        if resource.organization is not None:
            by_organization.setdefault(resource.organization.id, []).append(resource)
    words = (query.search or "").casefold().split()
    found = [
        organization
        for organization in sorted(
            (listing.encoder.organizations or {}).values(), key=lambda o: (o.name, o.id)
        )
        if all(
            word in f"{organization.name} {organization.description or ''}".casefold()
            for word in words
        )
    ]
    return Collection(organizations=found, services=by_organization, encoder=listing.encoder)


def list_taxonomy_terms(
    session: Session, *, search: str | None = None, taxonomy_id: str | None = None
) -> list[dict[str, Any]]:
    """Every category, then every language a listing offers (by code)."""
    codes = _language_codes(session, live_only=True)
    terms = [hsds.category_term(category) for category in Category] + [
        hsds.language_term(code) for code in codes
    ]
    words = (search or "").casefold().split()
    return [
        term
        for term in terms
        if (taxonomy_id is None or term["taxonomy_id"] == taxonomy_id)
        and all(word in f"{term['name']} {term['code']}".casefold() for word in words)
    ]


def page_of(items: Sequence[Any], *, page: int, per_page: int) -> tuple[list[Any], dict[str, Any]]:
    """One page of ``items`` and the spec's ``Page`` fields for it."""
    total = len(items)
    pages = -(-total // per_page)
    chunk = list(items[(page - 1) * per_page : page * per_page])
    return chunk, {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(chunk),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": total == 0,
    }
