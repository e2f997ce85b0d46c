"""Synthetic directory data in the import CSV format.

Points cluster around a few metro areas (a Gaussian spread around each centre, wider for the
larger ones); categories and language support follow the mix of the example data. The same
seed always gives the same rows, so runs on both databases load identical data.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from api.formats.csv import COLUMNS

__all__ = [
    "LANGUAGES",
    "METROS",
    "Metro",
    "random_points",
    "rows",
    "write_csv",
]


@dataclass(frozen=True, kw_only=True)
class Metro:
    city: str
    state: str
    latitude: float
    longitude: float
    spread_km: float
    """Standard deviation of the distance from the centre."""
    weight: float
    """Share of all listings."""
    postal_prefix: str


METROS = (
    Metro(
        city="Dallas",
        state="TX",
        latitude=32.7767,
        longitude=-96.7970,
        spread_km=14,
        weight=0.20,
        postal_prefix="752",
    ),
    Metro(
        city="Houston",
        state="TX",
        latitude=29.7604,
        longitude=-95.3698,
        spread_km=18,
        weight=0.20,
        postal_prefix="770",
    ),
    Metro(
        city="San Antonio",
        state="TX",
        latitude=29.4241,
        longitude=-98.4936,
        spread_km=12,
        weight=0.12,
        postal_prefix="782",
    ),
    Metro(
        city="Austin",
        state="TX",
        latitude=30.2672,
        longitude=-97.7431,
        spread_km=10,
        weight=0.10,
        postal_prefix="787",
    ),
    Metro(
        city="Los Angeles",
        state="CA",
        latitude=34.0522,
        longitude=-118.2437,
        spread_km=22,
        weight=0.23,
        postal_prefix="900",
    ),
    Metro(
        city="Chicago",
        state="IL",
        latitude=41.8781,
        longitude=-87.6298,
        spread_km=16,
        weight=0.15,
        postal_prefix="606",
    ),
)

# Category mix of the example data (police stations, legal aid, partners, venues, consulates).
CATEGORIES = (
    ("police_station", 8),
    ("legal_aid", 7),
    ("community_partner", 5),
    ("meeting_venue", 3),
    ("consulate", 1),
)
ORGANIZATION_KIND = {
    "police_station": "law_enforcement",
    "legal_aid": "legal_services",
    "community_partner": "nonprofit",
    "meeting_venue": "faith",
    "consulate": "consulate",
}

# (code, share of listings offering it): English nearly everywhere, Spanish at most places,
# then the languages most spoken at home in these metro areas.
LANGUAGES = (
    ("en", 0.92),
    ("es", 0.70),
    ("vi", 0.10),
    ("zh", 0.08),
    ("ar", 0.05),
    ("ko", 0.04),
    ("tl", 0.04),
    ("fr", 0.03),
    ("hi", 0.03),
    ("am", 0.02),
    ("pt", 0.02),
    ("ne", 0.01),
)
SUPPORT = (("staff", 0.7), ("interpreter", 0.2), ("materials", 0.1))
HOURS = (
    "Mo-Fr 09:00-17:00",
    "Mo-Fr 08:00-18:00; Sa 10:00-14:00",
    "Tu,Th 18:00-21:00",
    "Mo-Su 00:00-24:00",
    "",
)
STREETS = ("Main St", "Oak Ave", "Elm St", "Maple Dr", "Cedar Ln", "Park Blvd", "Lake Rd")
WORDS = ("Community", "Family", "Neighborhood", "United", "Esperanza", "Unidos", "Harbor")
KM_PER_DEGREE = 111.32


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _metro(rng: random.Random) -> Metro:
    return rng.choices(METROS, weights=[m.weight for m in METROS])[0]


def _point_near(rng: random.Random, metro: Metro) -> tuple[float, float]:
    north = rng.gauss(0, metro.spread_km)
    east = rng.gauss(0, metro.spread_km)
    latitude = metro.latitude + north / KM_PER_DEGREE
    longitude = metro.longitude + east / (KM_PER_DEGREE * math.cos(math.radians(metro.latitude)))
    return round(latitude, 6), round(longitude, 6)


def random_points(count: int, *, seed: int) -> list[tuple[float, float]]:
    """Query points drawn like the data (people search where the listings are)."""
    rng = random.Random(seed)
    return [_point_near(rng, _metro(rng)) for _ in range(count)]


def _languages(rng: random.Random) -> str:
    chosen = [code for code, share in LANGUAGES if rng.random() < share] or ["en"]
    parts = []
    for code in chosen:
        support = _pick(rng, SUPPORT)
        parts.append(code if support == "staff" else f"{code}:{support}")
    return ";".join(parts)


def rows(count: int, *, seed: int = 7) -> Iterator[dict[str, str]]:
    rng = random.Random(seed)
    organizations = max(1, count // 5)
    for n in range(1, count + 1):
        metro = _metro(rng)
        latitude, longitude = _point_near(rng, metro)
        category = _pick(rng, tuple((c, float(w)) for c, w in CATEGORIES))
        org = rng.randrange(organizations)  # one organization is of one kind
        word = WORDS[org % len(WORDS)]
        kind = ORGANIZATION_KIND[category]
        yield {
            "external_id": f"bench-{n:07d}",
            "category": category,
            "name": f"{word} {category.replace('_', ' ').title()} {n}",
            "organization": f"{word} {kind.replace('_', ' ').title()} {org}",
            "organization_kind": kind,
            "description": f"Synthetic listing {n} for benchmarks in {metro.city}.",
            # Unique: rows at one address share one location in the importer.
            "address": f"{rng.randrange(100, 9999)} {rng.choice(STREETS)}, Suite {n}",
            "city": metro.city,
            "state": metro.state,
            "postal_code": f"{metro.postal_prefix}{rng.randrange(1, 99):02d}",
            "latitude": f"{latitude}",
            "longitude": f"{longitude}",
            "phone": f"555-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
            "website": f"https://example.org/{org}",
            "email": "",
            "languages": _languages(rng),
            "hours": rng.choice(HOURS),
            "fees": rng.choice(("", "Free", "Sliding scale")),
            "verified_at": f"2026-{rng.randrange(1, 11):02d}-{rng.randrange(1, 28):02d}",
            "source_url": f"https://example.org/{org}/listing/{n}",
            "confidential": "false",
        }


def write_csv(path: Path, count: int, *, seed: int = 7) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows(count, seed=seed))
    return path
