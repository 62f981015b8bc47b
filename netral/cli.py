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


def _db_upgrade(args: argparse.Namespace) -> int:
    from netral.store.db import make_engine
    from netral.store.migrate import current_revision, upgrade_serialised

    engine = make_engine(args.database_url)
    upgrade_serialised(engine)  # under the same lock as app replicas starting at the same moment
    print(f"OK: database at revision {current_revision(engine)} ({engine.url.render_as_string(hide_password=True)})")
    return 0


def _db_summaries(args: argparse.Namespace) -> int:
    from netral.content import load_content
    from netral.store.db import make_engine
    from netral.store.migrate import upgrade_serialised
    from netral.store.summaries import rebuild_summaries

    content, problems = load_content()
    if problems:  # the quizzes that did load still get their marks, as the app still shows them
        print(f"warning: the content has {len(problems)} problem(s); run `python -m netral validate`",
              file=sys.stderr)
    engine = make_engine(args.database_url)
    upgrade_serialised(engine)
    rows = rebuild_summaries(engine, content)
    print(f"OK: {rows} progress rows summed up again, with item-analysis marks for the current content")
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass

    first = getpass.getpass("Kata sandi / Password: ")
    if first != getpass.getpass("Ulangi / Repeat: "):
        raise SystemExit("Kata sandi tidak sama / Passwords do not match")
    return first


def _users_add(args: argparse.Namespace) -> int:
    from netral.nip import nip_messages, validate_nip
    from netral.store.accounts import AccountError, Role, create_user
    from netral.store.db import make_engine
    from netral.store.migrate import upgrade

    nip = None
    if args.nip:
        check = validate_nip(args.nip)
        if not check.ok:
            for message in nip_messages(check, "id"):
                print(message, file=sys.stderr)
            return 1
        nip = check.nip
    login = args.login or nip
    if not login:
        print("Berikan --nip atau --login / Give --nip or --login", file=sys.stderr)
        return 2
    engine = make_engine(args.database_url)
    upgrade(engine)
    try:
        user = create_user(engine, login=login, nip=nip, email=args.email, name=args.name,
                           unit=args.unit, position=args.position, role=Role(args.role),
                           password=_read_password(args))
    except AccountError as error:
        from netral.i18n import t

        print(t("id", f"account.{error.code}", **error.values), file=sys.stderr)
        return 1
    print(f"OK: {user.role.value} {user.login} (id {user.id})")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from netral.demo import DemoError, UnknownQuiz, run

    base = datetime.strptime(args.base_date, "%Y-%m-%d").replace(tzinfo=UTC) if args.base_date else None
    password = sys.stdin.readline().rstrip("\n") if args.staff_password_stdin else None
    try:
        print(run(args.database_url, trainees=args.trainees, seed=args.seed, sessions=args.sessions, base=base,
                  staff_password=password, quiz_id=args.quiz))
    except DemoError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 2 if isinstance(error, UnknownQuiz) else 1
    return 0


def _xapi(args: argparse.Namespace) -> int:
    from netral.store.xapi_outbox import run_cli

    return run_cli(args)


