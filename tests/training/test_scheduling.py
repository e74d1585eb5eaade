"""The pure scheduling module: one review through fsrs, and the numpy bulk path equal to fsrs to 1e-9."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler, State
from hypothesis import given, settings
from hypothesis import strategies as st

from trellis.training import scheduling
from trellis.training.scheduling import CardState, Rating

NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


def _random_cards(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    stability = np.clip(rng.lognormal(1.0, 2.0, n), 0.001, 36500.0)
    # last reviews from 400 days ago to a few days in the future (clock skew: elapsed days floor at 0)
    offsets = rng.integers(-3 * scheduling.DAY_US, 400 * scheduling.DAY_US, n)
    return stability, scheduling.to_us(NOW) - offsets


def test_bulk_retrievability_equals_the_library_on_thousands_of_cards() -> None:
    scheduler = Scheduler()  # the library's own defaults: the parameters are the same as ours
    stability, last_us = _random_cards(5000, seed=7)
    bulk = scheduling.retrievability(stability, last_us, scheduling.to_us(NOW))
    reference = np.array(
        [
            scheduler.get_card_retrievability(
                FsrsCard(
                    card_id=i + 1,
                    state=State.Review,
                    stability=float(s),
                    difficulty=5.0,
                    last_review=scheduling.EPOCH + timedelta(microseconds=int(last)),
                ),
                current_datetime=NOW,
            )
            for i, (s, last) in enumerate(zip(stability, last_us, strict=True))
        ]
    )
    assert np.max(np.abs(bulk - reference)) < 1e-9
    assert bulk.min() > 0 and bulk.max() <= 1


@settings(max_examples=200, deadline=None)
@given(
    stability=st.floats(min_value=0.001, max_value=36500, allow_nan=False),
    seconds=st.integers(min_value=-5 * 86400, max_value=3000 * 86400),
)
def test_bulk_matches_the_library_at_any_elapsed_time(stability: float, seconds: int) -> None:
    last = NOW - timedelta(seconds=seconds)
    card = CardState(card_id=1, state=2, step=None, stability=stability, difficulty=5.0, due=NOW, last_review=last)
    bulk = scheduling.retrievability(np.array([stability]), np.array([scheduling.to_us(last)]), scheduling.to_us(NOW))
    assert abs(bulk[0] - scheduling.retrievability_of(card, now=NOW)) < 1e-9


def test_never_reviewed_cards_have_zero_recall_like_the_library() -> None:
    card = scheduling.initial_state(3, now=NOW)
    assert scheduling.retrievability_of(card, now=NOW) == 0
    bulk = scheduling.retrievability(np.array([np.nan]), np.array([0]), scheduling.to_us(NOW))
    assert bulk.tolist() == [0.0]


def test_bulk_due_dates_equal_the_schedulers_intervals() -> None:
    stability, last_us = _random_cards(3000, seed=11)
    reference = np.array([scheduling.SCHEDULER._next_interval(stability=float(s)) for s in stability])
    assert (scheduling.interval_days(stability) == reference).all()
    assert (scheduling.next_due_us(stability, last_us) == last_us + reference * scheduling.DAY_US).all()


def test_a_review_card_due_from_the_bulk_path_equals_the_review_result() -> None:
    card = scheduling.initial_state(5, now=NOW)
    for day in range(4):
        card = scheduling.review(card, Rating.Good, now=NOW + timedelta(days=day * 3))
    assert card.state == State.Review and card.stability is not None and card.last_review is not None
    due = scheduling.next_due_us(np.array([card.stability]), np.array([scheduling.to_us(card.last_review)]))
    assert int(due[0]) == scheduling.to_us(card.due)  # type: ignore[arg-type]


def test_right_answers_push_the_next_review_later_and_wrong_ones_sooner() -> None:
    card = scheduling.initial_state(9, now=NOW)
    card = scheduling.review(card, Rating.Good, now=NOW)
    card = scheduling.review(card, Rating.Good, now=NOW + timedelta(days=1))
    later = NOW + timedelta(days=5)
    right = scheduling.review(card, scheduling.rating_for_choice(choice=2, correct=2), now=later)
    wrong = scheduling.review(card, scheduling.rating_for_choice(choice=1, correct=2), now=later)
    assert right.due is not None and wrong.due is not None and card.due is not None
    assert right.due > card.due > wrong.due
    assert wrong.state == State.Relearning and right.stability > card.stability > wrong.stability  # type: ignore[operator]


def test_the_schedule_is_deterministic() -> None:
    def run() -> CardState:
        card = scheduling.initial_state(1, now=NOW)
        for day, grade in enumerate([3, 3, 1, 3, 3, 4, 3]):
            card = scheduling.review(card, grade, now=NOW + timedelta(days=day * 4))
        return card

    assert run() == run()


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="UTC"):
        scheduling.review(scheduling.initial_state(1, now=NOW), 3, now=datetime(2026, 1, 1))


def test_forecast_with_reinforcement_stays_above_the_curve_without() -> None:
    cards = []
    for i in range(3):
        card = scheduling.initial_state(i + 1, now=NOW - timedelta(days=30))
        for day in (0, 1, 4, 12):
            card = scheduling.review(card, Rating.Good, now=NOW - timedelta(days=30 - day))
        cards.append(card)
    fc = scheduling.forecast(cards, now=NOW, course_day=NOW - timedelta(days=30))
    assert len(fc.days) == 91 and fc.days[0] == 0
    assert all(w >= wo for w, wo in zip(fc.with_reinforcement, fc.without, strict=True))
    assert fc.without[0] > fc.without[-1]  # forgetting
    assert fc.with_reinforcement[-1] > 0.8
