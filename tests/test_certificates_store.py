"""Certificates in the store: once per passed attempt, facts frozen, verifiable by a typed code."""

from __future__ import annotations

import io

from pypdf import PdfReader
import pytest
from sqlalchemy import Engine, func, select, update

from netral.certificate import render_certificate
from netral.content import Content
from netral.scoring import key_answer
from netral.store.accounts import create_user
from netral.store.attempts import save_answer, start_or_resume, submit_attempt
from netral.store.certificates import CertificateError, issue_certificate, list_certificates, mask_nip, verify_code
from netral.store.schema import Certificate, User

NIP = "199001012015031001"


def finished_attempt(engine: Engine, content: Content, user_id: int, *, correct: bool) -> int:
    attempt = start_or_resume(engine, content, user_id, "lanjutan-pejabat")
    for sid in attempt.scenario_ids:
        scenario = content.scenarios[sid]
        answer = {f: list(k) for f, k in key_answer(scenario).items()} if correct else {
            q.facet.value: [next(o.id for o in q.options if o.id not in q.key)] for q in scenario.questions}
        save_answer(engine, content, user_id, attempt.id, sid, answer)
    return submit_attempt(engine, content, user_id, attempt.id).id


def test_a_passed_attempt_gets_one_certificate_that_verifies(engine: Engine, content: Content) -> None:
    user = create_user(engine, login=NIP, nip=NIP, name="Dr. Siti Aminah, S.H., M.H.", password="rahasia-123",
                       unit="BKPSDM Banten")
    attempt_id = finished_attempt(engine, content, user.id, correct=True)
    first = issue_certificate(engine, content, user.id, attempt_id)
    again = issue_certificate(engine, content, user.id, attempt_id)
    assert first.code == again.code and first.number == again.number
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Certificate)) == 1
    # A later rename does not change what the certificate says.
    with engine.begin() as connection:
        connection.execute(update(User).where(User.id == user.id).values(name="Renamed"))
    found = verify_code(engine, first.code.lower().replace("-", " "))
    assert found is not None and found.name == "Dr. Siti Aminah, S.H., M.H." and found.score == 1.0
    assert found.nip_masked == "******** 201503 1 ***"
    assert verify_code(engine, "NTRL-0000-0000-0000") is None and verify_code(engine, "garbage") is None
    pdf = render_certificate(first.data(f"http://localhost/verifikasi?code={first.code}"), "id")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Dr. Siti Aminah" in text and "19900101 201503 1 001" in text and first.code in text
    assert [c.code for c in list_certificates(engine, user.id)] == [first.code]


def test_no_certificate_for_a_failed_or_foreign_attempt(engine: Engine, content: Content) -> None:
    user = create_user(engine, login=NIP, nip=NIP, name="Siti", password="rahasia-123")
    other = create_user(engine, login="199202022016041002", nip="199202022016041002", name="Budi",
                        password="rahasia-123")
    failed = finished_attempt(engine, content, user.id, correct=False)
    with pytest.raises(CertificateError, match="not_passed"):
        issue_certificate(engine, content, user.id, failed)
    passed = finished_attempt(engine, content, other.id, correct=True)
    with pytest.raises(CertificateError, match="not_found"):
        issue_certificate(engine, content, user.id, passed)


@pytest.mark.parametrize("nip, masked", [(NIP, "******** 201503 1 ***"), (None, None), ("123", None)])
def test_mask_nip(nip: str | None, masked: str | None) -> None:
    assert mask_nip(nip) == masked
