"""Addresses to points, through the configured geocoder and two caches.

Staff addresses (imports, edits) are kept in the database's ``GeocodeCache`` under the
provider's name and the normalised query, a "no match" included, so asking again costs no
request; the row keeps the question and the answer, never who asked. A resident's address
search reads that cache but never writes to it: its answer (a "no match" included) is
remembered only in the process's memory, for ``RESIDENT_MEMORY_S`` at most, in a bounded
``cachetools.TTLCache``. Provider failures (timeouts, rate limits, server errors, no
connection) become :class:`GeocodeUnavailable` with a reason a person can act on; they are
not cached, so a later run asks again.

The state of one process — the provider's client, its pacing, the queue bound and the
residents' memory — is a :class:`Geocoder`, built in ``create_app`` and reached through the
request's database session (``Session.info``); a session without one (the command line)
gets a fresh one per call, whose pacing still holds for callers asking one after another.

Providers (``PUENTE_GEOCODER``):

- ``offline`` — the ``zipcodes`` package's ZIP centroids; needs a ZIP code (the
  ``postal_code`` argument, or the last five-digit ZIP in the query). Local, so not cached.
- ``nominatim``, ``photon``, ``arcgis``, ``pelias`` — geopy's clients, one per
  :class:`Geocoder`, asked one request at a time: each request holds the provider for
  ``PUENTE_GEOCODER_MIN_DELAY_S`` (by default one second for a public server, none for your
  own ``PUENTE_GEOCODER_DOMAIN``), with no retries (a retry would hide a failure and break
  the provider's rate). At most ``max_waiting`` searches wait their turn; one more is
  refused at once with :class:`api.errors.Unavailable` and a ``Retry-After``.

Precision is read from what the provider says it found:

=========  ==========================================  ===================  ===========
provider   rooftop                                     street               postal_code
=========  ==========================================  ===================  ===========
nominatim  addresstype/type house or building,         addresstype road,    addresstype
           class building                              class highway        or type
                                                                            postcode
photon     type house                                  type street          osm_value
                                                                            postcode
pelias     layer address or venue                      layer street         layer
                                                                            postalcode
arcgis     Addr_type PointAddress or Subaddress        StreetAddress, ...   Postal...
=========  ==========================================  ===================  ===========

Anything else (a city, a district) counts as ``street``: the coarsest precision an answer
from an online provider is given short of a ZIP centroid.

Addresses are personal data in transit: geopy's and urllib3's debug logs print request URLs,
so records below WARNING from those loggers are dropped, and provider errors are re-raised
without their cause (whose text carries the URL).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import zipcodes
from cachetools import TTLCache
from geopy.adapters import AdapterHTTPError, RequestsAdapter  # type: ignore[import-untyped]
from geopy.exc import (  # type: ignore[import-untyped]
    GeocoderAuthenticationFailure,
    GeocoderInsufficientPrivileges,
    GeocoderParseError,
    GeocoderQueryError,
    GeocoderQuotaExceeded,
    GeocoderRateLimited,
    GeocoderTimedOut,
    GeocoderUnavailable,
    GeopyError,
)
from geopy.geocoders import ArcGIS, Nominatim, Pelias, Photon  # type: ignore[import-untyped]
from geopy.location import Location as GeopyLocation  # type: ignore[import-untyped]
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from api.db.models import GeocodeCache, Precision
from api.errors import Unavailable
from api.settings import Settings

__all__ = [
    "GEOCODER_INFO_KEY",
    "GeocodeResult",
    "GeocodeUnavailable",
    "Geocoder",
    "find_zip_code",
    "geocode",
    "geocoder_name",
    "normalize_query",
    "zip_centroid",
]

QUERY_MAX_LENGTH = 500
GEOCODER_INFO_KEY = "puente.geocoder"
"""Where a database session's ``info`` holds the app's :class:`Geocoder`."""
RESIDENT_MEMORY_S = 300
"""How long a resident's address search is remembered (in memory only), in seconds."""
_PUNCTUATION = re.compile(r"[\W_]+")
_ZIP = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")


@dataclass(frozen=True)
class GeocodeResult:
    latitude: float
    longitude: float
    precision: Precision


