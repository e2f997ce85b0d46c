from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from api.settings import Settings
from tests.fake_geocoder import FakeNominatim


@pytest.fixture
def fake_geocoder() -> Iterator[FakeNominatim]:
    with FakeNominatim() as fake:
        yield fake


@pytest.fixture
def nominatim_settings(settings: Settings, fake_geocoder: FakeNominatim) -> Settings:
    """The test database's settings with geopy's Nominatim client aimed at the fake server."""
    return replace(
        settings,
        geocoder="nominatim",
        geocoder_domain=fake_geocoder.domain,
        geocoder_scheme="http",
        geocoder_user_agent="puente-tests",
        geocoder_min_delay_s=1.0,
        geocoder_timeout_s=2.0,
    )
