"""The coverage-gap map: its data as unit tests, and the page's counts against the public
API's on both databases (a confidential listing counts in its area)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from api.db.models import Area
from tests.web.directory import Directory
from web.outlines import AreaOutline
from web.staff.choropleth import MAX_CLASSES, NONE_STYLE, choropleth, choropleth_layer

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def _outlines(*codes: str, name: str | None = None) -> list[AreaOutline]:
    return [
        AreaOutline(kind="zip", code=code, name=name or f"Area {code}", note=None, geometry=SQUARE)
        for code in codes
    ]


def test_absent_codes_count_zero_and_are_the_gaps() -> None:
    data = choropleth(_outlines("b", "a", "c"), {"a": 2, "c": 1, "elsewhere": 9})
    assert [(area.code, area.count) for area in data.areas] == [("a", 2), ("b", 0), ("c", 1)]
    assert [area.code for area in data.gaps] == ["b"]
    assert data.total == 3
    assert data.areas[1].color == NONE_STYLE["fillColor"]


def test_few_counts_get_a_class_each_and_darker_means_more() -> None:
    data = choropleth(_outlines("a", "b", "c"), {"a": 1, "b": 2, "c": 3})
    assert [(c.low, c.high) for c in data.classes] == [(1, 1), (2, 2), (3, 3)]
    colors = [c.color for c in data.classes]
    assert len(set(colors)) == 3
    assert [area.color for area in data.areas] == colors
    # ColorBrewer's sequential scales go from light to dark.
    lightness = [sum(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in colors]
    assert lightness == sorted(lightness, reverse=True)


def test_many_counts_are_cut_into_at_most_five_whole_number_classes() -> None:
    counts = {str(n): n for n in range(1, 38)}
    data = choropleth(_outlines(*counts), counts)
    assert len(data.classes) == MAX_CLASSES
    assert data.classes[0].low == 1
    assert data.classes[-1].high == 37
    for before, after in zip(data.classes, data.classes[1:], strict=False):
        assert after.low == before.high + 1
    for area in data.areas:
        (found,) = [c for c in data.classes if c.low <= area.count <= c.high]
        assert area.color == found.color
    assert data.classes[1].label == f"{data.classes[1].low}\N{EN DASH}{data.classes[1].high}"


def test_one_listing_anywhere_is_one_class() -> None:
    data = choropleth(_outlines("a", "b"), {"a": 1})
    assert [(c.low, c.high) for c in data.classes] == [(1, 1)]
    assert choropleth(_outlines("a"), {}).classes == []


def test_the_layer_is_styled_by_class_and_escapes_names() -> None:
    data = choropleth(_outlines("a", "b", name="<img src=x onerror=alert(1)>"), {"a": 4})
    layer = choropleth_layer(data, _outlines("a", "b"), listings_label="Listings")
    features = layer.data["features"]
    styles = [feature["properties"]["style"] for feature in features]
    assert styles[0]["fillColor"] == data.areas[0].color
    assert styles[1] == NONE_STYLE
    assert all("<img" not in feature["properties"]["name"] for feature in features)


def _counts_on_page(html: str) -> dict[str, int]:
    rows = re.findall(
        r"<tr(?: class=\"none\")?>\s*<td>[^<]*</td><td>([^<]+)</td>\s*<td>(.*?)</td>", html
    )
    return {code: (0 if "none" in cell else int(cell)) for code, cell in rows}


@pytest.mark.parametrize("kind", ["council_district", "zip"])
@pytest.mark.parametrize(("language", "category"), [("es", ""), ("vi", ""), ("es", "legal_aid")])
def test_counts_equal_the_public_api(
    editor: TestClient[Litestar], directory: Directory, kind: str, language: str, category: str
) -> None:
    params = {"kind": kind, "language": language, **({"category": category} if category else {})}
    page = editor.get("/staff/coverage", params=params)
    assert page.status_code == 200
    shown = _counts_on_page(page.text)
    areas = editor.get("/api/v1/areas").json()
    codes = {
        a["code"]
        for a in (areas["items"] if isinstance(areas, dict) else areas)
        if a["kind"] == kind
    }
    assert set(shown) == codes
    for code, count in shown.items():
        query = {"area": f"{kind}:{code}", "language": language, "per_page": 1}
        if category:
            query["category"] = category
        assert editor.get("/api/v1/resources", params=query).json()["total"] == count, code
    exported = list(
        csv.DictReader(io.StringIO(editor.get("/staff/coverage.csv", params=params).text))
    )
    assert {row["code"]: int(row["listings"]) for row in exported} == shown


def test_a_confidential_listing_counts_in_its_area(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    # District 2 offers Spanish at the clinic, the police room and the confidential shelter
    # (the closed office is inactive, so it does not count).
    shown = _counts_on_page(editor.get("/staff/coverage?kind=council_district&language=es").text)
    assert shown["2"] == 3
    # Nobody in district 1 offers Vietnamese: the gap is named.
    page = editor.get("/staff/coverage?kind=council_district&language=vi")
    assert _counts_on_page(page.text)["1"] == 0
    assert "1 area has none." in page.text


def test_the_page_loads_only_the_apps_own_assets(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    page = editor.get("/staff/coverage?kind=zip&language=es")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert [s for s in sources if s.startswith(("http:", "https:", "//"))] == []
    assert "/static/vendor/leaflet" in page.text
    policy = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in page.text


def test_csv_cells_are_formula_safe(
    editor: TestClient[Litestar], directory: Directory, engine: Engine
) -> None:
    with Session(engine) as session:
        session.execute(update(Area).where(Area.code == "75201").values(name='=HYPERLINK("x")'))  # type: ignore[arg-type]
        session.commit()
    text = editor.get("/staff/coverage.csv?kind=zip&language=es").text
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["code"] == "75201")
    assert row["name"] == '\'=HYPERLINK("x")'


def test_a_bad_choice_is_named_beside_its_field(
    editor: TestClient[Litestar], directory: Directory
) -> None:
    page = editor.get("/staff/coverage?kind=council_district&language=klingonish")
    assert page.status_code == 400
    assert 'id="c-language-error"' in page.text


def test_signed_out_is_sent_to_sign_in(client: TestClient[Litestar], directory: Directory) -> None:
    for path in ("/staff/coverage", "/staff/coverage.csv"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/staff/sign-in"
