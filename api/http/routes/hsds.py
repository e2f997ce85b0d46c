"""The Open Referral HSDS 3.1 API under ``/hsds/``: services, organizations,
service_at_locations and the published taxonomies, for 211 systems and partners' tools.

Lists are the specification's ``Page`` (``total_items``, ``total_pages``, ``page_number``,
``size``, ``first_page``, ``last_page``, ``empty``) with the records in ``contents``;
``format=ndjson`` streams every match instead, one record a line, without pages. A list
holds each record's own fields; ``full=true`` nests its related records, as one record
(``/hsds/services/{id}``) always does. Records are shaped by ``api.formats.hsds`` and
chosen by ``api.directory.hsds``; this module only reads parameters and writes answers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Response, get
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import FromQuery, PathParameter, QueryParameter
from litestar.response import Stream
from sqlalchemy.orm import Session

from api.directory import hsds as directory
from api.errors import InvalidInput, NotFound
from api.formats import hsds
from api.http.caching import cacheable_json
from api.settings import Settings

__all__ = ["ROUTES"]

PROFILE = "https://docs.openreferral.org/en/latest/hsds/"


def _param(description: str, example: str = "true") -> QueryParameter:
    return QueryParameter(
        required=False, description=description, examples=[Example(value=example)]
    )


_ID = "8fac148e-45ad-569f-b45e-1cc7d8438086"
RecordId = Annotated[
    str, PathParameter(description="The record's HSDS id (a UUID)", examples=[Example(value=_ID)])
]


Search = FromQuery[
    Annotated[
        str | None, _param("Full-text search: every word must appear in the record.", "legal")
    ]
]
PageNumber = FromQuery[Annotated[str | None, _param("Page number, from 1.", "1")]]
PerPage = FromQuery[
    Annotated[
        str | None, _param(f"Records per page, 1 to {directory.MAX_PER_PAGE} (default 50).", "50")
    ]
]
Format = FromQuery[
    Annotated[
        str | None,
        _param(
            "`json` (default) or `ndjson`: every match, one record a line, without pages.", "ndjson"
        ),
    ]
]
Full = FromQuery[Annotated[str | None, _param("`true`: nest every related record.")]]
FullService = FromQuery[
    Annotated[str | None, _param("`true` (with `full`): each service with its related records.")]
]
Minimal = FromQuery[
    Annotated[str | None, _param("`true`: only each service's id, name, status and date.")]
]
ModifiedAfter = FromQuery[
    Annotated[
        str | None,
        _param(
            "Only records modified at or after this date-time (with its offset).",
            "2025-03-01T00:00:00Z",
        ),
    ]
]
OrganizationId = FromQuery[
    Annotated[str | None, _param("Only services of this organization (its id).", _ID)]
]
TermId = FromQuery[
    Annotated[str | None, _param("Only records tagged with this taxonomy term (its id).", _ID)]
]
TaxonomyId = FromQuery[
    Annotated[str | None, _param("Only records tagged with a term of this taxonomy.", _ID)]
]
Postcode = FromQuery[
    Annotated[
        str | None,
        _param(
            "Only services at this ZIP code; with `proximity`, near its centre instead.", "75201"
        ),
    ]
]
Proximity = FromQuery[
    Annotated[
        str | None,
        _param("Metres from the centre of `postcode`'s ZIP area (needs `postcode`).", "5000"),
    ]
]
TopOnly = FromQuery[
    Annotated[str | None, _param("`true`: only top-level terms (every term here is one).")]
]
ParentId = FromQuery[
    Annotated[str | None, _param("Only children of this term (no term here has a parent).", _ID)]
]


def _flag(name: str, value: str | None) -> bool:
    if value is None or value == "":
        return False
    text = value.strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidInput([{"name": name, "reason": "expected true or false"}])


def _ndjson(name: str, value: str | None) -> bool:
    if value in (None, "", "json"):
        return False
    if value == "ndjson":
        return True
    raise InvalidInput([{"name": name, "reason": "expected json or ndjson"}])


def _answer(
    records: Sequence[Any],
    shape: Callable[[Any], dict[str, Any]],
    *,
    query: directory.HsdsQuery,
    ndjson: bool,
) -> Response[Any]:
    if ndjson:

        def lines() -> Iterator[bytes]:
            for record in records:
                yield (json.dumps(shape(record), ensure_ascii=False) + "\n").encode()

        return Stream(lines, media_type=hsds.NDJSON_MEDIA_TYPE)
    chunk, envelope = directory.page_of(records, page=query.page, per_page=query.per_page)
    body = envelope | {"contents": [shape(record) for record in chunk]}
    return cacheable_json(json.dumps(body, ensure_ascii=False).encode())


def _one(record: dict[str, Any]) -> Response[Any]:
    return cacheable_json(json.dumps(record, ensure_ascii=False).encode())


@get(
    "/hsds/",
    tags=["hsds"],
    summary="About this HSDS API: version, profile, OpenAPI document and publisher",
    description=(
        "`openapi_url` and the publisher's `url` are under `PUENTE_PUBLIC_URL`, never the "
        "request's `Host`; without that setting they are left out."
    ),
    sync_to_thread=False,
)
def hsds_root(settings: NamedDependency[Settings]) -> dict[str, Any]:
    base = settings.public_base
    about: dict[str, Any] = {"version": hsds.VERSION, "profile": PROFILE}
    publisher: dict[str, Any] = {"name": "Puente"}
    if base is not None:
        about["openapi_url"] = f"{base}/schema/openapi.json"
        publisher["url"] = f"{base}/"
    return about | {"publisher": publisher}


def provide_service_query(
    search: Search = None,
    taxonomy_term_id: TermId = None,
    taxonomy_id: TaxonomyId = None,
    organization_id: OrganizationId = None,
    modified_after: ModifiedAfter = None,
    postcode: Postcode = None,
    proximity: Proximity = None,
    page: PageNumber = None,
    per_page: PerPage = None,
) -> directory.HsdsQuery:
    """The filters of services and service_at_locations, read once (400 naming each bad one)."""
    return directory.hsds_query_from_params(
        search=search,
        modified_after=modified_after,
        organization_id=organization_id,
        taxonomy_term_id=taxonomy_term_id,
        taxonomy_id=taxonomy_id,
        postcode=postcode,
        proximity=proximity,
        page=page,
        per_page=per_page,
    )


SERVICE_QUERY = Provide(provide_service_query, sync_to_thread=False)


@get(
    "/hsds/services",
    tags=["hsds"],
    summary="Services: every resource, whatever its status (retired ones as defunct)",
    dependencies={"service_query": SERVICE_QUERY},
    sync_to_thread=True,
)
def list_services(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    service_query: NamedDependency[directory.HsdsQuery],
    format: Format = None,
    minimal: Minimal = None,
    full: Full = None,
) -> Response[Any]:
    nested, brief, ndjson = (
        _flag("full", full),
        _flag("minimal", minimal),
        _ndjson("format", format),
    )
    listing = directory.list_services(
        db_session, service_query, now=datetime.now(UTC), settings=settings
    )
    encoder = listing.encoder

    def shape(resource: Any) -> dict[str, Any]:
        if brief:
            record = encoder.service(resource, full=False)
            return {key: record[key] for key in ("id", "name", "status", "last_modified")}
        return encoder.service(resource, full=nested)

    return _answer(listing.resources, shape, query=service_query, ndjson=ndjson)


@get(
    "/hsds/services/{service_id:str}",
    tags=["hsds"],
    summary="One service with every related record",
    sync_to_thread=True,
)
def get_service(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    service_id: RecordId,
) -> Response[Any]:
    resource, encoder = directory.find_service(
        db_session, service_id, now=datetime.now(UTC), settings=settings
    )
    return _one(encoder.service(resource))


@get(
    "/hsds/service_at_locations",
    tags=["hsds"],
    summary="Each service at its location, filtered by ZIP code and distance",
    dependencies={"service_query": SERVICE_QUERY},
    sync_to_thread=True,
)
def list_service_at_locations(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    service_query: NamedDependency[directory.HsdsQuery],
    full: Full = None,
    format: Format = None,
) -> Response[Any]:
    nested, ndjson = _flag("full", full), _ndjson("format", format)
    listing = directory.list_services(
        db_session, service_query, now=datetime.now(UTC), settings=settings
    )
    encoder = listing.encoder
    return _answer(
        listing.resources,
        lambda resource: encoder.service_at_location(resource, full=nested),
        query=service_query,
        ndjson=ndjson,
    )


@get(
    "/hsds/service_at_locations/{service_at_location_id:str}",
    tags=["hsds"],
    summary="One service at its location, with its schedules and address",
    sync_to_thread=True,
)
def get_service_at_location(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    service_at_location_id: RecordId,
) -> Response[Any]:
    resource, encoder = directory.find_service(
        db_session,
        service_at_location_id,
        now=datetime.now(UTC),
        settings=settings,
        kind="service_at_location",
    )
    return _one(encoder.service_at_location(resource))


@get(
    "/hsds/organizations",
    tags=["hsds"],
    summary="Organizations, by name",
    sync_to_thread=True,
)
def list_organizations(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    search: Search = None,
    full_service: FullService = None,
    full: Full = None,
    page: PageNumber = None,
    per_page: PerPage = None,
    format: Format = None,
) -> Response[Any]:
    query = directory.hsds_query_from_params(search=search, page=page, per_page=per_page)
    nested, whole, ndjson = (
        _flag("full", full),
        _flag("full_service", full_service),
        _ndjson("format", format),
    )
    found = directory.list_organizations(
        db_session, query, now=datetime.now(UTC), settings=settings
    )

    def shape(organization: Any) -> dict[str, Any]:
        return _organization(found, organization, full=nested, full_service=whole)

    return _answer(found.organizations, shape, query=query, ndjson=ndjson)


def _organization(
    found: directory.Collection, organization: Any, *, full: bool, full_service: bool
) -> dict[str, Any]:
    if not full:
        return found.encoder.organization(organization, full=False)
    record = found.encoder.organization(
        organization, services=found.services.get(organization.id, [])
    )
    if not full_service and "services" in record:
        record["services"] = [
            {key: service[key] for key in ("id", "name", "status")}
            for service in record["services"]
        ]
    return record


@get(
    "/hsds/organizations/{organization_id:str}",
    tags=["hsds"],
    summary="One organization with its services",
    sync_to_thread=True,
)
def get_organization(
    db_session: NamedDependency[Session],
    settings: NamedDependency[Settings],
    organization_id: RecordId,
    full_service: FullService = None,
) -> Response[Any]:
    whole = _flag("full_service", full_service)
    found = directory.list_organizations(
        db_session, directory.HsdsQuery(), now=datetime.now(UTC), settings=settings
    )
    for organization in found.organizations:
        record = _organization(found, organization, full=True, full_service=whole)
        if record["id"] == organization_id:
            return _one(record)
    raise NotFound("organization", organization_id)


@get(
    "/hsds/taxonomies",
    tags=["hsds"],
    summary="The taxonomies Puente publishes: its categories and languages",
    sync_to_thread=False,
)
def list_taxonomies(
    search: Search = None,
    page: PageNumber = None,
    per_page: PerPage = None,
    format: Format = None,
) -> Response[Any]:
    query = directory.hsds_query_from_params(search=search, page=page, per_page=per_page)
    words = (query.search or "").casefold().split()
    found = [
        taxonomy
        for taxonomy in hsds.taxonomies()
        if all(word in f"{taxonomy['name']} {taxonomy['description']}".casefold() for word in words)
    ]
    return _answer(found, dict, query=query, ndjson=_ndjson("format", format))


@get(
    "/hsds/taxonomies/{taxonomy_id:str}",
    tags=["hsds"],
    summary="One taxonomy",
    sync_to_thread=False,
)
def get_taxonomy(taxonomy_id: RecordId) -> Response[Any]:
    for taxonomy in hsds.taxonomies():
        if taxonomy["id"] == taxonomy_id:
            return _one(taxonomy)
    raise NotFound("taxonomy", taxonomy_id)


@get(
    "/hsds/taxonomy_terms",
    tags=["hsds"],
    summary="Terms: every category, and every language a listing offers",
    sync_to_thread=True,
)
def list_taxonomy_terms(
    db_session: NamedDependency[Session],
    search: Search = None,
    page: PageNumber = None,
    per_page: PerPage = None,
    format: Format = None,
    taxonomy_id: TaxonomyId = None,
    top_only: TopOnly = None,
    parent_id: ParentId = None,
) -> Response[Any]:
    query = directory.hsds_query_from_params(search=search, page=page, per_page=per_page)
    _flag("top_only", top_only)
    terms = directory.list_taxonomy_terms(
        db_session, search=query.search, taxonomy_id=taxonomy_id or None
    )
    if parent_id:
        terms = []
    return _answer(terms, dict, query=query, ndjson=_ndjson("format", format))


@get(
    "/hsds/taxonomy_terms/{term_id:str}",
    tags=["hsds"],
    summary="One taxonomy term",
    sync_to_thread=True,
)
def get_taxonomy_term(db_session: NamedDependency[Session], term_id: RecordId) -> Response[Any]:
    for term in directory.list_taxonomy_terms(db_session):
        if term["id"] == term_id:
            return _one(term)
    raise NotFound("taxonomy_term", term_id)


ROUTES = [
    hsds_root,
    list_services,
    get_service,
    list_service_at_locations,
    get_service_at_location,
    list_organizations,
    get_organization,
    list_taxonomies,
    get_taxonomy,
    list_taxonomy_terms,
    get_taxonomy_term,
]
