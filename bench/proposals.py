"""Experiments behind the fixes proposed in bench/README.md: each hot spot found by bench/dashboard.py, timed as
the app does it now and as proposed, on the same database, with a check that both give the same numbers.
Nothing here is used by the app; the proposed code is a sketch for whoever changes netral/.

1. cohort_dashboard's mastery: today two queries each evaluate a ~60-branch CASE (scenario -> category) on every
   answer row, then group by it. Proposed: one query grouped by (unit, scenario_id) returning sum and count,
   rolled up to category and unit x category in Python (a few thousand aggregated rows).
2. analyse_quiz (netral/itemanalysis.py): pure-Python math.fsum loops over attempts x questions. Proposed: the
   same formulas on a numpy matrix.
3. pages/sesi.py renders two download buttons (ui/downloads.py: download_table) whose CSV and XLSX bytes are
   built on every script run, for every person of the session. Proposed: pass callables to
   st.download_button(data=...) (deferred generation, Streamlit >= 1.50), so the files are built on click.
   Timed here: what each rerun of the page pays today for the people table.
4. SQLite: person_progress (completion report, counts, trainee table) reads the attempts of *every* session
   through ix_attempts_user_quiz. Proposed: an index on attempts (session_id, quiz_id, user_id); timed by
   creating it on a copy of the database.

    python bench/proposals.py --database-url sqlite:////tmp/netral-bench/demo_10000.db
    python bench/proposals.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/netral_bench_demo_10000
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit as kit  # noqa: E402

import numpy as np  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from dashboard import app_parts  # noqa: E402

from netral.content import load_content  # noqa: E402
from netral.itemanalysis import analyse_quiz, select_attempts  # noqa: E402
from netral.store.cohort import CohortFilters, _answers_with_category, counted_attempts  # noqa: E402
from netral.store.db import make_engine, read_session  # noqa: E402
from netral.store.itemdata import iter_scored_attempts, quiz_slots  # noqa: E402
from netral.store.reports import completion_report  # noqa: E402
from netral.store.schema import Answer  # noqa: E402

SESSION_ID, QUIZ_ID = 1, "penyegaran-pemilu"


def mastery_now(engine, content):  # type: ignore[no-untyped-def]
    counted = counted_attempts(SESSION_ID, (QUIZ_ID,), CohortFilters())
    answers = _answers_with_category(content, counted)
    known = answers.c.category.is_not(None)
    with read_session(engine) as session:
        by_category = session.execute(select(answers.c.category, func.avg(answers.c.score), func.count())
                                      .where(known).group_by(answers.c.category)).all()
        by_unit = session.execute(select(answers.c.unit, answers.c.category, func.avg(answers.c.score), func.count())
                                  .where(known).group_by(answers.c.unit, answers.c.category)).all()
    return ({c: (float(m), int(n)) for c, m, n in by_category},
            {(u, c): (float(m), int(n)) for u, c, m, n in by_unit})


def mastery_proposed(engine, content):  # type: ignore[no-untyped-def]
    counted = counted_attempts(SESSION_ID, (QUIZ_ID,), CohortFilters())
    query = (select(counted.c.unit, Answer.scenario_id, func.sum(Answer.score), func.count())
             .join(counted, counted.c.id == Answer.attempt_id).where(Answer.score.is_not(None))
             .group_by(counted.c.unit, Answer.scenario_id))
    with read_session(engine) as session:
        rows = session.execute(query).all()
    category_of = {sid: s.category for sid, s in content.scenarios.items()}
    by_category: dict[str, list[float]] = {}
    by_unit: dict[tuple[str, str], list[float]] = {}
    for unit, scenario_id, total, count in rows:
        category = category_of.get(scenario_id)
        if category is None:
            continue
        for key, bucket in ((category, by_category), ((unit, category), by_unit)):
            cell = bucket.setdefault(key, [0.0, 0])  # type: ignore[arg-type]
            cell[0] += total
            cell[1] += count
    return ({c: (t / n, n) for c, (t, n) in by_category.items()},
            {k: (t / n, n) for k, (t, n) in by_unit.items()})


def analyse_numpy(attempts, max_marks):  # type: ignore[no-untyped-def]
    """Question facility, SD, discrimination index and discriminative efficiency, and the CIC, vectorised."""
    ids = list(max_marks)
    x = np.array([[a.marks.get(q, 0.0) for q in ids] for a in attempts], dtype=float)
    n = len(x)
    totals = x.sum(axis=1)
    rests = totals[:, None] - x
    dx, dr = x - x.mean(axis=0), rests - rests.mean(axis=0)
    var_x = (dx * dx).sum(axis=0) / (n - 1)
    var_r = (dr * dr).sum(axis=0) / (n - 1)
    cov = (dx * dr).sum(axis=0) / (n - 1)
    xs, rs = np.sort(x, axis=0), np.sort(rests, axis=0)
    max_cov = ((xs - xs.mean(axis=0)) * (rs - rs.mean(axis=0))).sum(axis=0) / (n - 1)
    maxima = np.array([max_marks[q] for q in ids])
    k2 = totals.var(ddof=1)
    k = len(ids)
    return {
        "facility": dict(zip(ids, x.mean(axis=0) / maxima)),
        "sd": dict(zip(ids, np.sqrt(var_x) / maxima)),
        "discrimination": dict(zip(ids, np.where(var_x * var_r > 0, 100 * cov / np.sqrt(var_x * var_r), np.nan))),
        "efficiency": dict(zip(ids, np.where(max_cov != 0, 100 * cov / max_cov, np.nan))),
        "cic": (100 * k / (k - 1)) * (1 - var_x.sum() / k2),
    }


def close(a: float | None, b: float, tol: float = 1e-9) -> bool:
    if a is None:
        return math.isnan(b)
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True, help="a database made by `python -m netral demo`")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--viewer", default="demo-hr", help="login of the session's owner (flat.py: flat-hr-fixed)")
    args = parser.parse_args(argv)
    content, _ = load_content()
    engine = make_engine(args.database_url)
    print("# bench/proposals.py:", kit.machine())
    print("database:", kit.table_counts(args.database_url))
    rows = []

    now, proposed = mastery_now(engine, content), mastery_proposed(engine, content)
    same = all(now[i].keys() == proposed[i].keys() and all(
        now[i][k][1] == proposed[i][k][1] and math.isclose(now[i][k][0], proposed[i][k][0], rel_tol=1e-9)
        for k in now[i]) for i in (0, 1))
    t_now = kit.repeat(lambda: mastery_now(engine, content), args.repeat)
    t_new = kit.repeat(lambda: mastery_proposed(engine, content), args.repeat)
    rows.append(["1. mastery queries (cohort_dashboard)", kit.ms(kit.median(t_now)), kit.ms(kit.median(t_new)),
                 f"{kit.median(t_now) / kit.median(t_new):.1f}x", "yes" if same else "NO"])

    viewer = kit.hr_viewer(engine, args.viewer)
    finished = list(iter_scored_attempts(engine, viewer, content, QUIZ_ID, SESSION_ID))
    chosen = select_attempts(finished, "first")
    max_marks = quiz_slots(content.quizzes[QUIZ_ID], content).max_marks
    reference = analyse_quiz(chosen, max_marks)
    fast = analyse_numpy(chosen, max_marks)
    same = all(close(q.facility, fast["facility"][q.question_id]) and close(q.sd, fast["sd"][q.question_id])
               and close(q.discrimination_index, fast["discrimination"][q.question_id])
               and close(q.discriminative_efficiency, fast["efficiency"][q.question_id])
               for q in reference.questions) and close(reference.test.cic, fast["cic"])
    t_now = kit.repeat(lambda: analyse_quiz(chosen, max_marks), args.repeat)
    t_new = kit.repeat(lambda: analyse_numpy(chosen, max_marks), args.repeat)
    rows.append([f"2. analyse_quiz, {len(chosen)} attempts", kit.ms(kit.median(t_now)), kit.ms(kit.median(t_new)),
                 f"{kit.median(t_now) / kit.median(t_new):.1f}x", "yes" if same else "NO"])
    t_stream = kit.repeat(lambda: list(iter_scored_attempts(engine, viewer, content, QUIZ_ID, SESSION_ID)),
                          args.repeat)
    print(f"(for scale: iter_scored_attempts streams {len(finished)} attempts in {kit.ms(kit.median(t_stream))} ms)")
    engine.dispose()

    from netral.export import table_to_csv, table_to_xlsx
    from ui.downloads import localised_table

    engine = make_engine(args.database_url)
    report = completion_report(engine, viewer, SESSION_ID)
    engine.dispose()
    people_rows = report.to_rows("people")

    def exports() -> None:
        columns, cells = localised_table(people_rows, "id")
        table_to_csv(columns, cells)
        table_to_xlsx({"laporan": (columns, cells)}, text_columns=["NIP"])

    t_now = kit.repeat(exports, max(1, args.repeat // 2), warmup=0)
    rows.append([f"3. sesi page: CSV + XLSX of {len(people_rows)} people, every rerun", kit.ms(kit.median(t_now)),
                 "0 (on click)", "-", "same files"])

    if args.database_url.startswith("sqlite:///"):
        source = Path(args.database_url.removeprefix("sqlite:///"))
        workdir = Path(tempfile.mkdtemp(prefix="netral-bench-proposal-"))
        copy = workdir / "copy.db"
        shutil.copy(source, copy)
        url = f"sqlite:///{copy}"
        try:
            before = make_engine(url)
            viewer = kit.hr_viewer(before, args.viewer)
            parts = app_parts(before, viewer, content, SESSION_ID, QUIZ_ID)

            def four_calls() -> None:
                for fn in parts.values():
                    fn()

            def person_progress_plan() -> list[str]:
                statements = kit.capture_sql(before, lambda: completion_report(before, viewer, SESSION_ID))
                statement, parameters = next(s for s in statements if "progress.unit" in s[0])
                return [line for line in kit.explain(before, statement, parameters) if "attempts" in line]

            plan_now = person_progress_plan()
            t_now = kit.repeat(lambda: completion_report(before, viewer, SESSION_ID), args.repeat)
            t4_now = kit.repeat(four_calls, args.repeat)
            with before.begin() as connection:
                connection.execute(text("CREATE INDEX ix_bench_attempts_session_quiz_user "
                                        "ON attempts (session_id, quiz_id, user_id)"))
                connection.execute(text("ANALYZE attempts"))
            plan_new = person_progress_plan()
            t_new = kit.repeat(lambda: completion_report(before, viewer, SESSION_ID), args.repeat)
            t4_new = kit.repeat(four_calls, args.repeat)
            print("person_progress, attempts access now:     ", "; ".join(plan_now))
            print("person_progress, attempts access proposed:", "; ".join(plan_new))
            rows.append(["4. completion_report, + index attempts(session_id, quiz_id, user_id)",
                         kit.ms(kit.median(t_now)), kit.ms(kit.median(t_new)),
                         f"{kit.median(t_now) / kit.median(t_new):.1f}x", "same query"])
            rows.append(["4b. the four calls, + that index", kit.ms(kit.median(t4_now)), kit.ms(kit.median(t4_new)),
                         f"{kit.median(t4_now) / kit.median(t4_new):.1f}x", "same query"])
            before.dispose()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print(kit.table(["hot spot", "now ms", "proposed ms", "speed-up", "same numbers"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
