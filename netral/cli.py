"""Netral's command line: parses arguments and delegates to the core; no logic of its own."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from netral.content import validate_content


def _validate(args: argparse.Namespace) -> int:
    content, problems = validate_content(args.content_dir)
    for problem in problems:
        print(problem)
    summary = (
        f"{len(content.provisions)} regulations, {len(content.categories)} categories, "
        f"{len(content.scenarios)} scenarios, {content.question_count} questions, "
        f"{len(content.quizzes)} quizzes, {len(content.datasets)} statistics tables"
    )
    if problems:
        print(f"INVALID: {len(problems)} problem(s); loaded {summary}", file=sys.stderr)
        return 1
    print(f"OK: {summary}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m netral", description="Netral: ASN neutrality training.")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check the content files and print a summary")
    validate.add_argument("content_dir", nargs="?", type=Path, default=None,
                          help="content folder (default: the project's content/)")
    validate.set_defaults(handler=_validate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)
