"""Practice items imported from Moodle files: stored by HR, practised by trainees, never mixed with the
regulation-scored scenarios."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update

from netral.interchange import ImportReport, PracticeItem, PracticeOption
from netral.store.accounts import Role, UserView, audit
from netral.store.db import read_session, write_session
from netral.store.schema import ImportedItem


class ImportedItemError(ValueError):
    """A refusal; `code` is an i18n key under `bank.`."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class StoredItem:
    id: int
    source: str
    imported_at: datetime
    item: PracticeItem


def _to_json(item: PracticeItem) -> dict[str, object]:
    return {"title": item.title, "text": item.text, "multiple": item.multiple, "category": item.category,
            "kind": item.kind, "general_feedback": item.general_feedback, "source_line": item.source_line,
            "options": [[o.text, o.fraction, o.feedback] for o in item.options]}


def _from_json(data: dict[str, object]) -> PracticeItem:
    options = tuple(PracticeOption(str(text), float(fraction), str(feedback))
                    for text, fraction, feedback in data["options"])  # type: ignore[attr-defined]
    return PracticeItem(title=str(data["title"]), text=str(data["text"]), options=options,
                        multiple=bool(data["multiple"]), category=str(data.get("category", "")),
                        source_line=data.get("source_line"), kind=str(data.get("kind", "multichoice")),  # type: ignore[arg-type]
                        general_feedback=str(data.get("general_feedback", "")))


def store_items(engine: Engine, actor: UserView, report: ImportReport, source: str) -> int:
    """Keep every usable item of an import report (HR and administrators only); returns how many.

    The same question imported twice from the same file name is stored once (a second import of a file
    changes nothing)."""
    if actor.role not in (Role.HR, Role.ADMIN):
        raise ImportedItemError("forbidden")
    if not report.items:
        raise ImportedItemError("nothing_to_import")
    with write_session(engine) as session:
        existing = {(row.source, row.title, row.item.get("text")) for row in session.scalars(
            select(ImportedItem).where(ImportedItem.source == source[:200], ImportedItem.active.is_(True)))}
        added = 0
        for item in report.items:
            if (source[:200], item.title[:300], item.text) in existing:
                continue
            session.add(ImportedItem(source=source[:200], title=item.title[:300], item=_to_json(item),
                                     imported_by=actor.id, active=True))
            added += 1
        audit(session, actor.id, "bank.import", source[:200], added=added, unsupported=len(report.unsupported))
    return added


def active_items(engine: Engine) -> list[StoredItem]:
    with read_session(engine) as session:
        rows = session.scalars(select(ImportedItem).where(ImportedItem.active.is_(True))
                               .order_by(ImportedItem.source, ImportedItem.id))
        return [StoredItem(row.id, row.source, row.imported_at, _from_json(row.item)) for row in rows]


def withdraw_source(engine: Engine, actor: UserView, source: str) -> None:
    """Take every item of one imported file out of practice (kept in the database, for the audit trail)."""
    if actor.role not in (Role.HR, Role.ADMIN):
        raise ImportedItemError("forbidden")
    with write_session(engine) as session:
        session.execute(update(ImportedItem).where(ImportedItem.source == source).values(active=False))
        audit(session, actor.id, "bank.withdraw", source[:200])
