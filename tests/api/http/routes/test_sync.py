"""Incremental sync: a partner's mirror that re-reads with ``updated_since`` and
``include_retired`` after each batch of staff writes holds exactly the current directory.

The writes go through the staff write path (``api.writes.Writer``) with a clock that moves
a second per batch, so writes inside a batch share their moment (ties the order must break
stably). The mirror pages through the public API with a small page and keeps the newest
``updated_at`` it has read as its next ``updated_since`` (inclusive).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from api.app import create_app
from api.db.models import Category, EventStatus, ResourceStatus
from api.directory.schemas import (
    EventCreate,
    EventUpdate,
    LocationCreate,
    LocationUpdate,
    OrganizationCreate,
    OrganizationUpdate,
    ResourceCreate,
    ResourceUpdate,
)
from api.errors import NotFound
from api.http.middleware.protection import Limits
from api.settings import Settings
from api.writes import Writer

EVERY_STATUS = ",".join(s.value for s in ResourceStatus)
VOLATILE = {"open_now", "next_event", "distance_km"}
"""Fields that follow the clock, not the records: read fresh, never synced."""
FAR_PAST = "1900-01-01"

Op = tuple[str, int, int]
"""(what, which record, a number to vary the values with)."""

ops = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "create",
                "create",
                "update_resource",
                "update_location",
                "update_organization",
                "retire_resource",
                "retire_location",
                "retire_organization",
                "create_event",
                "update_event",
                "retire_event",
            ]
        ),
        st.integers(0, 30),
        st.integers(0, 1000),
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Litestar]]:
    """A client that pages a lot: a mirror's reads are not rate limited here."""
    limits = replace(Limits(), reads=("minute", 1_000_000))
    with TestClient(create_app(settings, limits=limits)) as client:
        yield client


class Mirror:
    """A partner's copy of one list endpoint, kept by ``updated_since`` syncs."""

    def __init__(self, client: TestClient[Litestar], path: str, params: dict[str, str]) -> None:
        self.client, self.path, self.params = client, path, params
        self.items: dict[int, dict[str, Any]] = {}
        self.since: str | None = None

    def sync(self) -> None:
        params = {**self.params, "include_retired": "true", "per_page": "3"}
        if self.since is not None:
            params["updated_since"] = self.since
        newest = self.since
        page, pages = 1, 1
        previous: str | None = None
        while page <= pages:
            answer = self.client.get(self.path, params={**params, "page": str(page)})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            pages = body["pages"]
            for item in body["items"]:
                stamp = item["updated_at"]
                assert previous is None or _moment(stamp) <= _moment(previous), "latest first"
                previous = stamp
                if newest is None or _moment(stamp) > _moment(newest):
                    newest = stamp
                if item.get("status") == "retired" and set(item) == {"id", "status", "updated_at"}:
                    self.items.pop(item["id"], None)
                else:
                    self.items[item["id"]] = _steady(item)
            page += 1
        self.since = newest