def _interchange(args: argparse.Namespace) -> int:
    from netral.interchange.command import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m netral", description="Netral: ASN neutrality training.")
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="check the content files and print a summary")
    validate.add_argument("content_dir", nargs="?", type=Path, default=None,
                          help="content folder (default: the project's content/)")
    validate.set_defaults(handler=_validate)

    db = commands.add_parser("db", help="database maintenance").add_subparsers(dest="db_command", required=True)
    db_upgrade = db.add_parser("upgrade", help="apply every pending migration")
    db_upgrade.add_argument("--database-url", default=None, help="default: NETRAL_DATABASE_URL or scores/netral.db")
    db_upgrade.set_defaults(handler=_db_upgrade)
    db_summaries = db.add_parser("summaries", help="sum up the dashboards' summaries again from the attempts "
                                 "(after the quizzes' content changed, or to check)")
    db_summaries.add_argument("--database-url", default=None, help="default: NETRAL_DATABASE_URL or scores/netral.db")
    db_summaries.set_defaults(handler=_db_summaries)

    users = commands.add_parser("users", help="accounts").add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="create an account (the first administrator, a trainer, HR staff ...)")
    add.add_argument("--role", choices=["trainee", "trainer", "hr", "admin"], default="trainee")
    add.add_argument("--name", required=True)
    add.add_argument("--nip", help="18-digit NIP (becomes the login)")
    add.add_argument("--login", help="a login name, for staff without a NIP")
    add.add_argument("--email")
    add.add_argument("--unit", default="")
    add.add_argument("--position", default="")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.add_argument("--database-url", default=None)
    add.set_defaults(handler=_users_add)

    demo = commands.add_parser("demo", help="fill a database with a synthetic cohort (for demonstrations)")
    demo.add_argument("--trainees", type=int, required=True, help="number of synthetic trainees")
    demo.add_argument("--seed", type=int, default=0, help="same seed, same rows (default 0)")
    demo.add_argument("--sessions", type=int, default=1, help="training sessions to spread them over (default 1)")
    demo.add_argument("--quiz", metavar="ID", default=None,
                      help="quiz id for session 1, e.g. ujian-akhir (default: penyegaran-pemilu); sessions 2 … "
                           "follow the usual order without it")
    demo.add_argument("--base-date", default=None, help="YYYY-MM-DD the timestamps count from (default 2024-08-01)")
    demo.add_argument("--staff-password-stdin", action="store_true",
                      help="read a password for the demo HR and trainer accounts from standard input")
    demo.add_argument("--database-url", default=None, help="default: NETRAL_DATABASE_URL or scores/netral.db")
    demo.set_defaults(handler=_demo)

    interchange = commands.add_parser("interchange", help="exchange questions with Moodle (GIFT, Moodle XML)")
    interchange_commands = interchange.add_subparsers(dest="interchange_command", required=True)
    export = interchange_commands.add_parser("export", help="write the scenarios as Moodle questions")
    export.add_argument("--format", choices=["gift", "xml"], required=True)
    export.add_argument("--quiz", default=None, help="only this quiz's selection (its list, or its draw pools)")
    export.add_argument("--lang", choices=["id", "en"], default="id")
    export.add_argument("--out", type=Path, default=None, help="file to write (default: standard output)")
    export.add_argument("--content-dir", type=Path, default=None, help="content folder (default: content/)")
    check = interchange_commands.add_parser("check", help="report what a GIFT or Moodle XML file would import")
    check.add_argument("file", type=Path)
    check.add_argument("--format", choices=["gift", "xml"], default=None, help="default: from the file")
    check.add_argument("--lang", choices=["id", "en"], default="id")
    interchange.set_defaults(handler=_interchange)

    xapi = commands.add_parser("xapi", help="deliver queued xAPI statements to the LRS (NETRAL_XAPI_*)")
    xapi_commands = xapi.add_subparsers(dest="xapi_command", required=True)
    send = xapi_commands.add_parser("send", help="deliver due statements (once, or --loop)")
    send.add_argument("--loop", action="store_true")
    send.add_argument("--interval", type=float, default=15.0)
    backfill = xapi_commands.add_parser("backfill", help="queue statements of past submissions")
    backfill.add_argument("--since", default=None, help="YYYY-MM-DD")
    purge = xapi_commands.add_parser("purge", help="delete delivered statements")
    purge.add_argument("--older-than-days", type=int, default=30)
    for command in (send, backfill, purge, xapi_commands.add_parser("status", help="count queued statements"),
                    xapi_commands.add_parser("requeue", help="send refused statements again")):
        command.add_argument("--database-url", default=None)
    xapi.set_defaults(handler=_xapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)
