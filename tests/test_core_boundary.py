"""The domain core never imports streamlit: it must run in the CLI, in tests and behind any front end."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[1] / "netral"


def test_no_module_in_netral_imports_streamlit() -> None:
    offenders = []
    for path in CORE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(CORE.parent)}:{node.lineno}" for name in names
                          if name == "streamlit" or name.startswith("streamlit.")]
    assert offenders == []


def test_importing_every_core_module_loads_no_streamlit() -> None:
    modules = sorted(
        ".".join(path.relative_to(CORE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in CORE.rglob("*.py")
        # __main__ runs the CLI; migration scripts only run inside alembic.
        if path.name != "__main__.py" and "migrations" not in path.parts
    )
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules) + (
        "bad = [m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.')]\n"
        "print(len(sys.modules)); sys.exit(1 if bad else 0)\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=CORE.parent, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert len(modules) >= 5
