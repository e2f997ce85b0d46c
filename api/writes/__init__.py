"""Staff changes to the directory: create, update and retire, each audited.

``Writer(session=, settings=, actor=, now=)`` holds a writer per kind of record
(``.organizations``, ``.locations``, ``.resources``, ``.events``), each with ``read``,
``create``, ``update`` and ``retire``; every one answers a :class:`Written` (the body and
its ETag). The steps they share are ``api.writes.steps``.
"""

from api.writes.events import EventRecord, EventWriter
from api.writes.locations import LocationRecord, LocationWriter
from api.writes.organizations import OrganizationWriter
from api.writes.resources import ResourceWriter
from api.writes.steps import MAX_ID, Written, check_if_match
from api.writes.writer import Writer

__all__ = [
    "MAX_ID",
    "EventRecord",
    "EventWriter",
    "LocationRecord",
    "LocationWriter",
    "OrganizationWriter",
    "ResourceWriter",
    "Writer",
    "Written",
    "check_if_match",
]
