"""Public shapes to feed the encoders, built without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.db.models import (
    Category,
    EventStatus,
    OrganizationKind,
    Precision,
    ResourceStatus,
    Support,
)
from api.directory.schemas import (
    AreaPublic,
    EventPublic,
    LanguagePublic,
    LocationPublic,
    OrganizationSummary,
    ResourcePublic,
)

__all__ = ["event", "location", "resource"]


def location(**changes: Any) -> LocationPublic:
    values: dict[str, Any] = {
        "id": 1,
        "name": "Recreation Center",
        "address": "400 S Ervay St",
        "city": "Dallas",
        "state": "TX",
        "postal_code": "75201",
        "latitude": 32.7767,
        "longitude": -96.797,
        "precision": Precision.PROVIDED,
        "areas": [AreaPublic(kind="zip", code="75201", name="ZIP 75201")],
    }
    return LocationPublic(**(values | changes))


def resource(**changes: Any) -> ResourcePublic:
    values: dict[str, Any] = {
        "id": 7,
        "external_id": "legal-1",
        "name": 'Clínica Legal, "Asesoría"',
        "category": Category.LEGAL_AID,
        "description": "Line one\nline two, with a comma",
        "organization": OrganizationSummary(
            id=2, name="Ayuda Legal", kind=OrganizationKind.NONPROFIT
        ),
        "location": location(),
        "languages": [
            LanguagePublic(code="vi", name="Vietnamese", support=Support.INTERPRETER),
            LanguagePublic(code="es", name="Spanish", support=Support.STAFF),
        ],
        "phone": "+1 214-555-0100",
        "email": "info@example.org",
        "hours": "Mo-Fr 09:00-17:00",
        "verified_at": datetime(2025, 2, 20, 6, 0, tzinfo=UTC),
        "source_url": "https://example.org/clinic",
        "status": ResourceStatus.ACTIVE,
        "updated_at": datetime(2025, 3, 1, tzinfo=UTC),
    }
    return ResourcePublic(**(values | changes))


def event(**changes: Any) -> EventPublic:
    values: dict[str, Any] = {
        "id": 11,
        "title": "Community meeting",
        "description": "Questions welcome.",
        "starts_at": datetime(2026, 3, 5, 0, 30, tzinfo=UTC),
        "ends_at": datetime(2026, 3, 5, 2, 0, tzinfo=UTC),
        "status": EventStatus.SCHEDULED,
        "source_url": "https://example.org/meetings",
        "organization": OrganizationSummary(
            id=3, name="Police Department", kind=OrganizationKind.LAW_ENFORCEMENT
        ),
        "location": location(),
        "languages": [LanguagePublic(code="es", name="Spanish")],
        "updated_at": datetime(2026, 1, 10, 12, 0, tzinfo=UTC),
    }
    return EventPublic(**(values | changes))
