"""The OpenAPI document against the served app: no 5xx, and every answer as documented.

Schemathesis runs its four phases (examples, coverage, fuzzing, and the stateful phase,
which follows the document's links from one answer to the next request) against the app
served by uvicorn, with an admin key, on each database. The checks are the server's side
of the contract: no server error; status codes, content types, headers and bodies as the
document says; ``Allow`` on ``OPTIONS`` naming exactly the documented methods. Examples are
few and the seed fixed, so the run is bounded (well under a minute on each database) and
repeatable. (Whether a schema-valid request is accepted is not checked: many depend on the
data, such as an area kind no file has loaded yet.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine

from api.app import create_app
from api.http.middleware.protection import Limits
from api.settings import Settings
from tests.api.directory_rows import add_resource
from tests.api.http.served import served
from tests.api.staff_keys import issue_key

EXAMPLES = 5
SEED = 1
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "allow_header_conformance",
]
PHASES = ["examples", "coverage", "fuzzing", "stateful"]
GENEROUS = Limits(reads=("minute", 100_000), reports=("minute", 100_000), staff=("minute", 100_000))
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_generated_requests_get_no_5xx_and_answers_match_the_document(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    add_resource(engine)
    key = issue_key(engine, "admin")
    report = tmp_path / "report.json"
    with served(create_app(settings, limits=GENEROUS)) as base_url:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{base_url}/schema/openapi.json",
                "--checks",
                ",".join(CHECKS),
                "--phases",
                ",".join(PHASES),
                "--max-examples",
                str(EXAMPLES),
                "--seed",
                str(SEED),
                "--workers",
                "1",
                "--suppress-health-check",
                "all",
                "--request-timeout",
                "60",
                "--header",
                f"Authorization: Bearer {key}",
                "--report",
                "json",
                "--report-json-path",
                str(report),
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=tmp_path,  # its working files stay out of the checkout
        )
    summary = run.stdout[run.stdout.find("SUMMARY") :] if "SUMMARY" in run.stdout else run.stdout
    assert run.returncode == 0, f"{run.stdout[-20000:]}\n{run.stderr[-5000:]}"
    assert "Stateful" in summary, summary  # the stateful phase ran
    document = json.loads(report.read_text())
    assert document, "schemathesis wrote no report"


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_without_a_key_staff_operations_refuse_cleanly(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    """Every operation, public or staff, without a key: no 5xx, each answer as documented."""
    add_resource(engine)
    with served(create_app(settings, limits=GENEROUS)) as base_url:
        run = subprocess.run(
            [
                str(SCHEMATHESIS),
                "run",
                f"{base_url}/schema/openapi.json",
                "--checks",
                ",".join(CHECKS),
                "--phases",
                "examples",
                "--max-examples",
                "3",
                "--seed",
                str(SEED),
                "--workers",
                "1",
                "--suppress-health-check",
                "all",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            cwd=tmp_path,  # its working files stay out of the checkout
        )
    assert run.returncode == 0, f"{run.stdout[-20000:]}\n{run.stderr[-5000:]}"
