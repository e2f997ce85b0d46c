"""Staff endpoints: writes to the directory, the audit trail and problem reports.

Every handler here needs an API key with its scope (``require_scope`` and ``opt["scope"]``,
see ``controller``), counts against the staff budget and is never cached. The writes are one
Litestar ``Controller`` per kind of record; each answers with the record's ETag.
"""

from litestar.types import ControllerRouterHandler

from api.http.routes.staff.audit import AuditEntryPublic, list_audit
from api.http.routes.staff.events import EventController
from api.http.routes.staff.locations import LocationController
from api.http.routes.staff.organizations import OrganizationController
from api.http.routes.staff.reports import list_problem_reports, update_problem_report
from api.http.routes.staff.resources import ResourceController

__all__ = [
    "WRITES",
    "AuditEntryPublic",
    "EventController",
    "LocationController",
    "OrganizationController",
    "ResourceController",
    "list_audit",
    "list_problem_reports",
    "update_problem_report",
]

WRITES: list[ControllerRouterHandler] = [
    OrganizationController,
    LocationController,
    ResourceController,
    EventController,
]
"""Staff writes; resources are read through the public ``GET /api/v1/resources/{id}``."""
