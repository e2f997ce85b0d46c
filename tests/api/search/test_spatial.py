"""Nearby search through the spatial index equals a scan of every row, on both databases.

The brute force here measures every resource from its public point (a confidential
location's area centre) with the same great-circle formula, keeps those within the radius,
and ranks by distance, then id. The generated data has exact ties (several resources at
one place), clusters, confidential locations, points beside the antimeridian and a pole;
queries come from inside and far outside the data, with and without a radius, at the 200 km
limit, at a radius equal to a row's own distance, and for pages beyond the last.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.db.models import Category, Resource
from api.geo.distance import great_circle_km
from api.search import ResourceQuery, iter_resources, place_resources, search_resources
from api.settings import Settings
from tests.api.search_data import NOW, Directory

CLUSTERS = [(32.78, -96.8), (32.9, -97.0), (-33.87, 151.2), (65.0, 179.95), (65.0, -179.95)]
CATEGORIES = ["legal_aid", "meeting_venue", "community_partner"]
LANGUAGES = ["es", "vi", "en", "ar"]


@dataclass(frozen=True)
class Row:
    id: int
    point: tuple[float, float]
    category: str
    languages: frozenset[str]


def build(engine: Engine) -> list[Row]:
    rng = random.Random(20261125)
    rows: list[Row] = []
    with Directory(engine) as directory:
        zips = [directory.area("zip", f"7520{n}", center=(32.7 + n / 50, -96.75)) for n in range(3)]
        district = directory.area("council_district", "5", center=(32.71, -96.71))
        places: list[tuple[float, float]] = []
        for n in range(70):
            if places and rng.random() < 0.2:
                latitude, longitude = rng.choice(places)  # an exact tie with an earlier place
            elif n % 17 == 0:
                latitude, longitude = 89.9, rng.uniform(-180, 180)
            else:
                centre = rng.choice(CLUSTERS)
                latitude = max(-90.0, min(90.0, centre[0] + rng.gauss(0, 0.6)))
                longitude = centre[1] + rng.gauss(0, 0.6)
                longitude = (longitude + 180) % 360 - 180
            places.append((latitude, longitude))
            confidential = n % 9 == 4
            areas = []
            if confidential and n % 3 == 0:
                areas = [district, rng.choice(zips)]
            elif confidential and n % 3 == 1:
                areas = [district]
            location = directory.location(
                latitude, longitude, areas=areas, confidential=confidential
            )
            for _ in range(rng.choice([1, 1, 2])):
                category = rng.choice(CATEGORIES)
                languages = frozenset(rng.sample(LANGUAGES, rng.randint(0, 2)))
                resource = directory.resource(
                    f"R{n}", location=location, category=category, languages=sorted(languages)
                )
                if not confidential:
                    point = (latitude, longitude)
                elif n % 3 == 0:
                    zip_area = next(a for a in areas if a.kind == "zip")
                    point = (zip_area.center_latitude, zip_area.center_longitude)
                elif n % 3 == 1:
                    point = (district.center_latitude, district.center_longitude)
                else:
                    point = (round(latitude, 2), round(longitude, 2))
                assert resource.id is not None
                rows.append(Row(resource.id, point, category, languages))
        directory.commit()
    return rows


def brute_force(rows: list[Row], query: ResourceQuery) -> list[tuple[int, float]]:
    assert query.near is not None
    found = []
    for row in rows:
        if query.categories and row.category not in query.categories:
            continue
        if query.languages and not row.languages & set(query.languages):
            continue
        distance = great_circle_km(*query.near, *row.point)
        if query.radius_km is not None and distance > query.radius_km:
            continue
        found.append((row.id, distance))
    return sorted(found, key=lambda hit: (hit[1], hit[0]))


@pytest.fixture
def dataset(engine: Engine) -> list[Row]:
    return build(engine)


def points(rows: list[Row]) -> st.SearchStrategy[tuple[float, float]]:
    near_data = st.tuples(st.sampled_from(CLUSTERS), st.floats(-1, 1), st.floats(-1, 1)).map(
        lambda t: (t[0][0] + t[1], (t[0][1] + t[2] + 180) % 360 - 180)
    )
    anywhere = st.tuples(st.floats(-90, 90), st.floats(-180, 180))
    on_a_row = st.sampled_from([row.point for row in rows])
    return st.one_of(near_data, anywhere, on_a_row, st.just((-45.0, -30.0)))


def check(session: Session, settings: Settings, rows: list[Row], query: ResourceQuery) -> None:
    expected = brute_force(rows, query)
    page = search_resources(session, query, now=NOW, settings=settings)
    start = query.offset
    window = expected[start : start + query.per_page]
    assert page.total == len(expected)
    assert [item.id for item in page.items] == [hit[0] for hit in window]
    assert [item.distance_km for item in page.items] == [round(hit[1], 2) for hit in window]


def test_ranked_by_distance_equals_brute_force(
    engine: Engine, settings: Settings, dataset: list[Row]
) -> None:
    radii = st.one_of(st.none(), st.floats(0.5, 200), st.just(200.0))

    @seed(4)
    @hypothesis_settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        near=points(dataset),
        radius=radii,
        per_page=st.integers(1, 12),
        page=st.integers(1, 12),
        categories=st.sets(st.sampled_from(CATEGORIES), max_size=2),
        languages=st.sets(st.sampled_from(LANGUAGES), max_size=2),
    )
    def run(
        near: tuple[float, float],
        radius: float | None,
        per_page: int,
        page: int,
        categories: set[str],
        languages: set[str],
    ) -> None:
        query = ResourceQuery(
            near=near,
            radius_km=radius,
            per_page=per_page,
            page=page,
            categories=tuple(Category(c) for c in sorted(categories)),
            languages=tuple(sorted(languages)),
        )
        with Session(engine) as session:
            check(session, settings, dataset, query)

    run()


def test_other_orders_within_a_radius_equal_brute_force(
    engine: Engine, settings: Settings, dataset: list[Row]
) -> None:
    """Sorted by name (here all "R<n>"), the radius still cuts by exact distance."""
    with Session(engine) as session:
        names = {i: name for i, name in session.execute(select(Resource.id, Resource.name))}
        for near in [(32.78, -96.8), (65.0, 179.99), (89.9, 10.0)]:
            query = ResourceQuery(near=near, radius_km=150, sort="name", per_page=100)
            expected = sorted(
                brute_force(dataset, query), key=lambda hit: (names[hit[0]].lower(), hit[0])
            )
            page = search_resources(session, query, now=NOW, settings=settings)
            assert [(item.id, item.distance_km) for item in page.items] == [
                (i, round(d, 2)) for i, d in expected
            ]


def test_a_radius_equal_to_a_rows_distance_includes_that_row(
    engine: Engine, settings: Settings, dataset: list[Row]
) -> None:
    near = (32.7, -96.7)
    distances = sorted(
        great_circle_km(*near, *row.point)
        for row in dataset
        if great_circle_km(*near, *row.point) <= 200
    )
    assert len(distances) > 5
    with Session(engine) as session:
        for radius in (distances[0], distances[len(distances) // 2], distances[-1], 200.0):
            check(
                session, settings, dataset, ResourceQuery(near=near, radius_km=radius, per_page=100)
            )


def test_pages_beyond_the_last_are_empty_but_keep_the_total(
    engine: Engine, settings: Settings, dataset: list[Row]
) -> None:
    with Session(engine) as session:
        page = search_resources(
            session,
            ResourceQuery(near=(0.0, 0.0), page=50, per_page=10),
            now=NOW,
            settings=settings,
        )
    assert page.items == []
    assert page.total == len(dataset)
    assert page.pages == -(-len(dataset) // 10)


def test_every_match_streams_in_order(
    engine: Engine, settings: Settings, dataset: list[Row]
) -> None:
    query = ResourceQuery(near=(-45.0, -30.0), per_page=3)
    with Session(engine) as session:
        streamed = [
            (item.id, item.distance_km)
            for item in iter_resources(session, query, now=NOW, settings=settings)
        ]
    assert streamed == [(i, round(d, 2)) for i, d in brute_force(dataset, query)]


def test_confidential_locations_show_their_area_not_their_place(
    engine: Engine, settings: Settings
) -> None:
    with Directory(engine) as directory:
        zip_area = directory.area("zip", "75217", center=(32.71, -96.68))
        district = directory.area("council_district", "5", center=(32.72, -96.66))
        shelter = directory.location(
            32.7234,
            -96.6543,
            areas=[district, zip_area],
            confidential=True,
            address="12 Hidden Lane",
            name="Safe House",
        )
        hidden = directory.resource("Shelter", location=shelter)
        only_district = directory.location(32.6111, -96.6222, areas=[district], confidential=True)
        second = directory.resource("Second", location=only_district)
        nowhere = directory.location(32.64567, -96.61234, confidential=True)
        third = directory.resource("Third", location=nowhere)
        directory.commit()
    with Session(engine) as session:
        page = search_resources(
            session, ResourceQuery(near=(32.71, -96.68)), now=NOW, settings=settings
        )
    shown = {item.id: item for item in page.items}
    first = shown[hidden.id].location
    assert (first.latitude, first.longitude) == (32.71, -96.68)
    assert first.address is None and first.name is None
    assert shown[hidden.id].distance_km == 0.0
    assert (shown[second.id].location.latitude, shown[second.id].location.longitude) == (
        32.72,
        -96.66,
    )
    assert (shown[third.id].location.latitude, shown[third.id].location.longitude) == (
        32.65,
        -96.61,
    )


@pytest.mark.parametrize(
    "query",
    [
        ResourceQuery(near=(32.78, -96.8), radius_km=80.0, per_page=3),
        ResourceQuery(languages=("es",)),
        ResourceQuery(near=(65.0, 179.9), sort="name"),
    ],
    ids=["near with a radius", "a language", "by name from a point"],
)
def test_map_places_are_every_match_in_order_at_its_public_point(
    engine: Engine, settings: Settings, dataset: list[Row], query: ResourceQuery
) -> None:
    with Session(engine) as session:
        placed = place_resources(session, query, now=NOW, settings=settings)
        published = list(iter_resources(session, query, now=NOW, settings=settings))
    assert len(placed) > 3
    assert [place.id for place in placed] == [item.id for item in published]
    shown = {row.id: row.point for row in dataset}
    assert [(place.latitude, place.longitude) for place in placed] == [
        shown[place.id] for place in placed
    ]
    assert [(place.category, place.name) for place in placed] == [
        (item.category.value, item.name) for item in published
    ]
