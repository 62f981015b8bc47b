"""No SQL is built by string formatting anywhere in the code: values always travel as bound parameters."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SQL_CALLS = {"text", "exec_driver_sql", "execute", "executemany", "executescript"}
SOURCES = sorted([*(ROOT / "netral").rglob("*.py"), *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py"),
                  ROOT / "app.py"])


def _built_by_formatting(node: ast.expr) -> bool:
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format")


def formatted_sql(path: Path) -> list[int]:
    """Lines where a SQL-running call gets a first argument built with f-strings, %, + or .format."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in SQL_CALLS and _built_by_formatting(node.args[0]):
            # The one allowed form: a dialect-quoted identifier, marked on its line.
            if "# sql: quoted identifier" not in lines[node.lineno - 1]:
                found.append(node.lineno)
    return sorted(found)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sql_is_built_by_string_formatting(path: Path) -> None:
    assert formatted_sql(path) == []


def test_the_check_catches_formatted_sql(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text('name = "x"\nconnection.execute(text(f"SELECT * FROM users WHERE name = \'{name}\'"))\n'
                      'connection.exec_driver_sql("DELETE FROM t WHERE id = %s" % 3)\n', encoding="utf-8")
    assert formatted_sql(sample) == [2, 3]
