"""The xAPI outbox: statements queued in the database and delivered to the LRS by a sender, never lost.

How a statement travels:

1. **Enqueue.** `add_submission(session, ...)` writes a submission's statements in the caller's transaction
   (the one that records the submission, so both happen or neither); `enqueue_submission(engine, ...)` does
   the same in a transaction of its own. A statement's id is derived from what it reports, and the id is
   unique in the table, so enqueueing the same submission twice keeps one copy (`backfill` relies on this).
2. **Claim.** A sender takes a batch of due rows: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL (two
   senders, e.g. two replicas, skip each other's rows instead of waiting), under SQLite's database write
   lock (``BEGIN IMMEDIATE``) elsewhere. Claiming stamps the rows with a token and pushes `next_attempt_at`
   a lease ahead, then commits: no lock is held while the HTTP request runs, and if the sender dies
   mid-request the rows fall due again when the lease ends.
3. **Deliver.** The batch is POSTed to ``<endpoint>/statements``. A 2xx marks it sent. A network error,
   timeout, 5xx, 429, 401/403/404 (the LRS down or misconfigured) keeps every row pending with
   `next_attempt_at` pushed back exponentially (30 s, 1 min, 2 min ... capped at 6 h, or the LRS's
   Retry-After when longer), and the sender stops until then. A 400/409/413 for a batch is retried one
   statement at a time, so one statement the LRS refuses cannot hold back the others; a statement refused
   on its own is marked ``rejected`` with the LRS's answer, kept, and can be queued again
   (`requeue_rejected`).

Nothing is ever deleted except sent rows, on request (`purge_sent`). Delivery is at least once: a reply lost
after the LRS stored a batch means the batch is sent again, with the same statement ids, which the LRS
recognises (xAPI 1.0.3: an LRS must not store two statements with one id).
"""

from __future__ import annotations

import email.utils
import json
import logging
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from netral.content.loader import Content
from netral.store.db import read_session, upsert_insert, with_retry, write_session
from netral.store.schema import FINISHED_STATUSES, Answer, Attempt, User, XapiOutboxEntry, utcnow
from netral.xapi import XapiConfig, statements_for_submission

log = logging.getLogger("netral.xapi")

PENDING, SENT, REJECTED = "pending", "sent", "rejected"
CLAIM_LEASE = timedelta(minutes=5)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
ERROR_MAX = 500
SPLIT_STATUSES = {400, 409, 413}  # the LRS refused the content: find the statement at fault


# ---------------------------------------------------------------------------------------------------------------
# Enqueue


def add_statements(session: Session, statements: Iterable[Mapping[str, Any]], *, now: datetime | None = None) -> int:
    """Queue `statements` in the session's transaction; one already queued (same id) is left as it is.

    Returns how many were newly queued.
    """
    now = now or utcnow()
    rows = [{"statement_id": str(s["id"]), "statement": dict(s), "status": PENDING, "tries": 0,
             "created_at": now, "next_attempt_at": now, "last_error": ""} for s in statements]
    if not rows:
        return 0
    insert = upsert_insert(session.get_bind().dialect.name)
    table = XapiOutboxEntry.__table__
    statement = insert(table).values(rows).on_conflict_do_nothing(
        index_elements=[table.c.statement_id]).returning(table.c.id)
    # RETURNING counts the rows really inserted on both backends (rowcount is unreliable for a multi-row
    # INSERT ... ON CONFLICT DO NOTHING).
    return len(session.execute(statement).all())


def enqueue(engine: Engine, statements: Sequence[Mapping[str, Any]], *, now: datetime | None = None) -> int:
    """Queue `statements` in a transaction of their own; returns how many were new."""
    def work() -> int:
        with write_session(engine) as session:
            return add_statements(session, statements, now=now)

    return with_retry(work)


