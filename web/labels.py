"""Words the page shows for the directory's codes: categories, who runs a place, support.

Each is marked for extraction with ``N_`` and translated when a page is rendered, so
``pybabel extract`` finds them beside the templates' own strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from api.db.models import Category, OrganizationKind, Support

__all__ = [
    "AREA_KIND_LABELS",
    "CATEGORY_LABELS",
    "CATEGORY_STYLES",
    "N_",
    "ORGANIZATION_KIND_LABELS",
    "OTHER_STYLE",
    "SUPPORT_LABELS",
    "CategoryStyle",
    "area_kind_label",
    "area_name",
    "category_label",
    "category_style",
]


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext no-op marker
    return message


CATEGORY_LABELS: dict[str, str] = {
    Category.MEETING_VENUE: N_("Community meeting place"),
    Category.LEGAL_AID: N_("Immigration legal aid"),
    Category.COMMUNITY_PARTNER: N_("Community partner"),
    Category.CONSULATE: N_("Consulate"),
    Category.POLICE_STATION: N_("Police station"),
}

ORGANIZATION_KIND_LABELS: dict[str, str] = {
    OrganizationKind.NONPROFIT: N_("a nonprofit organization"),
    OrganizationKind.COMMUNITY: N_("a community group"),
    OrganizationKind.FAITH: N_("a faith community (church, mosque, temple)"),
    OrganizationKind.GOVERNMENT: N_("a government office"),
    OrganizationKind.LAW_ENFORCEMENT: N_("law enforcement (police)"),
    OrganizationKind.CONSULATE: N_("a consulate (a foreign government)"),
    OrganizationKind.LEGAL_SERVICES: N_("a legal services provider"),
    OrganizationKind.OTHER: N_("another kind of organization"),
}

SUPPORT_LABELS: dict[str, str] = {
    Support.STAFF: N_("staff speak it"),
    Support.INTERPRETER: N_("through an interpreter"),
    Support.MATERIALS: N_("written materials"),
}

AREA_KIND_LABELS: dict[str, str] = {
    "council_district": N_("Council districts"),
    "zip": N_("ZIP codes"),
    "police_division": N_("Police divisions"),
    "neighborhood": N_("Neighborhoods"),
}


@dataclass(frozen=True, kw_only=True)
class CategoryStyle:
    """How a category looks on the map: a colour and a Font Awesome glyph."""

    color: str
    icon: str


CATEGORY_STYLES: dict[str, CategoryStyle] = {
    Category.MEETING_VENUE: CategoryStyle(color="#1b6ac9", icon="people-group"),
    Category.LEGAL_AID: CategoryStyle(color="#b3261e", icon="scale-balanced"),
    Category.COMMUNITY_PARTNER: CategoryStyle(color="#1e7b34", icon="handshake"),
    Category.CONSULATE: CategoryStyle(color="#7b3fa0", icon="flag"),
    Category.POLICE_STATION: CategoryStyle(color="#38414a", icon="building-shield"),
}
OTHER_STYLE = CategoryStyle(color="#8a5a00", icon="location-dot")


def category_style(category: str) -> CategoryStyle:
    return CATEGORY_STYLES.get(category, OTHER_STYLE)


def category_label(category: str, gettext: Callable[[str], str]) -> str:
    label = CATEGORY_LABELS.get(category)
    return gettext(label) if label else category.replace("_", " ").capitalize()


def area_kind_label(kind: str, gettext: Callable[[str], str]) -> str:
    label = AREA_KIND_LABELS.get(kind)
    return gettext(label) if label else kind.replace("_", " ").capitalize()


def area_name(kind: str, code: str, name: str, gettext: Callable[[str], str]) -> str:
    """An area's name in the reader's language where the page can say it (``District 1`` ->
    ``Distrito 1``); other names (neighbourhoods, divisions, ZIP codes) are proper names."""
    if kind == "council_district":
        return gettext("District %(code)s") % {"code": code}
    return name
