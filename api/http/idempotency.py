"""``Idempotency-Key`` on the API's POSTs: a retried write is answered, not done twice.

A handler takes ``once`` (:func:`provide_once`, listed in :data:`IDEMPOTENT`) and uses it
around its write::

    if (kept := once.kept()) is not None:
        return kept
    written = writer.resources.create(data)
    return once.commit(answer(written, status=201))

``commit`` keeps the answer in the write's own transaction and commits both
(``api.writes.idempotency``). Within a process, a second request with a key still being
answered is refused at once (409), before it waits for the database.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example
from litestar.params import HeaderParameter
from sqlmodel import Session

from api.db.models import utcnow
from api.errors import InvalidInput
from api.http.auth import current_staff
from api.writes.idempotency import HEADER, Answer, Claim, in_use, keep_answer, kept_answer

__all__ = ["IDEMPOTENT", "IdempotencyKey", "Once", "provide_once"]

PUBLIC_ACTOR = "public"
"""The actor of a request without an API key (a problem report)."""
IN_FLIGHT_STATE_KEY = "idempotency_in_flight"
REPLAYED_HEADER = "Idempotent-Replayed"
KEPT_HEADERS = ("etag", "location", "cache-control")
MAX_KEY = 255
KEY_PATTERN = re.compile(r"^[\x21-\x7e]+$")

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        description=(
            "Any unique string (a UUID is usual). The first answer to a request with this key "
            "is kept for 24 hours: sending the same request with the same key again returns "
            "that answer (with `Idempotent-Replayed: true`) instead of writing twice. The same "
            "key with a different body is a 422; while the first request is still being "
            "answered, a second is a 409."
        ),
        # Documented here, checked by ``provide_once`` (to name the header when it is bad).
        schema_extra={"minLength": 1, "maxLength": MAX_KEY, "pattern": KEY_PATTERN.pattern},
        examples=[Example(value="0d7c3c6e-2f55-4d1b-9a0e-5b1f3c2a9e41")],
    ),
]


@dataclass(frozen=True)
class Once:
    """One write's answer, kept for a retry when the request carries a key."""

    session: Session
    claim: Claim | None

    def kept(self) -> Response[Any] | None:
        """The answer kept for this key, or ``None``: then write, and :meth:`commit`."""
        if self.claim is None:
            return None
        answer = kept_answer(self.session, self.claim, now=utcnow())
        if answer is None:
            return None
        return Response(
            content=answer.body,
            status_code=answer.status,
            media_type=answer.media_type,
            headers={**answer.headers, REPLAYED_HEADER: "true"},
        )

    def commit(self, response: Response[Any]) -> Response[Any]:
        """Keep ``response`` for the key (if any) and commit it with the write."""
        if self.claim is not None:
            body = response.content
            if not isinstance(body, bytes):
                raise TypeError("an idempotent answer must be encoded bytes")
            headers = {
                name: str(value)
                for name, value in response.headers.items()
                if name.lower() in KEPT_HEADERS
            }
            answer = Answer(
                status=response.status_code or 200,
                media_type=str(getattr(response.media_type, "value", response.media_type)),
                body=body,
                headers=headers,
            )
            keep_answer(self.session, self.claim, answer, now=utcnow())
        self.session.commit()
        return response


def _in_flight(state: State) -> set[tuple[str, str, str]]:
    in_flight: set[tuple[str, str, str]] | None = state.get(IN_FLIGHT_STATE_KEY)
    if in_flight is None:
        in_flight = set()
        state[IN_FLIGHT_STATE_KEY] = in_flight
    return in_flight


async def provide_once(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[Session],
    idempotency_key: IdempotencyKey = None,
) -> AsyncGenerator[Once, None]:
    """The request's :class:`Once`; the key is held as in flight until the handler is done."""
    if idempotency_key is None:
        yield Once(db_session, None)
        return
    if len(idempotency_key) > MAX_KEY or not KEY_PATTERN.fullmatch(idempotency_key):
        reason = f"1 to {MAX_KEY} visible ASCII characters, no spaces (a UUID is usual)"
        raise InvalidInput([{"name": HEADER, "in": "header", "reason": reason}])
    actor = current_staff(request).name if "scope" in request.route_handler.opt else PUBLIC_ACTOR
    route = f"{request.method} {request.url.path}"
    in_flight = _in_flight(request.app.state)
    token = (idempotency_key, actor, route)
    if token in in_flight:
        raise in_use()
    in_flight.add(token)
    try:
        claim = Claim.of(
            key=idempotency_key,
            actor=actor,
            route=route,
            query=request.scope.get("query_string", b""),
            body=await request.body(),
        )
        yield Once(db_session, claim)
    finally:
        in_flight.discard(token)


IDEMPOTENT: dict[str, Any] = {"dependencies": {"once": Provide(provide_once)}}
"""Route options of a POST handler that honours ``Idempotency-Key`` (it takes ``once``)."""
