"""Every message exists in both languages, and no page hard-codes a user-facing sentence."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from netral.i18n import LANGUAGES, catalogue, normalise_language, t

ROOT = Path(__file__).resolve().parents[1]


def test_both_catalogues_have_the_same_keys_and_placeholders() -> None:
    keys = {lang: set(catalogue(lang)) for lang in LANGUAGES}
    assert keys["id"] == keys["en"]
    fields = lambda s: {f for _, f, _, _ in string.Formatter().parse(s) if f}  # noqa: E731
    for key in keys["id"]:
        assert fields(catalogue("id")[key]) == fields(catalogue("en")[key]), key
        assert catalogue("id")[key].strip() and catalogue("en")[key].strip(), key


def test_every_key_used_in_code_exists() -> None:
    used: set[str] = set()
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("netral/**/*.py")]:
        for match in re.finditer(r"""\bt\(\s*\w+\s*,\s*["']([a-z0-9_.\-]+)["']""", path.read_text(encoding="utf-8")):
            used.add(match.group(1))
    assert used, "no t() calls found"
    prefixes = {key for key in used if key.endswith(".")}  # dynamic keys such as "practice.facet." + name
    assert all(any(k.startswith(p) for k in catalogue("id")) for p in prefixes)
    assert sorted(used - prefixes - set(catalogue("id"))) == []


def test_pages_pass_no_literal_sentences_to_streamlit() -> None:
    """A literal string of two or more words given to an st.* call is a hard-coded user-facing text."""
    offenders = []
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if isinstance(owner, ast.Name) and owner.id == "st" or (
                        isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name)
                        and owner.value.id == "st"):
                    for arg in node.args:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                                and re.search(r"[A-Za-z]+ [A-Za-z]+", arg.value) and not arg.value.startswith("pages/"):
                            offenders.append(f"{path.name}:{node.lineno}: {arg.value!r}")
    assert offenders == []


def test_language_fallbacks() -> None:
    assert normalise_language("en-US") == "en"
    assert normalise_language("fr") == "id"
    assert normalise_language(None) == "id"
    assert t("en", "nav.home") == "Home" and t("id", "nav.home") == "Beranda"
    assert t("id", "no.such.key") == "no.such.key"
    assert t("en", "practice.score", score=80) == "Your score for this case: 80%"
