"""Organizations named by resource rows: found by name (and kind), created when new."""

from __future__ import annotations

from sqlmodel import Session, select

from api.db.models import Organization, OrganizationKind
from seed.changes import audit_created, update_fields
from seed.matching import normalized
from seed.records import OrganizationRecord

__all__ = ["Organizations"]


class Organizations:
    """Looks organizations up by normalised name within one import's transaction."""

    def __init__(self, session: Session, *, actor: str) -> None:
        self.session = session
        self.actor = actor
        self._by_name: dict[str, list[int]] | None = None

    def reset(self) -> None:
        """Forget what was looked up: a rolled-back savepoint may have removed rows."""
        self._by_name = None

    def find(self, name: str, kind: OrganizationKind | None = None) -> Organization | None:
        """The organization of that name; with several, the one of ``kind`` (else the oldest)."""
        matches = self.matches(name)
        if kind is not None:
            matches = [org for org in matches if org.kind == kind] or matches
        return matches[0] if matches else None

    def matches(self, name: str) -> list[Organization]:
        """Every organization of that name, oldest first."""
        found = (self.session.get(Organization, i) for i in self.ids(name))
        return [org for org in found if org is not None]

    def ids(self, name: str) -> list[int]:
        return list(self._index().get(normalized(name), []))

    def remember(self, organization_id: int, name: str) -> None:
        """An organization written without :meth:`upsert` has this name."""
        self._index().setdefault(normalized(name), []).append(organization_id)

    def upsert(self, record: OrganizationRecord) -> tuple[Organization, bool]:
        """The organization, and whether this row created or changed it."""
        organization = self.find(record.name, record.values.get("kind"))
        if organization is None:
            organization = Organization(name=record.name, **record.values)
            self.session.add(organization)
            audit_created(self.session, organization, actor=self.actor, entity="organization")
            if organization.id is not None:
                self._index().setdefault(normalized(record.name), []).append(organization.id)
            return organization, True
        changed = update_fields(
            self.session, organization, record.values, actor=self.actor, entity="organization"
        )
        return organization, changed

    def _index(self) -> dict[str, list[int]]:
        if self._by_name is None:
            self._by_name = {}
            rows = self.session.exec(
                select(Organization.id, Organization.name).order_by(Organization.id)  # type: ignore[arg-type]
            ).all()
            for org_id, name in rows:
                if org_id is not None:
                    self._by_name.setdefault(normalized(name), []).append(org_id)
        return self._by_name
