"""Build small, valid content trees for tests, as plain dicts that a test can break one field at a time."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml


def text(words: str) -> dict[str, str]:
    return {"id": f"{words} (id)", "en": f"{words} (en)"}


def option(oid: str, credit: float, cites: list[str], **extra: Any) -> dict[str, Any]:
    return {"id": oid, "text": text(f"option {oid}"), "credit": credit, "feedback": text(f"because {oid}"),
            "cites": cites, **extra}


def scenario(sid: str, category: str = "kat-a", lawful: bool = False, **extra: Any) -> dict[str, Any]:
    breach = "p-larangan"
    allowed = "p-boleh"
    return {
        "id": sid,
        "category": category,
        "lawful": lawful,
        "election": "pilkada",
        "actor": {"role": text("guru PPPK"), "employment": "pppk", "place": "Kabupaten Pandeglang"},
        "title": text(f"title {sid}"),
        "situation": text(f"situation {sid}"),
        "questions": [
            {"facet": "verdict", "weight": 1.0, "prompt": text("verdict?"), "options": [
                option("ya", 0.0 if lawful else 1.0, [breach]),
                option("tidak", 1.0 if lawful else 0.0, [allowed])]},
            {"facet": "provisions", "weight": 1.0, "multiple": True, "prompt": text("which?"), "options": [
                option("p-larangan", 0.0 if lawful else 1.0, [breach]),
                option("p-lain", 0.0, [breach]),
                option("tidak-ada", 1.0 if lawful else 0.0, [allowed])]},
            {"facet": "kind", "weight": 0.5, "multiple": True, "prompt": text("kind?"), "options": [
                option("disiplin", 0.0 if lawful else 1.0, [breach], kind="disiplin"),
                option("etik", 0.0, [breach], kind="etik"),
                option("none", 1.0 if lawful else 0.0, [allowed], kind="none")]},
            {"facet": "sanction", "weight": 1.0, "prompt": text("sanction?"), "options": [
                option("berat", 0.0 if lawful else 1.0, [breach], level="berat"),
                option("sedang", 0.0 if lawful else 0.5, [breach], level="sedang"),
                option("none", 1.0 if lawful else 0.0, [allowed], level="none")]},
            {"facet": "conduct", "weight": 1.0, "prompt": text("what now?"), "options": [
                option("menolak", 1.0, [breach]),
                option("ikut", 0.0, [breach])]},
        ],
        **extra,
    }


def provision(pid: str, level: str, status: str = "legal_text", **extra: Any) -> dict[str, Any]:
    return {"id": pid, "instrument": "PP 94/2021", "article": {"pasal": 5, "huruf": "n", "angka": "6"},
            "title": text(pid), "summary": text(f"summary {pid}"),
            "breach_kind": "disiplin" if level != "none" else "none",
            "sanction": {"level": level, "text": text(f"sanction {pid}")},
            "sources": ["l2"], "status": status, **extra}


def dataset(did: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": did, "title": text(did), "caption": text(f"caption {did}"),
            "source": {"label": "Bawaslu RI", "year": 2020},
            "columns": [{"name": name, "label": text(name), "type": kind} for name, kind in columns],
            "rows": rows}


def minimal_tree() -> dict[str, Any]:
    """Relative path -> YAML data of a small content tree that validates cleanly."""
    status_count = [("status", "category"), ("count", "int")]
    return {
        "regulations.yaml": {
            "sources": [{"id": "l2", "label": "PP 94/2021", "kind": "legal_text", "url": None}],
            "sanction_levels": [
                {"id": level, "name": text(level), "description": text(f"means {level}"), "provisions": []}
                for level in ("berat", "sedang", "none")
            ],
            "provisions": [provision("p-larangan", "berat"), provision("p-boleh", "none")],
            "institutions": [{"id": "bawaslu", "name": text("Bawaslu"), "role": text("recommends"),
                              "provisions": ["p-larangan"], "sources": ["l2"]}],
        },
        "categories.yaml": {"categories": [
            {"id": "kat-a", "name": text("kategori A"), "description": text("desc A"),
             "table_2_1": {"label": "Memberikan Dukungan Melalui Media Sosial", "count": 3},
             "provisions": ["p-larangan"], "binds": None},
        ]},
        "scenarios/kat-a.yaml": {"scenarios": [scenario("kat-a-01"), scenario("kat-a-02", lawful=True)]},
        "quizzes/kuis-a.yaml": {
            "id": "kuis-a", "title": text("kuis"), "description": text("desc"), "audience": text("semua"),
            "pass_mark": 0.7, "time_limit_minutes": 10, "attempts_allowed": 2, "shuffle_options": True,
            "selection": {"mode": "random", "draw": [{"category": "kat-a", "count": 2}]},
        },
        "stats/ikn-asn-2024.yaml": dataset("ikn-asn-2024", [("province", "str"), ("score", "float")],
                                           [{"province": "Banten", "score": 22.98}]),
        "stats/pilkada2020-jenis.yaml": dataset(
            "pilkada2020-jenis", [("category", "category"), ("label", "str"), ("count", "int")],
            [{"category": "kat-a", "label": "Memberikan Dukungan Melalui Media Sosial", "count": 3}]),
        "stats/pilkada2020-penanganan.yaml": dataset("pilkada2020-penanganan", status_count, [
            {"status": "dugaan", "count": 5}, {"status": "direkomendasikan", "count": 3},
            {"status": "dihentikan", "count": 2}, {"status": "dalam-proses", "count": 0}]),
        "stats/banten2024-penanganan.yaml": dataset("banten2024-penanganan", [
            ("region", "str"), ("findings_registered", "int"), ("findings_unregistered", "int"),
            ("reports_registered", "int"), ("reports_unregistered", "int"), ("violations", "int"),
            ("non_violations", "int")], [
            {"region": "Kota Cilegon", "findings_registered": 2, "findings_unregistered": 0,
             "reports_registered": 3, "reports_unregistered": 0, "violations": 1, "non_violations": 4}]),
        "stats/banten-laporan.yaml": dataset("banten-laporan", [("region", "str"), ("reports", "int")],
                                             [{"region": "Kota Cilegon", "reports": 2}]),
        "stats/bkn-2020-2021.yaml": dataset("bkn-2020-2021", status_count,
                                            [{"status": "dugaan", "count": 10}, {"status": "terbukti", "count": 8}]),
        "stats/angka-resmi-lanjutan.yaml": dataset("angka-resmi-lanjutan", [("measure", "category"), ("count", "int")],
                                                   [{"measure": "dilaporkan", "count": 1}]),
    }


def write_tree(root: Path, tree: dict[str, Any], raw: dict[str, str] | None = None) -> Path:
    """Write `tree` (dicts dumped as YAML) and `raw` (verbatim text) under `root`; return `root`."""
    for relative, data in tree.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    for relative, body in (raw or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


def fresh_tree() -> dict[str, Any]:
    return copy.deepcopy(minimal_tree())
