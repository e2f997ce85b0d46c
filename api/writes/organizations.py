"""Staff writes to organizations; a renamed or retired one re-indexes its resources' text."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import col

from api.db.models import Organization, Resource
from api.directory.audit import snapshot
from api.directory.schemas import OrganizationCreate, OrganizationPublic, OrganizationUpdate
from api.errors import Unprocessable
from api.search.text import reindex_resources
from api.writes.steps import Steps, Written, check_if_match, not_null, plain_text

__all__ = ["OrganizationWriter"]


class OrganizationWriter(Steps):
    """Read, create, update and retire organizations (answered as ``OrganizationPublic``)."""

    def represent(self, row: Organization) -> Written:
        assert row.id is not None
        body = OrganizationPublic.model_validate(row, from_attributes=True).model_dump_json()
        return Written.of(row.id, body.encode())

    def read(self, entity_id: int) -> Written:
        return self.represent(self._load(Organization, entity_id))

    def create(self, data: OrganizationCreate) -> Written:
        plain_text(data)
        self._unique_external_id(Organization, data.external_id, None)
        row = Organization(**data.model_dump(), created_at=self.now, updated_at=self.now)
        self.session.add(row)
        self._flush()
        self._audit("create", "organization", row.id, None, snapshot(row))
        return self.represent(row)

    def update(self, entity_id: int, data: OrganizationUpdate, if_match: str | None) -> Written:
        plain_text(data)
        row = self._load(Organization, entity_id)
        check_if_match(if_match, self.represent(row).etag)
        changes = data.model_dump(exclude_unset=True)
        if errors := not_null(Organization, changes):
            raise Unprocessable(errors)
        self._unique_external_id(Organization, changes.get("external_id"), entity_id)
        before = snapshot(row)
        self._apply(row, changes)
        self._flush()
        if "name" in changes:
            reindex_resources(self.session, self._resources_of(entity_id))
        self._audit("update", "organization", entity_id, before, snapshot(row))
        return self.represent(row)

    def retire(self, entity_id: int, if_match: str | None) -> None:
        row = self._load(Organization, entity_id)
        self._retire_row(row, "organization", if_match, self.represent(row).etag)
        reindex_resources(self.session, self._resources_of(entity_id))

    def _resources_of(self, organization_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(col(Resource.id)).where(col(Resource.organization_id) == organization_id)
            )
        )
