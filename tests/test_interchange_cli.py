"""`python -m netral interchange export|check`, as a trainer or administrator runs them."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import pytest

from netral.cli import main
from netral.content.loader import load_content

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "moodle" / "questions.gift.txt"


@lru_cache(maxsize=1)
def _counts() -> tuple[int, int]:
    content, problems = load_content()
    assert problems == []
    return len(content.scenarios), content.question_count


def _netral(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "netral", *args], cwd=ROOT, capture_output=True, timeout=120)


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_export_to_a_file_then_check_it(tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    scenarios, questions = _counts()
    out = tmp_path / f"bank.{fmt}"
    assert main(["interchange", "export", "--format", fmt, "--out", str(out)]) == 0
    assert f"OK: {questions} soal dari {scenarios} skenario ditulis ke {out}" in capsys.readouterr().err

    assert main(["interchange", "check", str(out), "--lang", "en"]) == 0
    report = capsys.readouterr().out.splitlines()
    assert report[0] == (f"{out} ({fmt}): {questions} questions usable as practice items, "
                         "0 unsupported questions, 0 problems.")
    assert len([line for line in report if line.startswith("  line ")]) == questions


def test_check_lists_unsupported_questions_with_title_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interchange", "check", str(FIXTURE)]) == 1
    out = capsys.readouterr().out
    assert (f"{FIXTURE} (gift): 5 soal dapat dipakai sebagai latihan, 4 soal tidak didukung, 0 masalah.\n"
            in out)
    for line in ('  baris 2: "Q8" (esai)', '  baris 5: "Moodle activities" (menjodohkan)',
                 '  baris 31: "Q5" (numerik)', '  baris 34: "Shortanswer" (jawaban singkat)',
                 '  baris 22: "colours" (pilihan ganda, beberapa jawaban, 4 jawaban)',
                 '  baris 41: "Q1" (benar/salah, 2 jawaban)'):
        assert line + "\n" in out


def test_check_reports_problems_and_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "rusak.xml"
    broken.write_text('<?xml version="1.0"?>\n<quiz>\n<question type="multichoice">\n</quiz>\n', encoding="utf-8")
    assert main(["interchange", "check", str(broken)]) == 1
    assert "  baris 4: berkas XML tidak valid" in capsys.readouterr().out
    assert main(["interchange", "check", str(tmp_path / "tidak-ada.txt")]) == 2


def test_quiz_export_to_standard_output_in_english() -> None:
    result = _netral("interchange", "export", "--format", "gift", "--quiz", "pretest-cpns", "--lang", "en")
    assert result.returncode == 0, result.stderr.decode()
    text = result.stdout.decode("utf-8")
    assert text.startswith("// Netral question bank (ASN neutrality), language en:")
    assert "// Question selection of quiz pretest-cpns:" in text
    assert "$CATEGORY: $course$/Netral/Support through social media" in text


def test_unknown_quiz_fails_with_a_message_in_bahasa_indonesia(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["interchange", "export", "--format", "xml", "--quiz", "tidak-ada"]) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "Kuis tidak-ada tidak ditemukan." and captured.out == ""