def add_submission(session: Session, content: Content, config: XapiConfig, attempt: Attempt, *,
                   now: datetime | None = None) -> int:
    """Queue the statements of the finished `attempt` (a row of `session`), in the session's transaction.

    Call it where the submission is recorded (`submit_attempt`, after scoring) so the statements are stored
    with the result or not at all. The per-case scores come from the stored answers.
    """
    if attempt.status not in FINISHED_STATUSES:
        raise ValueError("only a submitted attempt is reported")
    from netral.store.attempts import _view as _attempt_view  # here: attempts.py may call this module

    user = session.get(User, attempt.user_id)
    assert user is not None
    answers = list(session.scalars(select(Answer).where(Answer.attempt_id == attempt.id)))
    view = _attempt_view(attempt, answers)
    scores = {row.scenario_id: row.score for row in answers if row.score is not None}
    statements = statements_for_submission(
        content, user, view, config.base_iri, config.actor_by_email, home_page=config.account_home_page,
        session_id=attempt.session_id, scenario_scores=scores, language=user.language)
    return add_statements(session, statements, now=now)


def enqueue_submission(engine: Engine, content: Content, config: XapiConfig, user_id: int, attempt_id: int, *,
                       now: datetime | None = None) -> int:
    """Queue the statements of the user's finished attempt in a transaction of its own (idempotent).

    Returns how many statements were new; raises ValueError for an unknown, foreign or unfinished attempt.
    """
    def work() -> int:
        with write_session(engine) as session:
            attempt = session.scalar(select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == user_id))
            if attempt is None:
                raise ValueError("attempt not found")
            return add_submission(session, content, config, attempt, now=now)

    return with_retry(work)


def backfill(engine: Engine, content: Content, config: XapiConfig, *, since: datetime | None = None,
             batch: int = 200, now: datetime | None = None) -> int:
    """Queue the statements of every finished attempt submitted at or after `since` (all when None).

    For turning xAPI on with history, or after an outage of the app between a submission and its enqueue.
    Already queued statements are skipped (their ids are unique), so running it twice is harmless.
    Returns how many statements were new.
    """
    added = 0
    last_id = 0
    while True:
        def work() -> tuple[int, int | None]:
            with write_session(engine) as session:
                query = (select(Attempt).where(Attempt.status.in_(FINISHED_STATUSES), Attempt.id > last_id)
                         .order_by(Attempt.id).limit(batch))
                if since is not None:
                    query = query.where(Attempt.submitted_at >= since)
                rows = list(session.scalars(query))
                count = sum(add_submission(session, content, config, row, now=now) for row in rows)
                return count, rows[-1].id if rows else None

        count, last = with_retry(work)
        added += count
        if last is None:
            return added
        last_id = last


# ---------------------------------------------------------------------------------------------------------------
# Claim and settle


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    statement_id: str
    statement: dict[str, Any]
    tries: int


@dataclass(frozen=True)
class Claim:
    token: str
    entries: tuple[OutboxEntry, ...]


def claim_batch(engine: Engine, *, limit: int = 50, now: datetime | None = None,
                lease: timedelta = CLAIM_LEASE) -> Claim:
    """Take up to `limit` due pending statements, oldest first, for one delivery attempt.

    The rows are stamped with a fresh token and leased until `now + lease`; another sender skips rows
    locked by a claim in progress (PostgreSQL ``SKIP LOCKED``) and rows on lease (not due).
    """
    now = now or utcnow()
    token = secrets.token_hex(16)

    def work() -> Claim:
        with write_session(engine) as session:
            rows = list(session.scalars(
                select(XapiOutboxEntry)
                .where(XapiOutboxEntry.status == PENDING, XapiOutboxEntry.next_attempt_at <= now)
                .order_by(XapiOutboxEntry.next_attempt_at, XapiOutboxEntry.id).limit(limit)
                .with_for_update(skip_locked=True)))
            for row in rows:
                row.claim_token = token
                row.next_attempt_at = now + lease
                row.tries += 1
            session.flush()
            return Claim(token, tuple(OutboxEntry(r.id, r.statement_id, dict(r.statement), r.tries) for r in rows))

    return with_retry(work)


def _claimed(token: str, ids: Sequence[int]):  # type: ignore[no-untyped-def]
    # Only rows this claim still holds: a sender slower than its lease must not undo a newer claim's work.
    return (XapiOutboxEntry.id.in_(list(ids)), XapiOutboxEntry.claim_token == token,
            XapiOutboxEntry.status == PENDING)