def _moment(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _steady(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key not in VOLATILE}


def current(client: TestClient[Litestar], path: str, params: dict[str, str]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    page, pages = 1, 1
    while page <= pages:
        body = client.get(path, params={**params, "per_page": "100", "page": str(page)}).json()
        pages = body["pages"]
        found.update((item["id"], _steady(item)) for item in body["items"])
        page += 1
    return found


class Staff:
    """Applies random operations through ``Writer``, remembering the ids it made."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings
        self.clock = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
        self.resources: list[int] = []
        self.locations: list[int] = []
        self.organizations: list[int] = []
        self.events: list[int] = []

    def batch(self, operations: list[Op]) -> None:
        self.clock += timedelta(seconds=1)
        with Session(self.engine) as session:
            writer = Writer(session=session, settings=self.settings, actor="sync", now=self.clock)
            for what, which, number in operations:
                # A listing at a retired place can no longer be read back: nothing to do.
                with suppress(NotFound):
                    self._apply(writer, what, which, number)
            session.commit()

    def _apply(self, w: Writer, what: str, which: int, number: int) -> None:
        def pick(ids: list[int]) -> int | None:
            return ids[which % len(ids)] if ids else None

        if what == "create" or (what.startswith("update") and not self.resources):
            if number % 3 == 0 or not self.organizations:
                organization = w.organizations.create(OrganizationCreate(name=f"Org {number}"))
                self.organizations.append(organization.id)
            location = w.locations.create(
                LocationCreate(
                    name=f"Place {number}",
                    latitude=32.6 + (number % 50) / 100,
                    longitude=-96.9 + (number % 37) / 100,
                    city="Dallas",
                    confidential=number % 5 == 0,
                )
            )
            self.locations.append(location.id)
            resource = w.resources.create(
                ResourceCreate(
                    name=f"Listing {number}",
                    category=list(Category)[number % len(Category)],
                    location_id=location.id,
                    organization_id=pick(self.organizations),
                    languages=[{"code": "es", "support": "staff"}] if number % 2 else [],
                )
            )
            self.resources.append(resource.id)
            return
        if what == "update_resource" and (resource_id := pick(self.resources)):
            statuses = list(ResourceStatus)
            w.resources.update(
                resource_id,
                ResourceUpdate(
                    name=f"Renamed {number}",
                    status=statuses[number % len(statuses)],
                    languages=[{"code": "vi", "support": "interpreter"}] if number % 2 else [],
                ),
                None,
            )
        elif what == "update_location" and (location_id := pick(self.locations)):
            w.locations.update(
                location_id,
                LocationUpdate(
                    latitude=32.5 + number / 2000, longitude=-96.7, name=f"Moved {number}"
                ),
                None,
            )
        elif what == "update_organization" and (organization_id := pick(self.organizations)):
            w.organizations.update(
                organization_id, OrganizationUpdate(name=f"Org renamed {number}"), None
            )
        elif what == "retire_resource" and (resource_id := pick(self.resources)):
            self.resources.remove(resource_id)
            w.resources.retire(resource_id, None)
        elif what == "retire_location" and (location_id := pick(self.locations)):
            self.locations.remove(location_id)
            w.locations.retire(location_id, None)
        elif what == "retire_organization" and (organization_id := pick(self.organizations)):
            self.organizations.remove(organization_id)
            w.organizations.retire(organization_id, None)
        elif what == "create_event" and (location_id := pick(self.locations)):
            event = w.events.create(
                EventCreate(
                    title=f"Meeting {number}",
                    starts_at=datetime(2030, 1, 1, tzinfo=UTC) + timedelta(hours=number),
                    location_id=location_id,
                    organization_id=pick(self.organizations),
                )
            )
            self.events.append(event.id)
        elif what == "update_event" and (event_id := pick(self.events)):
            statuses = list(EventStatus)
            w.events.update(
                event_id,
                EventUpdate(title=f"Moved meeting {number}", status=statuses[number % 3]),
                None,
            )
        elif what == "retire_event" and (event_id := pick(self.events)):
            self.events.remove(event_id)
            w.events.retire(event_id, None)


def test_a_mirror_following_updated_since_rebuilds_the_directory(
    client: TestClient[Litestar], engine: Engine, settings: Settings
) -> None:
    staff = Staff(engine, settings)
    resources = ("/api/v1/resources", {"status": EVERY_STATUS})
    events = ("/api/v1/events", {"from": FAR_PAST})
    checked = {"resources": 0, "events": 0, "tombstones": 0}

    @seed(13)
    @hypothesis_settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(batches=st.lists(ops, min_size=1, max_size=5))
    def run(batches: list[list[Op]]) -> None:
        mirrors = [Mirror(client, *resources), Mirror(client, *events)]
        for mirror in mirrors:
            mirror.sync()  # a first, full read of whatever earlier examples left
        for operations in batches:
            staff.batch(operations)
            for mirror, (path, params) in zip(mirrors, (resources, events), strict=True):
                mirror.sync()
                assert mirror.items == current(client, path, params)
        checked["resources"] += len(mirrors[0].items)
        checked["events"] += len(mirrors[1].items)

    run()
    retired = client.get(
        "/api/v1/resources", params={"include_retired": "true", "per_page": "100"}
    ).json()["items"]
    checked["tombstones"] = sum(item.get("status") == "retired" for item in retired)
    assert all(checked.values()), checked


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2026-01-01", "2026-01-01T00:00:00", "2026-02-30T00:00:00Z", "0001-01-01T00:00Z"],
)
@pytest.mark.parametrize("path", ["/api/v1/resources", "/api/v1/events", "/api/v1/resources.csv"])
def test_a_bad_updated_since_is_a_400_naming_it(
    client: TestClient[Litestar], path: str, value: str
) -> None:
    answer = client.get(path, params={"updated_since": value})
    assert answer.status_code == 400
    [param] = answer.json()["invalid_params"]
    assert param["name"] == "updated_since"
    assert "RFC 3339" in param["reason"] or "year from 1900" in param["reason"]


def test_tombstones_say_only_which_listing_and_when(
    client: TestClient[Litestar], engine: Engine, settings: Settings
) -> None:
    staff = Staff(engine, settings)
    staff.batch([("create", 0, 5), ("create", 0, 6), ("create_event", 0, 1)])
    before = staff.clock
    staff.batch([("retire_resource", 0, 0), ("retire_event", 0, 0)])
    since = (before + timedelta(microseconds=1)).isoformat()
    for path, window in (("/api/v1/resources", {}), ("/api/v1/events", {"from": FAR_PAST})):
        plain = client.get(path, params={"updated_since": since, **window}).json()
        assert plain["items"] == [], path  # only live listings without include_retired
        synced = client.get(
            path, params={"updated_since": since, "include_retired": "true", **window}
        ).json()
        [tombstone] = synced["items"]
        assert tombstone.keys() == {"id", "status", "updated_at"}
        assert tombstone["status"] == "retired"
        assert _moment(tombstone["updated_at"]) == staff.clock
    feed = client.get("/api/v1/resources.geojson", params={"include_retired": "true"}).json()
    tombs = [f for f in feed["features"] if f["geometry"] is None]
    assert [f["properties"].keys() for f in tombs] == [{"id", "status", "updated_at"}]
    assert len(feed["features"]) == 2


def test_tombstones_cannot_be_ranked_by_distance_or_opening_hours(
    client: TestClient[Litestar],
) -> None:
    for params in (
        {"near": "32.78,-96.8"},
        {"open_now": "true"},
        {"sort": "name"},
    ):
        answer = client.get("/api/v1/resources", params={"include_retired": "true", **params})
        assert answer.status_code == 400, params
        assert [p["name"] for p in answer.json()["invalid_params"]] == ["include_retired"]
    csv_feed = client.get("/api/v1/resources.csv", params={"include_retired": "true"})
    assert csv_feed.status_code == 400  # the import format has no tombstone row


def test_updated_since_narrows_every_resource_feed(
    client: TestClient[Litestar], engine: Engine, settings: Settings
) -> None:
    staff = Staff(engine, settings)
    staff.batch([("create", 0, 1)])
    first = staff.clock
    staff.batch([("create", 0, 2)])
    since = first + timedelta(milliseconds=500)
    params = {"updated_since": since.isoformat()}
    listed = client.get("/api/v1/resources", params=params).json()["items"]
    assert [item["name"] for item in listed] == ["Listing 2"]
    feed = client.get("/api/v1/resources.geojson", params=params).json()["features"]
    assert [f["properties"]["name"] for f in feed] == ["Listing 2"]
    rows = client.get("/api/v1/resources.csv", params=params).text.splitlines()
    assert len(rows) == 2 and "Listing 2" in rows[1]
    everything = client.get("/api/v1/resources.csv").text.splitlines()
    assert len(everything) == 3
