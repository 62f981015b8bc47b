"""The access policy: which role opens which page; every page file asks it before showing anything."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from netral.access import PAGE_ROLES, PageId, can_open, pages_for
from netral.store.accounts import Role

ROOT = Path(__file__).resolve().parents[1]
STAFF_PAGES = {PageId.SESSIONS, PageId.DASHBOARD, PageId.ITEM_ANALYSIS, PageId.ADMIN, PageId.QUESTION_BANK}


def test_every_page_has_a_rule() -> None:
    assert set(PAGE_ROLES) == set(PageId)


@pytest.mark.parametrize("role, expected", [
    (None, {PageId.LOGIN, PageId.SETUP, PageId.VERIFY, PageId.DATA}),
    (Role.TRAINEE, {PageId.VERIFY, PageId.DATA, PageId.HOME, PageId.PRACTICE, PageId.SMART_PRACTICE, PageId.QUIZ,
                    PageId.RESULTS, PageId.PROGRESS, PageId.CERTIFICATES, PageId.ACCOUNT, PageId.EXTRA_PRACTICE}),
])
def test_visitors_and_trainees_never_get_staff_pages(role: Role | None, expected: set[PageId]) -> None:
    assert set(pages_for(role)) == expected
    assert not STAFF_PAGES & set(pages_for(role))


@pytest.mark.parametrize("role, page, allowed", [
    (Role.TRAINER, PageId.DASHBOARD, True), (Role.TRAINER, PageId.ITEM_ANALYSIS, True),
    (Role.TRAINER, PageId.SESSIONS, False), (Role.TRAINER, PageId.ADMIN, False),
    (Role.HR, PageId.SESSIONS, True), (Role.HR, PageId.DASHBOARD, True), (Role.HR, PageId.ADMIN, False),
    (Role.ADMIN, PageId.ADMIN, True), (Role.ADMIN, PageId.SESSIONS, True),
    (None, PageId.QUIZ, False), (Role.TRAINEE, PageId.LOGIN, False),
])
def test_staff_gates(role: Role | None, page: PageId, allowed: bool) -> None:
    assert can_open(role, page) is allowed


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_every_page_file_checks_the_policy_first_and_holds_no_sql(path: Path) -> None:
    """The first statements after the imports are ensure_entrypoint, the language and require_page."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [node.value.func.id if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
             and isinstance(node.value.func, ast.Name) else
             (node.value.func.id if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
              and isinstance(node.value.func, ast.Name) else None)
             for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr)) or
             isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)]
    calls = [c for c in calls if c is not None]
    assert calls[:3] == ["ensure_entrypoint", "language", "require_page"], calls[:5]
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert not {m for m in imported if m.startswith(("sqlalchemy", "netral.store.db", "sqlite3", "psycopg"))}
    assert not names & {"Session", "select", "text", "score_attempt", "submit_attempt_score"}
    methods = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call)
               and isinstance(node.func, ast.Attribute)}
    assert not methods & {"execute", "scalars", "scalar", "exec_driver_sql"}, f"{path.name} runs SQL itself"
