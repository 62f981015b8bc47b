"""`siasn_count` (one SQL query) agrees with `siasn_rows` on both backends, and the sessions page shows the
count without building the rows on a run."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, update

from netral.content import Content
from netral.store.accounts import Role, UserView
from netral.store.db import write_session
from netral.store.schema import User
from netral.store.siasn import SiasnCount, siasn_count, siasn_rows, siasn_warnings
from netral.store.trainings import TrainingError, create_training, get_training, list_trainings
from tests.test_siasn import CLOSES, DAY, NIP_ANA, NIP_BUDI, OPENS, _attempt, _staff, _trainee, cohort  # noqa: F401


def expected(engine: Engine, content: Content, viewer: UserView, training_id: int) -> SiasnCount:
    rows = siasn_rows(engine, content, viewer, training_id, issue_missing=False)
    return SiasnCount(trainees=len(rows), without_nip=sum(1 for row in rows if not row.nip))


def test_the_count_matches_the_rows_of_the_cohort(engine: Engine, content: Content, cohort) -> None:  # type: ignore[no-untyped-def]
    training = cohort["training"]
    assert siasn_count(engine, cohort["hr"], training.id) == SiasnCount(trainees=4, without_nip=1)
    assert siasn_count(engine, cohort["hr"], training.id) == expected(engine, content, cohort["hr"], training.id)
    assert siasn_count(engine, cohort["trainer"], training.id).trainees == 4
    admin = _staff(engine, "admin", Role.ADMIN)
    assert siasn_count(engine, admin, cohort["other"].id) == expected(engine, content, admin, cohort["other"].id)
    # The warnings from the count are the warnings from the rows.
    rows = siasn_rows(engine, content, cohort["hr"], training.id, issue_missing=False)
    assert siasn_warnings(training, siasn_count(engine, cohort["hr"], training.id)) == siasn_warnings(training, rows)
    # An empty NIP counts as missing, as in the rows.
    with write_session(engine) as session:
        session.execute(update(User).where(User.id == cohort["budi"].id).values(nip=""))
    assert siasn_count(engine, cohort["hr"], training.id) == expected(engine, content, cohort["hr"], training.id)
    assert siasn_count(engine, cohort["hr"], training.id).without_nip == 2


def test_the_count_refuses_what_the_rows_refuse(engine: Engine, content: Content, cohort) -> None:  # type: ignore[no-untyped-def]
    outsider = _staff(engine, "hr-cilegon", Role.HR)
    for viewer, training_id in ((outsider, cohort["training"].id), (cohort["ana"], cohort["training"].id),
                                (cohort["hr"], cohort["other"].id), (cohort["hr"], 10_000)):
        with pytest.raises(TrainingError, match="not_found"):
            siasn_count(engine, viewer, training_id)
        with pytest.raises(TrainingError, match="not_found"):
            siasn_rows(engine, content, viewer, training_id)


def test_every_quiz_counts_repeats_do_not(engine: Engine, content: Content) -> None:
    hr = _staff(engine, "hr-serang", Role.HR)
    quizzes = sorted(content.quizzes)[:2]
    training = create_training(engine, content, hr, name="Dua kuis", quiz_ids=quizzes, opens_at=OPENS,
                               closes_at=CLOSES, organiser="BKPSDM", jp_hours=8)
    assert siasn_count(engine, hr, training.id) == SiasnCount(0, 0) == expected(engine, content, hr, training.id)
    both = _trainee(engine, NIP_ANA, "Ana")
    one = _trainee(engine, NIP_BUDI, "Budi")
    twice = _trainee(engine, None, "Cecep", login="cecep")
    _attempt(engine, both.id, training.id, quizzes[0], submitted=OPENS + DAY, passed=True)
    _attempt(engine, both.id, training.id, quizzes[1], submitted=OPENS + 2 * DAY, passed=True, status="late")
    _attempt(engine, one.id, training.id, quizzes[0], submitted=OPENS + DAY, passed=True)
    _attempt(engine, one.id, training.id, quizzes[1], submitted=OPENS + DAY, passed=False)
    _attempt(engine, one.id, training.id, quizzes[1], submitted=OPENS + 2 * DAY, passed=True, status="started")
    for _ in range(2):  # one quiz passed twice is still one quiz
        _attempt(engine, twice.id, training.id, quizzes[0], submitted=OPENS + DAY, passed=True)
    assert siasn_count(engine, hr, training.id) == SiasnCount(1, 0) == expected(engine, content, hr, training.id)
    _attempt(engine, twice.id, training.id, quizzes[1], submitted=OPENS + 3 * DAY, passed=True)
    assert siasn_count(engine, hr, training.id) == SiasnCount(2, 1) == expected(engine, content, hr, training.id)


def test_the_count_matches_the_rows_on_a_demo_cohort(engine: Engine, content: Content) -> None:
    from netral.demo import fill_demo
    from netral.store.accounts import create_user

    fill_demo(engine, content, trainees=30, seed=11, sessions=2)
    admin = create_user(engine, login="admin", name="Admin", password=None, role=Role.ADMIN)
    trainings = list_trainings(engine, admin)
    assert trainings
    counts = [siasn_count(engine, admin, training.id) for training in trainings]
    assert any(count.trainees for count in counts)
    assert counts == [expected(engine, content, admin, training.id) for training in trainings]
    for training in trainings:
        view = get_training(engine, admin, training.id)
        assert siasn_warnings(view, siasn_count(engine, admin, training.id)) == siasn_warnings(
            view, siasn_rows(engine, content, admin, training.id, issue_missing=False))


def test_the_sessions_page_shows_the_count_without_building_the_rows(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import netral.store.siasn as siasn
    from netral.content import load_content
    from netral.demo import fill_demo
    from netral.store.accounts import authenticate
    from netral.store.migrate import open_store
    from tests.appkit import PASSWORD, make_user, new_app, open_page

    monkeypatch.setenv("NETRAL_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    content, _ = load_content()
    _, token = make_user(Role.ADMIN, nip=None, login="admin", name="Admin")
    fill_demo(open_store(), content, trainees=12, seed=5)
    admin = authenticate(open_store(), "admin", PASSWORD).user
    assert admin is not None
    shown = list_trainings(open_store(), admin)[0]
    passed = len(siasn.siasn_rows(open_store(), content, admin, shown.id, issue_missing=False))

    built: list[int] = []
    real_rows = siasn.siasn_rows

    def counting_rows(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(1)
        return real_rows(*args, **kwargs)

    monkeypatch.setattr(siasn, "siasn_rows", counting_rows)
    at = open_page(new_app(token=token), "pages/sesi.py")
    at.run()
    assert not at.exception
    assert passed > 0 and f"{passed} peserta lulus" in [c.value for c in at.caption]
    assert "Unduh riwayat kursus SIASN (XLSX)" in [b.proto.label for b in at.get("download_button")]
    assert built == []  # two runs, no rows built: only the download builds them
