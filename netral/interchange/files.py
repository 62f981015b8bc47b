"""Whole exports and imports: Netral's bank as GIFT or Moodle XML text, and an uploaded file as a report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from netral.content.loader import Content
from netral.interchange import gift, moodlexml
from netral.interchange.bank import Bank, build_bank, header_lines, pool_lines
from netral.interchange.model import ImportProblem, ImportReport

FORMATS = (gift.FORMAT, moodlexml.FORMAT)
MAX_IMPORT_BYTES = 10 * 1024 * 1024
"""A question bank larger than this is refused rather than parsed (an upload is untrusted input)."""


@dataclass(frozen=True)
class Export:
    text: str
    bank: Bank


def export_bank(content: Content, *, fmt: str = gift.FORMAT, lang: str = "id", quiz_id: str | None = None) -> Export:
    """Every scenario (or the selection of quiz `quiz_id`) in `lang` as GIFT (`gift`) or Moodle XML (`xml`).

    Raises `ExportError` for an unknown quiz and ValueError for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    bank = build_bank(content, lang=lang, quiz_id=quiz_id)
    header = header_lines(bank)
    notes: dict[int, list[str]] = {}
    index = 0
    for pool in bank.pools:
        lines = pool_lines(bank, pool)
        if lines:
            notes[index] = lines
        index += sum(len(scenario.questions) for scenario in pool.scenarios)
    if fmt == gift.FORMAT:
        text = gift.write_gift(bank.items, header, notes)
    else:
        shuffle = bank.quiz.shuffle_options if bank.quiz is not None else True
        text = moodlexml.write_xml(bank.items, header, notes, shuffle=shuffle)
    return Export(text, bank)


def _sniff(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf").lstrip()
    return moodlexml.FORMAT if head.startswith(b"<") else gift.FORMAT


def read_bytes(data: bytes, fmt: str | None = None) -> ImportReport:
    """Read an uploaded question file. `fmt` is `gift` or `xml`; None guesses (a file starting with `<` is XML)."""
    fmt = fmt or _sniff(data)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if len(data) > MAX_IMPORT_BYTES:
        return ImportReport(format=fmt, problems=(ImportProblem(1, "interchange.problem.too_large",
                                                         values={"limit": str(MAX_IMPORT_BYTES // (1024 * 1024))}),))
    if fmt == moodlexml.FORMAT:
        return moodlexml.read_xml(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return ImportReport(format=fmt, problems=(ImportProblem(line, "interchange.problem.not_utf8"),))
    return gift.read_gift(text)


def read_file(path: Path | str, fmt: str | None = None) -> ImportReport:
    """Read a question file from disk; the format comes from `fmt`, else the suffix (.xml), else the content."""
    path = Path(path)
    if fmt is None and path.suffix.lower() == ".xml":
        fmt = moodlexml.FORMAT
    if path.stat().st_size > MAX_IMPORT_BYTES:
        return ImportReport(format=fmt or gift.FORMAT, problems=(ImportProblem(
            1, "interchange.problem.too_large", values={"limit": str(MAX_IMPORT_BYTES // (1024 * 1024))}),))
    return read_bytes(path.read_bytes(), fmt)
