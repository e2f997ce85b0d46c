"""The OpenAPI document against the app: generated requests, no 5xx, answers match the schema.

Run twice, without a key (every staff operation must refuse cleanly) and with an admin key
(writes, imports and the audit are exercised). Examples are few and derandomized, so the
run is bounded and repeatable.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import Engine

from api.app import create_app
from api.http.middleware.protection import Limits
from api.settings import Settings
from tests.api.directory_rows import add_resource
from tests.api.staff_keys import bearer, issue_key

EXAMPLES = 10
CHECKS = [not_a_server_error, response_schema_conformance]
GENEROUS = Limits(reads=("minute", 100_000), reports=("minute", 100_000), staff=("minute", 100_000))


def run_operations(app: Any, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def exercise(case: Any) -> None:
            # A cold first geocode on a loaded machine can outlast the 10 s default.
            response = case.call(headers=headers, timeout=60)
            case.validate_response(response, checks=CHECKS)

        try:
            exercise()
        except (Exception, BaseExceptionGroup) as exc:  # collect every operation's failure
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    return failures


@pytest.mark.parametrize("with_key", [False, True], ids=["anonymous", "admin key"])
def test_generated_requests_get_no_5xx_and_match_the_schema(
    settings: Settings, engine: Engine, with_key: bool
) -> None:
    add_resource(engine)
    headers = bearer(issue_key(engine, "admin")) if with_key else {}
    app = create_app(settings, limits=GENEROUS)
    failures = run_operations(app, headers)
    assert failures == [], "\n\n".join(failures)
