"""Spaced follow-ups on a leader's open commitments (pure: no Django).

A commitment is followed up 2, 7, 21 and 42 days after the leader made it theirs — expanding intervals, like
spaced retrieval — and once on its due date. Only the latest step that has come is sent, so a missed tick
never produces a burst of reminders.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

STEPS_DAYS = (2, 7, 21, 42)


def latest_step(accepted_at: datetime, now: datetime) -> int | None:
    """The index of the latest follow-up step that has come, or None before the first."""
    passed = [i for i, days in enumerate(STEPS_DAYS) if accepted_at + timedelta(days=days) <= now]
    return passed[-1] if passed else None


def due_today_or_past(due_on: date | None, today: date) -> bool:
    return due_on is not None and due_on <= today
