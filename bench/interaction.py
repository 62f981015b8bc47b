"""Benchmark: server time to save a quiz answer and render the next question, in-process with AppTest.

The app runs as tests/appkit.py runs it (its PagesManager patch, a logged-in trainee, `pages/kuis.py`) on a
temporary database (SQLite by default, PostgreSQL with --backend), optionally prefilled with a demo cohort so
the answers table is not empty. A quiz is started, then, many times over: the current question's widgets are set
(alternately the key and a wrong pick, so every save changes the row) and "Simpan & berikutnya" is clicked; the
timed part is the `at.run()` that follows, i.e. the script run that saves the answer, re-reads the attempt,
reruns (`st.rerun()`) and renders the next question. After the last question the page goes back to question 1
(untimed) and the loop goes on, so the same answers are replaced (the upsert path).

Baselines, in the same process: a rerun of the quiz page with no interaction (renders the same question, saves
nothing), and a rerun of the Data page (the public statistics charts). Also timed: the store calls alone
(save_answer + get_attempt), to split database time from Streamlit time; and a submission of a 40-question
attempt in a training session (scoring plus the summaries netral/store/summaries.py writes) next to one outside
any session (scoring only).

    python bench/interaction.py                    # 200 answers, SQLite prefilled with 10,000 trainees (~1.5 min)
    python bench/interaction.py --quick            # 30 answers, empty SQLite (< 30 s)
    python bench/interaction.py --backend postgresql --prefill 10000
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchkit as kit  # noqa: E402

GOAL_MEDIAN_SECONDS = 0.100
SAVE_NEXT = "Simpan & berikutnya"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200, help="timed answers (after --warmup untimed ones)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--baseline-repeat", type=int, default=50, help="timed reruns for each baseline")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--prefill", type=int, default=10_000, help="demo trainees put in the database first (0: none)")
    parser.add_argument("--quiz", default="penyegaran-pemilu")
    parser.add_argument("--submissions", type=int, default=30,
                        help="timed submissions each way, in a session and outside one (after 2 untimed)")
    parser.add_argument("--submit-quiz", default="ujian-akhir", help="the quiz whose submissions are timed")
    parser.add_argument("--quick", action="store_true", help="30 answers, 10 baseline reruns, no prefill")
    parser.add_argument("--json", type=Path, help="also write the measurements to this JSON file")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.warmup, args.baseline_repeat, args.prefill, args.submissions = 30, 3, 10, 0, 8

    workdir = Path(tempfile.mkdtemp(prefix="netral-bench-interaction-"))
    db = kit.new_db(args.backend, "interaction", workdir)
    os.environ["NETRAL_DATABASE_URL"] = db.url  # before the app's modules open the store
    try:
        return run(args, db)
    finally:
        db.drop()
        kit.clean_data_dir(workdir)


def run(args: argparse.Namespace, db: kit.BenchDB) -> int:
    print("# bench/interaction.py:", kit.machine())
    if args.prefill:
        print(kit.run_demo(db, args.prefill))
    counts = kit.table_counts(db.url) if args.prefill else {"answers": 0}
    print(f"database: {args.backend}, {counts['answers']} answers before the run")

    import logging

    # Outside a script run, Streamlit warns about the missing ScriptRunContext (make_user opens the store).
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    # tests/appkit.py patches PagesManager at import, as the test-suite runs the app.
    from tests.appkit import answer_on_page, make_user, new_app, open_page, scenario_on_screen

    from netral.content import load_content
    from netral.quizplan import question_sequence
    from netral.store.attempts import get_attempt, save_answer
    from netral.store.migrate import open_store

    content, _ = load_content()
    user, token = make_user(nip=None, login="bench-peserta", name="Peserta Benchmark, S.H.")
    at = open_page(new_app(token=token), "pages/kuis.py")
    next(b for b in at.button if b.key == f"start_free_{args.quiz}").click()
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    attempt_id = int(at.query_params["attempt"])
    prefix = f"a{attempt_id}"

    def current_q() -> str:
        value = at.query_params.get("q", "0")
        return value[0] if isinstance(value, list) else value

    save_next, wraps, changed = [], 0, 0
    for index in range(args.warmup + args.repeat):
        scenario_id = scenario_on_screen(at, prefix)
        answer_on_page(at, content, prefix, scenario_id, correct=index % 2 == 0)
        before = current_q()
        next(b for b in at.button if b.label == SAVE_NEXT).click()
        seconds, _ = kit.timed(at.run)
        assert not at.exception, [e.message for e in at.exception]
        if index >= args.warmup:
            save_next.append(seconds)
        if current_q() == before:  # the last question: back to the first one, untimed
            wraps += 1
            at.query_params["q"] = "0"
            at.run()
            assert not at.exception, [e.message for e in at.exception]
        else:
            changed += 1
    shown_scenario = scenario_on_screen(at, prefix)

    # Baseline 1: the same page rerun without any interaction (renders a question, saves nothing).
    rerun = kit.repeat(lambda: at.run(), args.baseline_repeat, warmup=2)
    assert not at.exception and scenario_on_screen(at, prefix) == shown_scenario

    # Baseline 2: the Data page (public statistics charts), rerun.
    data_page = open_page(new_app(), "pages/data.py")
    data = kit.repeat(lambda: data_page.run(), args.baseline_repeat, warmup=2)
    assert not data_page.exception

    # The store calls alone: what the click costs the database.
    store = open_store()
    attempt = get_attempt(store, user.id, attempt_id)
    sequence = question_sequence(content, attempt.scenario_ids, attempt.answers)
    choices = [attempt.answers[sid] for sid in sequence if sid in attempt.answers]
    ids = [sid for sid in sequence if sid in attempt.answers]

    def store_only(counter=[0]) -> None:  # type: ignore[no-untyped-def]  # noqa: B006
        k = counter[0] % len(ids)
        counter[0] += 1
        save_answer(store, content, user.id, attempt_id, ids[k], choices[k])
        fresh = get_attempt(store, user.id, attempt_id)
        question_sequence(content, fresh.scenario_ids, fresh.answers)

    store_times = kit.repeat(store_only, args.repeat, warmup=3)
    in_session, on_its_own = submission_times(store, content, args.submissions, args.submit_quiz)

    base = kit.median(rerun)
    rows = [
        ["save answer + render next (at.run after the click)", len(save_next), kit.ms(kit.median(save_next)),
         kit.ms(kit.p95(save_next)), f"{kit.median(save_next) / base:.2f}x"],
        ["baseline: quiz page rerun, no interaction", len(rerun), kit.ms(base), kit.ms(kit.p95(rerun)), "1.00x"],
        ["reference: Data page rerun", len(data), kit.ms(kit.median(data)), kit.ms(kit.p95(data)),
         f"{kit.median(data) / base:.2f}x"],
        ["store only: save_answer + get_attempt + question_sequence", len(store_times),
         kit.ms(kit.median(store_times)), kit.ms(kit.p95(store_times)), f"{kit.median(store_times) / base:.2f}x"],
        [f"store only: submit a {args.submit_quiz} attempt outside a session (scoring)", len(on_its_own),
         kit.ms(kit.median(on_its_own)), kit.ms(kit.p95(on_its_own)), f"{kit.median(on_its_own) / base:.2f}x"],
        [f"store only: submit a {args.submit_quiz} attempt in a session (scoring + summaries)", len(in_session),
         kit.ms(kit.median(in_session)), kit.ms(kit.p95(in_session)), f"{kit.median(in_session) / base:.2f}x"],
    ]
    print(f"quiz {args.quiz}, attempt {attempt_id}: {len(save_next)} timed saves, {changed} moved on, "
          f"{wraps} wrapped back to question 1")
    print(kit.table(["what", "n", "median ms", "p95 ms", "vs rerun"], rows))
    median = kit.median(save_next)
    print(f"goal median < {GOAL_MEDIAN_SECONDS * 1000:.0f} ms: {median * 1000:.0f} ms -> "
          f"{'PASS' if median < GOAL_MEDIAN_SECONDS else 'FAIL'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"machine": kit.machine(), "backend": args.backend,
                                         "answers_before": counts["answers"], "save_next": save_next,
                                         "rerun": rerun, "data_page": data, "store_only": store_times,
                                         "submit_in_session": in_session, "submit_on_its_own": on_its_own},
                                        indent=1))
    return 0


def submission_times(store, content, count: int,  # type: ignore[no-untyped-def]
                     quiz_id: str) -> tuple[list[float], list[float]]:
    """`submit_attempt` timed for fresh trainees who answered every question: in a training session (scoring,
    and the dashboards' summaries written in the same transaction) and outside any session (scoring only),
    alternately."""
    import random
    from datetime import UTC, datetime, timedelta

    from netral.demo import synthetic_answer
    from netral.store.accounts import Role, create_user
    from netral.store.attempts import save_answer, start_or_resume, submit_attempt
    from netral.store.trainings import create_training, enrol

    rng = random.Random(3)
    now = datetime.now(UTC)
    hr = create_user(store, login="bench-submit-hr", name="Hr", password=None, role=Role.HR)
    training = create_training(store, content, hr, name="Bench submissions", quiz_ids=[quiz_id],
                               opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1))
    in_session: list[float] = []
    on_its_own: list[float] = []
    for index in range(count + 2):
        for session_id, times in ((training.id, in_session), (None, on_its_own)):
            person = create_user(store, login=f"bench-submit-{index}-{session_id}", name="Peserta",
                                 unit=f"Unit {index % 7}", password=None)
            if session_id is not None:
                enrol(store, person.id, session_id)
            attempt = start_or_resume(store, content, person.id, quiz_id, session_id=session_id)
            for scenario_id in attempt.scenario_ids:
                save_answer(store, content, person.id, attempt.id, scenario_id,
                            synthetic_answer(content.scenarios[scenario_id], rng.gauss(0, 1), rng))
            seconds, _ = kit.timed(lambda: submit_attempt(store, content, person.id, attempt.id))
            if index >= 2:
                times.append(seconds)
    return in_session, on_its_own


if __name__ == "__main__":
    raise SystemExit(main())
