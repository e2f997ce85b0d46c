"""The emergency page's numbers are the region's settings: Dallas's 911 and 211 by default,
another region's own when set."""

from __future__ import annotations

from dataclasses import replace

from litestar import Litestar
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from tests.web.directory import Directory
from web.i18n import translations

Client = TestClient[Litestar]


def test_dallas_numbers_by_default(client: Client, directory: Directory) -> None:
    html = client.get("/emergency?lang=es").text
    assert 'href="tel:911"' in html and 'href="tel:211"' in html
    assert translations("es").gettext("Call %(number)s") % {"number": "911"} in html


def test_another_region_sets_its_own(settings: Settings, directory: Directory) -> None:
    elsewhere = replace(settings, emergency_number="112", services_number=None)
    with TestClient(create_app(elsewhere)) as client:
        html = client.get("/emergency?lang=en").text
    assert 'href="tel:112"' in html and "Call 112" in html
    assert "tel:911" not in html and "tel:211" not in html
    assert "Help finding food, housing" not in html
    # The directory's legal-aid lines are still listed.
    assert 'href="tel:2145550100"' in html
