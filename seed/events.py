"""Write event rows: the venue must be a place the directory knows; the host an organization."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, delete, select

from api.db.models import Event, EventLanguage, Location, Resource
from seed.changes import audit_created, update_fields
from seed.locations import Locations
from seed.matching import normalized
from seed.organizations import Organizations
from seed.records import EventRecord
from seed.report import Outcome, RowError, RowProblem

__all__ = ["EventLanguages", "EventWriter"]


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
            languages = EventLanguages(session=self.session, event=event, wanted=record.languages)
            audit_created(self.session, event, actor=self.actor, entity="event", beside=languages)
            return "created"
        languages = EventLanguages(session=self.session, event=event, wanted=record.languages)
        changed = update_fields(
            self.session, event, values, actor=self.actor, entity="event", beside=languages
        )
        return "updated" if changed else "unchanged"

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


@dataclass(frozen=True, kw_only=True)
class EventLanguages:
    """An event's language codes beside it; ``wanted`` is what the file says (``None``: nothing)."""

    session: Session
    event: Event
    wanted: list[str] | None

    def current(self) -> list[str]:
        rows = self.session.exec(
            select(EventLanguage.code).where(EventLanguage.event_id == self._id())
        ).all()
        return sorted(rows)

    def differs(self) -> bool:
        return self.wanted is not None and sorted(self.wanted) != self.current()

    def replace(self) -> None:
        event_id = self._id()
        self.session.exec(delete(EventLanguage).where(col(EventLanguage.event_id) == event_id))
        for code in self.wanted or []:
            self.session.add(EventLanguage(event_id=event_id, code=code))
        self.session.flush()

    def audited(self) -> dict[str, Any]:
        return {"languages": self.current()}

    def _id(self) -> int:
        assert self.event.id is not None
        return self.event.id
