"""Spaced follow-ups on open commitments: the leader alone, never the text, never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from trellis.coaching import jobs, spacing
from trellis.coaching.models import Commitment, Engagement
from trellis.core.models import Notification


def test_latest_step_expands() -> None:
    start = datetime(2030, 1, 1, tzinfo=UTC)
    assert spacing.latest_step(start, start + timedelta(days=1)) is None
    assert spacing.latest_step(start, start + timedelta(days=2)) == 0
    assert spacing.latest_step(start, start + timedelta(days=10)) == 1
    assert spacing.latest_step(start, start + timedelta(days=400)) == 3


def test_only_the_leader_is_reminded_once_per_step(engagement: Engagement) -> None:
    accepted = datetime(2030, 1, 1, 9, tzinfo=UTC)
    Commitment.objects.filter(engagement=engagement).update(status="done")
    commitment = Commitment(organization=engagement.organization, engagement=engagement, accepted_at=accepted)
    commitment.text = "Secret plan"
    commitment.save()
    proposed = Commitment(organization=engagement.organization, engagement=engagement, proposed_by_coach=True)
    proposed.text = "Not accepted yet"
    proposed.save()

    def notes() -> list[Notification]:
        return list(
            Notification.objects.filter(idempotency_key__startswith=f"coaching:followup:{commitment.public_id}")
        )

    assert jobs.follow_up_commitments(accepted + timedelta(days=1)) == 0
    assert jobs.follow_up_commitments(accepted + timedelta(days=3)) == 1
    assert jobs.follow_up_commitments(accepted + timedelta(days=3, hours=1)) == 0  # idempotent
    assert jobs.follow_up_commitments(accepted + timedelta(days=30)) == 1  # step 2 only: no burst
    sent = notes()
    assert len(sent) == 2
    assert {n.user_id for n in sent} == {engagement.coachee.user_id}
    assert all("Secret plan" not in n.text for n in sent)
    assert not Notification.objects.filter(idempotency_key__contains=str(proposed.public_id)).exists()


def test_closed_or_paused_engagements_are_not_followed_up(engagement: Engagement, member: Any) -> None:
    engagement.status = Engagement.Status.PAUSED
    engagement.save()
    assert jobs.follow_up_commitments(datetime.now(UTC) + timedelta(days=100)) == 0
