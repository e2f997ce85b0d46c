"""The per-entity writers called directly, as the staff console calls them (no HTTP)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from api.db.models import AuditEntry, Event, Organization, Resource
from api.directory.schemas import (
    EventCreate,
    EventUpdate,
    LocationCreate,
    OrganizationCreate,
    OrganizationUpdate,
    ResourceCreate,
    ResourceUpdate,
)
from api.errors import NotFound, StaleWrite, Unprocessable
from api.settings import Settings
from api.writes import Writer

NOW = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def writer(session: Session, settings: Settings, actor: str = "ana") -> Writer:
    return Writer(session=session, settings=settings, actor=actor, now=NOW)


def rows(engine: Engine, model: type[object]) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_a_read_answers_the_same_bytes_and_tag_as_the_write(
    session: Session, settings: Settings
) -> None:
    organizations = writer(session, settings).organizations
    created = organizations.create(OrganizationCreate(name="Ayuda Legal"))
    read = organizations.read(created.id)
    assert (read.body, read.etag) == (created.body, created.etag)
    assert json.loads(read.body)["name"] == "Ayuda Legal"


def test_each_kind_of_record_goes_through_its_own_writer(
    session: Session, settings: Settings, engine: Engine
) -> None:
    w = writer(session, settings)
    organization = w.organizations.create(OrganizationCreate(name="Ayuda Legal"))
    location = w.locations.create(
        LocationCreate(name="Hall", latitude=32.78, longitude=-96.8, city="Dallas")
    )
    resource = w.resources.create(
        ResourceCreate(
            name="Clinic",
            category="legal_aid",
            location_id=location.id,
            organization_id=organization.id,
        )
    )
    event = w.events.create(
        EventCreate(
            title="Meeting",
            starts_at=datetime(2030, 3, 1, 18, tzinfo=UTC),
            location_id=location.id,
            languages=["es"],
        )
    )
    session.commit()
    assert json.loads(resource.body)["organization"]["name"] == "Ayuda Legal"
    assert json.loads(event.body)["languages"] == ["es"]
    with Session(engine) as other:
        entries = other.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
    assert [(e.actor, e.action, e.entity) for e in entries] == [
        ("ana", "create", "organization"),
        ("ana", "create", "location"),
        ("ana", "create", "resource"),
        ("ana", "create", "event"),
    ]


def test_nothing_is_kept_until_the_caller_commits(
    session: Session, settings: Settings, engine: Engine
) -> None:
    writer(session, settings).organizations.create(OrganizationCreate(name="Ayuda Legal"))
    session.rollback()
    assert rows(engine, Organization) == rows(engine, AuditEntry) == 0


def test_a_stale_tag_is_refused_and_the_record_stays_as_it_was(
    session: Session, settings: Settings, engine: Engine
) -> None:
    organizations = writer(session, settings).organizations
    first = organizations.create(OrganizationCreate(name="Ayuda Legal"))
    second = organizations.update(first.id, OrganizationUpdate(phone="214-555-0100"), first.etag)
    session.commit()
    with pytest.raises(StaleWrite) as refused:
        organizations.update(first.id, OrganizationUpdate(phone="1"), first.etag)
    assert refused.value.current == second.etag
    session.rollback()
    assert json.loads(organizations.read(first.id).body)["phone"] == "214-555-0100"


def test_a_resource_update_answers_what_the_public_read_shows(
    session: Session, settings: Settings
) -> None:
    w = writer(session, settings)
    location = w.locations.create(LocationCreate(name="Hall", latitude=32.78, longitude=-96.8))
    created = w.resources.create(
        ResourceCreate(name="Clinic", category="legal_aid", location_id=location.id)
    )
    changed = w.resources.update(
        created.id,
        ResourceUpdate.model_validate({"languages": [{"code": "vi", "support": "interpreter"}]}),
        created.etag,
    )
    assert changed.etag != created.etag
    assert w.resources.read(created.id) == changed
    assert json.loads(changed.body)["languages"][0]["code"] == "vi"


def test_refused_parents_and_times_write_nothing(
    session: Session, settings: Settings, engine: Engine
) -> None:
    w = writer(session, settings)
    with pytest.raises(Unprocessable) as refused:
        w.resources.create(
            ResourceCreate(name="Clinic", category="legal_aid", location_id=99, organization_id=7)
        )
    assert [p["name"] for p in refused.value.params] == ["location_id", "organization_id"]
    location = w.locations.create(LocationCreate(name="Hall", latitude=32.78, longitude=-96.8))
    event = w.events.create(EventCreate(title="Meeting", starts_at=NOW, location_id=location.id))
    session.commit()
    with pytest.raises(Unprocessable) as refused:
        w.events.update(event.id, EventUpdate(ends_at=NOW), None)
    assert refused.value.params == [
        {"name": "ends_at", "in": "body", "reason": "ends_at must be after starts_at"}
    ]
    session.rollback()
    assert rows(engine, Resource) == 0
    assert rows(engine, Event) == 1


def test_a_retired_record_is_gone_for_every_verb(session: Session, settings: Settings) -> None:
    events = writer(session, settings).events
    location = writer(session, settings).locations.create(
        LocationCreate(name="Hall", latitude=32.78, longitude=-96.8)
    )
    event = events.create(EventCreate(title="Meeting", starts_at=NOW, location_id=location.id))
    events.retire(event.id, event.etag)
    for attempt in (
        lambda: events.read(event.id),
        lambda: events.update(event.id, EventUpdate(title="Again"), None),
        lambda: events.retire(event.id, None),
    ):
        with pytest.raises(NotFound):
            attempt()
