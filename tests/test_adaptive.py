"""Latihan cerdas: due reviews come back on the FSRS schedule, weak and frequent categories are preferred,
and every list is a deterministic set of distinct standalone scenarios."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card, Rating
from hypothesis import given, settings
from hypothesis import strategies as st

from netral.adaptive import (
    FREQUENCY_FLOOR,
    MIN_WEAKNESS,
    PICK_REASONS,
    Mastery,
    Pick,
    PracticeRecord,
    category_mastery,
    category_weights,
    choose_next,
    frequency_shares,
    replay_cards,
    review_rating,
)
from netral.content import Content, load_content
from netral.i18n import t
from tests.contentkit import fresh_tree, scenario, text, write_tree

SHIPPED, _ = load_content()
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def _build(root: Path, categories: dict[str, int | None], per_category: int = 6,
           followups: int = 0) -> Content:
    """A content tree with `per_category` standalone scenarios (`<cat>-01`...) and `followups` follow-up-only
    ones (`<cat>-f1`...) in each category; the int is the category's Table 2.1 count (None: not in the table)."""
    tree = fresh_tree()
    del tree["scenarios/kat-a.yaml"]
    tree["categories.yaml"]["categories"] = [
        {"id": cid, "name": text(cid), "description": text(f"desc {cid}"),
         "table_2_1": None if count is None else {"label": f"Baris {cid}", "count": count},
         "provisions": ["p-larangan"], "binds": None}
        for cid, count in categories.items()
    ]
    for cid in categories:
        items = [scenario(f"{cid}-{n:02d}", category=cid, lawful=n % 4 == 0) for n in range(1, per_category + 1)]
        items += [scenario(f"{cid}-f{n}", category=cid, followup_only=True) for n in range(1, followups + 1)]
        tree[f"scenarios/{cid}.yaml"] = {"scenarios": items}
    content, problems = load_content(write_tree(root, tree))
    assert problems == []
    return content


def _record(sid: str, score: float, at: datetime) -> PracticeRecord:
    return PracticeRecord(scenario_id=sid, score=score, at=at)


def _ids(picks: list[Pick]) -> list[str]:
    return [pick.scenario_id for pick in picks]


# --- ratings and the replayed FSRS state -------------------------------------------------------------


@pytest.mark.parametrize("score, rating", [
    (0.0, Rating.Again), (0.49, Rating.Again), (0.5, Rating.Hard), (0.79, Rating.Hard),
    (0.8, Rating.Good), (0.99, Rating.Good), (1.0, Rating.Easy), (1.0 - 1e-12, Rating.Easy),
])
def test_review_rating_boundaries(score: float, rating: Rating) -> None:
    assert review_rating(score) is rating


@pytest.mark.parametrize("score", [-0.1, 1.01, float("nan")])
def test_scores_outside_zero_to_one_are_refused(score: float) -> None:
    with pytest.raises(ValueError):
        review_rating(score)
    with pytest.raises(ValueError):
        _record("x", score, T0)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        _record("x", 1.0, datetime(2026, 11, 2, 8, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        choose_next(SHIPPED, [], datetime(2026, 11, 2, 8, 0), seed=1)


def test_replay_is_deterministic_ordered_by_time_and_survives_a_round_trip() -> None:
    wib = timezone(timedelta(hours=7))
    history = [_record("a", 0.2, T0), _record("b", 1.0, T0 + timedelta(hours=1)),
               _record("a", 0.9, (T0 + 2 * DAY).astimezone(wib))]
    cards = replay_cards(history)
    assert cards.keys() == {"a", "b"}
    again = replay_cards(list(reversed(history)))  # stored order does not matter, only the times
    assert {k: c.to_dict() for k, c in cards.items()} == {k: c.to_dict() for k, c in again.items()}
    assert Card.from_dict(cards["a"].to_dict()).to_dict() == cards["a"].to_dict()
    assert cards["b"].due - cards["b"].last_review > 2 * DAY  # Easy: a long first interval
    assert cards["a"].last_review == T0 + 2 * DAY


# --- due reviews ---------------------------------------------------------------------------------------


def test_empty_history_on_the_shipped_content() -> None:
    picks = choose_next(SHIPPED, [], T0, seed=3)
    assert len(picks) == 5 and len(set(_ids(picks))) == 5
    assert {pick.reason for pick in picks} == {"new"}
    assert all(not SHIPPED.scenarios[sid].followup_only for sid in _ids(picks))
    assert choose_next(SHIPPED, [], T0, count=0, seed=3) == []


def test_a_missed_scenario_comes_back_after_its_interval_and_not_before(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 10, "kat-b": 10}, per_category=3)
    history = [_record("kat-a-01", 0.2, T0)]
    due = replay_cards(history)["kat-a-01"].due
    assert due == T0 + DAY  # a miss (Again) comes back after one day

    for hours in (0, 1, 12, 23):
        for seed in range(20):
            picks = choose_next(content, history, T0 + timedelta(hours=hours), count=10, seed=seed)
            assert "kat-a-01" not in _ids(picks)
            assert len(picks) == 5  # every other standalone scenario

    for later in (due, due + timedelta(days=3)):
        for seed in range(20):
            assert choose_next(content, history, later, count=3, seed=seed)[0] == Pick("kat-a-01", "due_review")

    # Reviewed well once it came back: the next interval is longer, and it rests until then.
    history.append(_record("kat-a-01", 0.9, due))
    next_due = replay_cards(history)["kat-a-01"].due
    assert next_due - due > DAY
    assert "kat-a-01" not in _ids(choose_next(content, history, next_due - timedelta(minutes=1), count=10, seed=1))
    assert choose_next(content, history, next_due, count=1, seed=1) == [Pick("kat-a-01", "due_review")]


def test_due_reviews_come_most_overdue_first_and_fill_at_most_count(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 10, "kat-b": 10})
    history = [_record("kat-b-02", 0.6, T0 + timedelta(hours=5)),  # Hard: missed too, due a day later
               _record("kat-a-03", 0.0, T0), _record("kat-a-01", 1.0, T0 - 20 * DAY)]
    now = T0 + 10 * DAY
    assert choose_next(content, history, now, count=1, seed=0) == [Pick("kat-a-03", "due_review")]
    picks = choose_next(content, history, now, count=4, seed=0)
    assert picks[:2] == [Pick("kat-a-03", "due_review"), Pick("kat-b-02", "due_review")]
    # kat-a-01 was answered perfectly: once due it is ordinary practice, never a due review.
    assert all(p.reason != "due_review" for p in picks[2:])


