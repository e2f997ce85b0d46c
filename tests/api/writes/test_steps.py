"""The steps every write shares, each on its own: If-Match, control characters, nulls."""

from __future__ import annotations

import pytest

from api.db.models import Event, Organization
from api.directory.etags import etag_for
from api.directory.schemas import OrganizationUpdate, ResourceCreate
from api.errors import StaleWrite, Unprocessable
from api.writes import Written, check_if_match
from api.writes.steps import not_null, plain_text

CURRENT = etag_for(b'{"id": 1}')


@pytest.mark.parametrize(
    "if_match",
    [None, "*", CURRENT, f'"other", {CURRENT}', f"W/{CURRENT}", CURRENT[:-1] + '-gzip"'],
)
def test_if_match_absent_any_or_naming_the_current_tag_lets_the_write_through(
    if_match: str | None,
) -> None:
    check_if_match(if_match, CURRENT)


@pytest.mark.parametrize("if_match", ['"stale"', "", '"other", W/"stale"'])
def test_a_stale_if_match_is_refused_with_the_current_tag(if_match: str) -> None:
    with pytest.raises(StaleWrite) as refused:
        check_if_match(if_match, CURRENT)
    assert refused.value.current == CURRENT


def test_written_carries_the_tag_of_exactly_its_body() -> None:
    written = Written.of(7, b'{"id": 7}')
    assert (written.id, written.body, written.etag) == (7, b'{"id": 7}', etag_for(b'{"id": 7}'))


def test_each_field_with_a_control_character_is_named() -> None:
    data = ResourceCreate.model_validate(
        {
            "name": "Clinic\x00",
            "category": "legal_aid",
            "location_id": 1,
            "description": "fine\ttabs\nand newlines",
            "languages": [{"code": "es"}],
            "hours": "Mo 09:00-12:00\x07",
        }
    )
    with pytest.raises(Unprocessable) as refused:
        plain_text(data)
    assert sorted(p["name"] for p in refused.value.params) == ["hours", "name"]


def test_plain_text_passes_what_is_only_text() -> None:
    plain_text(OrganizationUpdate(name="Ayuda Legal\tNorte", description="Line one\nline two"))


def test_nulls_are_refused_only_where_the_column_needs_a_value() -> None:
    problems = not_null(Organization, {"name": None, "phone": None, "unknown": None})
    assert problems == [{"name": "name", "in": "body", "reason": "may not be null"}]
    assert [p["name"] for p in not_null(Event, {"title": None, "ends_at": None})] == ["title"]
