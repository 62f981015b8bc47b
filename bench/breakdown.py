"""Where the time of the four dashboard calls goes: each SQL statement's execute time, and the rest (fetching
rows, building Python objects, item statistics) per call. One warm-up, then the median of --repeat runs.

    python bench/breakdown.py --database-url sqlite:////tmp/netral-bench/demo_10000_ujian_akhir.db
    python bench/breakdown.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/netral_bench_demo_10000_ujian_akhir

(`dashboard.py --keep` leaves those databases behind.) On SQLite, execute() returns at the first row, so a
query's later rows show up as "rest"; on PostgreSQL execute() returns when the server is done, except for the
item analysis' server-side cursor.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit as kit  # noqa: E402
from dashboard import app_parts  # noqa: E402

from sqlalchemy import event  # noqa: E402

from netral.content import load_content  # noqa: E402
from netral.store.db import make_engine  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--viewer", default="demo-hr")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quiz", default="ujian-akhir", help="session 1's quiz in that database")
    args = parser.parse_args(argv)
    content, _ = load_content()
    engine = make_engine(args.database_url)
    log: list[tuple[str, float]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        conn.info["bench_t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        log.append((" ".join(statement.split())[:100], time.perf_counter() - conn.info["bench_t0"]))

    viewer = kit.hr_viewer(engine, args.viewer)
    print("# bench/breakdown.py:", kit.machine())
    print("database:", kit.table_counts(args.database_url))
    for name, fn in app_parts(engine, viewer, content, 1, args.quiz).items():
        fn()
        totals: list[float] = []
        per_statement: dict[str, list[float]] = defaultdict(list)
        for _ in range(args.repeat):
            log.clear()
            seconds, _ = kit.timed(fn)
            totals.append(seconds)
            merged: dict[str, float] = defaultdict(float)
            for statement, took in log:
                merged[statement] += took
            for statement, took in merged.items():
                per_statement[statement].append(took)
        total = kit.median(totals)
        sql = sum(kit.median(v) for v in per_statement.values())
        print(f"\n## {name}: {kit.ms(total)} ms, of which SQL execute {kit.ms(sql)} ms, rest {kit.ms(total - sql)} ms")
        rows = [[kit.ms(kit.median(v)), s] for s, v in per_statement.items() if kit.median(v) >= 0.001]
        if rows:
            print(kit.table(["ms", "statement (first 100 characters)"], rows))
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
