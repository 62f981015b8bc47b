"""xAPI statements (netral/xapi.py) and their outbox (netral/store/xapi_outbox.py).

Every statement is validated against xAPI 1.0.3: with Ralph's pydantic models of the spec
(`ralph.models.xapi.base.statements.BaseXapiStatement`) and with strict checks of the spec's rules written
here. A fake LRS (a real HTTP server on a free local port, deduplicating statement ids as an LRS must) shows
that an outage loses nothing, that delivery is retried with backoff and completes once the LRS is back, and
that no statement is accepted twice.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import BACKENDS
from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import Engine, func, select, text

from netral.content import Content
from netral.scoring import key_answer
from netral.store.accounts import Role, UserView, create_user
from netral.store.attempts import AttemptView, save_answer, start_or_resume, submit_attempt
from netral.store.db import read_session, write_session
from netral.store.schema import Attempt, XapiOutboxEntry
from netral.store.trainings import create_training, enrol
from netral.store.xapi_outbox import (
    BACKOFF_MAX,
    add_submission,
    backfill,
    backoff,
    claim_batch,
    enqueue_submission,
    outbox_status,
    purge_sent,
    requeue_rejected,
    send_pending,
    urllib_post,
    XapiSender,
)
from netral.xapi import (
    VERB_ANSWERED,
    VERB_COMPLETED,
    VERB_FAILED,
    VERB_PASSED,
    XapiConfig,
    XapiConfigError,
    config_from_env,
    iso_duration,
    statements_for_submission,
)

QUIZ = "lanjutan-pejabat"
BASE = "https://netral.example.go.id/xapi"
NIP = "198609262015051001"
ADL_VERBS = {VERB_ANSWERED, VERB_COMPLETED, VERB_PASSED, VERB_FAILED}


# --- xAPI 1.0.3 validation -------------------------------------------------------------------------------------

STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "stored", "authority",
                  "version", "attachments"}
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


def _absolute_iri(value: str) -> bool:
    parts = urlsplit(value)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("urn", "mailto"))


def _language_map(value: Any) -> None:
    assert isinstance(value, dict) and value
    for tag, text_ in value.items():
        assert LANGUAGE_TAG.match(tag), tag
        assert isinstance(text_, str) and text_.strip()


def _activity(value: dict[str, Any]) -> None:
    assert value.get("objectType", "Activity") == "Activity"
    assert _absolute_iri(value["id"]), value["id"]
    definition = value.get("definition", {})
    assert set(definition) <= {"name", "description", "type", "moreInfo", "extensions", "interactionType",
                               "correctResponsesPattern", "choices", "scale", "source", "target", "steps"}
    if "type" in definition:
        assert _absolute_iri(definition["type"])
    for key in ("name", "description"):
        if key in definition:
            _language_map(definition[key])


def assert_valid_statement(statement: dict[str, Any]) -> None:
    """xAPI 1.0.3 (Data, section 2.4): Ralph's models, then the spec's rules checked one by one."""
    json.loads(json.dumps(statement))  # plain JSON
    BaseXapiStatement.model_validate(statement)
    assert set(statement) <= STATEMENT_KEYS
    assert {"id", "actor", "verb", "object"} <= set(statement)
    assert "stored" not in statement and "authority" not in statement  # set by the LRS
    assert statement["version"] == "1.0.3"
    assert str(uuid.UUID(statement["id"])) == statement["id"]  # canonical lower-case UUID
    actor = statement["actor"]
    assert actor.get("objectType", "Agent") == "Agent"
    assert sum(1 for ifi in IFIS if ifi in actor) == 1  # exactly one inverse functional identifier
    if "mbox" in actor:
        assert re.match(r"^mailto:[^@\s]+@[^@\s]+$", actor["mbox"])
    if "account" in actor:
        assert set(actor["account"]) == {"homePage", "name"}
        assert urlsplit(actor["account"]["homePage"]).scheme in ("http", "https")
        assert actor["account"]["name"]
    verb = statement["verb"]
    assert verb["id"] in ADL_VERBS
    _language_map(verb["display"])
    _activity(statement["object"])
    result = statement.get("result")
    if result is not None:
        assert set(result) <= {"score", "success", "completion", "response", "duration", "extensions"}
        score = result.get("score")
        if score is not None:
            assert -1 <= score["scaled"] <= 1
            assert score["min"] <= score["raw"] <= score["max"] and score["min"] < score["max"]
        for flag in ("success", "completion"):
            if flag in result:
                assert isinstance(result[flag], bool)
        if "duration" in result:
            assert ISO_DURATION.match(result["duration"]), result["duration"]
    context = statement.get("context")
    if context is not None:
        assert set(context) <= {"registration", "instructor", "team", "contextActivities", "revision", "platform",
                                "language", "statement", "extensions"}
        assert str(uuid.UUID(context["registration"])) == context["registration"]
        assert LANGUAGE_TAG.match(context["language"])
        for key, activities in context.get("contextActivities", {}).items():
            assert key in {"parent", "grouping", "category", "other"}
            assert isinstance(activities, list) and activities
            for activity in activities:
                _activity(activity)
    assert TIMESTAMP.match(statement["timestamp"])


def test_the_validator_catches_broken_statements(engine: Engine, content: Content) -> None:
    """The checks are not vacuous: each spec rule broken on purpose is caught."""
    good = _submission_statements(engine, content)[-1]
    assert_valid_statement(good)
    breakages = [
        lambda s: s["actor"].update(mbox="mailto:a@b.example"),          # two IFIs
        lambda s: s["actor"].pop("account"),                              # no IFI
        lambda s: s["result"]["score"].update(scaled=1.5),                # scaled out of range
        lambda s: s["object"].update(id="quiz/relative"),                 # not an IRI
        lambda s: s.update(id="not-a-uuid"),
        lambda s: s.update(timestamp="2026-03-02T08:00:00"),              # no time zone
        lambda s: s["verb"].update(display={}),                           # empty value
        lambda s: s.update(version="2.0.0"),
    ]
    for breakage in breakages:
        broken = json.loads(json.dumps(good))
        breakage(broken)
        with pytest.raises(Exception):
            assert_valid_statement(broken)


# --- statements --------------------------------------------------------------------------------------------------


def _trainee(engine: Engine, *, email: str | None = "siti@example.go.id", nip: str = NIP) -> UserView:
    return create_user(engine, login=nip, nip=nip, name="Siti Rahmawati", email=email, password=None)


def _finish(engine: Engine, content: Content, user_id: int, *, correct: bool, session_id: int | None = None,
            now: datetime | None = None) -> AttemptView:
    now = now or datetime.now(UTC)
    start = now - timedelta(minutes=12, seconds=30)
    attempt = start_or_resume(engine, content, user_id, QUIZ, session_id=session_id, now=start)
    for index, sid in enumerate(attempt.scenario_ids):
        scenario = content.scenarios[sid]
        if index == len(attempt.scenario_ids) - 1:
            continue  # one case left unanswered: it scores 0 and gets no "answered" statement
        answer = {f: list(k) for f, k in key_answer(scenario).items()} if correct else {
            q.facet.value: [next(o.id for o in q.options if o.id not in q.key)] for q in scenario.questions}
        save_answer(engine, content, user_id, attempt.id, sid, answer, now=start)
    return submit_attempt(engine, content, user_id, attempt.id, now=now)


def _submission_statements(engine: Engine, content: Content, **kwargs: Any) -> list[dict[str, Any]]:
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    return statements_for_submission(content, user, view, BASE, **kwargs)


def test_a_passed_submission_reports_answers_completion_and_pass(engine: Engine, content: Content) -> None:
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    statements = statements_for_submission(content, user, view, BASE, False)
    for statement in statements:
        assert_valid_statement(statement)
    verbs = [s["verb"]["id"] for s in statements]
    answered = [s for s in statements if s["verb"]["id"] == VERB_ANSWERED]
    assert len(answered) == len(view.answers) >= 1  # every answered case, not the unanswered one
    assert verbs[-2:] == [VERB_COMPLETED, VERB_PASSED]
    assert {s["object"]["id"] for s in answered} == {f"{BASE}/scenario/{sid}" for sid in view.answers}
    for s in answered:
        assert s["result"]["score"]["scaled"] == 1.0 and s["result"]["success"] is True
        assert s["result"]["completion"] is True and s["result"]["response"]
        assert s["context"]["contextActivities"]["parent"][0]["id"] == f"{BASE}/quiz/{QUIZ}"
    completed, passed = statements[-2], statements[-1]
    assert completed["object"]["id"] == passed["object"]["id"] == f"{BASE}/quiz/{QUIZ}"
    assert completed["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert completed["result"]["score"]["scaled"] == round(view.score or 0, 4)
    assert completed["result"]["success"] is True and completed["result"]["completion"] is True
    assert completed["result"]["duration"] == "PT12M30S"
    assert passed["result"]["success"] is True
    assert len({s["context"]["registration"] for s in statements}) == 1
    assert len({s["id"] for s in statements}) == len(statements)
    assert {s["timestamp"] for s in statements} == {view.submitted_at.isoformat(timespec="milliseconds")
                                                     .replace("+00:00", "Z")}  # type: ignore[union-attr]
    # By account, by default: no name, no email, and never the NIP.
    assert completed["actor"] == {"objectType": "Agent",
                                  "account": {"homePage": "https://netral.example.go.id", "name": str(user.id)}}
    dumped = json.dumps(statements)
    assert NIP not in dumped and "siti@" not in dumped and "Siti" not in dumped


def test_statement_ids_are_stable(engine: Engine, content: Content) -> None:
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    first = statements_for_submission(content, user, view, BASE)
    again = statements_for_submission(content, user, view, BASE)
    assert first == again
    elsewhere = statements_for_submission(content, user, view, "https://other.example/xapi")
    assert not {s["id"] for s in first} & {s["id"] for s in elsewhere}  # another deployment, other ids


def test_a_failed_submission_reports_failed(engine: Engine, content: Content) -> None:
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=False)
    statements = statements_for_submission(content, user, view, BASE)
    for statement in statements:
        assert_valid_statement(statement)
    assert statements[-1]["verb"]["id"] == VERB_FAILED and statements[-1]["result"]["success"] is False
    assert statements[-2]["verb"]["id"] == VERB_COMPLETED and statements[-2]["result"]["success"] is False
    assert all(s["result"]["success"] is False for s in statements if s["verb"]["id"] == VERB_ANSWERED)


def test_actor_by_email_only_when_configured(engine: Engine, content: Content) -> None:
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    by_email = statements_for_submission(content, user, view, BASE, True)
    for statement in by_email:
        assert_valid_statement(statement)
        assert statement["actor"] == {"objectType": "Agent", "name": "Siti Rahmawati",
                                      "mbox": "mailto:siti@example.go.id"}
    no_email = create_user(engine, login="199001012015031001", nip="199001012015031001", name="Budi",
                           password=None)
    other = _finish(engine, content, no_email.id, correct=True)
    fallback = statements_for_submission(content, no_email, other, BASE, True)
    assert all("account" in s["actor"] and "mbox" not in s["actor"] for s in fallback)


def test_session_attempts_are_grouped_by_the_session(engine: Engine, content: Content) -> None:
    hr = create_user(engine, login="hr", name="HR", password=None, role=Role.HR)
    now = datetime.now(UTC)
    training = create_training(engine, content, hr, name="Sesi", quiz_ids=[QUIZ], opens_at=now - timedelta(days=1),
                               closes_at=now + timedelta(days=1))
    user = _trainee(engine)
    enrol(engine, user.id, training.id)
    view = _finish(engine, content, user.id, correct=True, session_id=training.id)
    statements = statements_for_submission(content, user, view, BASE, session_id=training.id)
    session_iri = f"{BASE}/session/{training.id}"
    for statement in statements:
        assert_valid_statement(statement)
        activities = statement["context"]["contextActivities"]
        if statement["verb"]["id"] == VERB_ANSWERED:
            assert activities["grouping"][0]["id"] == session_iri
        else:
            assert activities == {"parent": [activities["parent"][0]]} and activities["parent"][0]["id"] == session_iri


def test_an_unfinished_attempt_is_not_reported(engine: Engine, content: Content) -> None:
    user = _trainee(engine)
    attempt = start_or_resume(engine, content, user.id, QUIZ)
    with pytest.raises(ValueError):
        statements_for_submission(content, user, attempt, BASE)


@pytest.mark.parametrize("seconds, text_", [(0, "PT0S"), (750, "PT12M30S"), (3600, "PT1H"), (3725.456, "PT1H2M5.46S"),
                                           (0.5, "PT0.5S")])
def test_iso_duration(seconds: float, text_: str) -> None:
    assert iso_duration(seconds) == text_ and ISO_DURATION.match(text_)


# --- configuration ----------------------------------------------------------------------------------------------


def test_config_from_env() -> None:
    assert config_from_env({}) is None  # off by default
    with pytest.raises(XapiConfigError, match="NETRAL_XAPI_BASE_IRI"):
        config_from_env({"NETRAL_XAPI_ENDPOINT": "https://lrs.example/xapi/"})
    with pytest.raises(XapiConfigError, match="NETRAL_XAPI_ENDPOINT"):
        config_from_env({"NETRAL_XAPI_ENDPOINT": "lrs.example", "NETRAL_XAPI_BASE_IRI": BASE})
    with pytest.raises(XapiConfigError, match="NETRAL_XAPI_ACTOR_EMAIL"):
        config_from_env({"NETRAL_XAPI_ENDPOINT": "https://lrs.example/xapi", "NETRAL_XAPI_BASE_IRI": BASE,
                         "NETRAL_XAPI_ACTOR_EMAIL": "maybe"})
    config = config_from_env({"NETRAL_XAPI_ENDPOINT": "https://lrs.example/xapi/", "NETRAL_XAPI_BASE_IRI": BASE + "/",
                              "NETRAL_XAPI_USERNAME": "netral", "NETRAL_XAPI_PASSWORD": "s3cret:pass",
                              "NETRAL_XAPI_ACTOR_EMAIL": "1"})
    assert config is not None
    assert config.statements_url == "https://lrs.example/xapi/statements"
    assert config.base_iri == BASE and config.actor_by_email is True
    assert config.account_home_page == "https://netral.example.go.id"
    headers = config.request_headers()
    assert headers["X-Experience-API-Version"] == "1.0.3"
    assert base64.b64decode(headers["Authorization"].removeprefix("Basic ")) == b"netral:s3cret:pass"
    assert "s3cret" not in repr(config)
    quiet = config_from_env({"NETRAL_XAPI_ENDPOINT": "http://127.0.0.1:9/xapi", "NETRAL_XAPI_BASE_IRI": BASE})
    assert quiet is not None and quiet.actor_by_email is False and "Authorization" not in quiet.request_headers()


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(40) == BACKOFF_MAX


# --- the fake LRS ----------------------------------------------------------------------------------------------


class FakeLRS:
    """An LRS on a free local port: stores statements by id (a repeated id with the same content is accepted
    and not stored again; with other content it is a 409, as xAPI requires), answers 503 while `down`."""

    def __init__(self, username: str = "netral", password: str = "rahasia") -> None:
        self.lock = threading.Lock()
        self.down = False
        self.retry_after: str | None = None
        self.store_then_fail = 0  # store the next N batches but answer 503 (a reply lost on the way)
        self.refuse: set[str] = set()  # statement ids answered with 400
        self.stored: dict[str, dict[str, Any]] = {}
        self.accepted: Counter[str] = Counter()  # how often each id came in a batch answered 2xx
        self.requests = 0
        self.expected_auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with lrs.lock:
                    lrs.requests += 1
                    if self.path != "/xapi/statements":
                        return self._answer(404, {"error": "no such resource"})
                    if self.headers.get("X-Experience-API-Version") != "1.0.3":
                        return self._answer(400, {"error": "version header"})
                    if self.headers.get("Authorization") != lrs.expected_auth:
                        return self._answer(401, {"error": "auth"})
                    if lrs.down:
                        headers = {"Retry-After": lrs.retry_after} if lrs.retry_after else None
                        return self._answer(503, {"error": "maintenance"}, headers)
                    statements = json.loads(body)
                    if not isinstance(statements, list):
                        statements = [statements]
                    for statement in statements:  # a batch is all or nothing
                        if statement["id"] in lrs.refuse:
                            return self._answer(400, {"error": f"invalid statement {statement['id']}"})
                        known = lrs.stored.get(statement["id"])
                        if known is not None and known != statement:
                            return self._answer(409, {"error": "conflict"})
                    for statement in statements:
                        lrs.stored.setdefault(statement["id"], statement)
                    if lrs.store_then_fail:
                        lrs.store_then_fail -= 1
                        return self._answer(503, {"error": "gateway timeout after commit"})
                    lrs.accepted.update(s["id"] for s in statements)
                    return self._answer(200, [s["id"] for s in statements])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/xapi/"

    def config(self, batch_size: int = 50) -> XapiConfig:
        return XapiConfig(endpoint=self.endpoint, base_iri=BASE, username="netral", password="rahasia",
                          batch_size=batch_size, timeout_seconds=5)


@pytest.fixture
def lrs():  # type: ignore[no-untyped-def]
    server = FakeLRS()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def _queued(engine: Engine) -> dict[str, XapiOutboxEntry]:
    with read_session(engine) as session:
        return {row.statement_id: row for row in session.scalars(select(XapiOutboxEntry))}


def _two_submissions(engine: Engine, content: Content, config: XapiConfig, now: datetime) -> set[str]:
    first = _trainee(engine)
    second = create_user(engine, login="199001012015031001", nip="199001012015031001", name="Budi",
                         password=None)
    ids: set[str] = set()
    for user, correct in ((first, True), (second, False)):
        view = _finish(engine, content, user.id, correct=correct, now=now - timedelta(minutes=1))
        assert enqueue_submission(engine, content, config, user.id, view.id, now=now) > 0
        ids |= {s["id"] for s in statements_for_submission(content, user, view, BASE,
                                                           home_page=config.account_home_page)}
    return ids


# --- the outbox --------------------------------------------------------------------------------------------------


def test_enqueue_is_idempotent_and_matches_the_pure_statements(engine: Engine, content: Content) -> None:
    config = XapiConfig(endpoint="https://lrs.example/xapi", base_iri=BASE)
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    added = enqueue_submission(engine, content, config, user.id, view.id)
    assert added == len(view.answers) + 2
    assert enqueue_submission(engine, content, config, user.id, view.id) == 0
    queued = _queued(engine)
    expected = statements_for_submission(content, user, view, BASE, home_page=config.account_home_page)
    assert {s["id"]: s for s in expected} == {sid: row.statement for sid, row in queued.items()}
    for row in queued.values():
        assert_valid_statement(row.statement)
        assert row.status == "pending" and row.tries == 0
    with pytest.raises(ValueError):
        enqueue_submission(engine, content, config, user.id + 999, view.id)  # not this user's attempt


def test_add_submission_writes_in_the_callers_transaction(engine: Engine, content: Content) -> None:
    """The transactional outbox: queued with the submission, or not at all when the transaction fails."""
    config = XapiConfig(endpoint="https://lrs.example/xapi", base_iri=BASE)
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    with pytest.raises(RuntimeError):
        with write_session(engine) as session:
            add_submission(session, content, config, session.get(Attempt, view.id))
            raise RuntimeError("the submission failed after all")
    assert _queued(engine) == {}
    with write_session(engine) as session:
        assert add_submission(session, content, config, session.get(Attempt, view.id)) == len(view.answers) + 2
    assert len(_queued(engine)) == len(view.answers) + 2


def test_backfill_queues_finished_attempts_once(engine: Engine, content: Content) -> None:
    config = XapiConfig(endpoint="https://lrs.example/xapi", base_iri=BASE)
    user = _trainee(engine)
    done = _finish(engine, content, user.id, correct=True)
    start_or_resume(engine, content, user.id, QUIZ)  # one in progress: not reported
    assert backfill(engine, content, config, batch=1) == len(done.answers) + 2
    assert backfill(engine, content, config) == 0
    assert backfill(engine, content, config, since=datetime.now(UTC) + timedelta(days=1)) == 0


def test_an_outage_loses_nothing_backs_off_and_delivers_once(engine: Engine, content: Content, lrs: FakeLRS) -> None:
    config = lrs.config(batch_size=7)
    t0 = datetime.now(UTC).replace(microsecond=0)
    expected = _two_submissions(engine, content, config, t0)
    total = len(expected)
    assert total > 7  # several batches

    lrs.down = True
    report = send_pending(engine, config, now=t0)
    assert report.sent == 0 and report.deferred == 7 and report.outage and "503" in report.error
    assert report.next_due == t0 + timedelta(seconds=30)
    assert lrs.requests == 1  # the sender stops at the first failure instead of hammering the LRS
    runs = 1
    while send_pending(engine, config, now=t0).deferred:  # each later run tries the next batch once
        runs += 1
    assert runs == -(-total // 7) and lrs.requests == runs
    queued = _queued(engine)
    assert set(queued) == expected and {row.status for row in queued.values()} == {"pending"}
    assert {row.tries for row in queued.values()} == {1}
    assert {row.next_attempt_at for row in queued.values()} == {t0 + timedelta(seconds=30)}

    # Not due yet: nothing is sent.
    report = send_pending(engine, config, now=t0 + timedelta(seconds=29))
    assert report.sent == report.deferred == 0 and lrs.requests == runs

    # Still down at the next try: the wait doubles.
    report = send_pending(engine, config, now=t0 + timedelta(seconds=31), max_batches=1)
    assert report.deferred == 7 and report.next_due == t0 + timedelta(seconds=31 + 60)
    status = outbox_status(engine)
    assert status.pending == total and status.sent == 0 and "503" in status.last_error

    # The LRS recovers: everything due is delivered, once.
    lrs.down = False
    report = send_pending(engine, config, now=t0 + timedelta(hours=1))
    assert report.sent == total and report.deferred == 0 and not report.outage
    assert set(lrs.stored) == expected
    assert set(lrs.accepted.values()) == {1}  # no statement was accepted twice
    for statement in lrs.stored.values():
        assert_valid_statement(statement)
    assert send_pending(engine, config, now=t0 + timedelta(hours=2)).sent == 0
    queued = _queued(engine)
    assert {row.status for row in queued.values()} == {"sent"} and all(row.sent_at for row in queued.values())
    assert outbox_status(engine).pending == 0 and outbox_status(engine).sent == total
    assert purge_sent(engine, t0) == 0 and purge_sent(engine, t0 + timedelta(hours=2)) == total


def test_a_lost_reply_means_a_resend_the_lrs_recognises(engine: Engine, content: Content, lrs: FakeLRS) -> None:
    config = lrs.config()
    t0 = datetime.now(UTC)
    expected = _two_submissions(engine, content, config, t0)
    lrs.store_then_fail = 1  # the LRS stores the batch, but the reply never arrives
    report = send_pending(engine, config, now=t0)
    assert report.sent == 0 and report.deferred == len(expected)
    assert set(lrs.stored) == expected and not lrs.accepted
    first_copy = json.loads(json.dumps(lrs.stored))
    report = send_pending(engine, config, now=t0 + timedelta(minutes=1))
    assert report.sent == len(expected)
    assert lrs.stored == first_copy  # the same ids with the same content: no conflict, no duplicate


def test_retry_after_from_the_lrs_is_honoured(engine: Engine, content: Content, lrs: FakeLRS) -> None:
    config = lrs.config()
    t0 = datetime.now(UTC).replace(microsecond=0)
    _two_submissions(engine, content, config, t0)
    lrs.down, lrs.retry_after = True, "600"
    report = send_pending(engine, config, now=t0)
    assert report.next_due == t0 + timedelta(seconds=600)
    assert send_pending(engine, config, now=t0 + timedelta(seconds=599)).deferred == 0
    lrs.down = False
    assert send_pending(engine, config, now=t0 + timedelta(seconds=600)).sent == report.deferred


def test_a_refused_statement_is_set_aside_without_holding_back_the_rest(engine: Engine, content: Content,
                                                                        lrs: FakeLRS) -> None:
    config = lrs.config()
    t0 = datetime.now(UTC)
    expected = _two_submissions(engine, content, config, t0)
    bad = sorted(expected)[0]
    lrs.refuse = {bad}
    report = send_pending(engine, config, now=t0)
    assert report.rejected == 1 and report.sent == len(expected) - 1
    queued = _queued(engine)
    assert queued[bad].status == "rejected" and "400" in queued[bad].last_error
    assert set(lrs.stored) == expected - {bad}
    assert outbox_status(engine).rejected == 1
    # Kept, not lost: once the LRS takes it, it is queued again and delivered.
    lrs.refuse = set()
    assert requeue_rejected(engine, now=t0) == 1
    assert send_pending(engine, config, now=t0 + timedelta(seconds=1)).sent == 1
    assert set(lrs.stored) == expected and set(lrs.accepted.values()) == {1}


def test_wrong_credentials_or_an_unreachable_lrs_are_retried_not_dropped(engine: Engine, content: Content,
                                                                         lrs: FakeLRS) -> None:
    t0 = datetime.now(UTC)
    wrong = XapiConfig(endpoint=lrs.endpoint, base_iri=BASE, username="netral", password="wrong")
    expected = _two_submissions(engine, content, wrong, t0)
    report = send_pending(engine, wrong, now=t0)
    assert report.deferred == len(expected) and "401" in report.error
    unreachable = XapiConfig(endpoint="http://127.0.0.1:9/xapi", base_iri=BASE, timeout_seconds=2)
    report = send_pending(engine, unreachable, now=t0 + timedelta(hours=1))
    assert report.deferred == len(expected) and report.error.startswith("network")
    assert {row.status for row in _queued(engine).values()} == {"pending"}
    assert send_pending(engine, lrs.config(), now=t0 + timedelta(hours=2)).sent == len(expected)


def test_concurrent_senders_deliver_each_statement_once(engine: Engine, content: Content, lrs: FakeLRS) -> None:
    config = lrs.config(batch_size=3)
    t0 = datetime.now(UTC)
    expected: set[str] = set()
    for index in range(4):
        nip = f"19900101201503100{index}"
        user = create_user(engine, login=nip, nip=nip, name=f"Peserta {index}", password=None)
        view = _finish(engine, content, user.id, correct=index % 2 == 0, now=t0 - timedelta(minutes=1))
        enqueue_submission(engine, content, config, user.id, view.id, now=t0)
        expected |= {s["id"] for s in statements_for_submission(content, user, view, BASE)}
    reports = []
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            reports.append(send_pending(engine, config, now=t0 + timedelta(seconds=1)))
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(r.sent for r in reports) == len(expected)
    assert set(lrs.stored) == expected and set(lrs.accepted.values()) == {1}


@pytest.mark.parametrize("empty_engine", [b for b in BACKENDS if b == "postgresql"], indirect=True)
def test_claims_skip_rows_locked_by_another_sender(engine: Engine, content: Content) -> None:
    """PostgreSQL only (SQLite serialises claims with BEGIN IMMEDIATE): a claim in progress, rows locked
    FOR UPDATE, is skipped, not waited for."""
    config = XapiConfig(endpoint="https://lrs.example/xapi", base_iri=BASE)
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    total = enqueue_submission(engine, content, config, user.id, view.id)
    now = datetime.now(UTC) + timedelta(seconds=1)
    with engine.connect() as other:
        with other.begin():
            locked = other.execute(text("SELECT id FROM xapi_outbox ORDER BY id LIMIT 2 FOR UPDATE")).scalars().all()
            claims = []
            worker = threading.Thread(target=lambda: claims.append(claim_batch(engine, limit=100, now=now)),
                                      daemon=True)
            worker.start()
            worker.join(5)
            blocked = worker.is_alive()
        worker.join(10)  # the lock is gone with the transaction: a blocked claim finishes now
    assert not blocked, "the claim waited for the locked rows instead of skipping them"
    (claim,) = claims
    assert not {e.id for e in claim.entries} & set(locked)
    assert len(claim.entries) == total - 2


def test_the_sender_thread_delivers_in_the_background(engine: Engine, content: Content, lrs: FakeLRS) -> None:
    config = lrs.config()
    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    lrs.down = True
    sender = XapiSender(engine, config, interval=0.05).start()
    try:
        enqueue_submission(engine, content, config, user.id, view.id)
        sender.nudge()
        deadline = time.monotonic() + 10
        while lrs.requests == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert lrs.requests >= 1 and not lrs.stored  # tried during the outage, deferred by its backoff
        while time.monotonic() < deadline:  # wait until the sender has settled the failed claim
            rows = _queued(engine).values()
            if rows and all(row.tries >= 1 and row.claim_token is None for row in rows):
                break
            time.sleep(0.02)
        with write_session(engine) as session:  # fast-forward the backoff instead of waiting 30 s
            for row in session.scalars(select(XapiOutboxEntry)):
                row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
        lrs.down = False
        sender.nudge()
        while len(lrs.stored) < len(view.answers) + 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        sender.stop()
    assert len(lrs.stored) == len(view.answers) + 2 and set(lrs.accepted.values()) == {1}


def test_urllib_post_returns_http_errors_and_raises_network_errors(lrs: FakeLRS) -> None:
    response = urllib_post(lrs.endpoint + "statements", b"[]", {"X-Experience-API-Version": "1.0.3"}, 5)
    assert response.status == 401  # no credentials
    with pytest.raises(OSError):
        urllib_post("http://127.0.0.1:9/xapi/statements", b"[]", {}, 2)


def test_the_outbox_starts_empty(engine: Engine) -> None:
    """The outbox table exists after migration and starts empty."""
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(XapiOutboxEntry)) == 0


def test_the_command_line_backfills_sends_and_reports(engine: Engine, content: Content, lrs: FakeLRS,
                                                      monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    from argparse import Namespace

    from netral.store.xapi_outbox import run_cli

    user = _trainee(engine)
    view = _finish(engine, content, user.id, correct=True)
    url = engine.url.render_as_string(hide_password=False)
    for name in ("NETRAL_XAPI_ENDPOINT", "NETRAL_XAPI_BASE_IRI", "NETRAL_XAPI_USERNAME", "NETRAL_XAPI_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert run_cli(Namespace(xapi_command="send", database_url=url, loop=False, interval=1)) == 2  # off
    monkeypatch.setenv("NETRAL_XAPI_ENDPOINT", lrs.endpoint)
    monkeypatch.setenv("NETRAL_XAPI_BASE_IRI", BASE)
    monkeypatch.setenv("NETRAL_XAPI_USERNAME", "netral")
    monkeypatch.setenv("NETRAL_XAPI_PASSWORD", "rahasia")
    total = len(view.answers) + 2
    assert run_cli(Namespace(xapi_command="backfill", database_url=url, since=None)) == 0
    lrs.down = True
    assert run_cli(Namespace(xapi_command="send", database_url=url, loop=False, interval=1)) == 1
    assert run_cli(Namespace(xapi_command="status", database_url=url)) == 0
    lrs.down = False
    with write_session(engine) as session:  # skip the backoff
        for row in session.scalars(select(XapiOutboxEntry)):
            row.next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
    assert run_cli(Namespace(xapi_command="send", database_url=url, loop=False, interval=1)) == 0
    assert run_cli(Namespace(xapi_command="purge", database_url=url, older_than_days=0)) == 0
    out = capsys.readouterr().out
    assert f"queued {total}" in out and f"pending {total}, sent 0" in out and "503" in out
    assert f"sent {total}, rejected 0, deferred 0" in out and f"purged {total}" in out
    assert len(lrs.stored) == total


def test_configured_reads_the_environment_once_and_survives_a_misconfiguration(monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    import netral.xapi as xapi_module

    monkeypatch.setattr(xapi_module, "_configured", None)
    monkeypatch.setenv("NETRAL_XAPI_ENDPOINT", "https://lrs.example/xapi")
    monkeypatch.delenv("NETRAL_XAPI_BASE_IRI", raising=False)
    assert xapi_module.configured() is None and "xAPI disabled" in caplog.text
    monkeypatch.setenv("NETRAL_XAPI_BASE_IRI", BASE)
    assert xapi_module.configured() is None  # read once per process
    monkeypatch.setattr(xapi_module, "_configured", None)
    config = xapi_module.configured()
    assert config is not None and config.base_iri == BASE
    monkeypatch.setattr(xapi_module, "_configured", None)
    monkeypatch.delenv("NETRAL_XAPI_ENDPOINT")
    assert xapi_module.configured() is None  # off by default
