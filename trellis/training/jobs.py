"""`trellis tick` jobs of training: the daily reinforcement digest and the manager's level-3 check.

The digest is built for every learner at once with a fixed number of queries (one aggregate over due cards,
one for digests already sent, three bulk inserts), whatever the number of learners. A ``Digest`` row per
(learner, local day) and the idempotency keys of notification and e-mail make a second run send nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse

from trellis.core.models import Notification, OutboxMessage
from trellis.core.ticks import job
from trellis.training.models import Card, Digest, Enrolment, ObservationRequest

L3_CHECKPOINTS = (30, 60)


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def digest_key(public_id: object, day: date) -> str:
    return f"training-digest:{public_id}:{day.isoformat()}"


def _body(name: str, count: int, url: str) -> str:
    things = "item" if count == 1 else "items"
    return (
        f"Hello {name},\n\n"
        f"You have {count} {things} to practise today. Each takes under a minute:\n{url}\n\n"
        "Your answers are yours alone: nobody else sees them, not your manager nor the program team.\n"
        "Going on holiday? Pause reinforcement on your training page.\n"
    )


@job("training.digests")
@transaction.atomic
def build_digests(now: datetime) -> int:
    """Today's digest for every learner with due items (not paused, not retired); returns how many were sent."""
    rows = list(
        Card.objects.filter(
            due__lte=now,
            paused=False,
            retired_at__isnull=True,
            membership__is_active=True,
            membership__user__is_active=True,
        )
        .values(
            "membership_id",
            "membership__public_id",
            "membership__timezone",
            "membership__organization_id",
            "membership__organization__slug",
            "membership__user_id",
            "membership__user__email",
            "membership__user__full_name",
        )
        .annotate(due=Count("id"), size=Max("item__program__digest_size"))
        .order_by("membership_id")
    )
    if not rows:
        return 0
    days = {r["membership_id"]: now.astimezone(_zone(r["membership__timezone"])).date() for r in rows}
    sent = set(Digest.objects.filter(day__in=set(days.values())).values_list("membership_id", "day"))
    base = settings.TRELLIS_BASE_URL.rstrip("/")
    digests, notes, mails = [], [], []
    for r in rows:
        member, day = r["membership_id"], days[r["membership_id"]]
        if (member, day) in sent:
            continue
        count = min(r["due"], r["size"] or 2)
        key = digest_key(r["membership__public_id"], day)
        path = reverse("training_review", args=[r["membership__organization__slug"]])
        org = r["membership__organization_id"]
        digests.append(Digest(organization_id=org, membership_id=member, day=day, items=count))
        text = f"Your training reinforcement: {count} item{'s' if count != 1 else ''} to practise today."
        notes.append(
            Notification(
                organization_id=org, user_id=r["membership__user_id"], text=text, url=path, idempotency_key=key
            )
        )
        mails.append(
            OutboxMessage(
                organization_id=org,
                recipient_id=r["membership__user_id"],
                to_email=r["membership__user__email"],
                subject=f"{count} thing{'s' if count != 1 else ''} to practise today",
                body=_body(r["membership__user__full_name"].split(" ")[0], count, base + path),
                idempotency_key=key,
            )
        )
    if not digests:
        return 0
    Digest.objects.bulk_create(digests, ignore_conflicts=True)
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    OutboxMessage.objects.bulk_create(mails, ignore_conflicts=True)

    def deliver() -> None:
        from trellis.core.tasks import deliver_outbox

        deliver_outbox.enqueue()  # one task delivers every unsent message

    transaction.on_commit(deliver)
    return len(digests)


@job("training.l3_checks")
@transaction.atomic
def ask_managers(now: datetime) -> int:
    """30 and 60 days after a cohort ends, ask each attendee's manager whether they saw the skill applied."""
    asked = 0
    for after in L3_CHECKPOINTS:
        ended = (now - timedelta(days=after)).date()
        enrolments = (
            Enrolment.objects.filter(
                status=Enrolment.Status.COMPLETED,
                cohort__ends_on__lte=ended,
                cohort__ends_on__gt=ended - timedelta(days=7),  # a missed tick catches up within a week
                membership__manager__isnull=False,
            )
            .exclude(observations__after_days=after)
            .select_related("membership__user", "membership__manager", "cohort__program", "organization")
        )
        for enrolment in enrolments:
            manager = enrolment.membership.manager
            assert manager is not None
            _, created = ObservationRequest.objects.get_or_create(
                enrolment=enrolment,
                after_days=after,
                defaults={"organization_id": enrolment.organization_id, "manager": manager, "asked_at": now},
            )
            if created:
                asked += 1
                Notification.objects.get_or_create(
                    idempotency_key=f"training-l3:{enrolment.public_id}:{after}",
                    defaults={
                        "organization_id": enrolment.organization_id,
                        "user_id": manager.user_id,
                        "text": (
                            f"{after} days after “{enrolment.cohort.program.title}”: have you seen "
                            f"{enrolment.membership.user.full_name} apply it?"
                        )[:300],
                        "url": reverse("training_observations", args=[enrolment.organization.slug]),
                    },
                )
    return asked
