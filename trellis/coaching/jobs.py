"""`trellis tick` jobs for coaching. Idempotent: each reminder has its own key."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.urls import reverse

from trellis.coaching import spacing
from trellis.coaching.models import Commitment
from trellis.core.models import Notification
from trellis.core.services import do_notify
from trellis.core.ticks import job


@job("coaching.commitment_followups")
@transaction.atomic
def follow_up_commitments(now: datetime) -> int:
    """Remind the leader — and only the leader — of their open commitments, at spaced intervals and on the due
    date. The reminder never carries the commitment's text (an in-app notification, not an e-mail)."""
    sent = 0
    rows = Commitment.objects.filter(
        status=Commitment.Status.OPEN,
        accepted_at__isnull=False,
        engagement__status="active",
        engagement__coachee__is_active=True,
    ).select_related("engagement__coachee", "organization")
    today = now.date()
    for commitment in rows:
        keys = []
        step = spacing.latest_step(commitment.accepted_at, now)  # type: ignore[arg-type]
        if step is not None:
            keys.append(f"coaching:followup:{commitment.public_id}:{step}")
        if spacing.due_today_or_past(commitment.due_on, today):
            keys.append(f"coaching:followup:{commitment.public_id}:due")
        done = set(Notification.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
        for key in keys:
            if key in done:
                continue
            due = f" (due {commitment.due_on:%d %b})" if commitment.due_on else ""
            do_notify(
                membership=commitment.engagement.coachee,
                text=f"One of your coaching commitments is still open{due}: done, or still worth doing?",
                url=reverse(
                    "coaching_engagement",
                    args=[commitment.organization.slug, commitment.engagement.public_id],
                ),
                key=key,
            )
            sent += 1
    return sent
