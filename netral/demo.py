"""A realistic synthetic cohort for demonstrations and load tests: `python -m netral demo --trainees N`.

It creates an HR owner and a trainer, K training sessions on the shipped quizzes (`--sessions K`; session 1
uses the quiz given with `--quiz ID`, if any, see QUIZ_PREFERENCE), and N trainees of Banten province (valid
PNS NIPs, Indonesian names, OPD units of the province and its eight kabupaten/kota), each with one finished
attempt. Answers are drawn so that some categories are harder than others and abler trainees do better; they
are scored with `netral.scoring`, exactly as a real submission would be.

Everything is a function of the seed and the base date: `random.Random(seed)` draws every choice and all
timestamps are offsets from the base date, so the same seed on an empty database gives the same rows.
Rows go in with Core `insert()` executemany, one transaction per batch of trainees, which keeps 50,000
trainees with their answers within minutes on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select

from netral.content import Content
from netral.content.models import Facet, Quiz, Scenario
from netral.nip import validate_nip
from netral.quizplan import plan_attempt
from netral.scoring import ScenarioResult, score_attempt, score_scenario
from netral.store.schema import (
    Answer,
    Attempt,
    AuditEntry,
    Enrolment,
    MasteryCell,
    QuizProgress,
    SessionTrainer,
    TrainingSession,
    User,
)
from netral.store.summaries import rebuild
from netral.store.trainings import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH

DEFAULT_BASE = datetime(2024, 8, 1, tzinfo=UTC)
"""Default base date: the Pilkada 2024 campaign season, when neutrality refreshers ran across Banten."""
BATCH_SIZE = 5_000
HR_LOGIN = "demo-hr"
TRAINER_LOGIN = "demo-pelatih"
QUIZ_PREFERENCE = ("penyegaran-pemilu", "pretest-cpns", "lanjutan-pejabat")
"""Which shipped quiz session 1, 2, 3 … uses (then any other quiz, by id; after the last, the first again). A quiz
chosen with `--quiz` moves to the front: session 1 uses it, sessions 2, 3 … follow this order without it."""
SESSION_SPACING = timedelta(days=7)
SESSION_LENGTH = timedelta(days=21)
LOOKUP_CHUNK = 500

REGIONS: tuple[tuple[str, int], ...] = (
    # (name, weight ~ share of the province's ASN); the province itself runs its own OPDs.
    ("Provinsi Banten", 10), ("Kab. Tangerang", 18), ("Kota Tangerang", 13), ("Kota Tangerang Selatan", 10),
    ("Kab. Serang", 12), ("Kota Serang", 8), ("Kab. Pandeglang", 11), ("Kab. Lebak", 11), ("Kota Cilegon", 7),
)
OPDS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    # (OPD, weight, typical positions): teachers and health workers are most of a region's ASN.
    ("Dinas Pendidikan dan Kebudayaan", 34, ("Guru Ahli Pertama", "Guru Ahli Muda", "Guru Ahli Madya",
                                             "Pengawas Sekolah", "Penilik")),
    ("Dinas Kesehatan", 18, ("Perawat Terampil", "Perawat Ahli Pertama", "Bidan Terampil", "Dokter Ahli Pertama",
                             "Epidemiolog Kesehatan", "Sanitarian")),
    ("BKPSDM", 3, ("Analis Kepegawaian", "Pranata Komputer", "Kepala Bidang Mutasi")),
    ("Bappeda", 3, ("Perencana Ahli Pertama", "Analis Kebijakan", "Statistisi")),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", 5, ("Teknik Pengairan", "Penata Ruang", "Pengawas Jalan")),
    ("Dinas Sosial", 3, ("Pekerja Sosial", "Penyuluh Sosial")),
    ("Dinas Perhubungan", 4, ("Penguji Kendaraan Bermotor", "Pengelola Terminal")),
    ("Satuan Polisi Pamong Praja", 5, ("Polisi Pamong Praja Terampil", "Kepala Seksi Ketertiban")),
    ("Dinas Kependudukan dan Pencatatan Sipil", 3, ("Administrator Database Kependudukan", "Pengelola Data")),
    ("Inspektorat", 2, ("Auditor Ahli Pertama", "Pengawas Penyelenggaraan Urusan Pemerintahan Daerah")),
    ("Sekretariat Daerah", 6, ("Analis Kebijakan", "Pengelola Keuangan", "Kepala Bagian Umum", "Arsiparis")),
    ("Sekretariat DPRD", 2, ("Pengadministrasi Perkantoran", "Analis Rapat")),
    ("Dinas Pertanian", 4, ("Penyuluh Pertanian Ahli Pertama", "Pengawas Mutu Hasil Pertanian")),
    ("Badan Kesatuan Bangsa dan Politik", 2, ("Analis Kebijakan", "Kepala Bidang Politik Dalam Negeri")),
)
MALE_NAMES = ("Ahmad", "Asep", "Budi", "Dedi", "Deden", "Eko", "Fajar", "Hendra", "Iwan", "Jajang", "Rizki",
              "Ujang", "Yusuf", "Agus", "Bambang", "Dadang", "Hasan", "Irfan", "Maman", "Nanang", "Rahmat",
              "Ridwan", "Supriyadi", "Taufik", "Wahyu", "Yayan", "Aris", "Dimas", "Galih", "Muhammad")
FEMALE_NAMES = ("Siti", "Nurhayati", "Dewi", "Rina", "Euis", "Neneng", "Yuli", "Ratna", "Fitri", "Lilis",
                "Wulan", "Ani", "Sri", "Tuti", "Dian", "Intan", "Nia", "Rani", "Ayu", "Putri", "Lia", "Nurul",
                "Eneng", "Aisyah", "Indah", "Kartini", "Mega", "Novi", "Ratih", "Yanti")
FAMILY_NAMES = ("Hidayat", "Suryana", "Permana", "Saputra", "Nugraha", "Kurniawan", "Setiawan", "Rahmawati",
                "Maulana", "Firmansyah", "Sulaeman", "Mulyani", "Wahyuni", "Pratama", "Fauzi", "Hakim",
                "Syarifudin", "Rohman", "Susanti", "Lestari", "Sutisna", "Hermawan", "Jaelani", "Hasanah",
                "Marlina", "Rosita", "Gunawan", "Iskandar", "Sumarni", "Wijaya")
TITLES = ("S.Pd.", "S.E.", "S.Kom.", "S.H.", "S.Sos.", "S.Kep.", "A.Md.", "S.T.", "M.Si.", "S.IP.")

# How hard each category is for the synthetic trainees (logit offsets; 0 for a category not listed). The
# harder ones are those where the rules are subtle or contested, the easier ones where the breach is plain.
CATEGORY_DIFFICULTY: dict[str, float] = {
    "penggantian-pejabat": 1.1, "keputusan-menguntungkan": 0.9, "menghadiri-kegiatan": 0.8,
    "mendampingi-pendaftaran": 0.7, "pendekatan-parpol": 0.5, "promosi-diri": 0.4, "foto-simbol": 0.2,
    "media-sosial": -0.2, "fasilitas-negara": -0.3, "atribut-kampanye": -0.6, "keanggotaan-parpol": -0.7,
}
FACET_DIFFICULTY: dict[Facet, float] = {
    Facet.VERDICT: -0.9, Facet.PROVISIONS: 0.6, Facet.KIND: 0.2, Facet.SANCTION: 0.7, Facet.CONDUCT: -0.3,
}
BASE_LOGIT = 0.9  # an average trainee gets about seven facets in ten right: scores near the pass marks


class DemoError(ValueError):
    """The demo cannot fill this database (it already holds one)."""


class UnknownQuiz(DemoError):
    """The quiz asked for is not in the content (bad input, not a database problem)."""


@dataclass(frozen=True)
class DemoSummary:
    session_ids: tuple[int, ...]
    trainees: int
    attempts: int
    answers: int
    passed: int
    base: datetime
    seed: int

    def line(self, seconds: float | None = None) -> str:
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        return (f"OK: demo cohort of {self.trainees} trainees in {len(self.session_ids)} session(s) "
                f"(ids {', '.join(map(str, self.session_ids))}): {self.attempts} attempts, {self.answers} answers, "
                f"{self.passed} passed; staff logins {HR_LOGIN} and {TRAINER_LOGIN}; seed {self.seed}, "
                f"base date {self.base.date().isoformat()}{took}")


# --- people -----------------------------------------------------------------------------------------------


def _weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[int]) -> Any:
    return rng.choices(items, weights=weights, k=1)[0]


def random_nip(rng: random.Random, today: date) -> str:
    """A PNS NIP that `validate_nip(nip, today=today)` accepts: born 1965-2000 (and at least 19 by `today`),
    appointed CPNS on the 1st of a month after the 18th birthday (mostly in the twenties) and not after
    `today`, sex digit 1 or 2, serial 001-250."""
    earliest, latest = date(1965, 1, 1), min(date(2000, 12, 31), date(today.year - 19, 1, 1))
    born = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
    # Months counted as year * 12 + (month - 1). The month after the 18th birthday's month always starts
    # after the birthday; the current month's 1st is never in the future.
    first = (born.year + 18) * 12 + born.month
    last = today.year * 12 + today.month - 1
    month = first + min(12 + int(rng.expovariate(1 / 72)), last - first)
    appointed_year, appointed_month = divmod(month, 12)
    sex = rng.choice("12")
    serial = rng.randint(1, 250)
    return f"{born:%Y%m%d}{appointed_year:04d}{appointed_month + 1:02d}{sex}{serial:03d}"


def random_name(rng: random.Random, female: bool, position: str) -> str:
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    parts = [first]
    if rng.random() < 0.5:
        parts.append(rng.choice(FEMALE_NAMES if female else MALE_NAMES))
    parts.append(rng.choice(FAMILY_NAMES))
    name = " ".join(dict.fromkeys(parts))
    if position.startswith(("Guru", "Pengawas Sekolah")):
        return f"{name}, S.Pd."
    if rng.random() < 0.6:
        return f"{name}, {rng.choice(TITLES)}"
    return name


def _units(rng: random.Random) -> list[tuple[str, tuple[str, ...], float, int]]:
    """(unit name, positions, unit effect on ability, weight) for every OPD of every region."""
    units = []
    for region, region_weight in REGIONS:
        for opd, opd_weight, positions in OPDS:
            units.append((f"{opd} {region}", positions, rng.gauss(0.0, 0.25), region_weight * opd_weight))
    return units


# --- answers ----------------------------------------------------------------------------------------------


def _p_correct(ability: float, difficulty: float) -> float:
    return 1.0 / (1.0 + math.exp(-(BASE_LOGIT + ability - difficulty)))


@dataclass(frozen=True)
class _Facet:
    """What answering one question needs, worked out once per scenario rather than once per answer."""

    name: str
    multiple: bool
    key: tuple[str, ...]
    wrong: tuple[str, ...]
    """Options not in the key."""
    partial: tuple[str, ...]
    """Single choice: options scoring below 1."""
    difficulty: float


def _facets(scenario: Scenario) -> tuple[_Facet, ...]:
    category = CATEGORY_DIFFICULTY.get(scenario.category, 0.0)
    facets = []
    for question in scenario.questions:
        key = tuple(sorted(question.key))
        facets.append(_Facet(
            name=question.facet.value, multiple=question.multiple, key=key,
            wrong=tuple(option.id for option in question.options if option.id not in key),
            partial=tuple(option.id for option in question.options if option.credit < 1.0),
            difficulty=category + FACET_DIFFICULTY[question.facet]))
    return tuple(facets)


def _pick(facet: _Facet, correct: bool, rng: random.Random) -> list[str]:
    if correct:
        return list(facet.key)
    if not facet.multiple:
        return [rng.choice(facet.partial)] if facet.partial else list(facet.key)
    picks = set(facet.key)
    if len(picks) > 1 and (not facet.wrong or rng.random() < 0.5):
        picks.discard(rng.choice(facet.key))  # missed one of several breached provisions
    elif facet.wrong:
        picks.add(rng.choice(facet.wrong))  # a wrong extra pick
        if rng.random() < 0.4 and len(picks) > 1:
            picks.discard(rng.choice(facet.key))
    return sorted(picks)


def synthetic_answer(scenario: Scenario, ability: float, rng: random.Random,
                     facets: tuple[_Facet, ...] | None = None) -> dict[str, list[str]]:
    """A trainee's answer to every facet: right with a probability set by ability, category and facet.
    `facets` is `_facets(scenario)`, when the caller keeps it."""
    facets = facets or _facets(scenario)
    return {f.name: _pick(f, rng.random() < _p_correct(ability, f.difficulty), rng) for f in facets}


class _ScoreCache:
    """Scores per (scenario, answer): a cohort gives the same answers over and over, scoring them once.
    Also keeps each scenario's `_facets`."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self.results: dict[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ScenarioResult] = {}
        self.facets: dict[str, tuple[_Facet, ...]] = {}

    def facets_of(self, scenario_id: str) -> tuple[_Facet, ...]:
        facets = self.facets.get(scenario_id)
        if facets is None:
            facets = self.facets[scenario_id] = _facets(self.content.scenarios[scenario_id])
        return facets

    def score(self, scenario_id: str, answer: dict[str, list[str]]) -> ScenarioResult:
        key = (scenario_id, tuple((facet, tuple(picks)) for facet, picks in sorted(answer.items())))
        result = self.results.get(key)
        if result is None:
            full = score_scenario(self.content.scenarios[scenario_id], answer)
            # Kept without the feedback texts: only scores are written, and tens of thousands of distinct
            # answers with their feedback would take hundreds of megabytes.
            result = replace(full, facets=tuple(replace(facet, feedback=()) for facet in full.facets))
            self.results[key] = result
        return result


