"""Benchmark: a fixed 500-trainee session stays as fast while the database around it grows.

Per backend, one database grows in steps. First `python -m netral demo --trainees 500` makes the measured
session (session 1, the election refresher quiz, seed 0). Then each step runs `python -m netral demo` again
with another seed and `--sessions 3` (more sessions on all three shipped quizzes, including the measured
session's quiz, with new trainees) until the whole database holds the target number of answer rows.
`fill_demo` refuses a database that already holds its staff logins (`demo-hr`, `demo-pelatih`), so after each
fill this script renames them (`flat-hr-fixed`, `flat-hr-1`, ...); nothing else is touched, and the measured
session is never written again. After each step the database is copied (SQLite backup API, PostgreSQL
CREATE DATABASE ... TEMPLATE), so every size exists at once.

Then the sizes are measured *interleaved*: one warm-up each, then round after round, every size once per round
(in a rotating order), timing what the dashboard and item-analysis pages compute for session 1 (as
bench/dashboard.py: cohort_dashboard + trainee_table + completion_report + quiz_item_analysis). A burst of load
on the machine thus hits every size alike, and the ratio to the smallest database (goal: within 1.5x, i.e.
index lookups, not scans) is not an artefact of when each size happened to be timed. The session's numbers are
checked to be identical at every size. It prints how each big table is read at each size and the EXPLAIN QUERY
PLAN (SQLite) / EXPLAIN (PostgreSQL) of every SELECT at the largest size.

    python bench/flat.py                              # 20k -> 700k answers, SQLite and PostgreSQL (~10 min)
    python bench/flat.py --quick                      # 15k and 30k answers (< 1 min)
    python bench/flat.py --answers 20000,200000,1500000 --backends postgresql
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit as kit  # noqa: E402
from dashboard import app_numbers, app_parts  # noqa: E402

from sqlalchemy import text  # noqa: E402

from netral.content import load_content  # noqa: E402
from netral.store.db import make_engine  # noqa: E402

FIXED_TRAINEES = 500
GOAL_RATIO = 1.5
SESSION_ID = 1
QUIZ_ID = "penyegaran-pemilu"
ANSWERS_PER_FILLER = 11.5
"""First guess of answers per filler trainee over the three quizzes; corrected after every fill."""
PLAN_LINE = 170


def rename_staff(db: kit.BenchDB, suffix: str) -> None:
    """Free the demo staff logins so `python -m netral demo` accepts this database again."""
    engine = make_engine(db.url)
    try:
        with engine.begin() as connection:
            for login, new in (("demo-hr", f"flat-hr-{suffix}"), ("demo-pelatih", f"flat-pelatih-{suffix}")):
                connection.execute(text("UPDATE users SET login = :new WHERE login = :old"), {"new": new, "old": login})
    finally:
        engine.dispose()


def parts_for(engine, content):  # type: ignore[no-untyped-def]
    return app_parts(engine, kit.hr_viewer(engine, "flat-hr-fixed"), content, SESSION_ID, QUIZ_ID)


def measure_interleaved(dbs: list[kit.BenchDB], content, repeat: int):  # type: ignore[no-untyped-def]
    """Per database: wall totals, CPU totals, wall per part, and the session's numbers (from the warm-up)."""
    engines = [make_engine(db.url) for db in dbs]
    try:
        parts = [parts_for(engine, content) for engine in engines]
        numbers = [app_numbers({name: fn() for name, fn in p.items()}) for p in parts]  # warm-up
        totals: list[list[float]] = [[] for _ in dbs]
        cpu: list[list[float]] = [[] for _ in dbs]
        per_part: list[dict[str, list[float]]] = [{name: [] for name in p} for p in parts]
        for round_ in range(repeat):
            order = list(range(len(dbs)))
            order = order[round_ % len(order):] + order[:round_ % len(order)]
            for i in order:
                total = 0.0
                cpu_began = time.process_time()
                for name, fn in parts[i].items():
                    seconds, _ = kit.timed(fn)
                    per_part[i][name].append(seconds)
                    total += seconds
                totals[i].append(total)
                cpu[i].append(time.process_time() - cpu_began)
        return totals, cpu, per_part, numbers
    finally:
        for engine in engines:
            engine.dispose()


def plans(db: kit.BenchDB, content) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    """(statement, plan lines) of every SELECT the four calls send."""
    engine = make_engine(db.url)
    try:
        parts = parts_for(engine, content)
        statements = kit.capture_sql(engine, lambda: [fn() for fn in parts.values()])
        seen, out = set(), []
        for statement, parameters in statements:
            if "FROM training_sessions" in statement and "WHERE training_sessions.id" in statement:
                continue  # the session lookup by primary key, in every call
            if statement in seen:
                continue
            seen.add(statement)
            out.append((statement, kit.explain(engine, statement, parameters)))
        return out
    finally:
        engine.dispose()


