"""Training sessions: validation, life cycle, audit, join codes, enrolment and who sees which session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from netral.content import Content
from netral.store.accounts import Role, create_user
from netral.store.schema import AuditEntry, SessionTrainer, utcnow
from netral.store.trainings import (
    TrainingError,
    create_training,
    enrol,
    get_training,
    join_with_code,
    list_trainings,
    my_assignments,
    normalise_join_code,
    set_training_status,
    update_training,
)


def dates(days: int = 7):  # type: ignore[no-untyped-def]
    return {"opens_at": utcnow() - timedelta(days=1), "closes_at": utcnow() + timedelta(days=days)}


@pytest.fixture
def people(engine: Engine):  # type: ignore[no-untyped-def]
    make = lambda login, role: create_user(engine, login=login, name=login, password="rahasia-123", role=role)  # noqa: E731
    return {name: make(name, role) for name, role in [("hr1", Role.HR), ("hr2", Role.HR), ("trainer", Role.TRAINER),
                                                      ("other_trainer", Role.TRAINER), ("admin", Role.ADMIN),
                                                      ("trainee", Role.TRAINEE)]}


@pytest.mark.parametrize("changes, code", [
    ({"name": " "}, "name_required"), ({"quiz_ids": []}, "quiz_required"), ({"quiz_ids": ["nope"]}, "unknown_quiz"),
    ({"closes_at": utcnow() - timedelta(days=2)}, "dates_order"), ({"pass_mark": 1.5}, "pass_mark_range"),
    ({"attempts_allowed": 0}, "attempts_range"), ({"jp_hours": 0}, "jp_range"),
])
def test_invalid_sessions_are_refused(engine: Engine, content: Content, people, changes, code) -> None:  # type: ignore[no-untyped-def]
    fields = {"name": "Sesi", "quiz_ids": ["pretest-cpns"], **dates(), **changes}
    with pytest.raises(TrainingError) as refusal:
        create_training(engine, content, people["hr1"], **fields)
    assert refusal.value.code == code


def test_only_hr_and_admins_create_and_every_change_is_audited(engine: Engine, content: Content, people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TrainingError, match="forbidden"):
        create_training(engine, content, people["trainer"], name="X", quiz_ids=["pretest-cpns"], **dates())
    training = create_training(engine, content, people["hr1"], name="Sesi A", quiz_ids=["pretest-cpns"],
                               jp_hours=20, organiser="BKPSDM Banten", **dates())
    assert len(training.join_code) == 6 and training.is_open()
    updated = update_training(engine, content, people["hr1"], training.id, name="Sesi A (revisi)", pass_mark=0.8)
    assert updated.name == "Sesi A (revisi)" and updated.pass_mark == 0.8
    closed = set_training_status(engine, people["hr1"], training.id, "closed")
    assert not closed.is_open()
    with pytest.raises(TrainingError, match="not_found"):  # another HR unit's session
        set_training_status(engine, people["hr2"], training.id, "archived")
    set_training_status(engine, people["hr1"], training.id, "archived")
    assert list_trainings(engine, people["hr1"]) == []
    assert [t.id for t in list_trainings(engine, people["hr1"], include_archived=True)] == [training.id]
    with engine.connect() as connection:
        actions = list(connection.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-4:] == ["training.create", "training.update", "training.closed", "training.archived"]


def test_each_role_sees_only_its_sessions(engine: Engine, content: Content, people) -> None:  # type: ignore[no-untyped-def]
    own = create_training(engine, content, people["hr1"], name="A", quiz_ids=["pretest-cpns"],
                          trainer_ids=(people["trainer"].id,), **dates())
    other = create_training(engine, content, people["hr2"], name="B", quiz_ids=["pretest-cpns"], **dates())
    seen = lambda who: {t.id for t in list_trainings(engine, people[who])}  # noqa: E731
    assert seen("hr1") == {own.id} and seen("hr2") == {other.id}
    assert seen("trainer") == {own.id} and seen("other_trainer") == set()
    assert seen("admin") == {own.id, other.id} and seen("trainee") == set()
    with pytest.raises(TrainingError, match="not_found"):
        get_training(engine, people["trainer"], other.id)
    with engine.connect() as connection:
        assert connection.scalar(select(SessionTrainer.user_id)) == people["trainer"].id


def test_joining_is_idempotent_and_assignments_show_progress(engine: Engine, content: Content, people) -> None:  # type: ignore[no-untyped-def]
    training = create_training(engine, content, people["hr1"], name="A", quiz_ids=["pretest-cpns", "penyegaran-pemilu"],
                               **dates())
    code = training.join_code
    assert normalise_join_code(f" {code[:3].lower()}-{code[3:]} ") == code
    join_with_code(engine, people["trainee"].id, f"{code[:3]} {code[3:]}")
    assert enrol(engine, people["trainee"].id, training.id) is False
    assignments = my_assignments(engine, people["trainee"].id)
    assert [(a.training.id, a.quiz_id, a.attempts_used, a.passed) for a in assignments] == [
        (training.id, "pretest-cpns", 0, False), (training.id, "penyegaran-pemilu", 0, False)]
    with pytest.raises(TrainingError, match="join_code_unknown"):
        join_with_code(engine, people["trainee"].id, "QQQQQQ")