def test_a_scenario_answered_perfectly_rests_then_returns_only_after_unseen_ones(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 10}, per_category=3)
    history = [_record("kat-a-01", 1.0, T0)]
    due = replay_cards(history)["kat-a-01"].due
    assert _ids(choose_next(content, history, due - timedelta(seconds=1), count=5, seed=2)) \
        in (["kat-a-02", "kat-a-03"], ["kat-a-03", "kat-a-02"])
    picks = choose_next(content, history, due, count=5, seed=2)
    assert picks[-1] == Pick("kat-a-01", "weak_category")
    assert {p.reason for p in picks} == {"weak_category"}  # the category has been practised


def test_a_missed_follow_up_is_never_picked_directly(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 10, "kat-b": 3}, per_category=2, followups=2)
    history = [_record("kat-a-f1", 0.0, T0)]
    for seed in range(50):
        picks = choose_next(content, history, T0 + 30 * DAY, count=50, seed=seed)
        assert sorted(_ids(picks)) == sorted(s.id for s in content.standalone_scenarios())
        assert all(not content.scenarios[sid].followup_only for sid in _ids(picks))


# --- category weighting --------------------------------------------------------------------------------


def test_mastery_values(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 10, "kat-b": 10, "kat-c": None}, followups=1)
    history = [_record("kat-a-01", 1.0, T0), _record("kat-a-02", 0.5, T0), _record("kat-a-f1", 0.0, T0),
               _record("kat-b-01", 0.25, T0), _record("removed-scenario", 0.0, T0)]
    assert category_mastery(history, content) == {
        "kat-a": Mastery(3, 0.5), "kat-b": Mastery(1, 0.25), "kat-c": Mastery(0, None)}
    assert Mastery(0, None).weakness == 1.0 and Mastery(2, 0.75).weakness == 0.25
    assert set(category_mastery([], SHIPPED)) == set(SHIPPED.categories)


def test_weights_multiply_weakness_and_real_frequency(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 30, "kat-b": 10, "kat-c": None})
    assert frequency_shares(content) == {"kat-a": 0.75, "kat-b": 0.25, "kat-c": FREQUENCY_FLOOR}
    history = [_record("kat-a-01", 0.6, T0), _record("kat-b-01", 1.0, T0)]
    weights = category_weights(content, history)
    assert weights["kat-a"] == pytest.approx(0.4 * 0.75)
    assert weights["kat-b"] == pytest.approx(MIN_WEAKNESS * 0.25)  # mastered, but not dropped for good
    assert weights["kat-c"] == pytest.approx(1.0 * FREQUENCY_FLOOR)


def test_shipped_weights_follow_table_2_1_when_nothing_is_practised() -> None:
    weights = category_weights(SHIPPED, [])
    in_table = sorted((c for c in SHIPPED.categories.values() if c.table_2_1), key=lambda c: -c.table_2_1.count)
    assert max(weights, key=weights.get) == "media-sosial"
    ordered = [weights[c.id] for c in in_table]
    assert ordered == sorted(ordered, reverse=True)
    assert all(weights[cid] == FREQUENCY_FLOOR for cid, c in SHIPPED.categories.items() if c.table_2_1 is None)


def _share_of_first_picks(content: Content, history: list[PracticeRecord], now: datetime,
                          runs: int) -> Counter[str]:
    return Counter(content.scenarios[choose_next(content, history, now, count=1, seed=seed)[0].scenario_id].category
                   for seed in range(runs))


