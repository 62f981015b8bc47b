"""Import an HR roster into a training session: accounts for new people, enrolment for everyone, in one go.

The file has been read and checked by `netral.roster.parse_roster`; this module only writes. The import is
all-or-nothing: a preview with any problem is refused before the database is touched, and a clash found
while writing (an email already used by another account) rolls the whole transaction back, so HR fixes the
file and uploads it again rather than guessing which half went in.

People are matched by NIP. A new NIP becomes a trainee account with the NIP as login and no password: the
person claims it later with NIP plus the session's join code (`netral.store.registration.claim_account`).
A known NIP is enrolled, and its name, unit and position follow the roster when the roster says something
different. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from netral.roster import RosterPreview, RosterRow
from netral.store.accounts import Role, UserView, audit
from netral.store.db import with_retry, write_session
from netral.store.schema import Enrolment, TrainingSession, User, utcnow
from netral.store.summaries import refresh_people
from netral.store.trainings import TrainingError, visible_sessions_query

T = TypeVar("T")

# Rows per `IN (...)` lookup: well under SQLite's and PostgreSQL's parameter limits, few round trips.
LOOKUP_CHUNK = 500
# A concurrent import of an overlapping roster can win a unique-key race; the loser re-reads once.
CONFLICT_RETRIES = 2


class RosterImportError(ValueError):
    """A refused import. `key` is the i18n message key (``roster_import.*``) and `values` its placeholders."""

    def __init__(self, code: str, **values: object):
        super().__init__(code)
        self.code = code
        self.key = f"roster_import.{code}"
        self.values = values


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did. `enrolled` counts new enrolments (new accounts included); `unchanged` counts rows
    whose person already had the account, the same details and the enrolment."""

    created: int
    updated: int
    enrolled: int
    unchanged: int

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated or self.enrolled)


