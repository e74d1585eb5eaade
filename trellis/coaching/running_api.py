"""The sessions API under /api/v1/orgs/{org_slug}/coaching/engagements/{engagement_id}/sessions (mounted on the
coaching router). Logistics only: time, length, status — never the leader's prep. Bodies have defaults so the
access check answers first; a missing or bad field is a 422 from the service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from trellis.coaching import running
from trellis.coaching.access import ENGAGEMENT
from trellis.coaching.models import CoachingSession, Engagement
from trellis.core.access import api_rule, subject_of, viewer_of
from trellis.core.api import IN_ORG, WRITE

router = Router(tags=["coaching"])
BASE = "/orgs/{org_slug}/coaching/engagements/{engagement_id}/sessions"


class SessionIn(Schema):
    starts_at: datetime | None = Field(None, description="ISO 8601 with an offset (stored in UTC).")
    minutes: int = Field(60, ge=15, le=240)


class SessionMarkIn(Schema):
    session: UUID | None = None
    status: Literal["held", "no_show", "cancelled"] | None = None


class CoachingSessionOut(Schema):
    id: UUID
    starts_at: datetime
    minutes: int
    status: Literal["scheduled", "held", "cancelled", "no_show"]


class CoachingSessionListOut(Schema):
    items: list[CoachingSessionOut]
    sessions_used: int
    sessions_budget: int


def _out(s: CoachingSession) -> CoachingSessionOut:
    return CoachingSessionOut(id=s.public_id, starts_at=s.starts_at, minutes=s.minutes, status=s.status)  # type: ignore[arg-type]


def _me(request: HttpRequest) -> tuple[Engagement, object]:
    viewer = viewer_of(request)
    assert viewer.membership is not None
    return subject_of(request), viewer.membership


@router.get(BASE, response={200: CoachingSessionListOut, **IN_ORG}, summary="The engagement's sessions (logistics)")
@api_rule("coaching_session", "view", subject=ENGAGEMENT)
def list_sessions(request: HttpRequest, org_slug: str, engagement_id: UUID) -> CoachingSessionListOut:
    engagement: Engagement = subject_of(request)
    sessions = list(CoachingSession.objects.filter(engagement=engagement))
    used = sum(1 for s in sessions if s.status in (CoachingSession.Status.HELD, CoachingSession.Status.NO_SHOW))
    return CoachingSessionListOut(
        items=[_out(s) for s in sessions], sessions_used=used, sessions_budget=engagement.sessions_budget
    )


@router.post(BASE, response={201: CoachingSessionOut, **WRITE}, summary="Schedule a session (the coach or the leader)")
@api_rule("coaching_session", "create", subject=ENGAGEMENT)
def create_session(request: HttpRequest, org_slug: str, engagement_id: UUID, payload: SessionIn) -> Status:
    engagement, me = _me(request)
    if payload.starts_at is None:
        raise ValidationError({"starts_at": "Give the date and time."})
    if payload.starts_at.tzinfo is None:
        raise ValidationError({"starts_at": "Give the time with its offset, e.g. 2030-03-01T10:00:00+01:00."})
    session = running.do_schedule_session(
        engagement=engagement,
        actor=me,  # type: ignore[arg-type]
        starts_at=payload.starts_at,
        minutes=payload.minutes,
    )
    return Status(201, _out(session))


@router.post(
    f"{BASE}/mark", response={200: CoachingSessionOut, **WRITE}, summary="Mark a session held, no-show or cancelled"
)
@api_rule("coaching_session", "mark", subject=ENGAGEMENT)
def mark_session(
    request: HttpRequest, org_slug: str, engagement_id: UUID, payload: SessionMarkIn
) -> CoachingSessionOut:
    engagement, me = _me(request)
    if payload.status is None:
        raise ValidationError({"status": "held, no_show or cancelled."})
    session = (
        CoachingSession.objects.filter(engagement=engagement, public_id=payload.session).first()
        if payload.session is not None
        else None
    )
    if session is None:
        raise ValidationError({"session": "Not a session of this engagement."})
    return _out(running.do_mark_session(session=session, actor=me, status=payload.status))  # type: ignore[arg-type]
