"""Resource rows a batch at a time: new rows inserted together, unchanged rows left alone.

A batch decides each row in file order as :class:`~seed.resources.ResourceWriter` would,
keeping the organizations, locations and resources it is about to create in memory, so a
later row of the batch finds them (two new rows at one address share one new location).
A row whose resource exists is taken when its organization and location stay as they
are: unchanged, or a change to the resource itself (its fields, its languages). Any other
row — one that would change an organization or a location, in the directory or in the
batch — is not taken: :meth:`ResourceBatch.add` says so, and the importer writes the batch,
then that row through the writer, which keeps the file's order.

:meth:`ResourceBatch.write` writes the batch with a statement or two per table —
organizations, locations, resources, languages, area tags — and the audit entries row by
row would have added, in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import bindparam
from sqlmodel import Session, SQLModel, col, delete, select

from api.db.models import (
    AuditEntry,
    Location,
    Organization,
    Resource,
    ResourceLanguage,
    Support,
    utcnow,
)
from api.directory.audit import snapshot
from api.geo.areas import AreaLookup, retag_locations
from seed.bulk import audit_row, insert_rows, new_row, snapshot_row
from seed.changes import same
from seed.listing_diff import field_changes, listing_fields
from seed.locations import Point, location_values, place_fields, place_of
from seed.matching import normalized
from seed.records import OrganizationRecord, ResourceRecord
from seed.report import FieldChange, Outcome
from seed.resources import ResourceWriter, resource_key

__all__ = ["BATCH_SIZE", "ResourceBatch"]

BATCH_SIZE = 500
"""Rows per batch: a refused batch is written again row by row, so not too many."""

_IN_LIST = 500

M = TypeVar("M", bound=SQLModel)


@dataclass(eq=False, kw_only=True)
class _New:
    """A row the batch will insert; ``row["id"]`` is set once it is."""

    row: dict[str, Any]


@dataclass(kw_only=True)
class _Planned:
    outcome: Outcome
    organization: _New | None = None
    """The organization this row creates."""
    location: _New | None = None
    """The location this row creates."""
    resource: _New | None = None
    """The resource this row creates."""
    changed: Resource | None = None
    """The resource this row changes, by ``changes`` (and ``languages`` when given)."""
    changes: dict[str, Any] = field(default_factory=dict)
    new_languages: bool = False
    old_languages: list[tuple[str, Support]] = field(default_factory=list)
    before: dict[str, Any] | None = None
    shown: tuple[FieldChange, ...] = ()
    """The fields the change makes, as a preview shows them."""
    organization_ref: int | _New | None = None
    location_ref: int | _New | None = None
    languages: list[tuple[str, Support]] = field(default_factory=list)
    place: tuple[str, ...] = ()
    """The place key the new location is found by."""
    key: tuple[Any, ...] = ()
    """The key the new resource is found by."""


class ResourceBatch:
    def __init__(
        self, session: Session, *, actor: str, writer: ResourceWriter, areas: AreaLookup
    ) -> None:
        self.session = session
        self.actor = actor
        self.writer = writer
        self.areas = areas
        self._planned: list[_Planned] = []
        self._organizations: dict[str, list[_New]] = {}
        self._places: dict[tuple[str, ...], list[_New]] = {}
        self._keys: set[tuple[Any, ...]] = set()
        self._changes = False
        """Whether the batch changes a resource (which may give it another key)."""
        self._by_external_id: dict[str, Resource | None] = {}
        self._languages: dict[int, list[tuple[str, Support]]] = {}
        self._held: list[SQLModel] = []

    def __len__(self) -> int:
        return len(self._planned)

    def prefetch(self, records: Sequence[ResourceRecord]) -> None:
        """Load what these rows may match with a few queries, instead of queries per row.

        Rows that were not prefetched still work, through queries of their own.
        """
        external_ids = [r.external_id for r in records if r.external_id is not None]
        self._by_external_id = dict.fromkeys(external_ids)
        resources = _load(self.session, Resource, col(Resource.external_id), external_ids)
        for resource in resources:
            assert resource.external_id is not None
            self._by_external_id[resource.external_id] = resource
        keyed = [self.writer.find(self.writer.key(r)) for r in records if r.external_id is None]
        found = [resource_id for resource_id in keyed if resource_id is not None]
        resources += _load(self.session, Resource, col(Resource.id), found)
        location_ids = {r.location_id for r in resources if r.location_id is not None}
        organization_ids: set[int] = set()
        for record in records:
            place = place_of(record.location.values, record.name)
            location_ids.update(self.writer.locations.ids(place))
            if record.organization is not None:
                organization_ids.update(self.writer.organizations.ids(record.organization.name))
        locations = _load(self.session, Location, col(Location.id), location_ids)
        organizations = _load(self.session, Organization, col(Organization.id), organization_ids)
        self._languages = {r.id: [] for r in resources if r.id is not None}
        for ids in _parts(list(self._languages)):
            rows = self.session.exec(
                select(
                    ResourceLanguage.resource_id, ResourceLanguage.code, ResourceLanguage.support
                ).where(_among(col(ResourceLanguage.resource_id), ids))
            ).all()
            for resource_id, code, support in rows:
                self._languages[resource_id].append((code, Support(support)))
        for languages in self._languages.values():
            languages.sort()
        self._held = [*resources, *locations, *organizations]

    def add(self, record: ResourceRecord, point: Point) -> bool:
        """Take the row into the batch; False when it must go through the writer."""
        if record.external_id is not None:
            if record.external_id not in self._by_external_id:
                return False
            resource = self._by_external_id[record.external_id]
        else:
            key = self.writer.key(record)
            if key in self._keys or self._changes:
                # Found by its key: once a resource changes, the writer reads the keys again
                # from the directory, so this row waits until the batch is written.
                return False
            resource_id = self.writer.find(key)
            resource = None if resource_id is None else self.session.get(Resource, resource_id)
        if resource is not None:
            return self._add_existing(record, point, resource)
        return self._add_new(record, point)

    def write(self) -> list[tuple[Outcome, tuple[FieldChange, ...]]]:
        """Insert the batch; the outcome of each row taken, in order, with the fields an
        update changes."""
        planned = self._planned
        organizations = [p.organization for p in planned if p.organization is not None]
        insert_rows(self.session, Organization, [n.row for n in organizations])
        locations = [p.location for p in planned if p.location is not None]
        insert_rows(self.session, Location, [n.row for n in locations])
        resources: list[_New] = []
        languages: list[dict[str, Any]] = []
        for p in planned:
            if p.resource is not None:
                p.resource.row["location_id"] = _id(p.location_ref)
                p.resource.row["organization_id"] = _id(p.organization_ref)
                resources.append(p.resource)
        insert_rows(self.session, Resource, [n.row for n in resources])
        for p in planned:
            if p.resource is not None:
                languages.extend(
                    {"resource_id": p.resource.row["id"], "code": code, "support": support}
                    for code, support in p.languages
                )
        self._apply_changes(languages)
        insert_rows(self.session, ResourceLanguage, languages, ids=False)
        if self.areas and locations:
            retag_locations(self.session, [n.row["id"] for n in locations], lookup=self.areas)
        insert_rows(self.session, AuditEntry, list(self._audit_entries()), ids=False)
        for p in planned:
            if p.organization is not None:
                row = p.organization.row
                self.writer.organizations.remember(row["id"], row["name"])
            if p.location is not None:
                row = p.location.row
                self.writer.locations.remember(p.place, row["id"])
            if p.resource is not None:
                self.writer.remember(p.key, p.resource.row["id"])
                self.writer.touched.add(p.resource.row["id"])
            if p.changed is not None and p.changed.id is not None:
                self.writer.forget_keys()
                self.writer.touched.add(p.changed.id)
        outcomes = [(p.outcome, p.shown) for p in planned]
        self.clear()
        return outcomes

    def _apply_changes(self, languages: list[dict[str, Any]]) -> None:
        """Change the resources rows change, as the writer would; their new languages join
        ``languages``."""
        changed = [p for p in self._planned if p.changed is not None]
        if not changed:
            return
        now = utcnow()
        relisted: list[int] = []
        for p in changed:
            resource = p.changed
            assert resource is not None and resource.id is not None
            columns = snapshot(resource) or {}
            p.before = {**columns, "languages": _listed(p.old_languages)}
            old_organization = resource.organization_id
            for key, value in p.changes.items():
                setattr(resource, key, value)
            # The batch never changes a location; the organization shows when it is another.
            organizations = (
                (
                    self._organization_columns(old_organization),
                    self._organization_columns(resource.organization_id),
                )
                if resource.organization_id != old_organization
                else (None, None)
            )
            p.shown = field_changes(
                listing_fields(columns, languages=p.old_languages, organization=organizations[0]),
                listing_fields(
                    snapshot(resource) or {}, languages=p.languages, organization=organizations[1]
                ),
            )
            resource.updated_at = now
            self.session.add(resource)
            if p.new_languages:
                relisted.append(resource.id)
                languages.extend(
                    {"resource_id": resource.id, "code": code, "support": support}
                    for code, support in p.languages
                )
        self.session.flush()
        for ids in _parts(relisted):
            self.session.exec(
                delete(ResourceLanguage).where(_among(col(ResourceLanguage.resource_id), ids))
            )

    def _organization_columns(self, organization_id: int | None) -> dict[str, Any]:
        found = self.session.get(Organization, organization_id) if organization_id else None
        return snapshot(found) or {}

    def clear(self) -> None:
        """Forget the rows taken (written, or rolled back with their savepoint)."""
        self._planned = []
        self._organizations = {}
        self._places = {}
        self._keys = set()
        self._changes = False

    # --- deciding a row ----------------------------------------------------------------------

    def _add_existing(self, record: ResourceRecord, point: Point, resource: Resource) -> bool:
        """Take a row whose resource exists, when only the resource itself may change.

        A row that would change its organization or its location is left to the writer.
        """
        organization_id: int | None = None
        if record.organization is not None:
            organization = self._organization(record.organization)
            if not isinstance(organization, Organization):
                return False
            if _differs(organization, record.organization.values):
                return False
            organization_id = organization.id
        values = location_values(record.location, point)
        if resource.location_id is None:
            return False
        current = self.session.get(Location, resource.location_id)
        if current is None:
            return False
        if place_of(place_fields(current), record.name) != place_of(values, record.name):
            return False
        if _differs(current, values):
            return False
        wanted = dict(record.values)
        if record.external_id is not None:
            wanted["external_id"] = record.external_id
        wanted["location_id"] = current.id
        if record.organization_given:
            wanted["organization_id"] = organization_id
        changes = {k: v for k, v in wanted.items() if not same(getattr(resource, k), v)}
        assert resource.id is not None
        languages = self._languages.get(resource.id)
        if languages is None:
            languages = self.writer.languages(resource.id)
        new_languages = record.languages is not None and sorted(record.languages) != languages
        if not changes and not new_languages:
            self._planned.append(_Planned(outcome="unchanged"))
            return True
        self._changes = True
        self._planned.append(
            _Planned(
                outcome="updated",
                changed=resource,
                changes=changes,
                new_languages=new_languages,
                old_languages=languages,
                languages=sorted(record.languages or []) if new_languages else languages,
            )
        )
        return True

    def _add_new(self, record: ResourceRecord, point: Point) -> bool:
        planned = _Planned(outcome="created", languages=list(record.languages or []))
        if record.organization is not None:
            found = self._organization(record.organization)
            if found is None:
                values = {"name": record.organization.name, **record.organization.values}
                planned.organization = _New(row=new_row(Organization, values))
                planned.organization_ref = planned.organization
            elif isinstance(found, _New):
                if _row_differs(found.row, record.organization.values):
                    return False
                planned.organization_ref = found
            else:
                if _differs(found, record.organization.values):
                    return False
                planned.organization_ref = found.id
        values = location_values(record.location, point)
        place = place_of(values, record.name)
        fields: Mapping[str, Any]
        existing = self.writer.locations.find(place)
        if existing is not None:
            if _differs(existing, values):
                return False
            planned.location_ref = existing.id
            fields = place_fields(existing)
        elif pending := self._places.get(place):
            if _row_differs(pending[0].row, values):
                return False
            planned.location_ref = pending[0]
            fields = pending[0].row
        else:
            planned.location = _New(row=new_row(Location, values))
            planned.location_ref = planned.location
            fields = planned.location.row
        resource_values = {**record.values, "external_id": record.external_id}
        planned.resource = _New(row=new_row(Resource, resource_values))
        planned.place = place
        planned.key = resource_key(record.name, fields)

        if planned.organization is not None:
            name = normalized(planned.organization.row["name"])
            self._organizations.setdefault(name, []).append(planned.organization)
        if planned.location is not None:
            self._places.setdefault(place, []).append(planned.location)
        self._keys.add(planned.key)
        self._planned.append(planned)
        return True

    def _organization(self, record: OrganizationRecord) -> Organization | _New | None:
        """What :meth:`Organizations.find` would return, counting this batch's new ones."""
        matches: list[Organization | _New] = [
            *self.writer.organizations.matches(record.name),
            *self._organizations.get(normalized(record.name), []),
        ]
        kind = record.values.get("kind")
        if kind is not None:
            matches = [m for m in matches if _get(m, "kind") == kind] or matches
        return matches[0] if matches else None

    # --- the audit trail -----------------------------------------------------------------------

    def _audit_entries(self) -> Iterable[dict[str, Any]]:
        for p in self._planned:
            for entity, model, new in (
                ("organization", Organization, p.organization),
                ("location", Location, p.location),
            ):
                if new is not None:
                    yield audit_row(
                        actor=self.actor,
                        action="import",
                        entity=entity,
                        entity_id=new.row["id"],
                        after=snapshot_row(model, new.row),
                    )
            if p.resource is not None:
                after = snapshot_row(Resource, p.resource.row)
                after["languages"] = _listed(sorted(p.languages))
                yield audit_row(
                    actor=self.actor,
                    action="import",
                    entity="resource",
                    entity_id=p.resource.row["id"],
                    after=after,
                )
            if p.changed is not None:
                yield audit_row(
                    actor=self.actor,
                    action="import",
                    entity="resource",
                    entity_id=p.changed.id,
                    before=p.before,
                    after={**(snapshot(p.changed) or {}), "languages": _listed(p.languages)},
                )


