"""Answers kept for retries: a write sent with an ``Idempotency-Key`` happens once.

The first answer to a (key, actor, route) is kept for :data:`KEEP_FOR`, written in the same
transaction as the write it answers: either both are committed or neither, so a client that
lost the answer and sends the request again gets the kept answer instead of a second record.
The same key with another request (a different hash of its query and body) is refused.

While a request with a key is being answered, a second one with the same key is a
``Conflict``: on PostgreSQL a transaction-scoped advisory lock on the key says so across
every server process (the HTTP layer adds the same check within a process). On SQLite,
writers take turns, so a second request from another process waits and then gets the kept
answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, text
from sqlmodel import Session, col

from api.db.engine import begin_writing
from api.db.models import IdempotentAnswer
from api.errors import Conflict, Unprocessable

__all__ = ["HEADER", "KEEP_FOR", "Answer", "Claim", "in_use", "keep_answer", "kept_answer"]

HEADER = "Idempotency-Key"
KEEP_FOR = timedelta(hours=24)
"""How long an answer is kept; after that the key may be used again."""


@dataclass(frozen=True, kw_only=True)
class Claim:
    """A request that carries a key: who sent it, where, and a hash of what it sent."""

    key: str
    actor: str
    route: str
    """The method and path, e.g. ``POST /api/v1/resources``."""
    fingerprint: str

    @classmethod
    def of(cls, *, key: str, actor: str, route: str, query: bytes, body: bytes) -> Claim:
        digest = hashlib.sha256()
        for part in (route.encode(), query, body):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return cls(key=key, actor=actor, route=route, fingerprint=digest.hexdigest())

    @property
    def lock_id(self) -> int:
        """A 64-bit number for PostgreSQL's advisory lock on this key."""
        digest = hashlib.sha256(f"{self.key}\0{self.actor}\0{self.route}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True, kw_only=True)
class Answer:
    status: int
    media_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def in_use() -> Conflict:
    return Conflict(
        "A request with this Idempotency-Key is still being answered; wait for it, then send "
        "yours again to get its answer.",
        [{"name": HEADER, "in": "header", "reason": "a request with this key is in flight"}],
    )


def kept_answer(session: Session, claim: Claim, *, now: datetime) -> Answer | None:
    """The answer kept for ``claim``, if any; call it before the write, in its transaction.

    Raises ``Conflict`` while another transaction answers the same key (PostgreSQL) and
    ``Unprocessable`` when the key was used for a different request.
    """
    begin_writing(session)
    if session.get_bind().dialect.name == "postgresql":
        locked = session.scalar(
            text("SELECT pg_try_advisory_xact_lock(:id)"), {"id": claim.lock_id}
        )
        if not locked:
            raise in_use()
    row = session.scalars(
        select(IdempotentAnswer).where(
            col(IdempotentAnswer.key) == claim.key,
            col(IdempotentAnswer.actor) == claim.actor,
            col(IdempotentAnswer.route) == claim.route,
            col(IdempotentAnswer.expires_at) > now,
        )
    ).first()
    if row is None:
        return None
    if row.fingerprint != claim.fingerprint:
        raise Unprocessable(
            [
                {
                    "name": HEADER,
                    "in": "header",
                    "reason": "this key was used for a different request in the last "
                    "24 hours; send a new key with a new request",
                }
            ]
        )
    return Answer(
        status=row.status, media_type=row.media_type, body=row.body, headers=dict(row.headers)
    )


def keep_answer(session: Session, claim: Claim, answer: Answer, *, now: datetime) -> None:
    """Keep ``answer`` for ``claim`` in the session's transaction (the caller commits)."""
    session.execute(delete(IdempotentAnswer).where(col(IdempotentAnswer.expires_at) <= now))
    session.add(
        IdempotentAnswer(
            key=claim.key,
            actor=claim.actor,
            route=claim.route,
            fingerprint=claim.fingerprint,
            status=answer.status,
            media_type=answer.media_type,
            headers=answer.headers,
            body=answer.body,
            created_at=now,
            expires_at=now + KEEP_FOR,
        )
    )
    session.flush()