def test_the_weaker_category_is_chosen_more_often(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 10, "kat-b": 10}, per_category=8)
    history = [_record("kat-a-01", 1.0, T0), _record("kat-a-02", 0.8, T0),   # mean 0.9: weakness 0.1
               _record("kat-b-01", 0.3, T0), _record("kat-b-02", 0.3, T0)]   # mean 0.3: weakness 0.7
    drawn = _share_of_first_picks(content, history, T0 + timedelta(hours=1), runs=2000)
    share_b = drawn["kat-b"] / 2000
    assert 0.83 < share_b < 0.92  # expected 0.7 / 0.8 = 0.875


def test_of_two_equally_weak_categories_the_more_frequent_is_chosen_more_often(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 30, "kat-b": 10, "kat-c": None}, per_category=4)
    drawn = _share_of_first_picks(content, [], T0, runs=3000)
    share_a = drawn["kat-a"] / (drawn["kat-a"] + drawn["kat-b"])
    assert 0.71 < share_a < 0.79  # expected 30 / 40 = 0.75
    assert 0 < drawn["kat-c"] < 3000 * 0.05  # the floor: rare, but never shut out (expected about 2%)


def test_unseen_scenarios_of_a_category_come_before_seen_ones(tmp_path: Path) -> None:
    content = _build(tmp_path, {"kat-a": 10}, per_category=4)
    history = [_record("kat-a-01", 1.0, T0 - 60 * DAY), _record("kat-a-02", 0.9, T0 - 50 * DAY)]
    for seed in range(20):
        ids = _ids(choose_next(content, history, T0, count=4, seed=seed))
        assert sorted(ids[:2]) == ["kat-a-03", "kat-a-04"]
        assert ids[2:] == ["kat-a-01", "kat-a-02"]  # both due again; the one seen longest ago first


# --- whole lists -------------------------------------------------------------------------------------------


def test_same_seed_same_list_and_seeds_differ() -> None:
    history = [_record("media-sosial-01", 0.3, T0 - 3 * DAY), _record("pendekatan-parpol-01", 1.0, T0 - DAY)]
    first = choose_next(SHIPPED, history, T0, count=6, seed=42)
    assert first == choose_next(SHIPPED, list(history), T0, count=6, seed=42)
    assert first[0] == Pick("media-sosial-01", "due_review")
    assert len({tuple(_ids(choose_next(SHIPPED, history, T0, count=6, seed=s))) for s in range(20)}) > 1


def test_a_large_count_returns_every_available_scenario_once() -> None:
    picks = choose_next(SHIPPED, [], T0, count=1000, seed=5)
    assert sorted(_ids(picks)) == [s.id for s in SHIPPED.standalone_scenarios()]


ALL_IDS = sorted(SHIPPED.scenarios)
records = st.builds(
    PracticeRecord,
    scenario_id=st.sampled_from(ALL_IDS + ["no-longer-in-content"]),
    score=st.sampled_from([0.0, 0.3, 0.5, 0.7, 0.8, 0.95, 1.0]) | st.floats(0.0, 1.0),
    at=st.integers(-90 * 24, 0).map(lambda hours: T0 + timedelta(hours=hours)),
)


@settings(max_examples=150, deadline=None)
@given(history=st.lists(records, max_size=40), count=st.integers(0, 15), seed=st.integers(0, 2**32))
def test_picks_are_always_distinct_standalone_scenarios_due_reviews_first(
        history: list[PracticeRecord], count: int, seed: int) -> None:
    picks = choose_next(SHIPPED, history, T0, count=count, seed=seed)
    ids = _ids(picks)
    assert len(ids) == len(set(ids)) <= count
    assert all(sid in SHIPPED.scenarios and not SHIPPED.scenarios[sid].followup_only for sid in ids)
    assert all(pick.reason in PICK_REASONS for pick in picks)
    reasons = [pick.reason for pick in picks]
    assert reasons == sorted(reasons, key=lambda reason: reason != "due_review")  # due reviews lead
    cards = replay_cards(history)
    resting = {sid for sid, card in cards.items() if card.due > T0}
    assert not resting & set(ids)
    for pick in picks:
        if pick.reason == "due_review":
            assert any(r.scenario_id == pick.scenario_id and review_rating(r.score) in (Rating.Again, Rating.Hard)
                       for r in history)
    if len(ids) < count:  # a short list only when nothing else may be offered
        assert {s.id for s in SHIPPED.standalone_scenarios()} <= set(ids) | resting
    assert picks == choose_next(SHIPPED, history, T0, count=count, seed=seed)


def test_every_pick_reason_has_a_message_in_both_languages() -> None:
    for reason in PICK_REASONS:
        key = "adaptive.reason." + reason
        indonesian, english = t("id", key, category="Media sosial"), t("en", key, category="Social media")
        assert "Media sosial" in indonesian and "Social media" in english and key not in (indonesian, english)
