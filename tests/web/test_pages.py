"""The map page and the printable list, on both databases, against ``api.search`` itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode

import icalendar
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, select
from sqlmodel import Session

from api.db.models import Location, ProblemReport, Resource
from api.search import iter_resources, resource_query_from_params
from api.settings import Settings
from tests.web.directory import XSS_NAME, Directory
from tests.web.pagescan import marker_rows, places_url, scan

Client = TestClient[Litestar]

FILTERS: list[dict[str, str]] = [
    {},
    {"language": "es"},
    {"language": "es", "area": "council_district:1"},
    {"language": "vi", "area": "council_district:2"},
    {"language": "vi", "support": "written"},
    {"category": "legal_aid"},
    {"area": "zip:75217"},
    {"near": "32.76,-96.72"},
    {"near": "32.76,-96.72", "radius_km": "2"},
    {"language": "vi", "near": "32.79,-96.80"},
    {"address": "75217", "category": "community_partner"},
]


def api_ids(engine: Engine, settings: Settings, params: dict[str, str]) -> list[int]:
    """Every match of ``params`` in order, straight from ``api.search``."""
    lists = {name: [value] for name, value in params.items() if name in ("language", "area")}
    if "category" in params:
        lists["category"] = [params["category"]]
    if "language" in params:  # the page's language is spoken unless written is asked for
        written = params.get("support") == "written"
        lists["language_support"] = ["materials"] if written else ["staff", "interpreter"]
    with Session(engine) as session:
        query = resource_query_from_params(
            session,
            settings=settings,
            near=params.get("near"),
            address=params.get("address"),
            radius_km=params.get("radius_km"),
            **lists,
        )
        return [
            r.id for r in iter_resources(session, query, now=datetime.now(UTC), settings=settings)
        ]


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: urlencode(p) or "none")
def test_list_and_markers_show_exactly_the_api_results(
    client: Client, engine: Engine, settings: Settings, directory: Directory, params: dict[str, str]
) -> None:
    expected = api_ids(engine, settings, params)

    printable = client.get("/list", params=params)
    assert printable.status_code == 200
    assert scan(printable.text).listed == expected

    page = client.get("/", params=params)
    assert page.status_code == 200
    assert scan(page.text).listed == expected
    assert [row[2] for row in marker_rows(client, page.text)] == sorted(expected)
    count = re.search(r'data-total="(\d+)"', page.text)
    assert count is not None and int(count.group(1)) == len(expected)


def test_the_inactive_place_is_never_shown(client: Client, directory: Directory) -> None:
    page = client.get("/")
    assert directory.resources["closed"] not in scan(page.text).listed
    assert "Old Office" not in page.text


def test_a_point_orders_the_list_by_distance(client: Client, directory: Directory) -> None:
    page = client.get("/", params={"near": "32.76,-96.72"}).text
    distances = [float(d) for d in re.findall(r'class="distance">([\d.]+) km \(', page)]
    assert len(distances) == 7
    assert distances == sorted(distances)
    assert scan(page).listed[0] == directory.resources["clinic"]
    assert "nearest first" in page


def test_markers_carry_category_and_name(client: Client, directory: Directory) -> None:
    page = client.get("/", params={"category": "legal_aid"}).text
    config = scan(page).config
    (row,) = marker_rows(client, page)
    latitude, longitude, resource_id, category_index, name = row
    assert (latitude, longitude) == (32.76, -96.72)
    assert resource_id == directory.resources["clinic"]
    assert config["categories"][category_index]["code"] == "legal_aid"
    assert name == "Clínica Legal del Este"


def test_nothing_matches_offers_wider_searches_with_counts(
    client: Client, directory: Directory
) -> None:
    page = client.get("/", params={"language": "vi", "area": "zip:75201"})
    assert page.status_code == 200
    assert scan(page.text).listed == []
    assert "Nothing matches this search." in page.text
    offers = re.findall(r'<li><a href="([^"]+)">([^<]+)</a> \((\d+) places?\)</li>', page.text)
    by_label = {label: (url, int(count)) for url, label, count in offers}
    # Vietnamese spoken anywhere: the association (the clinic only has written materials);
    # any language in 75201: two places.
    assert by_label["Any area"][1] == 1
    assert by_label["Any language"][1] == 2
    wider = client.get(by_label["Any area"][0].replace("&amp;", "&"))
    assert scan(wider.text).listed == [directory.resources["hoi"]]
    written = client.get("/", params={"language": "vi", "support": "written"})
    assert scan(written.text).listed == [directory.resources["clinic"]]
    assert '<option value="written" selected>Written materials</option>' in written.text


def test_a_small_radius_offers_a_wider_one(client: Client, directory: Directory) -> None:
    page = client.get("/", params={"near": "32.70,-96.60", "radius_km": "1"}).text
    assert "Nothing matches this search." in page
    assert "Within 2 km" in page or "Within 5 km" in page or "Within 25 km" in page


def test_bad_filters_are_named_and_the_rest_still_searched(
    client: Client, directory: Directory
) -> None:
    page = client.get("/", params={"language": "klingonish", "area": "council_district:1"})
    assert page.status_code == 400
    assert "unknown language" in page.text
    assert 'role="alert"' in page.text
    listed = scan(page.text).listed
    assert directory.resources["centro"] in listed
    assert directory.resources["clinic"] not in listed  # the area still applies


def test_a_bad_point_is_named(client: Client, directory: Directory) -> None:
    page = client.get("/list", params={"near": "91,0", "radius_km": "5"})
    assert page.status_code == 400
    assert "<strong>near</strong>" in page.text
    assert len(scan(page.text).listed) == 7


def test_spanish_from_the_query_and_from_the_browser(client: Client, directory: Directory) -> None:
    spanish = client.get("/", params={"lang": "es", "category": "legal_aid"}).text
    page = scan(spanish)
    assert page.html_attrs["lang"] == "es"
    assert page.html_attrs["dir"] == "ltr"
    assert "Ayuda legal de inmigración" in spanish
    assert "vietnamita" in spanish  # language names in the UI language, from Babel
    assert "lugar encontrado" in spanish
    assert page.config["labels"]["addToCalendar"] == "Agregar al calendario"

    browser = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert scan(browser.text).html_attrs["lang"] == "es"
    assert browser.headers["content-language"] == "es"

    chosen = client.get("/?lang=en", headers={"Accept-Language": "es"})
    assert scan(chosen.text).html_attrs["lang"] == "en"
    assert "Immigration legal aid" in chosen.text

    unknown = client.get("/?lang=xx", headers={"Accept-Language": "fr, de"})
    assert scan(unknown.text).html_attrs["lang"] == "en"


def test_language_switch_keeps_the_filters(client: Client, directory: Directory) -> None:
    page = client.get("/", params={"language": "vi", "area": "zip:75217"}).text
    switch = re.search(r'<a href="([^"]+)" lang="es"', page)
    assert switch is not None
    url = switch.group(1).replace("&amp;", "&")
    assert "lang=es" in url and "language=vi" in url and "area=zip%3A75217" in url


def test_database_text_is_escaped_everywhere(client: Client, directory: Directory) -> None:
    for path in ("/", "/list", f"/report/{directory.resources['xss']}"):
        html = client.get(path).text
        assert XSS_NAME not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
    page = client.get("/").text
    assert "javascript:alert" not in page  # a javascript: website is never made a link
    # The markers are data: JSON, never HTML, whose names the script writes as text.
    places = client.get(places_url(page))
    assert places.headers["content-type"].startswith("application/json")
    assert XSS_NAME in places.json()["name"]


def test_a_confidential_place_shows_its_area_and_phone_only(
    client: Client, directory: Directory
) -> None:
    page = client.get("/list").text
    item = re.search(
        rf'<li class="resource" id="r-{directory.resources["shelter"]}".*?</li>', page, re.S
    )
    assert item is not None
    text = item.group(0)
    assert "The address is kept private." in text
    assert "Main St" not in text
    assert "geo:" not in text
    assert 'href="tel:2145550100"' in text
    assert "District 2" in text


def test_popup_facts_in_the_list(client: Client, directory: Directory) -> None:
    page = client.get("/list").text
    clinic = re.search(
        rf'<li class="resource" id="r-{directory.resources["clinic"]}".*?</li>', page, re.S
    )
    assert clinic is not None
    assert "DOJ-recognized organization" in clinic.group(0)
    assert "a legal services provider" in clinic.group(0)
    assert "Spanish (through an interpreter)" in clinic.group(0)
    assert "geo:32.760000,-96.720000" in clinic.group(0)
    police = re.search(
        rf'<li class="resource" id="r-{directory.resources["police"]}".*?</li>', page, re.S
    )
    assert police is not None
    assert "law enforcement (police)" in police.group(0)
    assert "Community meeting with the police" in police.group(0)
    calendar = f"/calendar/{directory.resources['police']}/{directory.events['police']}"
    assert calendar in police.group(0)


def test_inline_scripts_carry_the_policy_nonce(client: Client, directory: Directory) -> None:
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    inline = [s for s in scan(response.text).scripts if "src" not in s and s.get("type") is None]
    assert inline, "the map is drawn by an inline script"
    assert all(s.get("nonce") == nonce.group(1) for s in inline)
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_every_script_and_stylesheet_comes_from_the_app(
    client: Client, directory: Directory
) -> None:
    for path in ("/", "/list"):
        page = scan(client.get(path).text)
        sources = [s["src"] for s in page.scripts if s.get("src")] + page.links
        assert sources
        for source in sources:
            # Assets under /static/; the one other link is the app's own manifest.
            assert source and (
                source.startswith("/static/") or source.startswith("/manifest.webmanifest?")
            ), source
            assert client.get(source).status_code == 200, source


def test_tiles_come_from_the_setting(
    settings: Settings, directory: Directory, engine: Engine
) -> None:
    from api.app import create_app
    from tests.conftest import settings_with

    tiled = settings_with(settings, tile_url="https://tiles.example.net/{z}/{x}/{y}.png")
    with TestClient(create_app(tiled)) as client:
        page = client.get("/").text
    assert "L.tileLayer(" in page
    assert '"https://tiles.example.net/{z}/{x}/{y}.png"' in page
    assert "map tiles from tiles.example.net" in page

    with TestClient(create_app(settings)) as client:
        untiled = client.get("/").text
    assert "L.tileLayer(" not in untiled
    assert "and no map tiles" in untiled


def test_the_filter_form_offers_facets(client: Client, directory: Directory) -> None:
    page = client.get("/", params={"language": "vi"}).text
    languages = re.search(r'<select id="f-language".*?</select>', page, re.S)
    assert languages is not None
    assert '<option value="vi" selected>Vietnamese (1)</option>' in languages.group(0)
    assert '<option value="es">Spanish (6)</option>' in languages.group(0)
    areas = re.search(r'<select id="f-area".*?</select>', page, re.S)
    assert areas is not None
    assert '<optgroup label="Council districts (2011 plan)">' in areas.group(0)
    assert '<optgroup label="ZIP codes">' in areas.group(0)


def test_pages_beyond_the_first(
    client: Client, engine: Engine, settings: Settings, directory: Directory
) -> None:
    from web.pages import MAP_PER_PAGE

    assert MAP_PER_PAGE < 100
    second = client.get("/", params={"page": "2"})
    assert second.status_code == 200
    assert scan(second.text).listed == []  # seven places fit on the first page
    assert len(marker_rows(client, second.text)) == 7  # the map always shows every match


def test_report_a_problem_files_a_report(
    client: Client, engine: Engine, directory: Directory
) -> None:
    resource_id = directory.resources["church"]
    form = client.get(f"/report/{resource_id}?lang=es")
    assert form.status_code == 200
    assert "Iglesia San Juan" in form.text and "El horario está mal" in form.text

    bad = client.post(f"/report/{resource_id}/send", data={"kind": "nonsense"})
    assert bad.status_code == 400
    sent = client.post(
        f"/report/{resource_id}/send", data={"kind": "wrong_hours", "message": "Opens at 10"}
    )
    assert sent.status_code == 200
    assert "Thank you" in sent.text
    with Session(engine) as session:
        reports = session.scalars(select(ProblemReport)).all()
    assert [(r.resource_id, r.kind, r.message) for r in reports] == [
        (resource_id, "wrong_hours", "Opens at 10")
    ]

    missing = client.get("/report/999999")
    assert missing.status_code == 404


def test_add_to_calendar_gives_one_meeting(client: Client, directory: Directory) -> None:
    resource, event = directory.resources["police"], directory.events["police"]
    response = client.get(f"/calendar/{resource}/{event}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    (meeting,) = calendar.walk("VEVENT")
    assert str(meeting["SUMMARY"]) == "Community meeting with the police"
    assert str(meeting["UID"]).startswith(f"event-{event}@")
    # The meeting must belong to the resource named in the link.
    other = directory.resources["church"]
    assert client.get(f"/calendar/{other}/{event}").status_code == 404


def test_the_map_follows_changes_to_the_directory(
    client: Client, engine: Engine, directory: Directory
) -> None:
    before = [row[2] for row in marker_rows(client, client.get("/").text)]
    assert client.get("/").status_code == 200  # a second view, from the marker cache
    with Session(engine) as session:
        location = Location(latitude=32.78, longitude=-96.79)
        session.add(location)
        session.flush()
        added = Resource(category="legal_aid", name="Newly Added", location_id=location.id)
        session.add(added)
        session.commit()
        new_id = added.id
    after = [row[2] for row in marker_rows(client, client.get("/").text)]
    assert sorted(after) == sorted([*before, new_id])