# --- writing -------------------------------------------------------------------------------------------------


def _insert_returning_ids(connection, table, rows: list[dict[str, Any]]) -> list[int]:  # type: ignore[no-untyped-def]
    if not rows:
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [row[0] for row in connection.execute(statement, rows)]


def _taken_nips(connection, nips: Sequence[str]) -> set[str]:  # type: ignore[no-untyped-def]
    taken: set[str] = set()
    for start in range(0, len(nips), LOOKUP_CHUNK):
        chunk = list(nips[start:start + LOOKUP_CHUNK])
        taken.update(connection.execute(select(User.nip).where(User.nip.in_(chunk))).scalars())
    return taken


@contextmanager
def _write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction on its own connection; BEGIN IMMEDIATE on SQLite, as `netral.store.db.write_session`."""
    with engine.connect() as connection:
        connection.info["netral_write"] = True
        try:
            with connection.begin():
                yield connection
        finally:
            connection.info.pop("netral_write", None)


def check_quiz_id(content: Content, quiz_id: str | None) -> None:
    """Raise `UnknownQuiz`, naming the known ids, unless `quiz_id` is None or a quiz of the content."""
    if quiz_id is not None and quiz_id not in content.quizzes:
        known = ", ".join(sorted(content.quizzes)) or "none"
        raise UnknownQuiz(f"unknown quiz {quiz_id!r}; known quiz ids: {known}")


def _session_quizzes(content: Content, count: int, first: str | None = None) -> list[Quiz]:
    """The quiz of each of `count` sessions: QUIZ_PREFERENCE order, with `first` (if given) moved to the front;
    past the last quiz the cycle starts again."""
    check_quiz_id(content, first)
    ordered = [q for q in QUIZ_PREFERENCE if q in content.quizzes]
    ordered += sorted(q for q in content.quizzes if q not in ordered)
    if first is not None:
        ordered = [first] + [q for q in ordered if q != first]
    if not ordered:
        raise DemoError("the content has no quiz")
    return [content.quizzes[ordered[k % len(ordered)]] for k in range(count)]


def fill_demo(engine: Engine, content: Content, *, trainees: int, seed: int = 0, sessions: int = 1,
              base: datetime | None = None, staff_password_hash: str | None = None,
              batch_size: int = BATCH_SIZE, quiz_id: str | None = None) -> DemoSummary:
    """Fill a migrated database with a synthetic cohort (see the module docstring); returns the counts.
    `quiz_id`: the quiz of session 1 (default: the first of QUIZ_PREFERENCE).

    Raises `DemoError` when the database already holds the demo staff accounts, `UnknownQuiz` (a `DemoError`)
    when `quiz_id` is not a quiz of the content; either way nothing is written.
    """
    if trainees < 0 or sessions < 1 or batch_size < 1:
        raise ValueError("trainees >= 0, sessions >= 1 and batch_size >= 1 are required")
    base = base or DEFAULT_BASE
    if base.tzinfo is None:
        raise ValueError("the base date must be timezone-aware")
    rng = random.Random(seed)
    today = base.date()
    users, sessions_table = User.__table__, TrainingSession.__table__

    with _write_transaction(engine) as connection:
        if connection.execute(select(func.count()).select_from(users)
                              .where(users.c.login.in_([HR_LOGIN, TRAINER_LOGIN]))).scalar():
            raise DemoError("this database already holds the demo cohort")
        staff_created = base - timedelta(days=60)
        hr_id, trainer_id = _insert_returning_ids(connection, users, [
            {"login": HR_LOGIN, "name": "Rina Marlina, S.Psi.", "unit": "BKPSDM Provinsi Banten",
             "position": "Analis Kepegawaian Ahli Muda", "role": "hr", "password_hash": staff_password_hash,
             "language": "id", "created_at": staff_created,
             "password_changed_at": staff_created if staff_password_hash else None},
            {"login": TRAINER_LOGIN, "name": "Drs. Asep Suryana, M.Si.", "unit": "BKPSDM Provinsi Banten",
             "position": "Widyaiswara Ahli Madya", "role": "trainer", "password_hash": staff_password_hash,
             "language": "id", "created_at": staff_created,
             "password_changed_at": staff_created if staff_password_hash else None},
        ])
        quizzes = _session_quizzes(content, sessions, quiz_id)
        existing_codes = set(connection.execute(select(sessions_table.c.join_code)).scalars())
        session_rows = []
        for k, quiz in enumerate(quizzes):
            code = "".join(rng.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
            while code in existing_codes:
                code = "".join(rng.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
            existing_codes.add(code)
            opens = base + k * SESSION_SPACING
            session_rows.append({
                "name": f"Pelatihan Netralitas ASN Banten {k + 1}: {quiz.title.id}", "quiz_ids": [quiz.id],
                "opens_at": opens, "closes_at": opens + SESSION_LENGTH, "pass_mark": None,
                "attempts_allowed": None, "join_code": code, "status": "open", "owner_id": hr_id,
                "created_at": opens - timedelta(days=14),
                "description": "Data sintetis untuk demonstrasi / synthetic demonstration data",
                "organiser": "BKPSDM Provinsi Banten", "jp_hours": 2})
        session_ids = _insert_returning_ids(connection, sessions_table, session_rows)
        connection.execute(insert(SessionTrainer.__table__),
                           [{"session_id": sid, "user_id": trainer_id} for sid in session_ids])
        connection.execute(insert(AuditEntry.__table__), [{
            "at": base, "actor_id": None, "action": "demo.fill", "target": "",
            "details": {"seed": seed, "trainees": trainees, "sessions": sessions}}])

    units = _units(rng)
    unit_weights = [u[3] for u in units]
    scores = _ScoreCache(content)
    seen_nips: set[str] = set()
    totals = {"attempts": 0, "answers": 0, "passed": 0}
    for start in range(0, trainees, batch_size):
        count = min(batch_size, trainees - start)
        people = []
        for _ in range(count):
            unit, positions, unit_effect, _weight = _weighted(rng, units, unit_weights)
            nip = random_nip(rng, today)
            while nip in seen_nips:
                nip = random_nip(rng, today)
            seen_nips.add(nip)
            position = rng.choice(positions)
            people.append({"nip": nip, "unit": unit, "position": position,
                           "name": random_name(rng, nip[14] == "2", position),
                           "ability": rng.gauss(0.0, 1.0) + unit_effect})
        with _write_transaction(engine) as connection:
            # Real accounts keep their NIP; a clashing synthetic one is drawn again.
            taken = _taken_nips(connection, [person["nip"] for person in people])
            for person in people:
                while person["nip"] in taken:
                    nip = random_nip(rng, today)
                    if nip in seen_nips:
                        continue
                    seen_nips.add(nip)
                    person["nip"] = nip
                    person["name"] = random_name(rng, nip[14] == "2", person["position"])
                    taken |= _taken_nips(connection, [nip])
            _write_batch(connection, content, rng, scores, people, start, session_ids, quizzes, base, totals)
    # The dashboards' summaries, as submissions would have written them (netral/store/summaries.py).
    with _write_transaction(engine) as connection:
        rebuild(connection, content, session_ids)
    # Fresh statistics for the query planner: without them PostgreSQL takes the bulk-loaded tables for
    # empty and picks nested loops that make the dashboards a hundred times slower until autovacuum runs.
    with _write_transaction(engine) as connection:
        quote = connection.dialect.identifier_preparer.quote
        for table in (users, Enrolment.__table__, Attempt.__table__, Answer.__table__, QuizProgress.__table__,
                      MasteryCell.__table__):
            # An identifier cannot be a bound parameter; these are our own table names, quoted by the dialect.
            connection.exec_driver_sql("ANALYZE " + quote(table.name))  # sql: quoted identifier
    return DemoSummary(tuple(session_ids), trainees, totals["attempts"], totals["answers"], totals["passed"], base,
                       seed)


def _write_batch(connection, content: Content, rng: random.Random, scores: _ScoreCache,  # type: ignore[no-untyped-def]
                 people: list[dict[str, Any]], first_index: int, session_ids: Sequence[int], quizzes: Sequence[Quiz],
                 base: datetime, totals: dict[str, int]) -> None:
    """Insert one batch of trainees with their enrolment, attempt and answers (one transaction)."""
    placements = []
    for offset, person in enumerate(people):
        k = (first_index + offset) % len(session_ids)
        opens = base + k * SESSION_SPACING
        enrolled_at = opens - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
        placements.append((k, opens, enrolled_at))
    user_ids = _insert_returning_ids(connection, User.__table__, [
        {"login": p["nip"], "nip": p["nip"], "email": None, "name": p["name"], "unit": p["unit"],
         "position": p["position"], "role": "trainee", "password_hash": None, "language": "id",
         "created_at": enrolled_at, "password_changed_at": None}
        for p, (_k, _opens, enrolled_at) in zip(people, placements, strict=True)])
    connection.execute(insert(Enrolment.__table__), [
        {"session_id": session_ids[k], "user_id": uid, "enrolled_at": enrolled_at}
        for uid, (k, _opens, enrolled_at) in zip(user_ids, placements, strict=True)])

    attempt_rows, answer_sets = [], []
    for uid, person, (k, opens, _enrolled) in zip(user_ids, people, placements, strict=True):
        quiz = quizzes[k]
        attempt_seed = rng.randrange(2**31 - 1)
        plan = plan_attempt(quiz, content, attempt_seed)
        started = opens + timedelta(minutes=rng.randint(0, int(SESSION_LENGTH.total_seconds() // 60) - 24 * 60))
        limit = timedelta(minutes=quiz.time_limit_minutes)
        duration = limit * rng.uniform(0.35, 0.95)
        # The order the trainee is shown them (netral.quizplan.question_sequence): each planned scenario,
        # then the follow-up its answer leads to; the synthetic trainee answers every one of them.
        results, answers, answered = [], [], set()
        for planned in plan.scenario_ids:
            sid: str | None = planned
            while sid is not None and sid in content.scenarios and sid not in answered:
                choice = synthetic_answer(content.scenarios[sid], person["ability"], rng, scores.facets_of(sid))
                result = scores.score(sid, choice)
                results.append(result)
                answers.append((sid, choice, result))
                answered.add(sid)
                sid = result.next_scenario
        score = score_attempt(results)
        passed = score >= quiz.pass_mark
        submitted = started + duration
        attempt_rows.append({
            "user_id": uid, "quiz_id": quiz.id, "session_id": session_ids[k], "seed": attempt_seed,
            "plan": {"scenario_ids": list(plan.scenario_ids),
                     "option_orders": {sid: {f: list(ids) for f, ids in order.items()}
                                       for sid, order in plan.option_orders.items()}},
            "status": "submitted", "started_at": started, "deadline_at": started + limit,
            "submitted_at": submitted, "pass_mark": quiz.pass_mark, "score": score, "passed": passed})
        step = duration / (len(answers) + 1)
        answer_sets.append([(sid, choice, result, started + step * (i + 1))
                            for i, (sid, choice, result) in enumerate(answers)])
        totals["passed"] += passed
    attempt_ids = _insert_returning_ids(connection, Attempt.__table__, attempt_rows)
    answer_rows = [
        {"attempt_id": attempt_id, "scenario_id": sid, "choice": choice,
         "facet_scores": {f.facet.value: f.score for f in result.facets}, "score": result.score,
         "answered_at": answered_at}
        for attempt_id, answers in zip(attempt_ids, answer_sets, strict=True)
        for sid, choice, result, answered_at in answers]
    for start in range(0, len(answer_rows), BATCH_SIZE):
        connection.execute(insert(Answer.__table__), answer_rows[start:start + BATCH_SIZE])
    totals["attempts"] += len(attempt_rows)
    totals["answers"] += len(answer_rows)


def nip_is_valid(nip: str, base: datetime = DEFAULT_BASE) -> bool:
    """Whether a demo NIP passes `netral.nip.validate_nip` on the base date (used by the tests)."""
    return validate_nip(nip, today=base.date()).ok


def run(database_url: str | None, *, trainees: int, seed: int = 0, sessions: int = 1, base: datetime | None = None,
        staff_password: str | None = None, quiz_id: str | None = None) -> str:
    """The `demo` command: migrate the database, load the content, fill it, and return the summary line.
    An unknown `quiz_id` raises `UnknownQuiz` before the database is opened."""
    from netral.content import load_content
    from netral.store.accounts import hash_password
    from netral.store.migrate import open_store

    content, problems = load_content()
    if problems:
        raise DemoError(f"the content has {len(problems)} problem(s): run `python -m netral validate`")
    check_quiz_id(content, quiz_id)
    engine = open_store(database_url)
    began = time.perf_counter()
    summary = fill_demo(engine, content, trainees=trainees, seed=seed, sessions=sessions, base=base,
                        staff_password_hash=hash_password(staff_password) if staff_password else None,
                        quiz_id=quiz_id)
    return summary.line(time.perf_counter() - began)
