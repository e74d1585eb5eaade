"""Demo data for starting an engagement: dave opened a coaching request for oscar (focus: leadership
transitions, influence); oscar booked a chemistry call with carol. The signed agreement of alice's engagement
gets its terms recorded (dates, budget, confidentiality and cancellation terms, the objectives it covers).
Idempotent."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from trellis.coaching.models import Agreement, ChemistryCall, CoachingRequest, CoachingSettings, Engagement
from trellis.coaching.starting import DEFAULT_CANCELLATION_RULES, _link_objectives
from trellis.core.models import Membership, Organization


def _member(org: Organization, key: str) -> Membership | None:
    return Membership.objects.filter(organization=org, user__email=f"{key}@northwind.example").first()


def load_starting(org: Organization) -> dict[str, int]:
    created: dict[str, int] = {}  # only what was created, so a second load reports nothing new
    settings = CoachingSettings.objects.filter(organization=org).first()
    for agreement in Agreement.objects.filter(organization=org, starts_on__isnull=True).select_related("engagement"):
        e: Engagement = agreement.engagement
        agreement.starts_on, agreement.ends_on, agreement.sessions_budget = e.starts_on, e.ends_on, e.sessions_budget
        agreement.confidentiality_terms = settings.confidentiality_terms if settings else ""
        agreement.cancellation_rules = DEFAULT_CANCELLATION_RULES
        agreement.proposed_by = e.coach
        agreement.created_at = min(
            (t for t in (agreement.accepted_by_coachee_at, agreement.accepted_by_coach_at) if t),
            default=timezone.now(),
        )
        agreement.save()
        _link_objectives(agreement)
    oscar, dave, carol = (_member(org, k) for k in ("oscar", "dave", "carol"))
    if oscar is None or dave is None or carol is None:
        return created
    if CoachingRequest.objects.filter(organization=org, leader=oscar).exists():
        return created
    request = CoachingRequest.objects.create(
        organization=org,
        leader=oscar,
        sponsor=dave,
        opened_by=dave,
        focus=["leadership transitions", "influence"],
    )
    day = timezone.localdate() + timedelta(days=3)
    ChemistryCall.objects.create(
        organization=org,
        request=request,
        coach=carol,
        starts_at=datetime.combine(day, time(10, 0), tzinfo=ZoneInfo("Europe/Paris")),
    )
    created["coaching requests"] = 1
    return created
