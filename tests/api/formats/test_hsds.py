"""The HSDS encoder: records that omit what they lack, stable ids, taxonomy terms, schedules
in the region's zone, confidential places without addresses, and every record valid against
the official strict schemas on generated data with every field set."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.db.models import Category, OrganizationKind, ResourceStatus, Support
from api.directory.schemas import LanguagePublic, OrganizationPublic, OrganizationSummary
from api.formats import hsds
from api.formats.hsds import Encoder, hsds_id, services_chunks
from tests.api.formats.hsds_schemas import problems
from tests.api.formats.samples import location, resource

CHICAGO = ZoneInfo("America/Chicago")
WINTER = Encoder(zone=CHICAGO, today=date(2026, 1, 15))
SUMMER = Encoder(zone=CHICAGO, today=date(2026, 7, 15))

ORGANIZATION = OrganizationPublic(
    id=2,
    name="Ayuda Legal",
    description="Immigration legal services.",
    website="https://ayuda.example.org/",
    email="hola@ayuda.example.org",
    phone="+1 214-555-0199",
    kind=OrganizationKind.LEGAL_SERVICES,
    doj_recognized=True,
    updated_at=datetime(2025, 1, 1, tzinfo=UTC),
)


def every_field(**changes: object) -> object:
    """A resource with every field Puente has set."""
    values: dict[str, object] = {
        "services": "Asylum; DACA renewals",
        "website": "https://ayuda.example.org/clinic",
        "fees": "Free",
        "eligibility": "Dallas County residents",
        "hours": "Mo-Fr 09:00-17:00; Sa 10:00-14:00",
        "organization": OrganizationSummary(
            id=2,
            name="Ayuda Legal",
            website="https://ayuda.example.org/",
            kind=OrganizationKind.LEGAL_SERVICES,
        ),
    }
    return resource(**(values | changes))


def test_a_service_nests_its_organization_location_and_languages() -> None:
    [item] = json.loads("".join(services_chunks([resource()], encoder=WINTER)))
    assert uuid.UUID(item["id"]) and item["id"] == hsds_id("resource", 7)
    assert item["name"] == 'Clínica Legal, "Asesoría"'
    assert item["status"] == "active"
    assert item["organization"]["name"] == "Ayuda Legal"
    assert item["organization_id"] == item["organization"]["id"]
    [at] = item["service_at_locations"]
    assert at["location"]["latitude"] == 32.7767 and at["location"]["longitude"] == -96.797
    [address] = at["location"]["addresses"]
    assert (address["address_1"], address["postal_code"]) == ("400 S Ervay St", "75201")
    assert [(lang["code"], lang["note"]) for lang in item["languages"]] == [
        ("vi", "interpreter"),
        ("es", "staff"),
    ]
    assert item["interpretation_services"] == "Interpreters: Vietnamese"
    assert item["assured_date"] == "2025-02-20"


def test_missing_fields_are_left_out_not_null() -> None:
    bare = resource(
        description=None, phone=None, email=None, hours=None, verified_at=None, source_url=None
    )
    item = WINTER.service(bare.model_copy(update={"organization": None, "languages": []}))
    text = json.dumps(item)
    assert "null" not in text and "[]" not in text
    assert not {"description", "email", "phones", "organization", "assured_date"} & set(item)


def test_identifiers_are_stable_distinct_and_kept_from_an_import() -> None:
    first, second = WINTER.service(resource()), WINTER.service(resource())
    assert first["id"] == second["id"]
    assert WINTER.service(resource(id=8))["id"] != first["id"]
    assert hsds_id("location", 7) != hsds_id("resource", 7)
    partner = "0d9a0e76-7d3e-4f0a-9d0b-2c6d3f1f1a11"
    assert WINTER.service(resource(external_id=partner))["id"] == partner


def test_category_and_languages_are_taxonomy_terms() -> None:
    item = WINTER.service(resource())
    terms = {a["taxonomy_term"]["code"]: a for a in item["attributes"] if "taxonomy_term" in a}
    assert set(terms) == {"legal_aid", "vi", "es"}
    assert terms["legal_aid"]["taxonomy_term_id"] == hsds.category_term(Category.LEGAL_AID)["id"]
    assert terms["vi"]["value"] == "interpreter"
    taxonomy_ids = {t["id"] for t in hsds.taxonomies()}
    assert {a["taxonomy_term"]["taxonomy_id"] for a in terms.values()} == taxonomy_ids


@pytest.mark.parametrize(
    ("encoder", "offset", "valid"),
    [
        (WINTER, "-06:00", ("2025-11-02", "2026-03-07")),
        (SUMMER, "-05:00", ("2026-03-08", "2026-10-31")),
    ],
)
def test_weekly_hours_become_schedules_in_the_regions_offset(
    encoder: Encoder, offset: str, valid: tuple[str, str]
) -> None:
    item = encoder.service(resource(hours="Mo-Fr 09:00-17:00; Sa 10:00-14:00; Su 22:00-24:00"))
    schedules = item["service_at_locations"][0]["schedules"]
    found = {(s["byday"], s["opens_at"], s["closes_at"]) for s in schedules}
    assert found == {
        ("MO,TU,WE,TH,FR", "09:00" + offset, "17:00" + offset),
        ("SA", "10:00" + offset, "14:00" + offset),
        ("SU", "22:00" + offset, "23:59" + offset),
    }
    assert {(s["valid_from"], s["valid_to"]) for s in schedules} == {valid}
    assert all(s["freq"] == "WEEKLY" and "America/Chicago" in s["notes"] for s in schedules)


def test_a_zone_without_daylight_saving_has_no_validity_bounds() -> None:
    utc = Encoder(zone=ZoneInfo("UTC"), today=date(2026, 1, 15))
    [schedule] = utc.service(resource())["service_at_locations"][0]["schedules"]
    assert schedule["opens_at"] == "09:00+00:00" and schedule["timezone"] == 0
    assert "valid_from" not in schedule and "valid_to" not in schedule


def test_a_confidential_location_keeps_its_area_and_no_address_or_name() -> None:
    hidden = location(confidential=True, address=None, name="Safe house")
    item = WINTER.service(resource(location=hidden, status=ResourceStatus.TEMPORARILY_CLOSED))
    place = item["service_at_locations"][0]["location"]
    assert "addresses" not in place and "name" not in place
    assert place["description"] == "Address withheld; shown at the centre of ZIP 75201."
    assert "Safe house" not in json.dumps(item)
    assert item["status"] == "temporarily closed"


def test_closed_and_retired_services_carry_their_status() -> None:
    retired = Encoder(zone=CHICAGO, today=date(2026, 1, 15), retired=frozenset({8}))
    assert retired.service(resource(id=8))["status"] == "defunct"
    assert retired.service(resource(status=ResourceStatus.INACTIVE))["status"] == "inactive"


def test_an_organization_with_every_field_validates() -> None:
    encoder = Encoder(zone=CHICAGO, today=date(2026, 1, 15), organizations={2: ORGANIZATION})
    record = encoder.organization(ORGANIZATION, services=[every_field()])
    assert record["description"] == "Immigration legal services."
    assert record["phones"][0]["number"] == "+1 214-555-0199"
    assert problems("organization", record) == []
    assert problems("organization_list", encoder.organization(ORGANIZATION, full=False)) == []


texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=texts,
    description=texts,
    services=texts,
    fees=texts,
    eligibility=texts,
    hours=st.sampled_from(["Mo-Fr 09:00-17:00", "Tu,Th 18:00-21:00; Su 22:00-24:00", "By appt"]),
    category=st.sampled_from(list(Category)),
    status=st.sampled_from(list(ResourceStatus)),
    confidential=st.booleans(),
    supports=st.lists(st.sampled_from(list(Support)), min_size=1, max_size=3),
    retired=st.booleans(),
)
def test_every_record_with_every_field_set_validates(
    name: str,
    description: str,
    services: str,
    fees: str,
    eligibility: str,
    hours: str,
    category: Category,
    status: ResourceStatus,
    confidential: bool,
    supports: list[Support],
    retired: bool,
) -> None:
    codes = ["es", "vi", "ar"]
    item = every_field(
        name=name,
        description=description,
        services=services,
        fees=fees,
        eligibility=eligibility,
        hours=hours,
        category=category,
        status=status,
        location=location(confidential=confidential, address=None if confidential else "1 Main"),
        languages=[
            LanguagePublic(code=code, name=code, support=support)
            for code, support in zip(codes, supports, strict=False)
        ],
    )
    encoder = Encoder(
        zone=CHICAGO,
        today=date(2026, 3, 8),
        organizations={2: ORGANIZATION},
        retired=frozenset({7} if retired else ()),
    )
    assert problems("service", encoder.service(item)) == []
    assert problems("service_list", encoder.service(item, full=False)) == []
    assert problems("service_at_location", encoder.service_at_location(item)) == []
    assert problems("service_at_location_list", encoder.service_at_location(item, full=False)) == []
    for term in [hsds.category_term(category), hsds.language_term("vi")]:
        assert problems("taxonomy_term", term) == []
    for taxonomy in hsds.taxonomies():
        assert problems("taxonomy", taxonomy) == []
