"""Spaced repetition for reinforcement items: FSRS for one review, numpy for many cards at once.

Pure: no Django. Dataclasses in and out, time passed in (UTC-aware). One review goes through the ``fsrs``
package itself (``Scheduler.review_card``); the bulk path evaluates the same forgetting curve over arrays
of card state kept as database columns, and equals ``Scheduler.get_card_retrievability`` to 1e-9 (it uses the
same operations in the same order, so in practice bit for bit):

    R(t) = (1 + FACTOR · t / S) ** DECAY,  t = whole days since the last review (floored, never negative),
    DECAY = −w[20],  FACTOR = 0.9 ** (1 / DECAY) − 1.

Fuzzing is off, so a review history gives the same schedule every time (tests and demo data rely on it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import numpy as np
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

__all__ = [
    "DAY_US",
    "SCHEDULER",
    "CardState",
    "Rating",
    "State",
    "forecast",
    "initial_state",
    "interval_days",
    "next_due_us",
    "rating_for_choice",
    "retrievability",
    "review",
    "to_us",
]

SCHEDULER = Scheduler(enable_fuzzing=False)
DECAY: float = -SCHEDULER.parameters[20]
FACTOR: float = 0.9 ** (1 / DECAY) - 1
DAY_US = 86_400_000_000  # microseconds in a day: the bulk path works on integer epoch microseconds
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class CardState:
    """What the database keeps of one card (the columns of ``training.Card``)."""

    card_id: int
    state: int = int(State.Learning)
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() != timedelta(0):
        raise ValueError("times must be timezone-aware UTC")
    return moment.astimezone(UTC)


def initial_state(card_id: int, *, now: datetime) -> CardState:
    """A new card, due at once (the learner sees it in their next digest)."""
    return CardState(card_id=card_id, due=_utc(now))


def to_fsrs(card: CardState) -> FsrsCard:
    return FsrsCard(
        card_id=card.card_id,  # always pass an id: without one fsrs sleeps 1 ms per card
        state=State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def from_fsrs(card: FsrsCard) -> CardState:
    return CardState(
        card_id=card.card_id,
        state=int(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def rating_for_choice(*, choice: int, correct: int) -> Rating:
    """A question's grade: wrong → Again, right → Good."""
    return Rating.Good if choice == correct else Rating.Again


def review(card: CardState, rating: int, *, now: datetime) -> CardState:
    """One review with the ``fsrs`` scheduler; returns the card's new state (due, stability, …)."""
    reviewed, _log = SCHEDULER.review_card(to_fsrs(card), Rating(rating), review_datetime=_utc(now))
    return from_fsrs(reviewed)


def retrievability_of(card: CardState, *, now: datetime) -> float:
    """One card's predicted recall, by the library (the reference the bulk path is tested against)."""
    return float(SCHEDULER.get_card_retrievability(to_fsrs(card), current_datetime=_utc(now)))


# --- Bulk: numpy over columns --------------------------------------------------------------------------------
def to_us(moment: datetime) -> int:
    """Epoch microseconds of a UTC-aware time (exact integer arithmetic, unlike ``timestamp()``)."""
    delta = _utc(moment) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def elapsed_days(last_review_us: np.ndarray, now_us: int) -> np.ndarray:
    """Whole days since the last review, floored like ``timedelta.days`` and never negative."""
    days = np.floor_divide(now_us - np.asarray(last_review_us, dtype=np.int64), DAY_US)
    return np.maximum(days, 0, out=days)


def retrievability(
    stability: np.ndarray, last_review_us: np.ndarray, now_us: int, *, reviewed: np.ndarray | None = None
) -> np.ndarray:
    """Predicted recall of many cards at ``now_us``; 0 for cards never reviewed (as the library says).

    ``stability`` float64 (NaN where never reviewed), ``last_review_us`` int64 epoch microseconds. The same
    operations in the same order as the library: ``(1 + FACTOR * t / S) ** DECAY``, computed in place.
    """
    stability = np.asarray(stability, dtype=np.float64)
    if reviewed is None:
        reviewed = ~np.isnan(stability)
    every = bool(reviewed.all())
    r = elapsed_days(last_review_us, now_us).astype(np.float64)
    r *= FACTOR
    r /= stability if every else np.where(reviewed, stability, 1.0)
    r += 1
    np.power(r, DECAY, out=r)
    return r if every else np.where(reviewed, r, 0.0)


def curve(stability: float | np.ndarray, days: np.ndarray) -> np.ndarray:
    """The forgetting curve of stabilities over whole days (broadcasts)."""
    return np.power(1 + FACTOR * np.asarray(days, dtype=np.float64) / stability, DECAY)


def interval_days(stability: np.ndarray) -> np.ndarray:
    """The interval a Review-state card gets for its stability (``Scheduler._next_interval``, in bulk)."""
    raw = np.asarray(stability, dtype=np.float64) / FACTOR
    raw *= SCHEDULER.desired_retention ** (1 / DECAY) - 1
    np.rint(raw, out=raw)  # round half to even, like Python's round()
    np.clip(raw, 1, SCHEDULER.maximum_interval, out=raw)
    return raw.astype(np.int64)


def next_due_us(stability: np.ndarray, last_review_us: np.ndarray) -> np.ndarray:
    """When recall falls to the desired retention: last review + the scheduler's interval (epoch µs)."""
    due = interval_days(stability)
    due *= DAY_US
    due += np.asarray(last_review_us, dtype=np.int64)
    return due


def due_mask(due_us: np.ndarray, now_us: int, *, paused: np.ndarray, retired: np.ndarray) -> np.ndarray:
    return (np.asarray(due_us) <= now_us) & ~np.asarray(paused, dtype=bool) & ~np.asarray(retired, dtype=bool)


# --- Forecast for the retention chart --------------------------------------------------------------------------
@dataclass(frozen=True)
class Forecast:
    days: list[int]
    with_reinforcement: list[float]  # mean predicted recall if the learner keeps answering (rated Good)
    without: list[float]  # mean recall had nothing happened after the course (one Good review on the day)


def forecast(cards: list[CardState], *, now: datetime, course_day: datetime, horizon: int = 90) -> Forecast:
    """Mean predicted recall of the cards each day from today to ``horizon`` days ahead, two ways."""
    now = _utc(now)
    days = list(range(horizon + 1))
    if not cards:
        return Forecast(days, [0.0] * len(days), [0.0] * len(days))
    totals = np.zeros(len(days))
    for card in cards:
        current = card
        for i, day in enumerate(days):
            moment = now + timedelta(days=day)
            if current.due is not None and current.due <= moment:
                current = review(current, Rating.Good, now=max(moment, current.last_review or moment))
            totals[i] += retrievability_of(current, now=moment) if current.last_review else 0.0
    with_r = totals / len(cards)
    first = review(initial_state(0, now=_utc(course_day)), Rating.Good, now=_utc(course_day))
    assert first.stability is not None
    since = (now - _utc(course_day)).days
    without = curve(first.stability, np.array([max(0, since + d) for d in days]))
    return Forecast(days, [float(x) for x in with_r], [float(x) for x in without])


def with_state(card: CardState, **changes: object) -> CardState:
    return replace(card, **changes)  # type: ignore[arg-type]
