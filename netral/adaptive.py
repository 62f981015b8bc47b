"""Latihan cerdas (adaptive practice): which scenarios a trainee should practise next, and why.

Pure and deterministic: the answer depends only on the content, the trainee's practice history, the time
and a seed. The store keeps only the history (one `PracticeRecord` per answer); everything else, the FSRS
state of every scenario included, is rebuilt from it by `replay_cards`, so there is no second source of
truth to drift out of step.

How `choose_next` fills the list, in order:

1. **Due reviews** (``due_review``). A scenario the trainee has *missed* at least once (an answer rated Again
   or Hard, i.e. a score below 0.8) is scheduled by FSRS (the `fsrs` package, py-fsrs). Once its due date has
   passed it comes back, the most overdue first.
2. **Weighted categories** (``weak_category``, or ``new`` for a category the trainee has never practised).
   Each further slot draws a category with weight

       weakness × real-world frequency
       weakness  = 1 − mean score in the category (1 for a category never practised), at least `MIN_WEAKNESS`
       frequency = the category's share of Table 2.1 (Pilkada 2020, Bawaslu; `Category.table_2_1.count`
                   over the table's total), at least `FREQUENCY_FLOOR`

   and then, inside that category, a scenario the trainee has not seen yet (at random), else the one seen
   longest ago whose FSRS interval has passed.

Never offered: follow-up-only scenarios (they are reached through a branching choice), the same scenario
twice in one list, and a scenario that is *resting* (answered before and its FSRS due date still ahead), so a
missed scenario comes back after its interval and not before. When every standalone scenario is resting or
already picked, the list is shorter than `count`.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal

from fsrs import Card, Rating, Scheduler

from netral.content.loader import Content

PickReason = Literal["due_review", "weak_category", "new"]
PICK_REASONS: tuple[PickReason, ...] = ("due_review", "weak_category", "new")
"""Every reason a pick can carry; the message key of each is ``adaptive.reason.<reason>``."""

FREQUENCY_FLOOR = 0.02
"""Smallest frequency share a category is given (about 7 of Table 2.1's 366 cases).

Categories outside Table 2.1 (state facilities, favouring decisions, partisan photos, party membership) and
the rare rows (1 or 2 cases) would otherwise almost never be practised, yet they carry some of the heaviest
sanctions. The floor keeps the table's order but lets the tail come up now and then.
"""

MIN_WEAKNESS = 0.05
"""Smallest weakness a category is given, so a fully mastered category still comes up now and then and the
weights are never all zero."""

MISSED_RATINGS = frozenset({Rating.Again, Rating.Hard})
"""Ratings that count as a miss: a scenario with at least one is brought back on the FSRS schedule."""

# Ratings by score (see `review_rating`): the lower bound of each rating above Again.
HARD_FROM = 0.5
GOOD_FROM = 0.8
_EASY_TOLERANCE = 1e-9  # a weighted mean of full credits may land a hair below 1.0 in floating point

# No minute-long learning steps (py-fsrs' default is 1 and 10 minutes, made for flash cards): a case study
# shown again ten minutes later tests the memory of the feedback just read, not understanding. Without steps
# every answer gets an FSRS interval in whole days (a miss: 1 day). Fuzzing is off because it draws from the
# global random generator, and the schedule must be rebuilt identically from the history.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


@dataclass(frozen=True)
class PracticeRecord:
    """One practice answer: which scenario, its score (0..1, from `netral.scoring`) and when (timezone-aware)."""

    scenario_id: str
    score: float
    at: datetime

    def __post_init__(self) -> None:
        _check_score(self.score)
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            # A naive time is ambiguous (WIB is UTC+7); guessing would shift the schedule by hours.
            raise ValueError(f"PracticeRecord.at must be timezone-aware, got {self.at!r}")


@dataclass(frozen=True)
class Mastery:
    """How well a trainee does in one category: the number of answers and their mean score (None if none)."""

    attempts: int
    mean_score: float | None

    @property
    def weakness(self) -> float:
        """1 − mean score; a category never practised counts as fully weak (1.0)."""
        return 1.0 if self.mean_score is None else 1.0 - self.mean_score


@dataclass(frozen=True)
class Pick:
    """One scenario to practise next and why it was chosen (message key ``adaptive.reason.<reason>``)."""

    scenario_id: str
    reason: PickReason


def _check_score(score: float) -> None:
    if not (isinstance(score, (int, float)) and not isinstance(score, bool)) or math.isnan(score) \
            or not 0.0 <= score <= 1.0:
        raise ValueError(f"a practice score lies in 0..1, got {score!r}")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got {moment!r}")
    return moment.astimezone(timezone.utc)


def review_rating(score: float) -> Rating:
    """The FSRS rating of a practice answer with this score.

    ======================  ======  ==================================================================
    score                   rating  meaning
    ======================  ======  ==================================================================
    below 0.5               Again   the judgement was wrong (usually the verdict and what follows from it)
    0.5 up to below 0.8     Hard    the verdict was right, but provisions, kind or sanction largely wrong
    0.8 up to below 1.0     Good    a detail missed
    1.0                     Easy    every facet right
    ======================  ======  ==================================================================

    Again and Hard count as a miss (`MISSED_RATINGS`). Raises ValueError outside 0..1.
    """
    _check_score(score)
    if score < HARD_FROM:
        return Rating.Again
    if score < GOOD_FROM:
        return Rating.Hard
    if score < 1.0 - _EASY_TOLERANCE:
        return Rating.Good
    return Rating.Easy


def _chronological(history: Iterable[PracticeRecord]) -> list[PracticeRecord]:
    # sorted() is stable: answers given at the same instant keep the order they were stored in.
    return sorted(history, key=lambda record: _utc(record.at))


def _card_id(scenario_id: str) -> int:
    # py-fsrs defaults the id to the current time in ms (and sleeps 1 ms); a stable id keeps replays equal.
    return zlib.crc32(scenario_id.encode("utf-8"))


def replay_cards(history: Sequence[PracticeRecord]) -> dict[str, Card]:
    """The FSRS card of every scenario in `history`, from replaying its answers in time order.

    Deterministic: the same history always gives equal cards (stable card ids, no fuzzing), so only the
    history needs storing. A card's `due` is when the scenario should come back.
    """
    cards: dict[str, Card] = {}
    for record in _chronological(history):
        at = _utc(record.at)
        card = cards.get(record.scenario_id) or Card(card_id=_card_id(record.scenario_id), due=at)
        cards[record.scenario_id], _ = SCHEDULER.review_card(card, review_rating(record.score), at)
    return cards


def missed_scenarios(history: Iterable[PracticeRecord]) -> set[str]:
    """Ids of scenarios with at least one answer rated Again or Hard: the ones brought back for review."""
    return {record.scenario_id for record in history if review_rating(record.score) in MISSED_RATINGS}


def category_mastery(history: Sequence[PracticeRecord], content: Content) -> dict[str, Mastery]:
    """Every category of `content` with the trainee's number of answers and mean score in it.

    Answers to follow-up scenarios count for their category too. Answers to scenarios no longer in the
    content are ignored (their category cannot be known). A category never practised has
    ``Mastery(0, None)``.
    """
    scores: dict[str, list[float]] = {category_id: [] for category_id in content.categories}
    for record in history:
        scenario = content.scenarios.get(record.scenario_id)
        if scenario is not None:
            scores.setdefault(scenario.category, []).append(record.score)
    return {
        category_id: Mastery(len(values), sum(values) / len(values) if values else None)
        for category_id, values in scores.items()
    }


def frequency_shares(content: Content) -> dict[str, float]:
    """Each category's share of the Table 2.1 cases, floored at `FREQUENCY_FLOOR`.

    Categories without a Table 2.1 row, and those named only by scenarios, get the floor.
    """
    counts = {
        category_id: category.table_2_1.count
        for category_id, category in content.categories.items()
        if category.table_2_1 is not None
    }
    total = sum(counts.values())
    category_ids = set(content.categories) | {scenario.category for scenario in content.scenarios.values()}
    return {
        category_id: max(counts.get(category_id, 0) / total if total else 0.0, FREQUENCY_FLOOR)
        for category_id in sorted(category_ids)
    }


def category_weights(content: Content, history: Sequence[PracticeRecord]) -> dict[str, float]:
    """The draw weight of every category: weakness (at least `MIN_WEAKNESS`) × frequency share."""
    mastery = category_mastery(history, content)
    return {
        category_id: max(mastery.get(category_id, Mastery(0, None)).weakness, MIN_WEAKNESS) * share
        for category_id, share in frequency_shares(content).items()
    }


def choose_next(
    content: Content,
    history: Sequence[PracticeRecord],
    now: datetime,
    *,
    count: int = 5,
    seed: int,
) -> list[Pick]:
    """Up to `count` distinct standalone scenarios to practise next, due reviews first (see the module doc).

    Deterministic for the same content, history, `now` and `seed`; `now` must be timezone-aware.
    """
    if count < 0:
        raise ValueError(f"count must be at least 0, got {count}")
    now = _utc(now)
    rng = random.Random(seed)
    cards = replay_cards(history)
    missed = missed_scenarios(history)
    standalone = {scenario.id: scenario for scenario in content.standalone_scenarios()}

    due_reviews = sorted(
        (cards[sid].due, sid) for sid in cards if sid in standalone and sid in missed and cards[sid].due <= now
    )
    picks = [Pick(sid, "due_review") for _, sid in due_reviews[:count]]
    picked = {pick.scenario_id for pick in picks}

    last_seen: dict[str, datetime] = {}
    for record in history:
        at = _utc(record.at)
        last_seen[record.scenario_id] = max(at, last_seen.get(record.scenario_id, at))
    # Per category: the unseen scenarios, and the seen ones whose interval has passed (a resting one waits).
    unseen: dict[str, list[str]] = {}
    seen_due: dict[str, list[str]] = {}
    for sid, scenario in sorted(standalone.items()):
        if sid in picked:
            continue
        if sid not in cards:
            unseen.setdefault(scenario.category, []).append(sid)
        elif cards[sid].due <= now:
            seen_due.setdefault(scenario.category, []).append(sid)
    for ids in seen_due.values():
        ids.sort(key=lambda sid: (last_seen[sid], sid))  # the one seen longest ago first

    weights = category_weights(content, history)
    mastery = category_mastery(history, content)
    while len(picks) < count:
        open_categories = sorted(set(unseen) | set(seen_due))
        if not open_categories:
            break
        category_id = rng.choices(open_categories, weights=[weights[c] for c in open_categories])[0]
        if unseen.get(category_id):
            pool = unseen[category_id]
            sid = pool.pop(rng.randrange(len(pool)))
        else:
            sid = seen_due[category_id].pop(0)
        for lists in (unseen, seen_due):
            if category_id in lists and not lists[category_id]:
                del lists[category_id]
        practised = mastery.get(category_id, Mastery(0, None)).attempts > 0
        picks.append(Pick(sid, "weak_category" if practised else "new"))
    return picks

