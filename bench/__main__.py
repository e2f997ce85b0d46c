"""``python -m bench``: generate, load, measure, and write ``bench/RESULTS.md``.

python -m bench --sizes 10000,100000,1000000 --databases sqlite,postgresql
python -m bench --quick            # ~200 rows on SQLite, seconds: the smoke test
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from api.db.engine import create_database_engine
from api.settings import Settings
from bench import (
    beside_datasette,
    load_sql,
    measure_http,
    measure_import,
    measure_map,
    measure_search,
)
from bench.databases import DEFAULT_POSTGRES, throwaway_database
from bench.generate import write_csv
from bench.results import Results, machine

HERE = Path(__file__).resolve().parent


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="10000,100000,1000000",
        help="comma-separated numbers of resources (default: %(default)s)",
    )
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="sqlite, postgresql or both (default: %(default)s)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("PUENTE_BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
        help="a server the run may create and drop puente_bench_* databases on",
    )
    parser.add_argument("--queries", type=int, default=500, help="indexed searches per size")
    parser.add_argument(
        "--brute-queries",
        type=int,
        default=30,
        help="brute-force scans per size (each reads every row)",
    )
    parser.add_argument(
        "--http-seconds", type=float, default=10.0, help="length of each HTTP load run"
    )
    parser.add_argument("--no-http", action="store_true", help="skip the HTTP runs")
    parser.add_argument("--no-map", action="store_true", help="skip the map page")
    parser.add_argument(
        "--datasette",
        action="store_true",
        help="also serve the rows with Datasette (the bench extra) and load both in turn"
        " at 1, 16 and 64 connections",
    )
    parser.add_argument(
        "--beside-rounds",
        type=int,
        default=2,
        help="rounds of the Datasette comparison, each server in turn (default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=HERE,
        help="folder for RESULTS.md and results.json (default: bench/)",
    )
    parser.add_argument(
        "--loader",
        choices=("importer", "sql"),
        default="importer",
        help="load through seed's importer (measured) or straight with SQL (not measured;"
        " for sizes the importer cannot load in the time at hand)",
    )
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite RESULTS.md from results.json without measuring",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a tiny run: 200 rows on SQLite, short HTTP runs"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.databases = "200", "sqlite"
        args.queries, args.brute_queries, args.http_seconds = 40, 10, 1.0
        args.no_map = True
    try:
        args.size_list = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes {args.sizes!r}: expected numbers such as 10000,100000")
    args.database_list = [d.strip() for d in args.databases.split(",") if d.strip()]
    if unknown := set(args.database_list) - {"sqlite", "postgresql"}:
        parser.error(f"--databases: unknown {', '.join(sorted(unknown))}; use sqlite,postgresql")
    return args


def postgres_version(url: str) -> str | None:
    engine = create_database_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            return str(connection.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def beside(
    args: argparse.Namespace,
    results: Results,
    database: str,
    size: int,
    settings: Settings,
    workdir: Path,
) -> None:
    """Puente beside Datasette; on PostgreSQL, Datasette reads the same rows from SQLite."""
    if not beside_datasette.available():
        raise SystemExit("--datasette needs wrk and Datasette (pip install -e '.[bench]')")
    log(f"{database} {size:,}: beside Datasette")
    with ExitStack() as stack:
        if database == "sqlite":
            sqlite_path = Path(make_url(settings.sqlalchemy_url).database or "")
        else:
            copy = stack.enter_context(
                throwaway_database("sqlite", workdir=workdir, postgres_url=args.postgres_url)
            )
            load_sql.load(copy, size)
            sqlite_path = Path(make_url(copy.sqlalchemy_url).database or "")
        figure = beside_datasette.measure(
            settings,
            sqlite_path,
            rows=size,
            seconds=args.http_seconds,
            rounds=args.beside_rounds,
            log=log,
        )
    results.add(database, size, "beside_datasette", figure)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    args.output.mkdir(parents=True, exist_ok=True)
    results = Results(args.output / "results.json")
    if args.report_only:
        (args.output / "RESULTS.md").write_text(results.render())
        return 0
    pg = postgres_version(args.postgres_url) if "postgresql" in args.database_list else None
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    results.note_run(command.strip(), machine(pg))

    def write() -> None:
        (args.output / "RESULTS.md").write_text(results.render())

    with tempfile.TemporaryDirectory(prefix="puente_bench_") as tmp:
        workdir = Path(tmp)
        for database in args.database_list:
            for size in args.size_list:
                csv_path = workdir / f"resources_{size}.csv"
                if args.loader == "importer" and not csv_path.exists():
                    log(f"generating {size:,} rows")
                    write_csv(csv_path, size)
                with throwaway_database(
                    database, workdir=workdir, postgres_url=args.postgres_url
                ) as settings:
                    if args.loader == "sql":
                        log(f"{database} {size:,}: loading with SQL (import not measured)")
                        load_sql.load(settings, size)
                        results.add(database, size, "loader", "sql")
                    else:
                        log(f"{database} {size:,}: importing")
                        figure = measure_import.load(settings, csv_path, size)
                        results.add(database, size, "import", figure)
                        results.add(database, size, "loader", "importer")
                        log(f"  {figure.rows_per_second:,.0f} rows/s")
                    write()
                    log(f"{database} {size:,}: nearby search")
                    search = measure_search.measure(
                        settings, queries=args.queries, brute_queries=args.brute_queries
                    )
                    results.add(database, size, "search", search)
                    log(
                        f"  p50 {search.p50_ms:.2f} ms, p99 {search.p99_ms:.2f} ms,"
                        f" brute p99 {search.brute_p99_ms:.1f} ms, {search.mismatches} differ"
                    )
                    write()
                    if not args.no_http:
                        log(f"{database} {size:,}: HTTP")
                        http = measure_http.measure(settings, seconds=args.http_seconds)
                        results.add(database, size, "http", http)
                        log(
                            f"  bare {http.bare.requests_per_s:,.0f}/s, uncached"
                            f" {http.uncached.requests_per_s:,.0f}/s, cached"
                            f" {http.cached.requests_per_s:,.0f}/s, RSS {http.rss_mb:.0f} MB"
                        )
                        write()
                    if args.datasette:
                        beside(args, results, database, size, settings, workdir)
                        write()
            if not args.no_map and measure_map.available():
                log(f"{database}: map page")
                with throwaway_database(
                    database, workdir=workdir, postgres_url=args.postgres_url
                ) as settings:
                    results.add_map(database, measure_map.measure(settings))
                write()
    write()
    log(f"wrote {args.output / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
