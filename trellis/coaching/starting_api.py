"""The API for starting an engagement, under /api/v1/orgs/{org_slug}/coaching/requests (mounted on the coaching
router). Thin: rule → starting service/selector → schema. Bodies have defaults so the access check answers
first; a missing field is a 422 from the service."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from trellis.coaching import starting
from trellis.coaching.access import REQUEST, relations_to_request
from trellis.coaching.models import ChemistryCall, CoachingRequest
from trellis.coaching.schemas import PersonOut
from trellis.core.access import SELF, SPONSOR_OF, Viewer, api_rule, member_of, subject_of, viewer_of
from trellis.core.api import IN_ORG, WRITE
from trellis.core.models import Membership, Role

router = Router(tags=["coaching"])
BASE = "/orgs/{org_slug}/coaching/requests"


class RequestIn(Schema):
    leader: UUID | None = Field(None, description="A sponsor names the leader; anyone else opens for themself.")
    sponsor: UUID | None = Field(None, description="Required unless the caller is a sponsor (then: the caller).")
    focus: list[str] = Field(default_factory=list, max_length=8)


class RequestOut(Schema):
    id: UUID
    leader: PersonOut
    sponsor: PersonOut
    status: Literal["open", "chosen", "accepted", "withdrawn"]
    focus: list[str]
    chosen_coach: PersonOut | None
    engagement_id: UUID | None
    created_at: datetime


class RequestListOut(Schema):
    items: list[RequestOut]


class OfferOut(Schema):
    coach: PersonOut
    score: float
    reasons: list[str]


class CallOut(Schema):
    id: UUID
    coach: PersonOut
    starts_at: datetime
    status: Literal["booked", "held", "cancelled", "declined"]


class RequestDetailOut(RequestOut):
    shortlist: list[OfferOut] = Field(description="Only for the leader, the sponsor and program admins.")
    calls: list[CallOut] = Field(description="A coach sees only their own call.")


class CallIn(Schema):
    coach: UUID | None = Field(None, description="Required: a coach from the shortlist (member id).")
    starts_at: datetime | None = Field(None, description="Required, in the future; without a zone: UTC.")


class CallMarkIn(Schema):
    call: UUID | None = Field(None, description="Required.")
    status: Literal["held", "cancelled"] = "held"


class ChooseIn(Schema):
    coach: UUID | None = Field(None, description="Required: a coach whose chemistry call was held.")


class CoachRespondIn(Schema):
    accept: bool = False


def _person(m: Membership) -> PersonOut:
    return PersonOut(id=m.public_id, name=m.user.full_name)


def _out(r: CoachingRequest) -> RequestOut:
    return RequestOut(
        id=r.public_id,
        leader=_person(r.leader),
        sponsor=_person(r.sponsor),
        status=r.status,  # type: ignore[arg-type]
        focus=list(r.focus or []),
        chosen_coach=_person(r.chosen_coach) if r.chosen_coach else None,
        engagement_id=r.engagement.public_id if r.engagement else None,
        created_at=r.created_at,
    )


def _call(c: ChemistryCall) -> CallOut:
    return CallOut(id=c.public_id, coach=_person(c.coach), starts_at=c.starts_at, status=c.status)  # type: ignore[arg-type]


def _member(org_id: int, public_id: UUID | None, field: str) -> Membership:
    m = (
        Membership.objects.select_related("user").filter(organization_id=org_id, public_id=public_id).first()
        if public_id
        else None
    )
    if m is None:
        raise ValidationError({field: "Choose a member of this organization."})
    return m


def _detail(viewer: Viewer, me: Membership, r: CoachingRequest) -> RequestDetailOut:
    rels = relations_to_request(viewer, r)
    overseer = SELF in rels or SPONSOR_OF in rels or me.has_role(Role.PROGRAM_ADMIN)
    calls = [c for c in starting.calls(r) if overseer or c.coach_id == me.pk]
    offers = (
        starting.shortlist(r, today=timezone.localdate(), now=timezone.now())
        if overseer and r.status == CoachingRequest.Status.OPEN
        else []
    )
    return RequestDetailOut(
        **_out(r).model_dump(),
        shortlist=[
            OfferOut(coach=_person(o.profile.membership), score=o.ranked.score, reasons=list(o.ranked.reasons))
            for o in offers
        ],
        calls=[_call(c) for c in calls],
    )


@router.get(BASE, response={200: RequestListOut, **IN_ORG}, summary="Coaching requests you are part of")
@api_rule("coaching_request", "list")
def list_requests(request: HttpRequest, org_slug: str) -> RequestListOut:
    viewer = viewer_of(request)
    return RequestListOut(items=[_out(r) for r in starting.requests_for(viewer).select_related("engagement")[:200]])


@router.post(BASE, response={201: RequestOut, **WRITE}, summary="Open a coaching request")
@api_rule("coaching_request", "create")
def create_request(request: HttpRequest, org_slug: str, payload: RequestIn) -> Status:
    _, me = member_of(request)
    if me.has_role(Role.SPONSOR):
        leader, sponsor = _member(me.organization_id, payload.leader, "leader"), me
    else:
        leader, sponsor = me, _member(me.organization_id, payload.sponsor, "sponsor")
    focus = starting.parse_focus(",".join(payload.focus))
    r = starting.do_open_request(actor=me, leader=leader, sponsor=sponsor, focus=focus)
    return Status(201, _out(r))


@router.get(
    f"{BASE}/{{request_id}}", response={200: RequestDetailOut, **IN_ORG}, summary="A request, its shortlist and calls"
)
@api_rule("coaching_request", "view", subject=REQUEST)
def get_request(request: HttpRequest, org_slug: str, request_id: UUID) -> RequestDetailOut:
    viewer, me = member_of(request)
    return _detail(viewer, me, subject_of(request))


@router.post(
    f"{BASE}/{{request_id}}/calls", response={201: CallOut, **WRITE}, summary="Book a chemistry call (the leader)"
)
@api_rule("coaching_chemistry_call", "create", subject=REQUEST)
def book_call(request: HttpRequest, org_slug: str, request_id: UUID, payload: CallIn) -> Status:
    _, me = member_of(request)
    r: CoachingRequest = subject_of(request)
    coach = _member(r.organization_id, payload.coach, "coach")
    if payload.starts_at is None:
        raise ValidationError({"starts_at": "Required."})
    at = payload.starts_at if payload.starts_at.tzinfo else payload.starts_at.replace(tzinfo=UTC)
    return Status(201, _call(starting.do_book_call(request=r, actor=me, coach=coach, starts_at=at)))


@router.post(
    f"{BASE}/{{request_id}}/calls/mark",
    response={200: CallOut, **WRITE},
    summary="Mark a chemistry call held, or cancel it (the leader)",
)
@api_rule("coaching_chemistry_call", "update", subject=REQUEST)
def mark_call(request: HttpRequest, org_slug: str, request_id: UUID, payload: CallMarkIn) -> CallOut:
    _, me = member_of(request)
    r: CoachingRequest = subject_of(request)
    call = (
        ChemistryCall.objects.select_related("coach__user", "request__organization")
        .filter(request=r, public_id=payload.call)
        .first()
        if payload.call
        else None
    )
    if call is None:
        raise ValidationError({"call": "Choose one of this request's calls."})
    return _call(starting.do_mark_call(call=call, actor=me, status=payload.status))


@router.post(
    f"{BASE}/{{request_id}}/choose", response={200: RequestOut, **WRITE}, summary="Choose the coach (the leader)"
)
@api_rule("coaching_request", "choose", subject=REQUEST)
def choose(request: HttpRequest, org_slug: str, request_id: UUID, payload: ChooseIn) -> RequestOut:
    _, me = member_of(request)
    r: CoachingRequest = subject_of(request)
    coach = _member(r.organization_id, payload.coach, "coach")
    return _out(starting.do_choose_coach(request=r, actor=me, coach=coach))


@router.post(
    f"{BASE}/{{request_id}}/respond",
    response={200: RequestOut, **WRITE},
    summary="Accept or decline being chosen (the chosen coach); accepting creates the engagement and agreement",
)
@api_rule("coaching_request", "respond", subject=REQUEST)
def respond(request: HttpRequest, org_slug: str, request_id: UUID, payload: CoachRespondIn) -> RequestOut:
    _, me = member_of(request)
    r: CoachingRequest = subject_of(request)
    return _out(starting.do_respond(request=r, actor=me, accept=payload.accept))
