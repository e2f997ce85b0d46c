"""Settings read from ``PUENTE_*`` environment variables.

Every invalid value stops start-up with one line naming the variable and what it accepts.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["GEOCODERS", "Settings", "SettingsError"]

GEOCODERS = ("offline", "nominatim", "photon", "arcgis", "pelias")
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


class SettingsError(ValueError):
    """A setting has a value Puente cannot use; the message names the variable."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str = "sqlite:///puente.db"
    """SQLAlchemy URL; an SQLite file in the working directory by default."""

    geocoder: str = "offline"
    """Which geocoder turns addresses into points: one of ``GEOCODERS``."""

    geocoder_domain: str | None = None
    """Host (and port) of the geocoding service, for self-hosted Nominatim, Photon or Pelias."""

    geocoder_scheme: str = "https"
    """``http`` or ``https`` for the geocoding service."""

    geocoder_user_agent: str | None = None
    """User agent sent to the geocoder; Nominatim refuses requests without a real one."""

    geocoder_min_delay_s: float = 1.0
    """Least time between two requests to the geocoder, in seconds."""

    geocoder_timeout_s: float = 5.0
    """How long to wait for one geocoder answer, in seconds."""

    geocoder_api_key: str | None = None
    """Key for providers that need one (Pelias)."""

    tile_url: str | None = DEFAULT_TILE_URL
    """Map tile URL template; ``None`` (``PUENTE_TILE_URL=none``) turns tiles off."""

    tile_attribution: str = DEFAULT_TILE_ATTRIBUTION
    """Attribution shown for the tiles."""

    cors_origins: tuple[str, ...] = ()
    """Origins allowed to call write endpoints from a browser."""

    redis_url: str | None = None
    """Redis for shared rate-limit and cache stores; memory when unset."""

    timezone: str = "America/Chicago"
    """The region's time zone: opening hours and local event times are read in it."""

    verify_every_days: int = 180
    """How long a verification holds: older (or never verified) listings are due again."""

    def __post_init__(self) -> None:
        _check_database_url(self.database_url)
        if self.geocoder not in GEOCODERS:
            raise SettingsError(
                f"PUENTE_GEOCODER={self.geocoder!r}: expected one of {', '.join(GEOCODERS)}"
            )
        if self.geocoder_scheme not in ("http", "https"):
            raise SettingsError(
                f"PUENTE_GEOCODER_SCHEME={self.geocoder_scheme!r}: expected http or https"
            )
        if self.geocoder == "nominatim" and not (self.geocoder_user_agent or "").strip():
            raise SettingsError(
                "PUENTE_GEOCODER_USER_AGENT is required with PUENTE_GEOCODER=nominatim: "
                "Nominatim's usage policy asks for a user agent naming your application"
            )
        if self.geocoder == "pelias" and not self.geocoder_domain:
            raise SettingsError(
                "PUENTE_GEOCODER_DOMAIN is required with PUENTE_GEOCODER=pelias: "
                "Pelias has no public default host; name yours, e.g. pelias.example.org"
            )
        if self.geocoder_min_delay_s < 0:
            raise SettingsError("PUENTE_GEOCODER_MIN_DELAY_S: expected a number >= 0")
        if self.geocoder == "nominatim" and self.geocoder_min_delay_s < 1.0:
            raise SettingsError(
                "PUENTE_GEOCODER_MIN_DELAY_S: Nominatim allows at most one request per second; "
                "expected a number >= 1"
            )
        if self.geocoder_timeout_s <= 0:
            raise SettingsError("PUENTE_GEOCODER_TIMEOUT_S: expected a number > 0")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(
                f"PUENTE_TIMEZONE={self.timezone!r}: expected an IANA time zone such as "
                "America/Chicago"
            ) from exc

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def sqlalchemy_url(self) -> URL:
        """The database URL with the driver Puente uses for its dialect."""
        url = make_url(self.database_url)
        if url.get_backend_name() == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.sqlalchemy_url.get_backend_name() == "sqlite"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        text_fields = {
            "PUENTE_DATABASE_URL": "database_url",
            "PUENTE_GEOCODER": "geocoder",
            "PUENTE_GEOCODER_DOMAIN": "geocoder_domain",
            "PUENTE_GEOCODER_SCHEME": "geocoder_scheme",
            "PUENTE_GEOCODER_USER_AGENT": "geocoder_user_agent",
            "PUENTE_GEOCODER_API_KEY": "geocoder_api_key",
            "PUENTE_TILE_ATTRIBUTION": "tile_attribution",
            "PUENTE_REDIS_URL": "redis_url",
            "PUENTE_TIMEZONE": "timezone",
        }
        for name, attr in text_fields.items():
            if (value := env.get(name, "").strip()) != "":
                values[attr] = value
        for name, attr in {
            "PUENTE_GEOCODER_MIN_DELAY_S": "geocoder_min_delay_s",
            "PUENTE_GEOCODER_TIMEOUT_S": "geocoder_timeout_s",
        }.items():
            if (value := env.get(name, "").strip()) != "":
                try:
                    values[attr] = float(value)
                except ValueError:
                    raise SettingsError(f"{name}={value!r}: expected a number") from None
        if "PUENTE_TILE_URL" in env:
            tile = env["PUENTE_TILE_URL"].strip()
            values["tile_url"] = None if tile.lower() in ("", "none", "off") else tile
        if (days := env.get("PUENTE_VERIFY_EVERY_DAYS", "").strip()) != "":
            if not days.isdigit() or int(days) < 1:
                raise SettingsError(
                    f"PUENTE_VERIFY_EVERY_DAYS={days!r}: expected a whole number >= 1"
                )
            values["verify_every_days"] = int(days)
        if origins := env.get("PUENTE_CORS_ORIGINS", "").strip():
            values["cors_origins"] = tuple(o.strip() for o in origins.split(",") if o.strip())
        return cls(**values)  # type: ignore[arg-type]


def _check_database_url(value: str) -> None:
    try:
        url = make_url(value)
    except ArgumentError:
        raise SettingsError(
            f"PUENTE_DATABASE_URL={value!r}: expected an SQLAlchemy URL such as "
            "sqlite:///puente.db or postgresql://user@host:5432/puente"
        ) from None
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise SettingsError(
            f"PUENTE_DATABASE_URL={value!r}: expected an sqlite:// or postgresql:// URL"
        )
