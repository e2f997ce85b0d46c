"""Rows without coordinates go through geopy's real Nominatim client to a fake server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import Location, Precision, Resource
from api.settings import Settings
from seed.importer import import_sources
from tests.fake_geocoder import FakeNominatim
from tests.seed.conftest import resource, table


@pytest.fixture
def fake() -> Iterator[FakeNominatim]:
    with FakeNominatim() as server:
        yield server


@pytest.fixture
def nominatim(settings: Settings, fake: FakeNominatim) -> Settings:
    return replace(
        settings,
        geocoder="nominatim",
        geocoder_domain=fake.domain,
        geocoder_scheme="http",
        geocoder_user_agent="puente-tests",
        geocoder_min_delay_s=1.0,
        geocoder_timeout_s=0.5,
    )


def unplaced(external_id: str, address: str, **values: str) -> dict[str, str]:
    row = resource(
        external_id=external_id,
        name=f"Place {external_id}",
        address=address,
        postal_code="75215",
        latitude="",
        longitude="",
    )
    row.update(values)
    return row


def query(address: str) -> str:
    return f"{address}, Dallas, TX, 75215"


def test_match_no_match_429_and_timeout_are_reported_per_row(
    engine: Engine, nominatim: Settings, fake: FakeNominatim
) -> None:
    fake.answer(query("1400 S. Lamar St."), 32.7674, -96.7951, addresstype="building")
    fake.no_match(query("1 Nowhere Ln."))
    fake.fail(query("2 Busy Ave."), 429)
    fake.slow(query("3 Slow Rd."), 2.0)
    rows = [
        unplaced("found", "1400 S. Lamar St."),
        unplaced("missing", "1 Nowhere Ln."),
        unplaced("limited", "2 Busy Ave."),
        unplaced("slow", "3 Slow Rd."),
        resource(external_id="given", name="Given", address="5 Known St."),
    ]
    report = import_sources(engine, nominatim, [table("r.csv", rows)], partial=True)

    messages = {p.line: str(p) for p in report.problems}
    assert messages[3].startswith("r.csv:3: address: 1 Nowhere Ln., Dallas, TX, 75215: ")
    assert "no match" in messages[3]
    assert "rate limited" in messages[4] and "429" in messages[4]
    assert "timeout" in messages[5]
    assert report.counts["resources"].created == 2
    assert report.counts["resources"].rejected == 3
    assert not any("5 Known St" in q for q in fake.queries)  # given coordinates: never asked
    with Session(engine) as session:
        location = session.exec(
            select(Location)
            .join(Resource, Resource.location_id == Location.id)  # type: ignore[arg-type]
            .where(Resource.external_id == "found")
        ).one()
        assert (location.latitude, location.longitude) == (32.7674, -96.7951)
        assert location.geocode_precision == Precision.ROOFTOP
        given = session.exec(
            select(Location)
            .join(Resource, Resource.location_id == Location.id)  # type: ignore[arg-type]
            .where(Resource.external_id == "given")
        ).one()
        assert given.geocode_precision == Precision.PROVIDED


def test_second_import_asks_the_geocoder_nothing(
    engine: Engine, nominatim: Settings, fake: FakeNominatim
) -> None:
    fake.answer(query("1400 S. Lamar St."), 32.7674, -96.7951, addresstype="road")
    fake.no_match(query("1 Nowhere Ln."))
    rows = [unplaced("found", "1400 S. Lamar St."), unplaced("missing", "1 Nowhere Ln.")]
    first = import_sources(engine, nominatim, [table("r.csv", rows)], partial=True)
    assert first.counts["resources"].created == 1
    asked = fake.request_count
    assert asked == 2

    second = import_sources(engine, nominatim, [table("r.csv", rows)], partial=True)
    assert fake.request_count == asked
    assert second.counts["resources"].unchanged == 1
    assert [p.line for p in second.problems] == [3]  # the cached "no match" is still reported


def test_dry_run_fills_the_cache_but_writes_no_directory_data(
    engine: Engine, nominatim: Settings, fake: FakeNominatim
) -> None:
    fake.answer(query("1400 S. Lamar St."), 32.7674, -96.7951)
    rows = [unplaced("found", "1400 S. Lamar St.")]
    dry = import_sources(engine, nominatim, [table("r.csv", rows)], dry_run=True)
    assert dry.ok and not dry.written
    assert dry.counts["resources"].created == 1
    with Session(engine) as session:
        assert session.exec(select(Resource)).all() == []
    real = import_sources(engine, nominatim, [table("r.csv", rows)])
    assert real.written and real.counts["resources"].created == 1
    assert fake.request_count == 1


def test_offline_geocoder_places_rows_at_their_zip(engine: Engine, settings: Settings) -> None:
    rows = [unplaced("zip-only", "1400 S. Lamar St.")]
    report = import_sources(engine, settings, [table("r.csv", rows)])
    assert report.ok, [str(p) for p in report.problems]
    with Session(engine) as session:
        location = session.exec(select(Location)).one()
        assert location.geocode_precision == Precision.POSTAL_CODE
        assert 32.5 < location.latitude < 33.0


def test_offline_geocoder_without_a_zip_is_a_row_problem(
    engine: Engine, settings: Settings
) -> None:
    rows = [unplaced("no-zip", "1400 S. Lamar St.", postal_code="")]
    report = import_sources(engine, settings, [table("r.csv", rows)])
    assert not report.ok and not report.written
    assert str(report.problems[0]).startswith("r.csv:2: address: 1400 S. Lamar St., Dallas, TX: ")
    assert "postal_code" in report.problems[0].reason