def label(statement: str) -> str:
    flat = " ".join(statement.split())
    return flat[:110] + ("..." if len(flat) > 110 else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answers", default="20000,100000,300000,700000",
                        help="answer rows in the whole database at each step (comma-separated, ascending)")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per size (after one warm-up)")
    parser.add_argument("--quick", action="store_true", help="15k and 30k answers, 3 rounds (< 1 min)")
    parser.add_argument("--data-dir", type=Path, default=kit.DEFAULT_DATA_DIR)
    parser.add_argument("--keep", action="store_true", help="keep the databases of every size (not reused)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the databases an earlier --keep run left (same --answers), without growing")
    parser.add_argument("--plans", type=Path, help="also write every plan at every size to this file")
    parser.add_argument("--json", type=Path, help="also write the measurements to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.answers, args.repeat = "15000,30000", 3
    targets = sorted(int(a) for a in args.answers.split(",") if a.strip())

    content, problems = load_content()
    if problems:
        raise SystemExit("content problems: run python -m netral validate")
    print("# bench/flat.py:", kit.machine())
    summary, records, failures = [], [], 0
    plan_log: list[str] = []
    for backend in kit.backends(args.backends):
        kept = [kit.existing_db(backend, f"flat_{step}" if step < len(targets) else "flat", args.data_dir)
                for step in range(1, len(targets) + 1)] if args.reuse else []
        if args.reuse and not all(kept):
            raise SystemExit(f"--reuse: no kept {backend} databases for these --answers (run with --keep first)")
        db = kept[-1] if kept else kit.new_db(backend, "flat", args.data_dir)
        sizes: list[kit.BenchDB] = list(kept)  # type: ignore[arg-type]
        try:
            if kept:
                print(f"\n## {backend}: reusing {len(kept)} kept databases")
                targets_to_grow: list[int] = []
            else:
                print(f"\n## {backend}: growing")
                targets_to_grow = targets
                print(kit.run_demo(db, FIXED_TRAINEES, seed=0, sessions=1))
                rename_staff(db, "fixed")
            per_trainee = ANSWERS_PER_FILLER
            for step, target in enumerate(targets_to_grow, start=1):
                before = kit.table_counts(db.url)["answers"]
                if target > before:
                    trainees = max(3, math.ceil((target - before) / per_trainee))
                    print(kit.run_demo(db, trainees, seed=step, sessions=3))
                    rename_staff(db, str(step))
                    per_trainee = (kit.table_counts(db.url)["answers"] - before) / trainees
                sizes.append(db if step == len(targets) else kit.snapshot(db, f"flat_{step}", args.data_dir))

            print(f"## {backend}: measuring {len(sizes)} sizes interleaved, {args.repeat} rounds")
            totals, cpu, per_part, numbers = measure_interleaved(sizes, content, args.repeat)
            rows = []
            first_total, first_min, first_cpu = kit.median(totals[0]), min(totals[0]), kit.median(cpu[0])
            for i, size in enumerate(sizes):
                counts = kit.table_counts(size.url)
                changed = [k for k in numbers[i] if numbers[i][k] != numbers[0][k]]
                if changed:
                    failures += 1
                    print(f"! the fixed session's numbers differ at {counts['answers']} answers: {changed}")
                total = kit.median(totals[i])
                ratio, ratio_min = total / first_total, min(totals[i]) / first_min
                step_plans = plans(size, content)
                scans = sorted({s for _st, plan in step_plans for s in kit.scan_summary(plan, backend)})
                whole = sorted(set(kit.full_scans(scans, backend)))
                print(f"- {counts['answers']:>9} answers, {counts['attempts']:>7} attempts, {counts['users']:>7} users: "
                      f"median {kit.ms(total)} ms (x{ratio:.2f}), min {kit.ms(min(totals[i]))} ms (x{ratio_min:.2f}), "
                      f"CPU {kit.ms(kit.median(cpu[i]))} ms; "
                      + ", ".join(f"{n} {kit.ms(kit.median(v))}" for n, v in per_part[i].items()))
                print("  table accesses:", "; ".join(scans))
                print("  whole-table scans of big tables:", "; ".join(whole) or "none")
                plan_log.append(f"==== {backend}, {counts['answers']} answers ====")
                for statement, plan in step_plans:
                    plan_log += ["-- " + label(statement), *("   " + line for line in plan)]
                rows.append([backend, counts["answers"], counts["attempts"], counts["users"],
                             *(kit.ms(kit.median(v)) for v in per_part[i].values()), kit.ms(total), f"{ratio:.2f}x",
                             kit.ms(min(totals[i])), f"{ratio_min:.2f}x", kit.ms(kit.median(cpu[i])),
                             f"{kit.median(cpu[i]) / first_cpu:.2f}x"])
                records.append({"backend": backend, **counts, "seconds": totals[i], "cpu_seconds": cpu[i],
                                "parts_seconds": per_part[i], "ratio": ratio, "ratio_min": ratio_min,
                                "access_paths": scans, "full_scans": whole, "unchanged": not changed})
                last_plans = step_plans
            records.append({"backend": backend, "fills": db.fills, "fill_seconds": db.fill_seconds})
            print(f"\n### EXPLAIN at the largest size ({backend}), every SELECT of the four calls")
            for statement, plan in last_plans:
                print("--", label(statement))
                for line in plan:
                    print("  ", line if len(line) <= PLAN_LINE else line[:PLAN_LINE] + " ...")
            summary += rows
            worst = max(r["ratio"] for r in records if r["backend"] == backend and "ratio" in r)
            worst_min = max(r["ratio_min"] for r in records if r["backend"] == backend and "ratio" in r)
            print(f"\ngoal within {GOAL_RATIO}x, {backend}: worst ratio of medians x{worst:.2f} -> "
                  f"{'PASS' if worst <= GOAL_RATIO else 'FAIL'} (ratio of minimum times: x{worst_min:.2f})")
        finally:
            if not args.keep:
                for size in sizes if db in sizes else [*sizes, db]:
                    size.drop()
    print("\n## Summary (medians over the interleaved rounds; ratio = time / time at the smallest database; "
          "CPU = this process's CPU time, without the PostgreSQL server's)")
    print("load average now:", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(kit.table(["backend", "answers", "attempts", "users", "dashboard ms", "table ms", "completion ms",
                     "items ms", "total ms", "ratio", "min total ms", "ratio of mins", "CPU ms", "CPU ratio"],
                    summary))
    if args.plans:
        args.plans.parent.mkdir(parents=True, exist_ok=True)
        args.plans.write_text("\n".join(plan_log) + "\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": kit.machine(), "results": records}, indent=1))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
