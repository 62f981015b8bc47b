"""Certificates: issued once per passed attempt, with the printed facts frozen, and verifiable by code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from netral.certificate import CertificateData, new_verification_code, normalise_code
from netral.content import Content
from netral.store.db import read_session, with_retry, write_session
from netral.store.schema import Attempt, Certificate, TrainingSession, User, utcnow


class CertificateError(ValueError):
    """A refusal; `code` is an i18n key under `certificate_store.`."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IssuedCertificate:
    attempt_id: int
    code: str
    number: str
    issued_at: datetime
    details: dict[str, object]

    def data(self, verification_url: str) -> CertificateData:
        """What the PDF prints, from the facts frozen at issue."""
        d = self.details
        return CertificateData(
            participant_name=str(d["name"]), nip=d.get("nip") or None,  # type: ignore[arg-type]
            unit=str(d.get("unit", "")), training_name=str(d["training"]),
            start_date=date.fromisoformat(str(d["start_date"])),
            end_date=date.fromisoformat(str(d["end_date"])) if d.get("end_date") else None,
            score=float(d["score"]),  # type: ignore[arg-type]
            number=self.number, verification_code=self.code, verification_url=verification_url,
            issuer=str(d.get("issuer") or "Netral"), jp_hours=d.get("jp_hours"),  # type: ignore[arg-type]
            issued_on=self.issued_at.date(),
        )


def _issued(row: Certificate) -> IssuedCertificate:
    return IssuedCertificate(row.attempt_id, row.code, row.number, row.issued_at, dict(row.details))


def issue_certificate(engine: Engine, content: Content, user_id: int, attempt_id: int) -> IssuedCertificate:
    """The certificate of a passed attempt of the user's own, issued on first request and the same after.

    Two tabs asking at once get one certificate: the attempt is unique in the table, and the loser of the
    race reads the winner's row.
    """
    def existing() -> IssuedCertificate | None:
        with read_session(engine) as session:
            row = session.scalar(select(Certificate).where(Certificate.attempt_id == attempt_id,
                                                           Certificate.user_id == user_id))
            return _issued(row) if row else None

    found = existing()
    if found:
        return found

    def work() -> IssuedCertificate:
        with write_session(engine) as session:
            attempt = session.scalar(select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user_id))
            if attempt is None:
                raise CertificateError("not_found")
            if not attempt.passed or attempt.status == "in_progress":
                raise CertificateError("not_passed")
            user = session.get(User, user_id)
            assert user is not None
            training = session.get(TrainingSession, attempt.session_id) if attempt.session_id else None
            quiz = content.quizzes.get(attempt.quiz_id)
            quiz_title = quiz.title.get("id") if quiz else attempt.quiz_id
            now = utcnow()
            finished = (attempt.submitted_at or now).date()
            details = {
                "name": user.name, "nip": user.nip, "unit": user.unit, "position": user.position,
                "training": training.name if training else quiz_title, "quiz": quiz_title,
                "start_date": (training.opens_at.date() if training else attempt.started_at.date()).isoformat(),
                "end_date": finished.isoformat(), "score": round(float(attempt.score or 0.0), 4),
                "issuer": training.organiser if training and training.organiser else "Netral",
                "jp_hours": training.jp_hours if training else None,
            }
            row = Certificate(attempt_id=attempt.id, user_id=user_id, code=new_verification_code(),
                              issued_at=now, number=f"NTRL/{now.year}/{attempt.id:06d}", details=details)
            session.add(row)
            session.flush()
            return _issued(row)

    try:
        return with_retry(work)
    except IntegrityError:
        found = existing()
        if found is None:
            raise
        return found


def list_certificates(engine: Engine, user_id: int) -> list[IssuedCertificate]:
    with read_session(engine) as session:
        rows = session.scalars(select(Certificate).where(Certificate.user_id == user_id)
                               .order_by(Certificate.issued_at.desc()))
        return [_issued(row) for row in rows]


@dataclass(frozen=True)
class Verification:
    """What the public check shows: enough to confirm a certificate, not the holder's full NIP."""

    name: str
    nip_masked: str | None
    training: str
    end_date: str
    score: float
    number: str
    issued_at: datetime


def mask_nip(nip: str | None) -> str | None:
    """The first eight and last three digits hidden (birth date and serial): `******** 201503 1 ***`."""
    if not nip or len(nip) != 18:
        return None
    return f"******** {nip[8:14]} {nip[14]} ***"


def verify_code(engine: Engine, typed: str) -> Verification | None:
    """The certificate a typed code names, or None if the code is malformed or unknown."""
    code = normalise_code(typed)
    if code is None:
        return None
    with read_session(engine) as session:
        row = session.scalar(select(Certificate).where(Certificate.code == code))
        if row is None:
            return None
        d = row.details
        return Verification(str(d["name"]), mask_nip(d.get("nip")), str(d["training"]), str(d["end_date"]),
                            float(d["score"]), row.number, row.issued_at)
