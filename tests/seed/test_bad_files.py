"""Bad files: each problem names file, line, column and value, and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from seed.readers import Source
from tests.seed.conftest import (
    EVENT_COLUMNS,
    RESOURCE_COLUMNS,
    Importer,
    directory_state,
    event,
    resource,
    table,
)


@pytest.fixture
def seeded(run_import: Importer) -> None:
    """A directory with one resource, so 'unchanged' means more than 'still empty'."""
    report = run_import(table("base.csv", [resource(external_id="base-1", name="Base")]))
    assert report.ok and report.written


def good(external_id: str = "clinic-1", **values: str) -> dict[str, str]:
    return resource(external_id=external_id, **values)


def test_broken_csv_quoting(seeded: None, run_import: Importer, engine: Engine) -> None:
    before = directory_state(engine)
    text = table("bad.csv", [good()]).data.decode() + 'clinic-2,legal_aid,"Clinic "B" Two",x\n'
    report = run_import(Source(name="bad.csv", data=text.encode()))
    assert not report.ok and not report.written
    assert str(report.problems[0]).startswith("bad.csv:3: ")
    assert "broken CSV quoting" in str(report.problems[0])
    assert directory_state(engine) == before


def test_bytes_that_are_not_utf8(seeded: None, run_import: Importer, engine: Engine) -> None:
    before = directory_state(engine)
    rows = [good(name="Clinica Norte"), good("clinic-2", name="Clínica Sur")]
    latin1 = table("bad.csv", rows).data.decode()
    report = run_import(Source(name="bad.csv", data=latin1.encode("latin-1")))
    assert [str(p) for p in report.problems] == [
        "bad.csv:3: -: b'\\xed': the file is not UTF-8 text; save it as UTF-8 (in Excel: CSV UTF-8)"
    ]
    assert directory_state(engine) == before


def test_missing_required_column(seeded: None, run_import: Importer, engine: Engine) -> None:
    before = directory_state(engine)
    columns = [c for c in RESOURCE_COLUMNS if c != "category"]
    report = run_import(table("bad.csv", [good()], columns))
    assert [str(p) for p in report.problems] == [
        'bad.csv:1: category: "": missing required column for resources'
    ]
    assert directory_state(engine) == before


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"latitude": "123"}, "bad.csv:3: latitude: 123: out of range: expected a number"),
        ({"category": "bakery"}, "bad.csv:3: category: bakery: unknown value: expected one of"),
        ({"languages": "es;xx"}, "bad.csv:3: languages: es;xx: unknown language 'xx'"),
        (
            {"external_id": "clinic-1"},
            "bad.csv:3: external_id: clinic-1: duplicate: already on bad.csv:2",
        ),
        ({"hours": "Mo-Fr 9 to 5"}, "bad.csv:3: hours: Mo-Fr 9 to 5: "),
        (
            {"website": "javascript:alert(1)"},
            "bad.csv:3: website: javascript:alert(1): expected a web",
        ),
    ],
    ids=["latitude", "category", "language", "duplicate-id", "hours", "website"],
)
def test_bad_cell(
    seeded: None,
    run_import: Importer,
    engine: Engine,
    cells: dict[str, str],
    expected: str,
) -> None:
    before = directory_state(engine)
    second = good(
        "clinic-2",
        name="Clínica Sur",
        address="200 Elm St.",
        **{k: v for k, v in cells.items() if k != "external_id"},
    )
    if "external_id" in cells:
        second["external_id"] = cells["external_id"]
    report = run_import(table("bad.csv", [good(), second]))
    assert not report.ok and not report.written
    assert len(report.problems) == 1
    assert str(report.problems[0]).startswith(expected)
    assert report.counts["resources"].rejected == 1
    assert directory_state(engine) == before


def test_event_ending_before_it_starts(seeded: None, run_import: Importer, engine: Engine) -> None:
    before = directory_state(engine)
    events = table(
        "events.csv",
        [event(starts_at="2025-02-12T19:30:00-06:00", ends_at="2025-02-12T18:00:00-06:00")],
        EVENT_COLUMNS,
    )
    report = run_import(table("resources.csv", [good()]), events)
    assert [str(p) for p in report.problems] == [
        "events.csv:2: ends_at: 2025-02-12T18:00:00-06:00: the event ends before (or when) "
        "it starts"
    ]
    assert directory_state(engine) == before


def test_venue_that_matches_nothing(seeded: None, run_import: Importer, engine: Engine) -> None:
    before = directory_state(engine)
    events = table(
        "events.csv",
        [event(), event(external_id="meeting-2", venue="999 Nowhere Rd., Dallas")],
        EVENT_COLUMNS,
    )
    report = run_import(table("resources.csv", [good()]), events)
    assert len(report.problems) == 1
    assert str(report.problems[0]).startswith(
        "events.csv:3: venue: 999 Nowhere Rd., Dallas: matches no resource or location"
    )
    assert report.counts["events"].created == 1  # the good meeting would have been written
    assert directory_state(engine) == before


def test_partial_writes_the_good_rows(seeded: None, run_import: Importer, engine: Engine) -> None:
    report = run_import(
        table("mixed.csv", [good(), good("clinic-2", name="Sur", latitude="123")]), partial=True
    )
    assert report.written and not report.ok
    assert report.counts["resources"].created == 1
    assert report.counts["resources"].rejected == 1
    assert [p.line for p in report.problems] == [3]
    again = run_import(table("good.csv", [good()]))
    assert again.counts["resources"].unchanged == 1


def test_event_at_a_refused_venue_names_the_venue_row(run_import: Importer, engine: Engine) -> None:
    before = directory_state(engine)
    report = run_import(
        table("resources.csv", [good(category="bakery")]),
        table("events.csv", [event()], EVENT_COLUMNS),
    )
    assert [str(p) for p in report.problems][1:] == [
        "events.csv:2: venue: clinic-1: its resource (resources.csv:2) was refused"
    ]
    assert directory_state(engine) == before


def test_rows_at_one_address_must_agree_on_its_point(run_import: Importer, engine: Engine) -> None:
    before = directory_state(engine)
    rows = [
        good("a", name="Clinic A"),
        good("b", name="Clinic B", latitude="32.9"),  # same street address, other point
    ]
    report = run_import(table("bad.csv", rows))
    assert [str(p) for p in report.problems] == [
        "bad.csv:3: latitude: 32.9: the same address has 32.7876 on bad.csv:2; "
        "rows at one address share one location"
    ]
    assert directory_state(engine) == before
