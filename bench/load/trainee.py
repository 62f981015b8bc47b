"""One simulated trainee: open the quiz page, start a quiz, answer question by question, submit.

Every step is what the browser sends for the same clicks (see stclient.py); the page texts are the
Indonesian ones, the app's default language.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.load.stclient import ProtocolError, StreamlitSession, state_for

SAVE_NEXT = "Simpan & berikutnya"
SUBMIT = "Kumpulkan kuis"
PROGRESS = re.compile(r"(\d+) dari (\d+) soal sudah dijawab")


@dataclass
class TraineeResult:
    user: str
    server: str
    page_load: float | None = None  # opening the quiz page (s)
    start: float | None = None  # "Mulai" to the first question (s)
    saves: list[float] = field(default_factory=list)  # each "Simpan & berikutnya" to the next question (s)
    save_ended: list[float] = field(default_factory=list)  # time.monotonic() when each save finished
    submit: float | None = None  # "Kumpulkan kuis" to the result page (s)
    answered: int = 0
    total: int = 0
    attempt_query: str = ""
    errors: list[str] = field(default_factory=list)
    finished: bool = False
    started_at: float = 0.0
    ended_at: float = 0.0


def progress(session: StreamlitSession) -> tuple[int, int]:
    match = PROGRESS.search(session.page.progress)
    if not match:
        raise ProtocolError(f"no quiz progress on screen (errors={session.page.errors}, "
                            f"exceptions={[e[:300] for e in session.page.exceptions]})")
    return int(match.group(1)), int(match.group(2))


def _check(session: StreamlitSession, result: TraineeResult, step: str) -> None:
    for text in session.page.exceptions:
        result.errors.append(f"{step}: exception shown: {text[:300]}")
    for text in session.page.errors:
        result.errors.append(f"{step}: error shown: {text[:300]}")


async def answer_question(session: StreamlitSession, rng: random.Random) -> float:
    """Pick an option for every question of the form on screen and press "Simpan & berikutnya"."""
    page = session.page
    values: dict = {}
    groups: dict[str, list] = {}
    for widget in page.find(form_prefix="quiz_"):
        if widget.kind == "radio":
            values[widget] = rng.choice(widget.options)
        elif widget.kind == "checkbox" and "__" in widget.key:
            groups.setdefault(widget.key.rsplit("__", 1)[0], []).append(widget)
    # A question with several answers is a group of checkboxes keyed "<question>__<option>": tick one.
    for boxes in groups.values():
        values[rng.choice(boxes)] = True
    if not values:
        raise ProtocolError("no answer widgets in the quiz form")
    return await session.submit_form(page.one(kind="button", label=SAVE_NEXT, form_prefix="quiz_"), values)


async def go_to_unanswered(session: StreamlitSession) -> float:
    """Use the "Ke soal" list to jump to the first question not yet answered (marked ○)."""
    jump = session.page.one(kind="selectbox", key_prefix="jump_")
    target = next(option for option in jump.options if option.endswith("○"))
    return await session.run(set_values={jump.id: state_for(jump, target)})


async def take_quiz(base_url: str, cookie: str, start_key: str, *, user: str, think: Callable[[], float],
                    rng: random.Random, timeout: float = 120.0, stop_at: float | None = None) -> TraineeResult:
    """The whole quiz as one trainee; errors are recorded in the result, never raised.

    `think()` gives the seconds spent reading before each answer (and before the first start); `stop_at` is
    a `time.monotonic()` after which no new question is answered (the run's time bound).
    """
    result = TraineeResult(user=user, server=base_url, started_at=time.monotonic())
    session = StreamlitSession(base_url, cookies={"netral_session": cookie}, timeout=timeout)
    try:
        await session.connect()
        result.page_load = await session.open("kuis")
        if not session.page.find(kind="button", key=start_key):
            # The first session of a freshly started server that asks for a page URL is sent through app.py
            # to the home page (the first-request hazard in the reference notes): open the quiz page again,
            # as the trainee would with the navigation link.
            result.page_load += await session.open("kuis")
        _check(session, result, "open")
        await asyncio.sleep(think())
        result.start = await session.click(session.page.one(kind="button", key=start_key))
        _check(session, result, "start")
        result.attempt_query = session.query_string
        answered, total = progress(session)
        steps = 0
        while answered < total:
            if stop_at is not None and time.monotonic() > stop_at:
                result.errors.append("time bound reached before the quiz was finished")
                break
            steps += 1
            if steps > 3 * total + 5:
                raise ProtocolError(f"no progress after {steps} steps ({answered}/{total})")
            await asyncio.sleep(think())
            before = answered
            latency = await answer_question(session, rng)
            result.saves.append(latency)
            result.save_ended.append(time.monotonic())
            _check(session, result, f"save {steps}")
            answered, total = progress(session)
            if answered == before and answered < total:
                # The current question was answered already (the last one, say): jump to an open one.
                await go_to_unanswered(session)
        result.answered, result.total = answered, total
        if answered == total:
            await asyncio.sleep(think())
            page = session.page
            confirm = page.one(kind="checkbox", form_prefix="submit_")
            send = page.one(kind="button", label=SUBMIT, form_prefix="submit_")
            result.submit = await session.submit_form(send, {confirm: True})
            _check(session, result, "submit")
            if any(w.kind == "button" and w.label == SUBMIT for w in session.page.widgets):
                result.errors.append("still on the quiz page after submitting")
            else:
                result.finished = True
    except (ProtocolError, OSError, asyncio.TimeoutError) as exc:
        result.errors.append(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - a load run reports every failure and goes on
        result.errors.append(f"unexpected {type(exc).__name__}: {exc}")
    finally:
        await session.close()
        result.ended_at = time.monotonic()
    return result