def _listed(languages: list[tuple[str, Support]]) -> list[str]:
    """Languages as the audit trail lists them: ``es:staff``."""
    return [f"{code}:{support.value}" for code, support in languages]


def _differs(row: SQLModel, values: Mapping[str, Any]) -> bool:
    return any(not same(getattr(row, key), value) for key, value in values.items())


def _row_differs(row: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    return any(not same(row[key], value) for key, value in values.items())


def _get(match: Organization | _New, key: str) -> Any:
    return match.row[key] if isinstance(match, _New) else getattr(match, key)


def _id(ref: int | _New | None) -> int | None:
    return ref.row["id"] if isinstance(ref, _New) else ref


def _parts(values: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(values), _IN_LIST):
        yield values[start : start + _IN_LIST]


def _load(session: Session, model: type[M], column: Any, values: Iterable[Any]) -> list[M]:
    found: list[M] = []
    for part in _parts(sorted(set(values))):
        found.extend(session.exec(select(model).where(_among(column, part))).all())
    return found


def _among(column: Any, values: list[Any]) -> Any:
    """``column IN (values)``, the values written into the statement.

    As bound parameters the statement text repeats, so PostgreSQL would plan it once, early
    in the import while the tables are small (a sequential scan), and keep that plan while
    they grow. Written in, each statement is planned for the table as it is.
    """
    return column.in_(bindparam("among", values, expanding=True, literal_execute=True))
