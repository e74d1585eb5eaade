"""Helpers for the starting-an-engagement tests: extra coaches and a request walked to an accepted coach."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from trellis.coaching import starting
from trellis.coaching.models import (
    ChemistryCall,
    CoachingRequest,
    CoachProfile,
    Credential,
    Engagement,
    EthicsAcknowledgement,
)
from trellis.core.models import Membership, Organization, Role, User


def make_coach(
    org: Organization,
    key: str,
    *,
    specialties: tuple[str, ...] = ("resilience",),
    languages: tuple[str, ...] = ("en",),
    zone: str = "Europe/London",
    capacity: int = 3,
    expires_in: int | None = 365,
    verified: bool = True,
    ethics: bool = True,
) -> Membership:
    user = User.objects.create_user(email=f"{key}@coach.example", full_name=f"Coach {key.title()}")
    m = Membership.objects.create(
        organization=org, user=user, roles=[Role.COACH], languages=list(languages), timezone=zone
    )
    profile = CoachProfile.objects.create(
        organization=org, membership=m, specialties=list(specialties), languages=list(languages), capacity=capacity
    )
    today = timezone.localdate()
    Credential.objects.create(
        organization=org,
        coach=profile,
        body=Credential.Body.ICF,
        level="PCC",
        issued_on=date(2022, 1, 1),
        expires_on=None if expires_in is None else today + timedelta(days=expires_in),
        verified_at=timezone.now() if verified else None,
    )
    if ethics:
        EthicsAcknowledgement.objects.create(organization=org, coach=profile, version="ICF 2025")
    return m


def accepted_request(leader: Membership, sponsor: Membership, coach: Membership) -> CoachingRequest:
    """A request walked through the services: opened by the sponsor, call held, coach chosen and accepted."""
    req = starting.do_open_request(actor=sponsor, leader=leader, sponsor=sponsor, focus=["influence"])
    call = starting.do_book_call(request=req, actor=leader, coach=coach, starts_at=timezone.now() + timedelta(days=2))
    starting.do_mark_call(call=call, actor=leader, status=ChemistryCall.Status.HELD)
    starting.do_choose_coach(request=req, actor=leader, coach=coach)
    starting.do_respond(request=req, actor=coach, accept=True)
    req.refresh_from_db()
    return req


def engagement_of(req: CoachingRequest) -> Engagement:
    assert req.engagement is not None
    return Engagement.objects.select_related("coachee__user", "coach__user", "sponsor__user", "organization").get(
        pk=req.engagement.pk
    )
