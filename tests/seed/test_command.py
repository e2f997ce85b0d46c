"""``puente import``: exit codes, the summary and the file:line messages on the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, select

from api.cli import cli
from api.db.models import Resource
from api.settings import Settings
from tests.seed.conftest import resource, table


@pytest.fixture
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("PUENTE_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("PUENTE_GEOCODER", "offline")
    return CliRunner()


def write(folder: Path, *rows: dict[str, str]) -> Path:
    source = table("resources.csv", list(rows))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / source.name
    path.write_bytes(source.data)
    return folder


def test_import_folder_then_bad_row_exits_non_zero(
    runner: CliRunner, engine: Engine, tmp_path: Path
) -> None:
    good = write(tmp_path / "good", resource())
    (tmp_path / "good" / "README.md").write_text("not data")
    result = runner.invoke(cli, ["import", str(good)])
    assert result.exit_code == 0, result.output
    assert "created" in result.output and "imported" in result.output

    bad = write(tmp_path / "bad", resource(external_id="x", latitude="123"))
    result = runner.invoke(cli, ["import", str(bad / "resources.csv")])
    assert result.exit_code == 1
    assert f"{bad / 'resources.csv'}:2: latitude: 123: out of range" in result.output
    assert "nothing was written" in result.output
    with Session(engine) as session:
        assert [r.external_id for r in session.exec(select(Resource))] == ["clinic-1"]


def test_dry_run_flag(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    folder = write(tmp_path, resource())
    result = runner.invoke(cli, ["import", "--dry-run", str(folder)])
    assert result.exit_code == 0, result.output
    assert "dry run" in result.output
    with Session(engine) as session:
        assert session.exec(select(Resource)).all() == []
