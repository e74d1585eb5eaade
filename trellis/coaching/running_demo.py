"""Demo data for running an engagement (called from trellis/coaching/demo.py): two of Northwind's own questions
and one of carol's, and the mid-point review of alice's engagement recorded by carol and dave (alice has not yet).
Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from trellis.coaching.models import CoachingQuestion, Engagement, ReviewKind, ReviewParty, ReviewResponse
from trellis.core.models import Organization

ORG_QUESTIONS = [
    ("grow", "goal", "Which of Northwind's leadership behaviours does this goal stretch?"),
    ("grow", "will", "Who in your team needs to know about this step, and when will you tell them?"),
]
CAROL_QUESTION = ("clear", "explore", "What are you not saying about this that you would like to say?")


def load_running(org: Organization) -> dict[str, int]:
    """Returns only what it created (so a second run adds nothing to the demo's counts)."""
    created = {"coaching questions": 0, "coaching review responses": 0}
    _load(org, created)
    return {what: n for what, n in created.items() if n}


def _load(org: Organization, created: dict[str, int]) -> None:
    for model, stage, text in ORG_QUESTIONS:
        _, new = CoachingQuestion.objects.get_or_create(
            organization=org, owner=None, model=model, stage=stage, text=text
        )
        created["coaching questions"] += int(new)
    engagement = (
        Engagement.objects.filter(organization=org, coachee__user__email="alice@northwind.example")
        .filter(coach__user__email="carol@northwind.example")
        .select_related("coach", "sponsor")
        .first()
    )
    if engagement is None:
        return
    model, stage, text = CAROL_QUESTION
    _, new = CoachingQuestion.objects.get_or_create(
        organization=org, owner=engagement.coach, model=model, stage=stage, text=text
    )
    created["coaching questions"] += int(new)
    answers = [
        (ReviewParty.COACH, engagement.coach, "Good momentum: we have met every fortnight and the work is focused."),
    ]
    if engagement.sponsor is not None:
        answers.append((ReviewParty.SPONSOR, engagement.sponsor, "Happy with the pace; the renewals objective fits."))
    for party, member, answer in answers:
        if ReviewResponse.objects.filter(engagement=engagement, kind=ReviewKind.MIDPOINT, party=party).exists():
            continue
        response = ReviewResponse(
            organization=org,
            engagement=engagement,
            kind=ReviewKind.MIDPOINT,
            party=party,
            member=member,
            reviewed_at=timezone.now() - timedelta(days=2),
        )
        response.answer = answer
        response.save()
        created["coaching review responses"] += 1
