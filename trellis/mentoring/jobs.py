"""`trellis tick` jobs for mentoring pairs. Idempotent: each reminder has its own key.

Reminders go to the mentee only, in-app only, and never carry a suggestion's text."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.urls import reverse

from trellis.core.models import Notification
from trellis.core.services import do_notify
from trellis.core.ticks import job
from trellis.mentoring.models import Meeting, Pair, Suggestion

AFTER_ACCEPTING = timedelta(days=7)
BEFORE_MEETING = timedelta(days=3)


@job("mentoring.suggestion_reminders")
@transaction.atomic
def remind_suggestions(now: datetime) -> int:
    """Accepted-but-not-done suggestions: one reminder 7 days after accepting, and one 3 days before the pair's
    next scheduled meeting."""
    accepted = list(
        Suggestion.objects.filter(
            status=Suggestion.Status.ACCEPTED,
            responded_at__isnull=False,
            pair__status=Pair.Status.ACTIVE,
            pair__mentee__is_active=True,
        ).select_related("pair__mentee", "organization")
    )
    if not accepted:
        return 0
    pair_ids = {s.pair_id for s in accepted}
    next_meeting = dict(
        Meeting.objects.filter(pair_id__in=pair_ids, status=Meeting.Status.SCHEDULED, starts_at__gt=now)
        .values("pair_id")
        .annotate(first=Min("starts_at"))
        .values_list("pair_id", "first")
    )
    wanted: list[tuple[str, Suggestion, str]] = []
    pairs_before: dict[int, Suggestion] = {}
    for s in accepted:
        assert s.responded_at is not None
        if now - s.responded_at >= AFTER_ACCEPTING:
            wanted.append((f"mentoring:suggestion-reminder:{s.public_id}:7d", s, "week"))
        first = next_meeting.get(s.pair_id)
        if first is not None and first - now <= BEFORE_MEETING:
            pairs_before.setdefault(s.pair_id, s)
    for pair_id, s in pairs_before.items():
        stamp = next_meeting[pair_id].strftime("%Y%m%d%H%M")
        wanted.append((f"mentoring:suggestion-reminder:{s.pair.public_id}:before:{stamp}", s, "meeting"))
    done = set(
        Notification.objects.filter(idempotency_key__in=[k for k, _, _ in wanted]).values_list(
            "idempotency_key", flat=True
        )
    )
    sent = 0
    for key, s, why in wanted:
        if key in done:
            continue
        text = (
            "A suggestion you accepted a week ago is not marked done yet: done, or still worth doing?"
            if why == "week"
            else "Your next mentoring meeting is in a few days: you have accepted suggestions not marked done."
        )
        do_notify(
            membership=s.pair.mentee,
            text=text,
            url=reverse("mentoring_pair", args=[s.organization.slug, s.pair.public_id]),
            key=key,
        )
        sent += 1
    return sent
