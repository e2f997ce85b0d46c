"""Settings read from ``PUENTE_*`` environment variables.

Every invalid value stops start-up with one line naming the variable and what it accepts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

__all__ = ["GEOCODERS", "RATE_UNITS", "Rate", "Settings", "SettingsError"]

GEOCODERS = ("offline", "nominatim", "photon", "arcgis", "pelias")
RATE_UNITS = ("second", "minute", "hour", "day")
Rate = tuple[str, int]
"""A rate limit: the window's unit (one of ``RATE_UNITS``) and how many requests fit in it."""
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

_PHONE_NUMBER = re.compile(r"\+?[0-9](?:[0-9 -]{0,18}[0-9])")


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

    geocoder_min_delay_s: float | None = None
    """Least time between two requests to the geocoder, in seconds; unset, one second for
    a public server (no ``geocoder_domain``) and none for a self-hosted one."""

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

    hash_key: str | None = field(default=None, repr=False)
    """Key of the keyed hashes that name response-cache entries and rate-limit counters;
    never stored. Unset, each process draws its own at start-up (workers then share no
    cache entries and count budgets apart)."""

    second_factor_key: str | None = field(default=None, repr=False)
    """Key that seals the staff's TOTP secrets in the database (AES-GCM); never stored.
    Unset, the secrets are kept unsealed (still never shown again after enrolment)."""

    rate_limit_reads: Rate = ("minute", 600)
    """Public reads (searches, feeds, pages) per client."""

    rate_limit_reports: Rate = ("hour", 20)
    """Public problem reports per client."""

    rate_limit_staff: Rate = ("minute", 300)
    """Staff requests (writes, imports, audit) per API key; per client without a valid key."""

    max_body_bytes: int = 64 * 1024
    """Largest JSON body a write may send."""

    max_upload_bytes: int = 10 * 1024 * 1024
    """Largest upload ``POST /api/v1/imports`` accepts."""

    timezone: str = "America/Chicago"
    """The region's time zone: opening hours and local event times are read in it."""

    emergency_number: str = "911"
    """The region's number for police, fire and ambulance, shown on the emergency page
    (Dallas, like all of the US: 911)."""

    services_number: str | None = "211"
    """The region's line for help finding food, housing, health care and other services
    (Dallas: 211); None leaves it off the emergency page."""

    public_url: str | None = None
    """The public base URL (``https://puente.example.org``): absolute links and calendar UIDs
    are built from it, never from a request's ``Host`` header."""
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
        if self.geocoder_min_delay_s is not None and self.geocoder_min_delay_s < 0:
            raise SettingsError("PUENTE_GEOCODER_MIN_DELAY_S: expected a number >= 0")
        if (
            self.geocoder == "nominatim"
            and not self.geocoder_domain
            and self.geocoder_delay_s < 1.0
        ):
            raise SettingsError(
                "PUENTE_GEOCODER_MIN_DELAY_S: the public Nominatim allows at most one request "
                "per second; expected a number >= 1 (or name your own server in "
                "PUENTE_GEOCODER_DOMAIN)"
            )
        if self.geocoder_timeout_s <= 0:
            raise SettingsError("PUENTE_GEOCODER_TIMEOUT_S: expected a number > 0")
        for name, rate in (
            ("PUENTE_RATE_LIMIT_READS", self.rate_limit_reads),
            ("PUENTE_RATE_LIMIT_REPORTS", self.rate_limit_reports),
            ("PUENTE_RATE_LIMIT_STAFF", self.rate_limit_staff),
        ):
            unit, count = rate
            if unit not in RATE_UNITS or count <= 0:
                raise SettingsError(
                    f"{name}={count}/{unit}: expected COUNT/UNIT with COUNT > 0 and UNIT one "
                    f"of {', '.join(RATE_UNITS)}, e.g. 600/minute"
                )
        for name, size in (
            ("PUENTE_MAX_BODY_BYTES", self.max_body_bytes),
            ("PUENTE_MAX_UPLOAD_BYTES", self.max_upload_bytes),
        ):
            if size <= 0:
                raise SettingsError(f"{name}={size}: expected a whole number of bytes > 0")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(
                f"PUENTE_TIMEZONE={self.timezone!r}: expected an IANA time zone such as "
                "America/Chicago"
            ) from exc
        if self.public_url is not None:
            _check_public_url(self.public_url)
        for name, number in (
            ("PUENTE_EMERGENCY_NUMBER", self.emergency_number),
            ("PUENTE_SERVICES_NUMBER", self.services_number),
        ):
            if number is not None and not _PHONE_NUMBER.fullmatch(number):
                raise SettingsError(
                    f"{name}={number!r}: expected a number to dial, 2 to 20 digits with "
                    "optional spaces or hyphens and a leading +, e.g. 911 or 112"
                )

    @property
    def public_base(self) -> str | None:
        """``public_url`` without a trailing slash, ready to have a path appended."""
        return self.public_url.rstrip("/") if self.public_url else None

    @property
    def geocoder_delay_s(self) -> float:
        """Least time between two geocoder requests: the setting, or its default."""
        if self.geocoder_min_delay_s is not None:
            return self.geocoder_min_delay_s
        return 0.0 if self.geocoder_domain else 1.0

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
            "PUENTE_HASH_KEY": "hash_key",
            "PUENTE_SECOND_FACTOR_KEY": "second_factor_key",
            "PUENTE_TIMEZONE": "timezone",
            "PUENTE_PUBLIC_URL": "public_url",
            "PUENTE_EMERGENCY_NUMBER": "emergency_number",
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
        for budget in ("reads", "reports", "staff"):
            name = f"PUENTE_RATE_LIMIT_{budget.upper()}"
            if raw := env.get(name, "").strip():
                values[f"rate_limit_{budget}"] = _parse_rate(name, raw)
        for name, attr in (
            ("PUENTE_MAX_BODY_BYTES", "max_body_bytes"),
            ("PUENTE_MAX_UPLOAD_BYTES", "max_upload_bytes"),
        ):
            if raw := env.get(name, "").strip():
                if not raw.isdigit() or int(raw) <= 0:
                    raise SettingsError(f"{name}={raw!r}: expected a whole number of bytes > 0")
                values[attr] = int(raw)
        if "PUENTE_TILE_URL" in env:
            tile = env["PUENTE_TILE_URL"].strip()
            values["tile_url"] = None if tile.lower() in ("", "none", "off") else tile
        if "PUENTE_SERVICES_NUMBER" in env:
            line = env["PUENTE_SERVICES_NUMBER"].strip()
            values["services_number"] = None if line.lower() in ("", "none", "off") else line
        if (days := env.get("PUENTE_VERIFY_EVERY_DAYS", "").strip()) != "":
            if not days.isdigit() or int(days) < 1:
                raise SettingsError(
                    f"PUENTE_VERIFY_EVERY_DAYS={days!r}: expected a whole number >= 1"
                )
            values["verify_every_days"] = int(days)
        if origins := env.get("PUENTE_CORS_ORIGINS", "").strip():
            values["cors_origins"] = tuple(o.strip() for o in origins.split(",") if o.strip())
        return cls(**values)  # type: ignore[arg-type]


def _parse_rate(name: str, raw: str) -> Rate:
    count, _, unit = raw.partition("/")
    if not count.strip().isdigit() or int(count) <= 0 or unit.strip() not in RATE_UNITS:
        raise SettingsError(
            f"{name}={raw!r}: expected COUNT/UNIT with COUNT > 0 and UNIT one of "
            f"{', '.join(RATE_UNITS)}, e.g. 600/minute"
        )
    return unit.strip(), int(count)


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


def _check_public_url(value: str) -> None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(
            f"PUENTE_PUBLIC_URL={value!r}: expected an http(s) base URL without query or "
            "fragment, such as https://puente.example.org"
        )
