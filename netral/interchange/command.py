"""`python -m netral interchange export|check`: the command-line side of the Moodle interchange."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from netral.i18n import normalise_language, t
from netral.interchange.bank import ExportError
from netral.interchange.files import export_bank, read_file
from netral.interchange.model import TRUEFALSE, ImportReport, qtype_label


def _write_stdout(text: str) -> None:
    # Bytes, so the export is UTF-8 whatever the terminal's locale.
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def export(args: argparse.Namespace) -> int:
    from netral.content import validate_content

    lang = normalise_language(args.lang)
    content, problems = validate_content(args.content_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    try:
        result = export_bank(content, fmt=args.format, lang=lang, quiz_id=args.quiz)
    except ExportError as error:
        print(error.message(lang), file=sys.stderr)
        return 1
    for warning in result.bank.warnings:
        print(warning, file=sys.stderr)
    if args.out is None:
        _write_stdout(result.text)
    else:
        args.out.write_text(result.text, encoding="utf-8")
        print(t(lang, "interchange.export.done", questions=len(result.bank.items),
                scenarios=result.bank.scenario_count, path=args.out), file=sys.stderr)
    return 0


def report_lines(report: ImportReport, path: str, lang: str) -> list[str]:
    """The check report, one line each: summary, practice items, unsupported questions, problems."""
    lines = [t(lang, "interchange.check.summary", path=path, format=report.format, items=len(report.items),
               unsupported=len(report.unsupported), problems=len(report.problems))]
    if report.items:
        lines.append(t(lang, "interchange.check.items"))
        for item in report.items:
            kind = "truefalse" if item.kind == TRUEFALSE else ("multiple" if item.multiple else "single")
            lines.append(t(lang, "interchange.check.item", line=item.source_line, title=item.title,
                           kind=t(lang, "interchange.kind." + kind), options=len(item.options)))
    if report.unsupported:
        lines.append(t(lang, "interchange.check.unsupported_heading"))
        lines.extend(t(lang, "interchange.check.unsupported", line=entry.line, title=entry.title,
                       qtype=qtype_label(lang, entry.qtype)) for entry in report.unsupported)
    if report.problems:
        lines.append(t(lang, "interchange.check.problems"))
        lines.extend("  " + problem.message(lang) for problem in report.problems)
    return lines


def check(args: argparse.Namespace) -> int:
    """Print what a file would import. Exit 0 when every question imports, 1 when some do not, 2 when the
    file cannot be read at all."""
    lang = normalise_language(args.lang)
    path = Path(args.file)
    try:
        report = read_file(path, args.format)
    except OSError as error:
        print(f"{path}: {error.strerror or error}", file=sys.stderr)
        return 2
    _write_stdout("\n".join(report_lines(report, str(path), lang)) + "\n")
    return 0 if report.clean else 1


def run(args: argparse.Namespace) -> int:
    return {"export": export, "check": check}[args.interchange_command](args)
