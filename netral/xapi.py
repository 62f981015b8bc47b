"""xAPI (Experience API 1.0.3) statements about quiz submissions, for an optional Learning Record Store.

Off by default: nothing here runs unless `NETRAL_XAPI_ENDPOINT` is set (`config_from_env`). Pure: the
statements are built from the content, the user and the finished attempt, with no I/O; the database queue
and the sender live in `netral.store.xapi_outbox`.

What a submission reports (verb IDs from the ADL vocabulary):

- ``answered`` per scored, answered case: object ``<base>/scenario/<id>``, result with the case's scaled
  score, ``success`` when every facet was right, ``completion``, and the chosen options as ``response``;
- ``completed`` for the quiz: object ``<base>/quiz/<id>``, result with score, success, completion and the
  time taken;
- ``passed`` or ``failed`` for the quiz, by the attempt's pass mark.

Every statement's ``id`` is a UUID derived (uuid5) from the base IRI, the attempt and what the statement
reports, so the same fact always gets the same id: a statement sent twice (a lost reply, a retry) is one
statement to the LRS, which must not store an id twice. All statements of one attempt share
``context.registration``.

The actor is identified by an account on this service (``{homePage, name: <user id>}``), which tells the
LRS nothing about the person; only with ``NETRAL_XAPI_ACTOR_EMAIL=1`` (and an email on the account) is it the
``mbox`` with the person's name. A NIP is never sent: it encodes a birth date, and its hash is easy to
reverse by trying every date.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import quote, urlsplit

from netral.content.loader import Content
from netral.quizplan import question_sequence
from netral.scoring import score_scenario

XAPI_VERSION = "1.0.3"

VERB_ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_FAILED = "http://adlnet.gov/expapi/verbs/failed"
VERB_DISPLAY: dict[str, dict[str, str]] = {
    VERB_ANSWERED: {"en-US": "answered", "id-ID": "menjawab"},
    VERB_COMPLETED: {"en-US": "completed", "id-ID": "menyelesaikan"},
    VERB_PASSED: {"en-US": "passed", "id-ID": "lulus"},
    VERB_FAILED: {"en-US": "failed", "id-ID": "tidak lulus"},
}

ACTIVITY_ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
ACTIVITY_QUESTION = "http://adlnet.gov/expapi/activities/question"
ACTIVITY_COURSE = "http://adlnet.gov/expapi/activities/course"

PLATFORM = "Netral"
LANGUAGE_TAGS = {"id": "id-ID", "en": "en-US"}

ENV_ENDPOINT = "NETRAL_XAPI_ENDPOINT"
ENV_USERNAME = "NETRAL_XAPI_USERNAME"
ENV_PASSWORD = "NETRAL_XAPI_PASSWORD"
ENV_ACTOR_EMAIL = "NETRAL_XAPI_ACTOR_EMAIL"
ENV_BASE_IRI = "NETRAL_XAPI_BASE_IRI"
ENV_HOME_PAGE = "NETRAL_XAPI_HOME_PAGE"


class XapiConfigError(ValueError):
    """The xAPI settings are incomplete or malformed (the message names the variable)."""


@dataclass(frozen=True)
class XapiConfig:
    """Where statements go and how they are built.

    `endpoint` is the LRS's xAPI base (statements are POSTed to ``<endpoint>/statements``); `base_iri` is the
    root of this deployment's activity IDs (``<base_iri>/quiz/<id>``), and must be one this deployment owns,
    so that two deployments sharing an LRS never mint the same IDs; `home_page` is the account system of the
    actors (default: the scheme and host of `base_iri`).
    """

    endpoint: str
    base_iri: str
    username: str = ""
    password: str = ""
    actor_by_email: bool = False
    home_page: str = ""
    batch_size: int = 50
    timeout_seconds: float = 10.0

    @property
    def statements_url(self) -> str:
        return self.endpoint.rstrip("/") + "/statements"

    @property
    def account_home_page(self) -> str:
        if self.home_page:
            return self.home_page
        parts = urlsplit(self.base_iri)
        return f"{parts.scheme}://{parts.netloc}"

    def request_headers(self) -> dict[str, str]:
        """The headers of a statements POST: JSON, the xAPI version, and Basic auth when a user name is set."""
        headers = {"Content-Type": "application/json; charset=utf-8", "X-Experience-API-Version": XAPI_VERSION}
        if self.username or self.password:
            token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        return headers

    def __repr__(self) -> str:  # never print the password
        return (f"XapiConfig(endpoint={self.endpoint!r}, base_iri={self.base_iri!r}, username={self.username!r}, "
                f"actor_by_email={self.actor_by_email!r})")


def _absolute_http_url(value: str, variable: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise XapiConfigError(f"{variable} must be an absolute http(s) URL, not {value!r}")
    return value.rstrip("/")


def config_from_env(environ: Mapping[str, str] | None = None) -> XapiConfig | None:
    """The xAPI settings from the environment, or None when `NETRAL_XAPI_ENDPOINT` is unset (xAPI off).

    Variables: `NETRAL_XAPI_ENDPOINT` (the LRS's xAPI base URL), `NETRAL_XAPI_BASE_IRI` (required with it:
    e.g. ``https://netral.bkpsdm.example.go.id/xapi``), `NETRAL_XAPI_USERNAME` / `NETRAL_XAPI_PASSWORD`
    (Basic auth), `NETRAL_XAPI_ACTOR_EMAIL` (``1``: identify people by email; default ``0``: by account),
    `NETRAL_XAPI_HOME_PAGE` (the actors' account home page; default: the base IRI's scheme and host).
    Raises `XapiConfigError` when the endpoint is set but the rest is missing or malformed.
    """
    env = os.environ if environ is None else environ
    endpoint = env.get(ENV_ENDPOINT, "").strip()
    if not endpoint:
        return None
    endpoint = _absolute_http_url(endpoint, ENV_ENDPOINT)
    base_iri = env.get(ENV_BASE_IRI, "").strip()
    if not base_iri:
        raise XapiConfigError(f"{ENV_BASE_IRI} is required when {ENV_ENDPOINT} is set "
                              "(the root of this deployment's activity IDs, e.g. https://netral.example.go.id/xapi)")
    base_iri = _absolute_http_url(base_iri, ENV_BASE_IRI)
    flag = env.get(ENV_ACTOR_EMAIL, "0").strip().lower()
    if flag not in ("0", "1", "", "false", "true", "no", "yes"):
        raise XapiConfigError(f"{ENV_ACTOR_EMAIL} must be 0 or 1, not {flag!r}")
    home_page = env.get(ENV_HOME_PAGE, "").strip()
    if home_page:
        home_page = _absolute_http_url(home_page, ENV_HOME_PAGE)
    return XapiConfig(endpoint=endpoint, base_iri=base_iri, username=env.get(ENV_USERNAME, ""),
                      password=env.get(ENV_PASSWORD, ""), actor_by_email=flag in ("1", "true", "yes"),
                      home_page=home_page)


_configured: tuple[XapiConfig | None] | None = None


def configured() -> XapiConfig | None:
    """The process's xAPI settings (`config_from_env`, read once); None when off or misconfigured.

    A misconfiguration is logged, not raised: the app keeps working without xAPI.
    """
    global _configured
    if _configured is None:
        try:
            _configured = (config_from_env(),)
        except XapiConfigError as error:
            import logging

            logging.getLogger("netral.xapi").error("xAPI disabled: %s", error)
            _configured = (None,)
    return _configured[0]


# ---------------------------------------------------------------------------------------------------------------
# Statements


class Learner(Protocol):
    """What a statement needs of a user (a `UserView` or a `User` row both fit)."""

    id: int
    name: str
    email: str | None


class FinishedAttempt(Protocol):
    """What a statement needs of an attempt (an `AttemptView` fits)."""

    id: int
    quiz_id: str
    scenario_ids: tuple[str, ...]
    status: str
    started_at: datetime
    submitted_at: datetime | None
    pass_mark: float
    score: float | None
    passed: bool | None
    answers: Mapping[str, Mapping[str, list[str]]]


def _timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``, as xAPI requires (a time zone is mandatory)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime in an xAPI statement")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_duration(seconds: float) -> str:
    """An ISO 8601 duration with at most 0.01 s precision (xAPI 1.0.3, 4.1.5.1), e.g. ``PT12M30.5S``."""
    centis = max(0, round(seconds * 100))
    hours, rest = divmod(centis, 360_000)
    minutes, rest = divmod(rest, 6_000)
    whole, fraction = divmod(rest, 100)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if whole or fraction or text == "PT":
        text += f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") + "S"
    return text


def activity_id(base_iri: str, kind: str, item_id: str | int) -> str:
    """``<base>/<kind>/<id>``, the id percent-encoded (content ids are slugs, so usually unchanged)."""
    return f"{base_iri.rstrip('/')}/{kind}/{quote(str(item_id), safe='')}"


def statement_uuid(base_iri: str, attempt: FinishedAttempt, what: str) -> str:
    """The stable id of one statement about `attempt`: the same fact, the same id, however often it is built.

    The start time is part of the name, so a database rebuilt from scratch (attempt ids counted anew)
    does not reuse the ids of statements an LRS already holds.
    """
    name = f"{base_iri.rstrip('/')}/attempt/{attempt.id}/{_timestamp(attempt.started_at)}/{what}"
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _language_map(text: Any) -> dict[str, str]:
    """A content `Text` (Bahasa Indonesia and English) as an xAPI language map."""
    return {"id-ID": text.id, "en-US": text.en}


def actor(user: Learner, *, home_page: str, by_email: bool) -> dict[str, Any]:
    """An Agent: by account (``homePage`` + user id) unless `by_email` and the user has an email."""
    email = (getattr(user, "email", None) or "").strip()
    if by_email and email:
        return {"objectType": "Agent", "name": user.name, "mbox": f"mailto:{email}"}
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": str(user.id)}}


def _score(score: float) -> dict[str, Any]:
    scaled = round(min(1.0, max(0.0, float(score))), 4)
    return {"scaled": scaled, "raw": round(scaled * 100, 2), "min": 0, "max": 100}


def _response(choice: Mapping[str, list[str]]) -> str:
    """The chosen options as one string, facet by facet: ``provisions=a,b;verdict=ya``."""
    return ";".join(f"{facet}={','.join(sorted(picks))}" for facet, picks in sorted(choice.items()) if picks)


def statements_for_submission(content: Content, user: Learner, attempt_view: FinishedAttempt, base_iri: str,
                              actor_by_email: bool = False, *, home_page: str | None = None,
                              session_id: int | None = None, scenario_scores: Mapping[str, float] | None = None,
                              language: str = "id") -> list[dict[str, Any]]:
    """The xAPI statements of one submitted attempt: ``answered`` per answered case shown, then ``completed``
    and ``passed``/``failed`` for the quiz.

    `scenario_scores` are the per-case scores stored at submission; without them the stored answers are
    scored again (the same rules, the same result while the content is unchanged). A case the trainee was
    shown but did not answer scores 0 in the quiz and gets no ``answered`` statement. `session_id` puts the
    training session in ``context.contextActivities.grouping``. Raises ValueError for an unfinished attempt.
    """
    if attempt_view.status == "in_progress" or attempt_view.submitted_at is None or attempt_view.score is None:
        raise ValueError("only a submitted attempt is reported")
    base = base_iri.rstrip("/")
    account_home = home_page or f"{urlsplit(base).scheme}://{urlsplit(base).netloc}"
    who = actor(user, home_page=account_home, by_email=actor_by_email)
    when = _timestamp(attempt_view.submitted_at)
    quiz = content.quizzes.get(attempt_view.quiz_id)
    quiz_activity: dict[str, Any] = {"objectType": "Activity", "id": activity_id(base, "quiz", attempt_view.quiz_id),
                                     "definition": {"type": ACTIVITY_ASSESSMENT}}
    if quiz is not None:
        quiz_activity["definition"]["name"] = _language_map(quiz.title)
    session_activity = ({"objectType": "Activity", "id": activity_id(base, "session", session_id),
                         "definition": {"type": ACTIVITY_COURSE}} if session_id is not None else None)
    registration = str(uuid.uuid5(uuid.NAMESPACE_URL,
                                  f"{base}/attempt/{attempt_view.id}/{_timestamp(attempt_view.started_at)}"))

    def context(parent: dict[str, Any] | None) -> dict[str, Any]:
        activities: dict[str, list[dict[str, Any]]] = {}
        if parent is not None:
            activities["parent"] = [parent]
        if session_activity is not None and parent is not session_activity:
            activities["grouping"] = [session_activity]
        built: dict[str, Any] = {"registration": registration, "platform": PLATFORM,
                                 "language": LANGUAGE_TAGS.get(language, "id-ID")}
        if activities:
            built["contextActivities"] = activities
        return built

    def statement(what: str, verb: str, target: dict[str, Any], result: dict[str, Any],
                  parent: dict[str, Any] | None) -> dict[str, Any]:
        return {"id": statement_uuid(base, attempt_view, what), "actor": who,
                "verb": {"id": verb, "display": dict(VERB_DISPLAY[verb])}, "object": target, "result": result,
                "context": context(parent), "timestamp": when, "version": XAPI_VERSION}

    statements: list[dict[str, Any]] = []
    answers = attempt_view.answers
    for sid in question_sequence(content, tuple(attempt_view.scenario_ids), answers):
        choice = answers.get(sid)
        scenario = content.scenarios.get(sid)
        if not choice or scenario is None:
            continue
        score = scenario_scores.get(sid) if scenario_scores is not None else None
        if score is None:
            score = score_scenario(scenario, choice).score
        result: dict[str, Any] = {"score": _score(score), "success": score >= 1.0 - 1e-9, "completion": True}
        response = _response(choice)
        if response:
            result["response"] = response
        target = {"objectType": "Activity", "id": activity_id(base, "scenario", sid),
                  "definition": {"name": _language_map(scenario.title), "type": ACTIVITY_QUESTION}}
        statements.append(statement(f"answered/{sid}", VERB_ANSWERED, target, result, quiz_activity))

    passed = bool(attempt_view.passed)
    quiz_result = {"score": _score(attempt_view.score), "success": passed, "completion": True}
    taken = (attempt_view.submitted_at - attempt_view.started_at).total_seconds()
    statements.append(statement("completed", VERB_COMPLETED, quiz_activity,
                                {**quiz_result, "duration": iso_duration(taken)}, session_activity))
    statements.append(statement("passed" if passed else "failed", VERB_PASSED if passed else VERB_FAILED,
                                quiz_activity, dict(quiz_result), session_activity))
    return statements