def _chunks(values: Sequence[T], size: int = LOOKUP_CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield list(values[start:start + size])


def _check_preview(preview: RosterPreview) -> None:
    """Refuse a preview with any problem: the import is all-or-nothing."""
    if preview.file_problems:
        raise RosterImportError("file_problems", count=len(preview.file_problems))
    invalid = preview.invalid_rows
    if invalid:
        lines = ", ".join(str(row.line) for row in invalid[:20]) + (" …" if len(invalid) > 20 else "")
        raise RosterImportError("rows_with_problems", count=len(invalid), lines=lines)
    if not preview.rows:
        raise RosterImportError("no_rows")
    without_nip = [row for row in preview.rows if row.nip is None]  # roster.py never allows it; never trust it
    if without_nip:
        raise RosterImportError("rows_with_problems", count=len(without_nip),
                                lines=", ".join(str(row.line) for row in without_nip))


def _users_by(session, field: str, values: Iterable[str]) -> dict[str, User]:  # type: ignore[no-untyped-def]
    """Existing users whose `field` (``nip`` or ``login``) is one of `values`, keyed by that value."""
    column = getattr(User, field)
    found: dict[str, User] = {}
    for chunk in _chunks(sorted(set(values))):
        for user in session.scalars(select(User).where(column.in_(chunk))):
            found[getattr(user, field)] = user
    return found


def _users_by_email(session, emails: Iterable[str]) -> dict[str, User]:  # type: ignore[no-untyped-def]
    found: dict[str, User] = {}
    for chunk in _chunks(sorted({e.casefold() for e in emails})):
        for user in session.scalars(select(User).where(func.lower(User.email).in_(chunk))):
            found[(user.email or "").casefold()] = user
    return found


def _enrolled_user_ids(session, training_id: int, user_ids: Sequence[int]) -> set[int]:  # type: ignore[no-untyped-def]
    enrolled: set[int] = set()
    for chunk in _chunks(sorted(set(user_ids))):
        enrolled.update(session.scalars(select(Enrolment.user_id).where(
            Enrolment.session_id == training_id, Enrolment.user_id.in_(chunk))))
    return enrolled


def _changes(user: User, row: RosterRow) -> dict[str, str]:
    """The details the roster changes. An empty cell never blanks what the account already holds."""
    wanted = {"name": row.name.strip(), "unit": row.unit.strip(), "position": row.position.strip()}
    return {field: value for field, value in wanted.items() if value and value != (getattr(user, field) or "")}


def apply_roster(engine: Engine, actor: UserView, training_id: int, preview: RosterPreview) -> ImportOutcome:
    """Create, update and enrol the people of `preview` in training session `training_id`, all or nothing.

    `actor` must be HR or an administrator who can see the session (else `TrainingError("not_found")`, the
    same answer as for a session that does not exist). Raises `RosterImportError` when the preview has any
    problem, the session is archived, or a row's email or login belongs to another account; nothing is
    written then. A change is audited as ``roster.import`` with the counts.
    """
    _check_preview(preview)
    rows = preview.rows

    def work() -> ImportOutcome:
        with write_session(engine) as session:
            training = session.scalar(visible_sessions_query(actor).where(TrainingSession.id == training_id))
            if training is None or actor.role not in (Role.HR, Role.ADMIN):
                raise TrainingError("not_found")
            if training.status == "archived":
                raise RosterImportError("session_archived")

            nips = [row.nip for row in rows if row.nip]
            by_nip = _users_by(session, "nip", nips)
            # A staff account may use an 18-digit login without a NIP; a new account could not take it.
            by_login = _users_by(session, "login", [n for n in nips if n not in by_nip])
            by_email = _users_by_email(session, [row.email for row in rows if row.email])

            created: list[User] = []
            updated_ids: set[int] = set()
            moved_ids: set[int] = set()  # whose unit changed
            for row in rows:
                assert row.nip is not None  # _check_preview
                existing = by_nip.get(row.nip)
                email = (row.email or "").strip() or None
                owner = by_email.get(email.casefold()) if email else None
                if owner is not None and (existing is None or owner.id != existing.id):
                    raise RosterImportError("email_taken", line=row.line, email=email)
                if existing is None:
                    if row.nip in by_login:
                        raise RosterImportError("login_taken", line=row.line, nip=row.nip)
                    user = User(login=row.nip, nip=row.nip, email=email, name=row.name.strip(),
                                unit=row.unit.strip(), position=row.position.strip(), role=Role.TRAINEE.value,
                                password_hash=None, language="id")
                    session.add(user)
                    created.append(user)
                    continue
                changes = _changes(existing, row)
                for field, value in changes.items():
                    setattr(existing, field, value)
                if changes:
                    updated_ids.add(existing.id)
                if "unit" in changes:
                    moved_ids.add(existing.id)
            session.flush()  # ids for the new accounts

            known_ids = [by_nip[row.nip].id for row in rows if row.nip in by_nip]
            already = _enrolled_user_ids(session, training_id, known_ids)
            now = utcnow()
            to_enrol = [uid for uid in dict.fromkeys(known_ids + [u.id for u in created]) if uid not in already]
            session.add_all(Enrolment(session_id=training_id, user_id=uid, enrolled_at=now) for uid in to_enrol)
            session.flush()
            # The dashboards' summaries count people under their unit, and only once enrolled.
            refresh_people(session, moved_ids)
            refresh_people(session, to_enrol, training_id)
            unchanged = sum(1 for uid in known_ids if uid in already and uid not in updated_ids)
            outcome = ImportOutcome(created=len(created), updated=len(updated_ids), enrolled=len(to_enrol),
                                    unchanged=unchanged)
            # An import that changed nothing is not an administrative action worth a log line.
            if outcome.changed_anything:
                audit(session, actor.id, "roster.import", f"training:{training_id}", rows=len(rows),
                      created=outcome.created, updated=outcome.updated, enrolled=outcome.enrolled,
                      unchanged=outcome.unchanged)
            return outcome

    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            return with_retry(work)
        except IntegrityError:
            if attempt == CONFLICT_RETRIES:
                raise RosterImportError("conflict") from None
    raise AssertionError("unreachable")
