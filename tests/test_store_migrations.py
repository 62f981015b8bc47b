"""Migrations: a database built at the first revision, filled, then upgraded keeps every row."""

from __future__ import annotations

from datetime import datetime

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from netral.store.migrate import current_revision, head_revision, upgrade
from netral.store.schema import Base


def test_upgrade_from_first_revision_keeps_rows(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0001")
    assert current_revision(empty_engine) == "0001"
    now = datetime(2026, 11, 1, 8, 0)
    with empty_engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, login, nip, name, unit, position, role, password_hash, created_at) "
            "VALUES (1, '198609262015051001', '198609262015051001', 'Siti Rahmawati', 'Dinas Pendidikan', "
            "'Guru', 'trainee', 'argon2-hash', :now)"), {"now": now})
        connection.execute(text(
            "INSERT INTO attempts (id, user_id, quiz_id, seed, plan, status, started_at, deadline_at, pass_mark) "
            "VALUES (7, 1, 'pretest-cpns', 42, :plan, 'in_progress', :now, :now, 0.6)"),
            {"plan": '{"scenario_ids": ["a"], "option_orders": {}}', "now": now})
        connection.execute(text(
            "INSERT INTO answers (attempt_id, scenario_id, choice, answered_at) VALUES (7, 'a', :c, :now)"),
            {"c": '{"verdict": ["ya"]}', "now": now})

    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision() == "0008"
    with empty_engine.connect() as connection:
        user = connection.execute(text("SELECT login, name, unit, language FROM users WHERE id = 1")).one()
        assert tuple(user) == ("198609262015051001", "Siti Rahmawati", "Dinas Pendidikan", "id")
        attempt = connection.execute(text("SELECT quiz_id, seed, status FROM attempts WHERE id = 7")).one()
        assert tuple(attempt) == ("pretest-cpns", 42, "in_progress")
        assert connection.execute(text("SELECT count(*) FROM answers WHERE attempt_id = 7")).scalar() == 1
    assert {"login_sessions", "login_throttle", "setup_tokens", "settings"} <= set(inspect(empty_engine).get_table_names())


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()
