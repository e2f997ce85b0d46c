"""Write event rows: the venue must be a place the directory knows; the host an organization."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, select

from api.db.models import Event, EventLanguage, Location, Resource, utcnow
from api.directory.audit import record as audit
from api.directory.audit import snapshot
from seed.changes import same
from seed.locations import Locations
from seed.matching import normalized
from seed.organizations import Organizations
from seed.records import EventRecord
from seed.report import Outcome, RowError, RowProblem

__all__ = ["EventWriter"]


class EventWriter:
    def __init__(
        self,
        session: Session,
        *,
        actor: str,
        organizations: Organizations,
        locations: Locations,
    ) -> None:
        self.session = session
        self.actor = actor
        self.organizations = organizations
        self.locations = locations

    def write(self, record: EventRecord) -> Outcome:
        location_id = self._venue(record)
        values = dict(record.values)
        values["location_id"] = location_id
        if record.host_given:
            values["organization_id"] = self._host(record)
        event = self._match(record, location_id)
        if event is None:
            values["external_id"] = record.external_id
            event = Event(**values)
            self.session.add(event)
            self.session.flush()
            assert event.id is not None
            self._set_languages(event.id, record.languages or [])
            audit(
                self.session,
                actor=self.actor,
                action="import",
                entity="event",
                entity_id=event.id,
                after=self._snapshot(event),
            )
            return "created"
        assert event.id is not None
        differing = {k: v for k, v in values.items() if not same(getattr(event, k), v)}
        languages_differ = record.languages is not None and sorted(
            record.languages
        ) != self._languages(event.id)
        if not differing and not languages_differ:
            return "unchanged"
        before = self._snapshot(event)
        for key, value in differing.items():
            setattr(event, key, value)
        if languages_differ and record.languages is not None:
            self._set_languages(event.id, record.languages)
        event.updated_at = utcnow()
        self.session.add(event)
        self.session.flush()
        audit(
            self.session,
            actor=self.actor,
            action="import",
            entity="event",
            entity_id=event.id,
            before=before,
            after=self._snapshot(event),
        )
        return "updated"

    def _venue(self, record: EventRecord) -> int:
        resource = self.session.exec(
            select(Resource).where(Resource.external_id == record.venue)
        ).first()
        if resource is not None and resource.location_id is not None:
            return resource.location_id
        location = self.session.exec(
            select(Location).where(Location.external_id == record.venue)
        ).first()
        if location is not None and location.id is not None:
            return location.id
        found = self.locations.by_address(record.venue)
        if len({loc.id for loc in found}) == 1 and found[0].id is not None:
            return found[0].id
        reason = (
            f"the address matches {len(found)} places; name the venue by its external_id"
            if found
            else "matches no resource or location external_id and no address in the "
            "directory; import the venue as a resource first"
        )
        raise RowError(
            RowProblem(
                file=record.file,
                line=record.line,
                column="venue",
                value=record.venue,
                reason=reason,
            )
        )

    def _host(self, record: EventRecord) -> int | None:
        if record.host is None:
            return None
        organization = self.organizations.find(record.host)
        if organization is None:
            raise RowError(
                RowProblem(
                    file=record.file,
                    line=record.line,
                    column="host",
                    value=record.host,
                    reason="matches no organization; import it with a resource first "
                    "or leave host empty",
                )
            )
        return organization.id

    def _match(self, record: EventRecord, location_id: int) -> Event | None:
        if record.external_id is not None:
            return self.session.exec(
                select(Event).where(Event.external_id == record.external_id)
            ).first()
        candidates = self.session.exec(
            select(Event).where(
                Event.location_id == location_id,
                Event.starts_at == record.values["starts_at"],
            )
        ).all()
        title = normalized(record.values["title"])
        return next((e for e in candidates if normalized(e.title) == title), None)

    def _languages(self, event_id: int) -> list[str]:
        rows = self.session.exec(
            select(EventLanguage.code).where(EventLanguage.event_id == event_id)
        ).all()
        return sorted(rows)

    def _set_languages(self, event_id: int, codes: list[str]) -> None:
        self.session.exec(delete(EventLanguage).where(col(EventLanguage.event_id) == event_id))
        for code in codes:
            self.session.add(EventLanguage(event_id=event_id, code=code))
        self.session.flush()

    def _snapshot(self, event: Event) -> dict[str, Any]:
        data = snapshot(event) or {}
        assert event.id is not None
        data["languages"] = self._languages(event.id)
        return data
