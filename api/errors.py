"""What can go wrong below HTTP, in words a person can act on.

The domain (search, writes, problem reports, the importer's options) raises these;
``api.http.problems`` turns each into one ``application/problem+json`` answer, and the map
page reads them directly to name a bad filter beside the form. Nothing here knows HTTP.

    DomainError
    ├── InvalidInput      parameters or fields that cannot be read (each one named)
    │   └── Unprocessable well-formed, but the directory cannot use them
    ├── Conflict          the change breaks a rule of the directory (a used external_id, ...)
    ├── NotFound          no such record
    ├── StaleWrite        the record changed since the writer read it
    └── Unavailable       a service the answer needs (the geocoder) cannot be reached
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "Conflict",
    "DomainError",
    "InvalidInput",
    "InvalidParam",
    "NotFound",
    "StaleWrite",
    "Unavailable",
    "Unprocessable",
]

InvalidParam = dict[str, str]
"""One bad parameter or field: ``{"name", "reason"}`` and, for a body, ``"in": "body"``."""


class DomainError(Exception):
    """Something the caller can act on; its message is for people."""


class InvalidInput(DomainError):
    """Parameters or fields that cannot be read, each named with the reason."""

    def __init__(self, params: Sequence[InvalidParam]) -> None:
        self.params = [dict(param) for param in params]
        super().__init__("Check: " + ", ".join(param["name"] for param in self.params))


class Unprocessable(InvalidInput):
    """Well-formed input that the directory cannot use (no such place, a missing field)."""


class Conflict(DomainError):
    """The change breaks a rule of the directory; ``params`` names the fields, if known."""

    def __init__(self, detail: str, params: Sequence[InvalidParam] = ()) -> None:
        self.detail = detail
        self.params = [dict(param) for param in params]
        super().__init__(detail)


class NotFound(DomainError):
    def __init__(self, entity: str, entity_id: object) -> None:
        self.entity = entity
        self.entity_id = entity_id
        super().__init__(f"There is no {entity} {entity_id}.")


class StaleWrite(DomainError):
    """The record's current version is not the one the writer read."""

    def __init__(self, current: str) -> None:
        self.current = current
        """The record's current version (its ETag)."""
        super().__init__(
            "The record changed since you read it (If-Match does not name its current ETag); "
            "read it again and reapply your change."
        )


class Unavailable(DomainError):
    """A service the answer needs cannot be reached now; trying later may work."""

    def __init__(self, service: str, detail: str, *, retry_after_s: int = 30) -> None:
        self.service = service
        self.detail = detail
        self.retry_after_s = retry_after_s
        super().__init__(detail)
