"""Every change the console makes to a listing, through ``api.writes`` and nowhere else.

The console is a client of the same writer as the API-key writes, so a change from the
console is validated, version-checked (the form carries the ETags it was read at), indexed
for search and audited exactly like one from the API, under the staff member's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from api.db.models import AuditEntry, Location, Organization, Resource, ResourceLanguage
from api.directory.schemas import OrganizationCreate, ResourceUpdate
from api.directory.upkeep import record_verification
from api.errors import NotFound
from api.settings import Settings
from api.writes import Writer, check_if_match
from web.staff.forms import Changes, EditorForm, form_of

__all__ = ["Editing", "Record"]


@dataclass(frozen=True, kw_only=True)
class Record:
    """A listing as the editor shows it: the rows, and the form read from them."""

    resource: Resource
    location: Location
    organization: Organization | None
    form: EditorForm


@dataclass(frozen=True, kw_only=True)
class Editing:
    session: Session
    settings: Settings
    staff_name: str
    now: datetime

    def _writer(self) -> Writer:
        return Writer(
            session=self.session, settings=self.settings, actor=self.staff_name, now=self.now
        )

    def read(self, resource_id: int) -> Record:
        """The listing with the versions a save must match; ``NotFound`` if retired or absent."""
        resource = self.session.get(Resource, resource_id)
        if resource is None or resource.retired_at is not None:
            raise NotFound("resource", resource_id)
        writer = self._writer()
        version = writer.resources.read(resource_id).etag
        assert resource.location_id is not None
        location = self.session.get(Location, resource.location_id)
        if location is None:
            raise NotFound("location", resource.location_id)
        location_version = writer.locations.represent(location).etag
        languages = [
            (row.code, str(getattr(row.support, "value", row.support)))
            for row in self.session.exec(
                select(ResourceLanguage)
                .where(ResourceLanguage.resource_id == resource_id)
                .order_by(col(ResourceLanguage.code))
            )
        ]
        organization = (
            self.session.get(Organization, resource.organization_id)
            if resource.organization_id is not None
            else None
        )
        return Record(
            resource=resource,
            location=location,
            organization=organization,
            form=form_of(
                resource,
                location,
                languages,
                version=version,
                location_version=location_version,
            ),
        )

    def save(self, resource_id: int, changes: Changes, form: EditorForm) -> None:
        """Apply the changes if the record is still as the form read it, else ``StaleWrite``.

        The resource is written before its location, whose change alters the resource's
        representation (and so its ETag) too.
        """
        writer = self._writer()
        update = changes.resource
        if changes.new_organization:
            typed = {} if update is None else update.model_dump(exclude_unset=True)
            typed["organization_id"] = self._organization(writer, changes.new_organization)
            update = ResourceUpdate.model_validate(typed)
        if update is not None:
            writer.resources.update(resource_id, update, form.version)
        else:
            check_if_match(form.version, writer.resources.read(resource_id).etag)
        resource = self.session.get(Resource, resource_id)
        assert resource is not None and resource.location_id is not None
        if changes.location is not None:
            writer.locations.update(resource.location_id, changes.location, form.location_version)
        else:
            location = writer.locations.read(resource.location_id)
            check_if_match(form.location_version, location.etag)

    def _organization(self, writer: Writer, name: str) -> int:
        """The live organization of this name (any case), else a new one, audited."""
        found = self.session.exec(
            select(Organization).where(
                func.lower(Organization.name) == name.strip().lower(),
                col(Organization.retired_at).is_(None),
            )
        ).first()
        if found is not None and found.id is not None:
            return found.id
        return writer.organizations.create(OrganizationCreate(name=name.strip())).id

    def verify(self, resource_id: int, *, method: str, note: str | None) -> None:
        """Confirmed now by this staff member: ``verified_at`` moves, and who and how is kept."""
        record_verification(
            self.session,
            resource_id,
            method=method,
            note=note,
            staff_name=self.staff_name,
            now=self.now,
        )
        self._writer().resources.update(resource_id, ResourceUpdate(verified_at=self.now), None)

    def restore(self, resource_id: int, *, reason: str) -> None:
        """Back in public results; the restore and its reason are audited under this member."""
        self._writer().resources.restore(resource_id, reason=reason)

    def retire(self, resource_id: int, *, reason: str, version: str | None) -> None:
        """Out of public results; the reason is kept with the audit entry of the retirement."""
        self._writer().resources.retire(resource_id, version)
        self.session.flush()
        entry = self.session.exec(
            select(AuditEntry)
            .where(
                AuditEntry.entity == "resource",
                AuditEntry.entity_id == resource_id,
                AuditEntry.action == "delete",
            )
            .order_by(col(AuditEntry.id).desc())
        ).first()
        if entry is not None:
            entry.after = {**(entry.after or {}), "retire_reason": reason.strip()[:500] or None}
            self.session.add(entry)
