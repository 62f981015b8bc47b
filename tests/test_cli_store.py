"""`python -m netral db upgrade`, `db summaries` and `users add` from the command line, as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

from netral.store.accounts import LoginOutcome, Role, authenticate, has_admin
from netral.store.db import make_engine
from netral.store.migrate import head_revision

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NETRAL_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "netral", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_db_upgrade_and_first_admin_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'netral.db'}"
    result = _run(["db", "upgrade"], url)
    assert result.returncode == 0 and f"revision {head_revision()}" in result.stdout
    result = _run(["users", "add", "--role", "admin", "--login", "admin", "--name", "Admin BKPSDM",
                   "--password-stdin"], url, stdin="kata-sandi-admin-1\n")
    assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    assert has_admin(engine)
    login = authenticate(engine, "admin", "kata-sandi-admin-1")
    assert login.outcome is LoginOutcome.OK and login.user.role is Role.ADMIN
    assert "kata-sandi-admin-1" not in result.stdout + result.stderr


def test_invalid_nip_is_explained_in_bahasa_indonesia(tmp_path: Path) -> None:
    result = _run(["users", "add", "--nip", "198613312015051001", "--name", "Budi", "--password-stdin"],
                  f"sqlite:///{tmp_path / 'netral.db'}", stdin="rahasia-netral-1\n")
    assert result.returncode == 1
    assert "Digit 1-8 (tanggal lahir)" in result.stderr


def test_db_summaries_writes_the_item_analysis_marks_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'netral.db'}"
    assert _run(["demo", "--trainees", "12", "--database-url", url], url).returncode == 0
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            before = connection.execute(text("SELECT count(*), count(first_marks) FROM quiz_progress")).one()
            # As after migration 0008 on old data, or a content change: marks missing or written for old slots.
            connection.execute(text("UPDATE quiz_progress SET first_marks = NULL, marks_layout = NULL"))
        done = _run(["db", "summaries", "--database-url", url], url)
        assert done.returncode == 0, done.stderr
        assert "OK: 12 progress rows" in done.stdout
        with engine.connect() as connection:
            after = connection.execute(text("SELECT count(*), count(first_marks) FROM quiz_progress")).one()
    finally:
        engine.dispose()
    assert tuple(before) == tuple(after) == (12, 12)