def mark_sent(engine: Engine, token: str, ids: Sequence[int], *, now: datetime | None = None) -> int:
    if not ids:
        return 0
    now = now or utcnow()

    def work() -> int:
        with write_session(engine) as session:
            result = session.execute(update(XapiOutboxEntry).where(*_claimed(token, ids)).values(
                status=SENT, sent_at=now, claim_token=None, last_error=""))
            return result.rowcount or 0  # type: ignore[attr-defined]

    return with_retry(work)


def backoff(tries: int) -> timedelta:
    """How long to wait after the `tries`-th failed delivery: 30 s doubling, capped at 6 hours."""
    exponent = min(max(tries - 1, 0), 30)
    return min(BACKOFF_BASE * (2 ** exponent), BACKOFF_MAX)


def mark_failed(engine: Engine, token: str, entries: Sequence[OutboxEntry], error: str, *,
                now: datetime | None = None, retry_after: timedelta | None = None) -> datetime | None:
    """Keep the statements pending and due again after their backoff (or `retry_after`, when longer).

    Returns the earliest time one of them falls due again.
    """
    if not entries:
        return None
    now = now or utcnow()

    def work() -> datetime | None:
        earliest: datetime | None = None
        with write_session(engine) as session:
            for entry in entries:
                delay = backoff(entry.tries)
                if retry_after is not None and retry_after > delay:
                    delay = min(retry_after, BACKOFF_MAX)
                due = now + delay
                session.execute(update(XapiOutboxEntry).where(*_claimed(token, [entry.id])).values(
                    next_attempt_at=due, claim_token=None, last_error=error[:ERROR_MAX]))
                earliest = due if earliest is None or due < earliest else earliest
        return earliest

    return with_retry(work)


def mark_rejected(engine: Engine, token: str, ids: Sequence[int], error: str) -> int:
    """Set aside statements the LRS refuses on their own (kept, with its answer; see `requeue_rejected`)."""
    if not ids:
        return 0

    def work() -> int:
        with write_session(engine) as session:
            result = session.execute(update(XapiOutboxEntry).where(*_claimed(token, ids)).values(
                status=REJECTED, claim_token=None, last_error=error[:ERROR_MAX]))
            return result.rowcount or 0  # type: ignore[attr-defined]

    return with_retry(work)


def requeue_rejected(engine: Engine, ids: Sequence[int] | None = None, *, now: datetime | None = None) -> int:
    """Put rejected statements (all, or `ids`) back in the queue, due now; returns how many."""
    now = now or utcnow()
    with write_session(engine) as session:
        query = update(XapiOutboxEntry).where(XapiOutboxEntry.status == REJECTED)
        if ids is not None:
            query = query.where(XapiOutboxEntry.id.in_(list(ids)))
        result = session.execute(query.values(status=PENDING, next_attempt_at=now, tries=0))
        return result.rowcount or 0  # type: ignore[attr-defined]


def purge_sent(engine: Engine, older_than: datetime) -> int:
    """Delete statements delivered before `older_than` (never a pending or rejected one)."""
    from sqlalchemy import delete

    with write_session(engine) as session:
        result = session.execute(delete(XapiOutboxEntry).where(XapiOutboxEntry.status == SENT,
                                                               XapiOutboxEntry.sent_at < older_than))
        return result.rowcount or 0  # type: ignore[attr-defined]


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    sent: int
    rejected: int
    oldest_pending: datetime | None
    last_error: str


def outbox_status(engine: Engine) -> OutboxStatus:
    """Counts by status, the oldest pending statement's creation time and the latest error (for an admin)."""
    with read_session(engine) as session:
        counts = dict(session.execute(select(XapiOutboxEntry.status, func.count())
                                      .group_by(XapiOutboxEntry.status)).all())
        oldest = session.scalar(select(func.min(XapiOutboxEntry.created_at))
                                .where(XapiOutboxEntry.status == PENDING))
        error = session.scalar(select(XapiOutboxEntry.last_error)
                               .where(XapiOutboxEntry.status != SENT, XapiOutboxEntry.last_error != "")
                               .order_by(XapiOutboxEntry.next_attempt_at.desc()).limit(1))
    if oldest is not None and oldest.tzinfo is None:  # func.min bypasses the column type on some drivers
        oldest = oldest.replace(tzinfo=UTC)
    return OutboxStatus(counts.get(PENDING, 0), counts.get(SENT, 0), counts.get(REJECTED, 0), oldest, error or "")