class GeocodeUnavailable(Exception):  # noqa: N818 - reads as "geocode unavailable"
    """The geocoder could not answer; ``reason`` says why in words a person can act on."""

    def __init__(self, reason: str, *, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def geocoder_name(settings: Settings) -> str:
    """The provider's name as people know it, for messages and the cache."""
    return {
        "offline": "offline ZIP centroids",
        "nominatim": "Nominatim",
        "photon": "Photon",
        "arcgis": "ArcGIS",
        "pelias": "Pelias",
    }.get(settings.geocoder, settings.geocoder)


def normalize_query(text: str) -> str:
    """The cache key of a query: casefolded, punctuation and runs of spaces made one space."""
    return _PUNCTUATION.sub(" ", text.casefold()).strip()


def find_zip_code(text: str) -> str | None:
    """The last five-digit ZIP in a query, not counting a leading house number."""
    matches = list(_ZIP.finditer(text))
    if matches and matches[0].start() == 0 and text[matches[0].end() :].strip(" ,"):
        matches = matches[1:]  # "12345 Main St" starts with a house number
    return matches[-1].group(1) if matches else None


def zip_centroid(postal_code: str) -> GeocodeResult | None:
    """The centroid of a US ZIP code (``75215`` or ``75215-1234``); None when unknown."""
    code = postal_code.strip()[:5]
    point = _zip_point(code) if len(code) == 5 and code.isdigit() else None
    if point is None:
        return None
    return GeocodeResult(latitude=point[0], longitude=point[1], precision=Precision.POSTAL_CODE)


def geocode(
    session: Session,
    settings: Settings,
    query: str,
    *,
    postal_code: str | None = None,
    resident: bool = False,
) -> GeocodeResult | None:
    """A point for an address, or None when the geocoder finds no match.

    Raises :class:`GeocodeUnavailable` when an online provider cannot answer,
    :class:`api.errors.Unavailable` when too many searches already wait for it, and
    ``ValueError`` for a query longer than 500 characters. A ``resident`` search is
    remembered in memory only; other new answers are added to the session (in a savepoint,
    so a concurrent duplicate cannot spoil the caller's transaction) and the caller commits.
    """
    if settings.geocoder == "offline":
        code = postal_code or find_zip_code(query)
        return zip_centroid(code) if code else None
    text = " ".join(query.split())
    if postal_code and postal_code.strip() not in text:
        text = f"{text} {postal_code.strip()}"
    key = normalize_query(text)
    if not key:
        return None
    if len(key) > QUERY_MAX_LENGTH:
        raise ValueError(
            f"the address is {len(key)} characters long; expected at most {QUERY_MAX_LENGTH}"
        )
    cached = session.exec(
        select(GeocodeCache).where(
            GeocodeCache.provider == settings.geocoder, GeocodeCache.query == key
        )
    ).first()
    if cached is not None:
        return _from_cache(cached)
    geocoder = session.info.get(GEOCODER_INFO_KEY)
    if not isinstance(geocoder, Geocoder) or geocoder.settings != settings:
        # Used once: keep the provider's rate for whoever asks next by waiting it out here.
        once = Geocoder(settings=settings)
        try:
            return _ask(session, once, key, text, resident=resident)
        finally:
            once.rest()
    return _ask(session, geocoder, key, text, resident=resident)


def _ask(
    session: Session, geocoder: Geocoder, key: str, text: str, *, resident: bool
) -> GeocodeResult | None:
    if not resident:
        result = geocoder.ask(text)
        _store(session, geocoder.settings.geocoder, key, result)
        return result
    found, result = geocoder.recall(key)
    if not found:
        result = geocoder.ask(text)
        geocoder.remember(key, result)
    return result


def _from_cache(row: GeocodeCache) -> GeocodeResult | None:
    if row.latitude is None or row.longitude is None:
        return None
    return GeocodeResult(
        latitude=row.latitude,
        longitude=row.longitude,
        precision=Precision(row.precision or Precision.STREET),
    )


def _store(session: Session, provider: str, key: str, result: GeocodeResult | None) -> None:
    row = GeocodeCache(
        provider=provider,
        query=key,
        latitude=result.latitude if result else None,
        longitude=result.longitude if result else None,
        precision=result.precision.value if result else None,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        pass  # another process cached the same query meanwhile; its answer is as good


# --- providers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Client:
    ask: Callable[..., Any]
    options: Mapping[str, Any]
    precision: Callable[[Mapping[str, Any]], Precision]


class Geocoder:
    """One process's way to the configured provider: its client, one request at a time
    paced by ``settings.geocoder_delay_s``, at most ``max_waiting`` callers waiting, and a
    bounded, brief memory of residents' searches."""

    def __init__(
        self,
        *,
        settings: Settings,
        max_waiting: int = 4,
        remembered: int = 2048,
        remember_s: float = RESIDENT_MEMORY_S,
    ) -> None:
        self.settings = settings
        self.max_waiting = max_waiting
        self._client: _Client | None = None
        self._turn = threading.Lock()
        self._count_lock = threading.Lock()
        self._waiting = 0
        self._next_at = 0.0
        self._recent: TTLCache[str, GeocodeResult | None] = TTLCache(
            maxsize=remembered, ttl=remember_s
        )
        self._recent_lock = threading.Lock()

    def recall(self, key: str) -> tuple[bool, GeocodeResult | None]:
        """Whether a resident asked for ``key`` lately, and the answer then."""
        with self._recent_lock:
            if key in self._recent:
                return True, self._recent[key]
        return False, None

    def remember(self, key: str, result: GeocodeResult | None) -> None:
        with self._recent_lock:
            self._recent[key] = result

    def ask(self, text: str) -> GeocodeResult | None:
        """The provider's answer for ``text``, waiting for this process's turn."""
        with self._count_lock:
            if self._waiting >= self.max_waiting + 1:  # the one asking now, and those waiting
                raise Unavailable(
                    "Geocoder",
                    "Too many address searches are waiting for the geocoder; try again in a "
                    "few seconds.",
                    retry_after_s=max(1, math.ceil(self.settings.geocoder_delay_s * 2)),
                )
            self._waiting += 1
        try:
            with self._turn:
                if (rest := self._next_at - time.monotonic()) > 0:
                    time.sleep(rest)
                try:
                    return self._ask_provider(text)
                finally:
                    self._next_at = time.monotonic() + self.settings.geocoder_delay_s
        finally:
            with self._count_lock:
                self._waiting -= 1

    def rest(self) -> None:
        """Wait until the provider may be asked again (for a Geocoder used once)."""
        if (rest := self._next_at - time.monotonic()) > 0:
            time.sleep(rest)

    def _ask_provider(self, text: str) -> GeocodeResult | None:
        if self._client is None:
            self._client = _build_client(self.settings)
        client = self._client
        try:
            found: GeopyLocation | None = client.ask(text, **client.options)
        except GeopyError as error:
            raise _unavailable(error, self.settings) from None
        if found is None:
            return None
        return GeocodeResult(
            latitude=float(found.latitude),
            longitude=float(found.longitude),
            precision=client.precision(found.raw),
        )


def _build_client(settings: Settings) -> _Client:
    _hide_request_urls_from_logs()
    common: dict[str, Any] = {
        "scheme": settings.geocoder_scheme,
        "timeout": settings.geocoder_timeout_s,
        "user_agent": settings.geocoder_user_agent or "puente",
        "adapter_factory": functools.partial(RequestsAdapter, max_retries=0),
    }
    domain = settings.geocoder_domain
    geocoder: Any
    options: dict[str, Any] = {}
    if settings.geocoder == "nominatim":
        geocoder = Nominatim(domain=domain or "nominatim.openstreetmap.org", **common)
        precision = _nominatim_precision
    elif settings.geocoder == "photon":
        geocoder = Photon(domain=domain or "photon.komoot.io", **common)
        precision = _photon_precision
    elif settings.geocoder == "arcgis":
        geocoder = ArcGIS(domain=domain or "geocode.arcgis.com", **common)
        options = {"out_fields": ["Addr_type"]}
        precision = _arcgis_precision
    elif settings.geocoder == "pelias":
        if not domain:
            raise GeocodeUnavailable(
                "the pelias geocoder needs PUENTE_GEOCODER_DOMAIN (the Pelias server's host)"
            )
        geocoder = Pelias(domain=domain, api_key=settings.geocoder_api_key, **common)
        precision = _pelias_precision
    else:
        raise GeocodeUnavailable(f"unknown geocoder {settings.geocoder!r}")
    return _Client(ask=geocoder.geocode, options=options, precision=precision)


def _unavailable(error: GeopyError, settings: Settings) -> GeocodeUnavailable:
    cause = error.__cause__
    status = cause.status_code if isinstance(cause, AdapterHTTPError) else None
    name = geocoder_name(settings)
    if isinstance(error, GeocoderRateLimited | GeocoderQuotaExceeded):
        code = status or 429
        wait = getattr(error, "retry_after", None)
        later = f"; retry after {wait:g} s" if wait else ""
        return GeocodeUnavailable(f"rate limited by {name} ({code}){later}", status=code)
    if isinstance(error, GeocoderTimedOut) and status is None:
        return GeocodeUnavailable(
            f"timeout after {settings.geocoder_timeout_s:g} s waiting for {name}"
        )
    if isinstance(error, GeocoderAuthenticationFailure | GeocoderInsufficientPrivileges):
        return GeocodeUnavailable(
            f"{name} refused the request ({status or 'auth'}): check PUENTE_GEOCODER_API_KEY "
            "and PUENTE_GEOCODER_USER_AGENT",
            status=status,
        )
    if isinstance(error, GeocoderQueryError):
        return GeocodeUnavailable(f"{name} rejected the query ({status or 400})", status=status)
    if isinstance(error, GeocoderUnavailable) and status is None:
        return GeocodeUnavailable(f"cannot reach {name} at {_where(settings)}")
    if isinstance(error, GeocoderParseError):
        return GeocodeUnavailable(f"{name} sent an answer that could not be read")
    if status is not None:
        return GeocodeUnavailable(f"provider error from {name} ({status})", status=status)
    return GeocodeUnavailable(f"provider error from {name}")


def _where(settings: Settings) -> str:
    return f"{settings.geocoder_scheme}://{settings.geocoder_domain or 'its default address'}"


def _nominatim_precision(raw: Mapping[str, Any]) -> Precision:
    kinds = {raw.get("addresstype"), raw.get("type")}
    if kinds & {"house", "building"} or raw.get("class", raw.get("category")) == "building":
        return Precision.ROOFTOP
    if "postcode" in kinds:
        return Precision.POSTAL_CODE
    return Precision.STREET  # a road, and anything coarser than a street


def _photon_precision(raw: Mapping[str, Any]) -> Precision:
    properties = raw.get("properties", {})
    if properties.get("type") == "house":
        return Precision.ROOFTOP
    if properties.get("osm_value") == "postcode":
        return Precision.POSTAL_CODE
    return Precision.STREET


def _pelias_precision(raw: Mapping[str, Any]) -> Precision:
    layer = raw.get("properties", {}).get("layer")
    if layer in ("address", "venue"):
        return Precision.ROOFTOP
    if layer == "postalcode":
        return Precision.POSTAL_CODE
    return Precision.STREET


def _arcgis_precision(raw: Mapping[str, Any]) -> Precision:
    kind = str(raw.get("attributes", {}).get("Addr_type", ""))
    if kind in ("PointAddress", "Subaddress"):
        return Precision.ROOFTOP
    if kind.startswith("Postal"):
        return Precision.POSTAL_CODE
    return Precision.STREET


# --- offline ZIP centroids and logging -----------------------------------------------------


@functools.lru_cache(maxsize=50_000)
def _zip_point(code: str) -> tuple[float, float] | None:
    """One ZIP's centroid, looked up in the package's own index: ``zipcodes.list_all()``
    would keep every record as Python dicts, about 100 MB in each worker."""
    for record in zipcodes.matching(code):  # type: ignore[no-untyped-call]
        try:
            return float(record["lat"]), float(record["long"])
        except (KeyError, TypeError, ValueError):
            continue
    return None


class _WarningsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


@functools.cache
def _hide_request_urls_from_logs() -> None:
    for name in ("geopy", "urllib3.connectionpool"):
        logging.getLogger(name).addFilter(_WarningsOnly())
