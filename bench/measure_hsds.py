"""The HSDS API's answer times at a given size, in process (not part of ``python -m bench``).

``python -m bench.measure_hsds --rows 10000`` generates the rows as ``bench.generate`` does,
imports them into a throwaway SQLite directory and times, through Litestar's test client,
one page of services, one full page, every service as NDJSON and one service by id.
A list chooses and orders its ids in SQL and builds only the records of the page it
sends (see ``api.directory.hsds``); NDJSON builds every record, a chunk at a time.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from litestar.testing import TestClient

from api.app import create_app
from api.db import migrate
from api.db.engine import create_database_engine
from api.settings import Settings
from bench.generate import write_csv
from seed.importer import import_paths

__all__ = ["main"]

REQUESTS = (
    ("page of 50", "/hsds/services", {"per_page": "50"}),
    ("full page of 50", "/hsds/services", {"per_page": "50", "full": "true"}),
    ("every service, ndjson", "/hsds/services", {"format": "ndjson", "full": "true"}),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/hsds.db", tile_url=None)
        migrate.upgrade(settings)
        engine = create_database_engine(settings.sqlalchemy_url)
        report = import_paths(engine, settings, [write_csv(Path(folder) / "r.csv", args.rows)])
        assert report.ok, report.problems[:3]
        with TestClient(create_app(settings)) as client:
            first = client.get("/hsds/services", params={"per_page": "1"}).json()
            one = f"/hsds/services/{first['contents'][0]['id']}"
            for label, path, params in (*REQUESTS, ("one service by id", one, {})):
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    response = client.get(path, params=params)
                    times.append(time.perf_counter() - start)
                    assert response.status_code == 200, response.text
                print(
                    f"{args.rows} rows, {label}: median {statistics.median(times) * 1000:.0f} ms, "
                    f"{len(response.content) / 1024:.0f} KiB"
                )
        engine.dispose()


if __name__ == "__main__":
    main()
