from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from api.app import create_app
from api.db.models import AuditEntry, Resource
from api.http.middleware.protection import Limits
from api.settings import Settings
from tests.api.staff_keys import bearer, issue_key

EXAMPLES = Path(__file__).resolve().parents[4] / "seed" / "examples"
GOOD = (EXAMPLES / "resources.csv").read_bytes()
HEADER = GOOD.splitlines()[0]
BAD_ROW = b"bad-1,bakery,,,,,,,,,91,0,,,,,,,,,"


def resources(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Resource)).one()


def test_an_upload_is_imported_and_answered_with_the_report(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = bearer(issue_key(engine, "imports:write", name="importer"))
    dry = client.post(
        "/api/v1/imports",
        params={"dry_run": "true"},
        files={"file": ("resources.csv", GOOD, "text/csv")},
        headers=headers,
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["written"] is False
    assert dry.json()["counts"]["resources"]["created"] >= 2
    assert resources(engine) == 0

    done = client.post(
        "/api/v1/imports", files={"file": ("resources.csv", GOOD, "text/csv")}, headers=headers
    )
    assert done.status_code == 200, done.text
    report = done.json()
    assert report["ok"] and report["written"]
    assert resources(engine) == report["counts"]["resources"]["created"]
    with Session(engine) as session:
        actors = set(session.exec(select(AuditEntry.actor)).all())
    assert actors == {"importer"}

    again = client.post(
        "/api/v1/imports", files={"file": ("resources.csv", GOOD, "text/csv")}, headers=headers
    )
    assert again.json()["counts"]["resources"]["created"] == 0
    assert (
        again.json()["counts"]["resources"]["unchanged"] == report["counts"]["resources"]["created"]
    )


def test_a_bad_row_refuses_the_upload_unless_partial(
    client: TestClient[Litestar], engine: Engine
) -> None:
    headers = bearer(issue_key(engine, "imports:write"))
    mixed = GOOD.rstrip(b"\n") + b"\n" + BAD_ROW + b"\n"
    refused = client.post(
        "/api/v1/imports", files={"file": ("resources.csv", mixed, "text/csv")}, headers=headers
    )
    assert refused.status_code == 422
    report = refused.json()
    assert report["ok"] is False and report["written"] is False
    problem_lines = {(p["file"], p["line"]) for p in report["problems"]}
    bad_line = len(mixed.rstrip(b"\n").splitlines())
    assert ("resources.csv", bad_line) in problem_lines
    assert {p["column"] for p in report["problems"]} >= {"category", "name"}
    assert resources(engine) == 0

    kept = client.post(
        "/api/v1/imports",
        params={"partial": "true"},
        files={"file": ("resources.csv", mixed, "text/csv")},
        headers=headers,
    )
    assert kept.status_code == 200
    assert kept.json()["counts"]["resources"]["rejected"] == 1
    assert resources(engine) == kept.json()["counts"]["resources"]["created"] > 0


def test_uploads_need_the_imports_scope(client: TestClient[Litestar], engine: Engine) -> None:
    files = {"file": ("resources.csv", GOOD, "text/csv")}
    assert client.post("/api/v1/imports", files=files).status_code == 401
    wrong = bearer(issue_key(engine, "resources:write"))
    assert client.post("/api/v1/imports", files=files, headers=wrong).status_code == 403
    admin = bearer(issue_key(engine, "admin"))
    assert client.post("/api/v1/imports", files=files, headers=admin).status_code == 200


def test_an_empty_upload_is_a_clear_400(client: TestClient[Litestar], engine: Engine) -> None:
    headers = bearer(issue_key(engine, "imports:write"))
    response = client.post("/api/v1/imports", data={"note": "nothing"}, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["invalid_params"][0]["name"] == "files"


def test_an_oversized_upload_is_413_problem_json(settings: Settings, engine: Engine) -> None:
    headers = bearer(issue_key(engine, "imports:write"))
    big = HEADER + b"\n" + b"x," * 60_000
    with TestClient(create_app(settings, limits=Limits(max_upload_bytes=50_000))) as client:
        response = client.post(
            "/api/v1/imports", files={"file": ("big.csv", big, "text/csv")}, headers=headers
        )
        small = client.post(
            "/api/v1/imports", files={"file": ("resources.csv", GOOD, "text/csv")}, headers=headers
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "at most 50000 bytes" in response.json()["detail"]
    assert small.status_code == 200
    assert resources(engine) > 0
