from __future__ import annotations

import pytest

from api.settings import Settings, SettingsError


def test_defaults_are_an_sqlite_file_and_the_offline_geocoder() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///puente.db"
    assert settings.is_sqlite
    assert settings.geocoder == "offline"
    assert settings.tile_url is not None and "openstreetmap" in settings.tile_url


def test_reads_every_variable() -> None:
    settings = Settings.from_env(
        {
            "PUENTE_DATABASE_URL": "postgresql://u@db:5432/puente",
            "PUENTE_GEOCODER": "photon",
            "PUENTE_GEOCODER_DOMAIN": "127.0.0.1:2322",
            "PUENTE_GEOCODER_SCHEME": "http",
            "PUENTE_GEOCODER_USER_AGENT": "puente-test",
            "PUENTE_GEOCODER_MIN_DELAY_S": "0.5",
            "PUENTE_TILE_URL": "none",
            "PUENTE_TILE_ATTRIBUTION": "tiles",
            "PUENTE_CORS_ORIGINS": "https://a.example, https://b.example",
            "PUENTE_REDIS_URL": "redis://127.0.0.1:6379/0",
            "PUENTE_TIMEZONE": "America/New_York",
            "PUENTE_EMERGENCY_NUMBER": "112",
            "PUENTE_SERVICES_NUMBER": "none",
        }
    )
    assert settings.sqlalchemy_url.drivername == "postgresql+psycopg"
    assert settings.geocoder_domain == "127.0.0.1:2322"
    assert settings.geocoder_min_delay_s == 0.5
    assert settings.tile_url is None
    assert settings.cors_origins == ("https://a.example", "https://b.example")
    assert settings.zone.key == "America/New_York"
    assert settings.emergency_number == "112"
    assert settings.services_number is None


def test_the_emergency_numbers_default_to_dallas() -> None:
    settings = Settings.from_env({})
    assert (settings.emergency_number, settings.services_number) == ("911", "211")
    assert Settings.from_env({"PUENTE_SERVICES_NUMBER": "+44 800 123"}).services_number == (
        "+44 800 123"
    )


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"PUENTE_GEOCODER": "google"}, "PUENTE_GEOCODER="),
        ({"PUENTE_DATABASE_URL": "not a url"}, "PUENTE_DATABASE_URL="),
        ({"PUENTE_DATABASE_URL": "mysql://u@h/db"}, "PUENTE_DATABASE_URL="),
        ({"PUENTE_GEOCODER_MIN_DELAY_S": "soon"}, "PUENTE_GEOCODER_MIN_DELAY_S="),
        ({"PUENTE_GEOCODER_SCHEME": "ftp"}, "PUENTE_GEOCODER_SCHEME="),
        ({"PUENTE_TIMEZONE": "Mars/Olympus"}, "PUENTE_TIMEZONE="),
        ({"PUENTE_EMERGENCY_NUMBER": "call us"}, "PUENTE_EMERGENCY_NUMBER="),
        ({"PUENTE_EMERGENCY_NUMBER": "9"}, "PUENTE_EMERGENCY_NUMBER="),
        ({"PUENTE_SERVICES_NUMBER": "211<script>"}, "PUENTE_SERVICES_NUMBER="),
        ({"PUENTE_GEOCODER": "nominatim"}, "PUENTE_GEOCODER_USER_AGENT"),
        ({"PUENTE_GEOCODER": "pelias"}, "PUENTE_GEOCODER_DOMAIN"),
        (
            {
                "PUENTE_GEOCODER": "nominatim",
                "PUENTE_GEOCODER_USER_AGENT": "x",
                "PUENTE_GEOCODER_MIN_DELAY_S": "0.1",
            },
            "PUENTE_GEOCODER_MIN_DELAY_S",
        ),
    ],
)
def test_a_bad_value_names_the_variable_in_one_line(environ: dict[str, str], names: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(environ)
    message = str(raised.value)
    assert names in message
    assert "\n" not in message
