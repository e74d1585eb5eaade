"""`trellis tick` jobs for running engagements. Idempotent: each reminder has its own key, checked before it is
sent, so running tick twice sends nothing twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse

from trellis.coaching.models import Credential, Engagement, ReviewKind, ReviewParty, ReviewResponse
from trellis.coaching.running import review_dates, superseded
from trellis.core import mail
from trellis.core.models import Notification
from trellis.core.services import do_notify
from trellis.core.ticks import job

EXPIRY_NOTICE = timedelta(days=60)


@job("coaching.credential_expiry")
@transaction.atomic
def remind_expiring_credentials(now: datetime) -> int:
    """Remind a coach (in-app and by e-mail) once, 60 days before a credential expires — unless they already added
    the renewed one."""
    today = now.date()
    rows = Credential.objects.filter(
        expires_on__gte=today, expires_on__lte=today + EXPIRY_NOTICE, coach__membership__is_active=True
    ).select_related("coach__membership__user", "organization")
    sent = 0
    for credential in rows:
        key = f"coaching:credential-expiry:{credential.public_id}"
        if Notification.objects.filter(idempotency_key=key).exists() or superseded(credential):
            continue
        coach = credential.coach.membership
        url = reverse("coaching_credentials", args=[credential.organization.slug])
        text = f"Your {credential} credential expires on {credential.expires_on:%d %b %Y}: add the renewed one."
        do_notify(membership=coach, text=text, url=url, key=key)
        mail.queue(
            to=coach.user,
            subject=f"Your {credential} credential expires on {credential.expires_on:%d %b %Y}",
            body=(
                f"Your {credential} coaching credential expires on {credential.expires_on:%d %b %Y}. Once it has "
                "expired you are no longer offered for new engagements. Add the renewed credential (with its "
                f"evidence) on your credentials page in {credential.organization.name}.\n"
            ),
            key=f"{key}:mail",
            organization=credential.organization,
        )
        sent += 1
    return sent


@job("coaching.review_due")
@transaction.atomic
def remind_reviews_due(now: datetime) -> int:
    """When a mid-point or final review falls due, each party who has not recorded it is told once (in-app)."""
    today = now.date()
    sent = 0
    engagements = Engagement.objects.filter(status=Engagement.Status.ACTIVE, starts_on__lte=today).select_related(
        "organization", "coachee", "coach", "sponsor"
    )
    for engagement in engagements:
        done = set(ReviewResponse.objects.filter(engagement=engagement).values_list("kind", "party"))
        for kind, due in review_dates(engagement).items():
            if due > today:
                continue
            for party, person in (
                (ReviewParty.COACHEE, engagement.coachee),
                (ReviewParty.COACH, engagement.coach),
                (ReviewParty.SPONSOR, engagement.sponsor),
            ):
                if person is None or (kind, party) in done:
                    continue
                key = f"coaching:review-due:{engagement.public_id}:{kind}:{party}"
                if Notification.objects.filter(idempotency_key=key).exists():
                    continue
                label = ReviewKind(kind).label.lower()
                do_notify(
                    membership=person,
                    text=f"A coaching {label} is due: record that you reviewed.",
                    url=reverse("coaching_review", args=[engagement.organization.slug, engagement.public_id]),
                    key=key,
                )
                sent += 1
    return sent
