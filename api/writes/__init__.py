"""Staff changes to the directory: create, update and retire, each audited."""

from api.writes.writer import MAX_ID, EventRecord, LocationRecord, Writer, Written, check_if_match

__all__ = ["MAX_ID", "EventRecord", "LocationRecord", "Writer", "Written", "check_if_match"]
