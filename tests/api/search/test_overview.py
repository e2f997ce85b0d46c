"""One search for a map page answers exactly what the separate searches answer.

``overview`` filters the candidates of one ranking (language, category and area left out)
in Python; each part of its answer is compared with the function a client would call on its
own — ``search_resources`` for the page, ``facet_counts`` for each facet, ``place_resources``
for the map — over the spatial test data (ties, clusters, confidential places, a pole) on
both databases, and candidates gathered with a wider radius (or none) count the narrower
searches of the "wider search" hints exactly.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, seed
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.db.models import Category, Support
from api.search import (
    ResourceQuery,
    facet_counts,
    gather,
    overview,
    place_resources,
    search_resources,
)
from api.settings import Settings
from tests.api.search.test_spatial import CATEGORIES, CLUSTERS, LANGUAGES, Row, build, points
from tests.api.search_data import NOW, Directory

AREAS = [("zip", "75200"), ("zip", "75201"), ("council_district", "5")]


@pytest.fixture
def dataset(engine: Engine) -> list[Row]:
    return build(engine)


def check(session: Session, settings: Settings, query: ResourceQuery) -> None:
    found = overview(session, query, now=NOW, settings=settings)
    assert found.page == search_resources(session, query, now=NOW, settings=settings)
    for facet in ("language", "category", "area"):
        assert found.facets[facet] == facet_counts(
            session, query, facet, now=NOW, settings=settings
        ), facet
    assert found.places == place_resources(session, query, now=NOW, settings=settings)


@pytest.mark.parametrize(
    "query",
    [
        ResourceQuery(),
        ResourceQuery(per_page=7, page=3),
        ResourceQuery(languages=("es", "vi"), categories=(Category.LEGAL_AID,)),
        ResourceQuery(areas=(AREAS[2],), languages=("es",)),
        ResourceQuery(near=CLUSTERS[0], radius_km=60.0, areas=(AREAS[0], AREAS[2])),
        ResourceQuery(near=CLUSTERS[0], languages=("ar",), per_page=5, page=2),
        ResourceQuery(near=(65.0, 179.9), sort="name", categories=(Category.MEETING_VENUE,)),
        ResourceQuery(near=CLUSTERS[1], radius_km=200.0, language_support=(Support.STAFF,)),
        ResourceQuery(near=CLUSTERS[1], page=40),
    ],
    ids=[
        "everything",
        "a later page",
        "language and category",
        "an area",
        "near with a radius and areas",
        "nearest first",
        "by name from a point",
        "a language support",
        "a page beyond the last",
    ],
)
def test_the_overview_equals_each_search_alone(
    engine: Engine, settings: Settings, dataset: list[Row], query: ResourceQuery
) -> None:
    with Session(engine) as session:
        check(session, settings, query)


def test_any_filters_and_point_equal_each_search_alone(
    engine: Engine, settings: Settings, dataset: list[Row]
) -> None:
    @seed(10)
    @hypothesis_settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        near=st.one_of(st.none(), points(dataset)),
        radius=st.one_of(st.none(), st.floats(0.5, 200)),
        page=st.integers(1, 4),
        categories=st.sets(st.sampled_from(CATEGORIES), max_size=2),
        languages=st.sets(st.sampled_from(LANGUAGES), max_size=2),
        areas=st.sets(st.sampled_from(AREAS), max_size=2),
    )
    def run(
        near: tuple[float, float] | None,
        radius: float | None,
        page: int,
        categories: set[str],
        languages: set[str],
        areas: set[tuple[str, str]],
    ) -> None:
        query = ResourceQuery(
            near=near,
            radius_km=radius if near is not None else None,
            page=page,
            per_page=6,
            categories=tuple(Category(c) for c in sorted(categories)),
            languages=tuple(sorted(languages)),
            areas=tuple(sorted(areas)),
        )
        with Session(engine) as session:
            check(session, settings, query)

    run()


@pytest.mark.parametrize("wider_radius", [None, 120.0])
def test_wider_candidates_count_each_narrower_search(
    engine: Engine, settings: Settings, dataset: list[Row], wider_radius: float | None
) -> None:
    query = ResourceQuery(
        near=CLUSTERS[0],
        radius_km=25.0,
        languages=("vi",),
        categories=(Category.COMMUNITY_PARTNER,),
        areas=(AREAS[2],),
    )
    narrower = [
        query,
        replace(query, areas=()),
        replace(query, languages=()),
        replace(query, categories=()),
        replace(query, radius_km=60.0),
        replace(query, languages=(), categories=(), areas=()),
        replace(query, radius_km=wider_radius),
    ]
    with Session(engine) as session:
        candidates = gather(
            session, replace(query, radius_km=wider_radius), now=NOW, settings=settings
        )
        counts = [candidates.count(q) for q in narrower]
        expected = [
            search_resources(session, q, now=NOW, settings=settings).total for q in narrower
        ]
        assert counts == expected
        assert len(set(expected)) > 2  # the searches differ
        found = overview(session, query, now=NOW, settings=settings, candidates=candidates)
        assert found.page == search_resources(session, query, now=NOW, settings=settings)


def test_candidates_refuse_a_search_they_do_not_hold(
    engine: Engine, settings: Settings, dataset: list[Row]
) -> None:
    query = ResourceQuery(near=CLUSTERS[0], radius_km=25.0)
    with Session(engine) as session:
        candidates = gather(session, query, now=NOW, settings=settings)
        for other in [
            replace(query, radius_km=30.0),
            replace(query, radius_km=None),
            replace(query, near=CLUSTERS[1]),
            replace(query, q="asesoria"),
        ]:
            assert not candidates.covers(other)
            with pytest.raises(ValueError, match="another search"):
                candidates.count(other)
        assert candidates.covers(replace(query, radius_km=10.0, languages=("es",), page=4))


@pytest.mark.parametrize(
    "query",
    [ResourceQuery(), ResourceQuery(categories=(Category.LEGAL_AID,)), ResourceQuery(q="Help")],
    ids=["everything", "a category", "words"],
)
def test_the_language_facet_counts_languages_offered_in_the_ways_asked(
    engine: Engine, settings: Settings, query: ResourceQuery
) -> None:
    spoken = (Support.STAFF, Support.INTERPRETER)
    with Directory(engine) as directory:
        directory.resource("Help A", languages=[("es", "staff"), ("vi", "materials")])
        directory.resource("Help B", languages=[("es", "materials"), ("ar", "interpreter")])
        directory.resource("Help C", category="consulate", languages=[("vi", "interpreter")])
        directory.resource("Other", languages=[("fr", "materials"), ("es", "interpreter")])
        directory.commit()
    with Session(engine) as session:
        found = overview(session, query, now=NOW, settings=settings, facet_support=spoken)
        expected = facet_counts(
            session, replace(query, language_support=spoken), "language", now=NOW, settings=settings
        )
        assert found.facets["language"] == expected
        offered_any_way = overview(session, query, now=NOW, settings=settings)
        assert offered_any_way.facets["language"] != expected  # materials are not counted
