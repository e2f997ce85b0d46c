from __future__ import annotations

import itertools
import logging
import socket
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.db.models import GeocodeCache, Organization, Precision
from api.errors import Unavailable
from api.geo.geocoding import (
    GEOCODER_INFO_KEY,
    Geocoder,
    GeocodeResult,
    GeocodeUnavailable,
    find_zip_code,
    geocode,
    geocoder_name,
    normalize_query,
    zip_centroid,
)
from api.settings import Settings, SettingsError
from tests.fake_geocoder import FakeNominatim

ADDRESS = "1400 S. Lamar St., Dallas, TX"
LAT, LON = 32.7637, -96.7877


def cached_rows(engine: Engine) -> list[GeocodeCache]:
    with Session(engine) as session:
        return list(session.exec(select(GeocodeCache)).all())


def test_a_match_is_returned_and_cached(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.answer("1400 s lamar st dallas tx", LAT, LON, addresstype="building")
    with Session(engine) as session:
        result = geocode(session, nominatim_settings, ADDRESS)
        session.commit()
    assert result == GeocodeResult(latitude=LAT, longitude=LON, precision=Precision.ROOFTOP)
    [request] = fake_geocoder.requests
    assert request.path == "/search"
    assert request.headers["User-Agent"] == "puente-tests"
    [row] = cached_rows(engine)
    assert (row.provider, row.query) == ("nominatim", "1400 s lamar st dallas tx")
    assert (row.latitude, row.longitude, row.precision) == (LAT, LON, "rooftop")


def test_a_second_geocode_of_the_same_query_makes_no_request(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.answer(ADDRESS, LAT, LON, addresstype="road", osm_class="highway")
    with Session(engine) as session:
        first = geocode(session, nominatim_settings, ADDRESS)
        session.commit()
    with Session(engine) as session:
        second = geocode(session, nominatim_settings, "1400 s lamar st,  DALLAS tx")
    assert fake_geocoder.request_count == 1
    assert first == second
    assert second is not None and second.precision is Precision.STREET


def test_no_match_is_cached_too(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.no_match("nowhere street 9")
    for _ in range(2):
        with Session(engine) as session:
            assert geocode(session, nominatim_settings, "Nowhere Street 9") is None
            session.commit()
    assert fake_geocoder.request_count == 1
    [row] = cached_rows(engine)
    assert (row.latitude, row.longitude) == (None, None)


def test_rate_limited_by_the_provider(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.fail(ADDRESS, 429, retry_after=30)
    with Session(engine) as session, pytest.raises(GeocodeUnavailable) as caught:
        geocode(session, nominatim_settings, ADDRESS)
    assert caught.value.reason == "rate limited by Nominatim (429); retry after 30 s"
    assert caught.value.status == 429
    assert fake_geocoder.request_count == 1  # no retry
    assert cached_rows(engine) == []  # a failure is not an answer


def test_a_server_error_is_reported_once_without_retries(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.fail(ADDRESS, 500)
    with Session(engine) as session, pytest.raises(GeocodeUnavailable) as caught:
        geocode(session, nominatim_settings, ADDRESS)
    assert caught.value.reason == "provider error from Nominatim (500)"
    assert fake_geocoder.request_count == 1
    assert cached_rows(engine) == []


def test_503_is_a_provider_error_not_a_timeout(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.fail(ADDRESS, 503)
    with Session(engine) as session, pytest.raises(GeocodeUnavailable) as caught:
        geocode(session, nominatim_settings, ADDRESS)
    assert caught.value.reason == "provider error from Nominatim (503)"


def test_a_slow_answer_times_out(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.slow(ADDRESS, delay_s=5)
    settings = replace(nominatim_settings, geocoder_timeout_s=0.25)
    with Session(engine) as session, pytest.raises(GeocodeUnavailable) as caught:
        geocode(session, settings, ADDRESS)
    assert caught.value.reason == "timeout after 0.25 s waiting for Nominatim"
    assert cached_rows(engine) == []


def test_an_unreachable_provider(engine: Engine, nominatim_settings: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = replace(nominatim_settings, geocoder_domain=f"127.0.0.1:{port}")
    with Session(engine) as session, pytest.raises(GeocodeUnavailable) as caught:
        geocode(session, settings, ADDRESS)
    assert caught.value.reason == f"cannot reach Nominatim at http://127.0.0.1:{port}"


def test_the_postal_code_joins_the_query(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.answer(
        f"{ADDRESS} 75215", LAT, LON, addresstype="postcode", osm_class="place", osm_type="postcode"
    )
    with Session(engine) as session:
        result = geocode(session, nominatim_settings, ADDRESS, postal_code="75215")
    assert result is not None and result.precision is Precision.POSTAL_CODE
    assert fake_geocoder.queries == [f"{ADDRESS} 75215"]


def test_the_callers_transaction_survives_and_the_caller_commits(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.answer(ADDRESS, LAT, LON)
    with Session(engine) as session:
        session.add(Organization(name="Before"))
        geocode(session, nominatim_settings, ADDRESS)
        session.add(Organization(name="After"))
        session.rollback()
    assert cached_rows(engine) == []  # nothing is committed behind the caller's back
    with Session(engine) as session:
        session.add(Organization(name="Kept"))
        geocode(session, nominatim_settings, ADDRESS)
        session.commit()
        assert [o.name for o in session.exec(select(Organization)).all()] == ["Kept"]
    assert len(cached_rows(engine)) == 1


def test_no_address_or_query_reaches_the_logs(
    engine: Engine,
    nominatim_settings: Settings,
    fake_geocoder: FakeNominatim,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_geocoder.answer(ADDRESS, LAT, LON)
    fake_geocoder.fail("500 Elm St Dallas", 500)
    caplog.set_level(logging.DEBUG)
    with Session(engine) as session:
        geocode(session, nominatim_settings, ADDRESS)
        with pytest.raises(GeocodeUnavailable) as caught:
            geocode(
                session, replace(nominatim_settings, geocoder_min_delay_s=1.5), "500 Elm St Dallas"
            )
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for text in ("Lamar", "lamar", "Elm", "32.76"):
        assert text not in logged
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_rate_limit_holds_across_calls(
    engine: Engine, settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    photon = replace(
        settings,
        geocoder="photon",
        geocoder_domain=fake_geocoder.domain,
        geocoder_scheme="http",
        geocoder_min_delay_s=0.2,
    )
    fake_geocoder.answer("1 main st", 1.0, 2.0, addresstype="house")
    for query in ("1 Main St", "2 Main St", "3 Main St"):
        with Session(engine) as session:
            geocode(session, replace(photon), query)
    times = [request.at for request in fake_geocoder.requests]
    assert len(times) == 3
    # A lower bound only: the limiter sleeps at least the delay between two requests.
    assert all(later - earlier >= 0.18 for earlier, later in itertools.pairwise(times))


@pytest.mark.parametrize(
    ("provider", "addresstype", "precision"),
    [
        ("photon", "house", Precision.ROOFTOP),
        ("photon", "street", Precision.STREET),
        ("pelias", "building", Precision.ROOFTOP),
        ("pelias", "postalcode", Precision.POSTAL_CODE),
        ("pelias", "locality", Precision.STREET),
        ("arcgis", "building", Precision.ROOFTOP),
        ("arcgis", "road", Precision.STREET),
        ("arcgis", "postcode", Precision.POSTAL_CODE),
    ],
)
def test_photon_pelias_and_arcgis_answers(
    engine: Engine,
    settings: Settings,
    fake_geocoder: FakeNominatim,
    provider: str,
    addresstype: str,
    precision: Precision,
) -> None:
    fake_geocoder.answer(ADDRESS, LAT, LON, addresstype=addresstype)
    configured = replace(
        settings,
        geocoder=provider,
        geocoder_domain=fake_geocoder.domain,
        geocoder_scheme="http",
        geocoder_min_delay_s=0.0,
        geocoder_api_key="test-key" if provider == "pelias" else None,
    )
    with Session(engine) as session:
        assert geocode(session, configured, ADDRESS) == GeocodeResult(LAT, LON, precision)
    [request] = fake_geocoder.requests
    paths = {
        "photon": "/api",
        "pelias": "/v1/search",
        "arcgis": "/arcgis/rest/services/World/GeocodeServer/findAddressCandidates",
    }
    assert request.path == paths[provider]


def test_pelias_without_a_domain_is_refused_at_start_up(settings: Settings) -> None:
    with pytest.raises(SettingsError, match="PUENTE_GEOCODER_DOMAIN"):
        replace(settings, geocoder="pelias", geocoder_domain=None)


def test_offline_geocoding_uses_zip_centroids(engine: Engine, settings: Settings) -> None:
    dallas_75215 = zip_centroid("75215")
    assert dallas_75215 is not None
    assert dallas_75215.precision is Precision.POSTAL_CODE
    assert dallas_75215.latitude == pytest.approx(32.758, abs=0.01)
    assert dallas_75215.longitude == pytest.approx(-96.762, abs=0.01)
    with Session(engine) as session:
        assert geocode(session, settings, ADDRESS, postal_code="75215") == dallas_75215
        assert geocode(session, settings, f"{ADDRESS} 75215-1234") == dallas_75215
        assert geocode(session, settings, "12345 Main St, Dallas, TX") is None
        assert geocode(session, settings, ADDRESS) is None
        assert geocode(session, settings, "1 Main St 00000") is None
        session.commit()
    assert cached_rows(engine) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("1400 S. Lamar St., Dallas, TX", "1400 s lamar st dallas tx"),
        ("  1400   s lamar\tst  ", "1400 s lamar st"),
        ("Asesoría Legal #2", "asesoría legal 2"),
        ("STRASSE", "strasse"),
        ("...", ""),
    ],
)
def test_normalize_query(text: str, key: str) -> None:
    assert normalize_query(text) == key


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1400 S Lamar St, Dallas, TX 75215", "75215"),
        ("1400 S Lamar St, Dallas, TX 75215-1234", "75215"),
        ("12345 Main St, Dallas, TX", None),
        ("12345 Main St, Dallas, TX 75201", "75201"),
        ("75201", "75201"),
        ("Main St 123456", None),
        ("", None),
    ],
)
def test_find_zip_code(text: str, code: str | None) -> None:
    assert find_zip_code(text) == code


def test_geocoder_names() -> None:
    assert geocoder_name(Settings(geocoder="offline")) == "offline ZIP centroids"
    assert geocoder_name(Settings(geocoder="photon")) == "Photon"


def test_a_row_cached_meanwhile_does_not_spoil_the_callers_transaction(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.answer(ADDRESS, LAT, LON)
    with Session(engine) as session:
        # Stands in for another process caching the same query between lookup and store.
        session.add(
            GeocodeCache(
                provider="nominatim",
                query=normalize_query(ADDRESS),
                latitude=1.0,
                longitude=2.0,
                precision="street",
            )
        )
        session.add(Organization(name="Kept"))
        with session.no_autoflush:
            result = geocode(session, nominatim_settings, ADDRESS)
        session.commit()
    assert result == GeocodeResult(LAT, LON, Precision.ROOFTOP)
    [row] = cached_rows(engine)
    assert (row.latitude, row.longitude) == (1.0, 2.0)
    with Session(engine) as session:
        assert [o.name for o in session.exec(select(Organization)).all()] == ["Kept"]


# --- residents' searches, the queue, the pacing ------------------------------------------------


def test_a_residents_search_is_remembered_in_memory_only(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.answer(ADDRESS, LAT, LON)
    geocoder = Geocoder(settings=nominatim_settings, remember_s=60)
    for _ in range(2):
        with Session(engine, info={GEOCODER_INFO_KEY: geocoder}) as session:
            found = geocode(session, nominatim_settings, ADDRESS, resident=True)
            session.commit()
        assert found == GeocodeResult(LAT, LON, Precision.ROOFTOP)
    with Session(engine, info={GEOCODER_INFO_KEY: geocoder}) as session:
        assert geocode(session, nominatim_settings, "Nowhere Street 9", resident=True) is None
        assert geocode(session, nominatim_settings, "Nowhere Street 9", resident=True) is None
        session.commit()
    assert fake_geocoder.request_count == 2  # each address asked once, "no match" included
    assert cached_rows(engine) == []  # nothing a resident typed reaches the database


def test_a_residents_search_is_forgotten_after_a_while(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fast = replace(nominatim_settings, geocoder_min_delay_s=0.0)
    fake_geocoder.answer(ADDRESS, LAT, LON)
    geocoder = Geocoder(settings=fast, remember_s=0.2)
    with Session(engine, info={GEOCODER_INFO_KEY: geocoder}) as session:
        geocode(session, fast, ADDRESS, resident=True)
        time.sleep(0.3)
        geocode(session, fast, ADDRESS, resident=True)
    assert fake_geocoder.request_count == 2


def test_a_residents_search_uses_what_staff_imported(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    fake_geocoder.answer(ADDRESS, LAT, LON)
    with Session(engine) as session:
        geocode(session, nominatim_settings, ADDRESS)  # a staff address: kept
        session.commit()
    with Session(engine) as session:
        found = geocode(session, nominatim_settings, ADDRESS, resident=True)
    assert found == GeocodeResult(LAT, LON, Precision.ROOFTOP)
    assert fake_geocoder.request_count == 1
    assert len(cached_rows(engine)) == 1


def test_a_full_queue_answers_unavailable_with_retry_after_at_once(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    slow = replace(nominatim_settings, geocoder_min_delay_s=0.0, geocoder_timeout_s=5.0)
    geocoder = Geocoder(settings=slow, max_waiting=2)
    for n in range(10):
        fake_geocoder.answer(f"{n} Main St", LAT, LON, delay_s=0.6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def search(n: int) -> None:
        with Session(engine, info={GEOCODER_INFO_KEY: geocoder}) as session:
            started = time.monotonic()
            try:
                geocode(session, slow, f"{n} Main St", resident=True)
                outcome = "found"
            except Unavailable as refused:
                assert refused.retry_after_s >= 1
                assert time.monotonic() - started < 0.5  # refused at once, not after a wait
                outcome = "refused"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=search, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["found"] * 3 + ["refused"] * 5  # one asking, two waiting


def test_a_self_hosted_server_is_not_held_to_one_request_a_second(
    engine: Engine, nominatim_settings: Settings, fake_geocoder: FakeNominatim
) -> None:
    own = replace(nominatim_settings, geocoder_min_delay_s=None)  # the fake is "our own"
    assert own.geocoder_delay_s == 0.0
    started = time.monotonic()
    for n in range(5):
        with Session(engine) as session:
            geocode(session, own, f"{n} Elm St")
    assert fake_geocoder.request_count == 5
    assert time.monotonic() - started < 3.0  # five at one a second would take four or more


def test_the_public_nominatim_keeps_its_floor(settings: Settings) -> None:
    public = replace(settings, geocoder="nominatim", geocoder_user_agent="puente-tests")
    assert public.geocoder_delay_s == 1.0
    with pytest.raises(SettingsError, match="PUENTE_GEOCODER_MIN_DELAY_S"):
        replace(public, geocoder_min_delay_s=0.5)
    own = replace(public, geocoder_domain="nominatim.example.org", geocoder_min_delay_s=0.0)
    assert own.geocoder_delay_s == 0.0
