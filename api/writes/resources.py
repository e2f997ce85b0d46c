"""Staff writes to resources: their languages beside them, the text index kept in step.

A resource is read (and its ETag taken) as the public ``GET /api/v1/resources/{id}``
answers it, so a partner's read is all a ``PATCH`` with ``If-Match`` needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import col

from api.db.models import Location, Resource, ResourceLanguage
from api.directory.audit import snapshot
from api.directory.schemas import LanguageSupportIn, ResourceCreate, ResourceUpdate
from api.errors import NotFound, Unprocessable
from api.search import get_resource
from api.search.text import reindex_resources
from api.writes.steps import CONTROL, Steps, Written, check_if_match, not_null, plain_text

__all__ = ["ResourceWriter"]


class ResourceWriter(Steps):
    """Read, create, update, retire and restore resources (answered as ``ResourceDetail``)."""

    def read(self, entity_id: int) -> Written:
        detail = get_resource(self.session, entity_id, now=self.now, settings=self.settings)
        if detail is None:
            raise NotFound("resource", entity_id)
        return Written.of(entity_id, detail.model_dump_json().encode())

    def create(self, data: ResourceCreate) -> Written:
        plain_text(data)
        if errors := self._parents(data.location_id, data.organization_id):
            raise Unprocessable(errors)
        self._unique_external_id(Resource, data.external_id, None)
        fields = data.model_dump(exclude={"languages"})
        row = Resource(**fields, created_at=self.now, updated_at=self.now)
        self.session.add(row)
        self._flush()
        assert row.id is not None
        self._set_languages(row.id, data.languages)
        self._flush()
        reindex_resources(self.session, [row.id])
        self._audit("create", "resource", row.id, None, self._snapshot(row))
        return self.read(row.id)

    def update(self, entity_id: int, data: ResourceUpdate, if_match: str | None) -> Written:
        plain_text(data)
        row = self._load(Resource, entity_id)
        check_if_match(if_match, self.read(entity_id).etag)
        changes = data.model_dump(exclude_unset=True, exclude={"languages"})
        if errors := not_null(Resource, changes) + self._changed_parents(changes):
            raise Unprocessable(errors)
        self._unique_external_id(Resource, changes.get("external_id"), entity_id)
        before = self._snapshot(row)
        self._apply(row, changes)
        if data.languages is not None:
            self._set_languages(entity_id, data.languages)
        self._flush()
        reindex_resources(self.session, [entity_id])
        self._audit("update", "resource", entity_id, before, self._snapshot(row))
        self.session.expire_all()
        return self.read(entity_id)

    def retire(self, entity_id: int, if_match: str | None) -> None:
        row = self._load(Resource, entity_id)
        self._retire_row(row, "resource", if_match, self.read(entity_id).etag)
        reindex_resources(self.session, [entity_id])

    def restore(self, entity_id: int, *, reason: str) -> Written:
        """Back in public results: ``retired_at`` cleared, audited as a restore with its
        reason. ``NotFound`` unless the resource exists and is retired; ``Unprocessable``
        while its location is retired too, or without a reason."""
        row = self.session.scalars(
            select(Resource).where(col(Resource.id) == entity_id).with_for_update()
        ).first()
        if row is None or row.retired_at is None:
            raise NotFound("retired resource", entity_id)
        reason = reason.strip()
        if not reason or len(reason) > 500 or CONTROL.search(reason):
            raise Unprocessable(
                [{"name": "reason", "in": "body", "reason": "say why, in 1 to 500 characters"}]
            )
        location = self.session.get(Location, row.location_id) if row.location_id else None
        if location is None or location.retired_at is not None:
            raise Unprocessable(
                [{"name": "location_id", "in": "body", "reason": "its location is retired"}]
            )
        before = self._snapshot(row)
        row.retired_at = None
        row.updated_at = self.now
        self.session.add(row)
        self._flush()
        reindex_resources(self.session, [entity_id])
        self._audit(
            "restore", "resource", entity_id, before, {**self._snapshot(row), "reason": reason}
        )
        return self.read(entity_id)

    def _snapshot(self, row: Resource) -> dict[str, Any]:
        languages = self.session.scalars(
            select(ResourceLanguage)
            .where(col(ResourceLanguage.resource_id) == row.id)
            .order_by(col(ResourceLanguage.code))
        ).all()
        return {
            **(snapshot(row) or {}),
            "languages": [{"code": lang.code, "support": lang.support} for lang in languages],
        }

    def _set_languages(self, resource_id: int, languages: Sequence[LanguageSupportIn]) -> None:
        self.session.execute(
            delete(ResourceLanguage).where(col(ResourceLanguage.resource_id) == resource_id)
        )
        for language in languages:
            self.session.add(
                ResourceLanguage(
                    resource_id=resource_id, code=language.code, support=language.support
                )
            )