# ---------------------------------------------------------------------------------------------------------------
# Transport and sender


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""


HttpPost = Callable[[str, bytes, Mapping[str, str], float], HttpResponse]
"""``http_post(url, body, headers, timeout_seconds) -> HttpResponse``; raises OSError when no answer came."""


def urllib_post(url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> HttpResponse:
    """The standard library's HTTP POST. An HTTP error status is returned, not raised; a network error or
    timeout raises OSError (URLError and TimeoutError are OSErrors)."""
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - URL from settings
            return HttpResponse(response.status, dict(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return HttpResponse(error.code, dict(error.headers.items()) if error.headers else {},
                                error.read()[:2000])


def _retry_after(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """The Retry-After header (seconds or an HTTP date) as a delay, if present and sensible."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "").strip()
    if not value:
        return None
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


@dataclass
class SendReport:
    """What one `send_pending` run did."""

    sent: int = 0
    rejected: int = 0
    deferred: int = 0
    error: str = ""
    next_due: datetime | None = None  # when deferred statements fall due again

    @property
    def outage(self) -> bool:
        return self.deferred > 0


class _Transient(Exception):
    def __init__(self, message: str, retry_after: timedelta | None = None):
        super().__init__(message)
        self.retry_after = retry_after


def _post(config: XapiConfig, http_post: HttpPost, statements: list[dict[str, Any]], now: datetime) -> HttpResponse:
    body = json.dumps(statements, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        return http_post(config.statements_url, body, config.request_headers(), config.timeout_seconds)
    except OSError as error:  # no answer: connection refused, DNS, timeout, reset
        raise _Transient(f"network: {error}") from error


def _describe(response: HttpResponse) -> str:
    return f"HTTP {response.status}: {response.body[:300].decode('utf-8', 'replace')}".strip()


def _deliver(engine: Engine, config: XapiConfig, http_post: HttpPost, claim: Claim, entries: Sequence[OutboxEntry],
             report: SendReport, now: datetime) -> None:
    """Send `entries` as one batch; settle them. Raises `_Transient` when the LRS cannot take them now."""
    response = _post(config, http_post, [e.statement for e in entries], now)
    if 200 <= response.status < 300:
        report.sent += mark_sent(engine, claim.token, [e.id for e in entries], now=now)
        return
    if response.status in SPLIT_STATUSES:
        if len(entries) > 1:
            for entry in entries:  # one statement at a time, to find the one the LRS refuses
                _deliver(engine, config, http_post, claim, [entry], report, now)
            return
        report.rejected += mark_rejected(engine, claim.token, [entries[0].id], _describe(response))
        log.warning("xAPI statement %s refused by the LRS: %s", entries[0].statement_id, _describe(response))
        return
    # 5xx, 429, 408, 401/403 (credentials), 404 (endpoint) and anything else: wait and try again.
    raise _Transient(_describe(response), _retry_after(response.headers, now))


def send_pending(engine: Engine, config: XapiConfig, http_post: HttpPost = urllib_post, *,
                 now: datetime | None = None, max_batches: int | None = None) -> SendReport:
    """Deliver due statements batch by batch until none is due, the LRS fails, or `max_batches` ran.

    On a failure the claimed statements stay pending with their backoff, the rest are left for later, and
    the report says when they fall due (`next_due`). Safe to run from several processes at once.
    """
    report = SendReport()
    batches = 0
    while max_batches is None or batches < max_batches:
        moment = now or utcnow()
        claim = claim_batch(engine, limit=config.batch_size, now=moment)
        if not claim.entries:
            break
        batches += 1
        try:
            _deliver(engine, config, http_post, claim, claim.entries, report, moment)
        except _Transient as failure:
            # Statements of this claim already settled (split delivery) are no longer held by it.
            unsettled = _still_claimed(engine, claim)
            report.deferred += len(unsettled)
            report.error = str(failure)[:ERROR_MAX]
            report.next_due = mark_failed(engine, claim.token, unsettled, report.error, now=moment,
                                          retry_after=failure.retry_after)
            log.warning("xAPI delivery deferred (%d statements): %s", len(unsettled), report.error)
            break
    return report


def _still_claimed(engine: Engine, claim: Claim) -> list[OutboxEntry]:
    with read_session(engine) as session:
        held = set(session.scalars(select(XapiOutboxEntry.id).where(
            *_claimed(claim.token, [e.id for e in claim.entries]))))
    return [e for e in claim.entries if e.id in held]


class XapiSender:
    """A daemon thread that runs `send_pending` every `interval` seconds until `stop()`.

    Start one per process (each replica may run one: claims never overlap). Errors are logged, never
    raised, so a broken LRS or a database hiccup cannot take the app down.
    """

    def __init__(self, engine: Engine, config: XapiConfig, *, interval: float = 15.0,
                 http_post: HttpPost = urllib_post):
        self.engine, self.config, self.interval, self.http_post = engine, config, interval, http_post
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="netral-xapi-sender", daemon=True)

    def start(self) -> XapiSender:
        self._thread.start()
        return self

    def nudge(self) -> None:
        """Send now rather than at the next tick (e.g. right after a submission was queued)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                send_pending(self.engine, self.config, self.http_post)
            except Exception:  # noqa: BLE001 - keep the loop alive; the rows stay queued
                log.exception("xAPI sender run failed")
            self._wake.wait(self.interval)
            self._wake.clear()


# ---------------------------------------------------------------------------------------------------------------
# Command line (`python -m netral xapi ...`; netral/cli.py parses the arguments and calls `run_cli`)


def run_cli(args: Any) -> int:
    """`send` (once, or `--loop` every `--interval` seconds), `status`, `backfill [--since YYYY-MM-DD]`,
    `requeue` (rejected statements) or `purge --older-than-days N` (delivered ones)."""
    import sys

    from netral.store.db import make_engine
    from netral.store.migrate import upgrade
    from netral.xapi import XapiConfigError, config_from_env

    try:
        config = config_from_env()
    except XapiConfigError as error:
        print(f"xapi: {error}", file=sys.stderr)
        return 2
    engine = make_engine(getattr(args, "database_url", None))
    try:
        upgrade(engine)
        return _run_cli_action(engine, config, args)
    finally:
        engine.dispose()


def _run_cli_action(engine: Engine, config: XapiConfig | None, args: Any) -> int:
    import sys
    import time as _time

    action = args.xapi_command
    if action == "status":
        status = outbox_status(engine)
        print(f"xAPI {'on: ' + config.statements_url if config else 'off (NETRAL_XAPI_ENDPOINT unset)'}")
        print(f"pending {status.pending}, sent {status.sent}, rejected {status.rejected}"
              + (f", oldest pending {status.oldest_pending.isoformat()}" if status.oldest_pending else ""))
        if status.last_error:
            print(f"last error: {status.last_error}")
        return 0
    if action == "requeue":
        print(f"requeued {requeue_rejected(engine)}")
        return 0
    if action == "purge":
        print(f"purged {purge_sent(engine, utcnow() - timedelta(days=args.older_than_days))}")
        return 0
    if config is None:
        print("xapi: NETRAL_XAPI_ENDPOINT is not set; xAPI is off", file=sys.stderr)
        return 2
    if action == "backfill":
        from netral.content import load_content

        content, problems = load_content()
        if problems:
            print(f"xapi: the content has {len(problems)} problem(s); run `python -m netral validate`",
                  file=sys.stderr)
            return 1
        since = datetime.strptime(args.since, "%Y-%m-%d").replace(tzinfo=UTC) if args.since else None
        print(f"queued {backfill(engine, content, config, since=since)}")
        return 0
    if action == "send":
        while True:
            report = send_pending(engine, config)
            print(f"sent {report.sent}, rejected {report.rejected}, deferred {report.deferred}"
                  + (f" ({report.error})" if report.error else ""), flush=True)
            if not args.loop:
                return 1 if report.outage else 0
            _time.sleep(args.interval)
    raise ValueError(action)
