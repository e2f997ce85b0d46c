"""The steps every staff write shares, whatever the kind of record.

A write loads its row locked for update, checks ``If-Match`` against the record's current
ETag, refuses control characters and nulls in not-null columns, keeps ``external_id``
unique, applies only the fields sent, flushes (a broken rule becomes ``Conflict``) and adds
its audit entry, all in the caller's transaction. Each kind of record has its own writer on
top of :class:`Steps` (``api.writes.organizations`` and the rest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col

from api.db.models import Event, Location, Organization, Resource, table_of
from api.directory.audit import Action, record, snapshot
from api.directory.etags import etag_for, names_tag
from api.errors import Conflict, InvalidParam, NotFound, StaleWrite, Unprocessable
from api.settings import Settings

__all__ = ["CONTROL", "MAX_ID", "Steps", "Written", "check_if_match", "not_null", "plain_text"]

MAX_ID = 2_147_483_647
"""The largest id a record can have (a 32-bit integer column)."""

Row = TypeVar("Row", Organization, Location, Resource, Event)
Parent = TypeVar("Parent", Organization, Location)


@dataclass(frozen=True)
class Written:
    """A record's representation and its ETag (the hash of exactly these bytes)."""

    id: int
    body: bytes
    etag: str

    @classmethod
    def of(cls, entity_id: int, body: bytes) -> Written:
        return cls(entity_id, body, etag_for(body))


def check_if_match(if_match: str | None, current: str) -> None:
    """``StaleWrite`` unless ``If-Match`` is absent, ``*`` or names the current ETag."""
    if if_match is None or names_tag(if_match, current, any_coding=True):
        return
    raise StaleWrite(current)


CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(data: SQLModel) -> None:
    """Refuse control characters (NUL above all, which PostgreSQL cannot store) in any text."""
    errors: list[InvalidParam] = []

    def walk(name: str, value: Any) -> None:
        if isinstance(value, str) and CONTROL.search(value):
            errors.append({"name": name, "in": "body", "reason": "contains a control character"})
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{name}.{index}", item)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(f"{name}.{key}", item)

    for name, value in data.model_dump(exclude_unset=True).items():
        walk(name, value)
    if errors:
        raise Unprocessable(errors)


def not_null(model: type[SQLModel], changes: dict[str, Any]) -> list[InvalidParam]:
    """A problem for each field sent as null whose column may not be null."""
    table = table_of(model)
    return [
        {"name": name, "in": "body", "reason": "may not be null"}
        for name, value in changes.items()
        if value is None and name in table.columns and not table.columns[name].nullable
    ]


@dataclass(frozen=True, kw_only=True)
class Steps:
    """Writes on behalf of one staff member (``actor``, the key's name) at one moment."""

    session: Session
    settings: Settings
    actor: str
    now: datetime

    def _load(self, model: type[Row], entity_id: int) -> Row:
        """The live row, locked until the transaction ends; ``NotFound`` when retired."""
        row = self.session.scalars(
            select(model).where(model.id == entity_id).with_for_update()  # type: ignore[arg-type]
        ).first()
        if row is None or row.retired_at is not None:
            raise NotFound(model.__name__.lower(), entity_id)
        return row

    def _audit(
        self,
        action: Action,
        entity: str,
        entity_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        record(
            self.session,
            actor=self.actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )

    def _flush(self) -> None:
        try:
            self.session.flush()
        except IntegrityError as exc:
            text = str(exc.orig).lower()
            if "external_id" in text or "unique" in text:
                raise Conflict(
                    "external_id is already used",
                    [{"name": "external_id", "in": "body", "reason": "already used"}],
                ) from None
            raise Conflict(
                "The change conflicts with the directory's rules (for example an event "
                "ending before it starts)."
            ) from None

    def _unique_external_id(self, model: type[Row], value: str | None, own: int | None) -> None:
        if value is None:
            return
        other = self.session.scalars(
            select(col(model.id)).where(col(model.external_id) == value)
        ).first()
        if other is not None and other != own:
            raise Conflict(
                "external_id is already used",
                [
                    {
                        "name": "external_id",
                        "in": "body",
                        "reason": f"already used by {model.__name__.lower()} {other}",
                    }
                ],
            )

    def _parents(self, location_id: int | None, organization_id: int | None) -> list[InvalidParam]:
        """A problem for each of a resource's or event's parents that is not a live record."""
        return self._parent(Location, "location_id", location_id) + self._parent(
            Organization, "organization_id", organization_id
        )

    def _changed_parents(self, changes: dict[str, Any]) -> list[InvalidParam]:
        """:meth:`_parents` for the parents an update names."""
        errors: list[InvalidParam] = []
        if "location_id" in changes:
            errors += self._parent(Location, "location_id", changes["location_id"])
        if "organization_id" in changes:
            errors += self._parent(Organization, "organization_id", changes["organization_id"])
        return errors

    def _parent(self, model: type[Parent], field: str, value: int | None) -> list[InvalidParam]:
        if value is None:
            return []
        row = self.session.get(model, value) if value <= MAX_ID else None
        if row is None or row.retired_at is not None:
            name = model.__name__.lower()
            return [{"name": field, "in": "body", "reason": f"there is no {name} {value}"}]
        return []

    def _apply(self, row: SQLModel, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            setattr(row, name, value)
        row.updated_at = self.now
        self.session.add(row)

    def _retire_row(self, row: Row, entity: str, if_match: str | None, current: str) -> None:
        """Set ``retired_at`` (the record leaves public results) and audit it as a delete."""
        check_if_match(if_match, current)
        before = snapshot(row)
        row.retired_at = self.now
        row.updated_at = self.now
        self.session.add(row)
        self._flush()
        self._audit("delete", entity, row.id, before, snapshot(row))
