"""The coaching API under /api/v1/orgs/{org_slug}/coaching/ (issue 6, item 9).

Reads of the leader's confidential records by anyone but the leader are written to the audit log, and the
leader sees them on their engagement page ("who opened my records").
"""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Status

from trellis.coaching import running_api, selectors, services, starting_api
from trellis.coaching.access import COMMITMENT, ENGAGEMENT, relations_to
from trellis.coaching.models import Commitment, Engagement, JournalEntry, Objective, Referral, SessionNote
from trellis.coaching.schemas import (
    CommitmentIn,
    CommitmentListOut,
    CommitmentOut,
    CommitmentPatchIn,
    EngagementListOut,
    EngagementOut,
    JournalIn,
    JournalListOut,
    JournalOut,
    NoteIn,
    NoteListOut,
    NoteOut,
    ObjectiveIn,
    ObjectiveListOut,
    ObjectiveOut,
    PersonOut,
    ReferralIn,
    ReferralListOut,
    ReferralOut,
)
from trellis.core.access import SELF, Viewer, allows, api_rule, subject_of, viewer_of
from trellis.core.api import IN_ORG, WRITE

router = Router(tags=["coaching"])
router.add_router("", starting_api.router)  # /coaching/requests: starting an engagement
router.add_router("", running_api.router)  # /coaching/engagements/{id}/sessions: running an engagement
BASE = "/orgs/{org_slug}/coaching"


def _ctx(request: HttpRequest) -> tuple[Viewer, Engagement, set[str]]:
    viewer = viewer_of(request)
    engagement: Engagement = subject_of(request)
    return viewer, engagement, relations_to(viewer, engagement)


def _opened(viewer: Viewer, engagement: Engagement, relations: set[str], verb: str) -> None:
    if SELF not in relations and viewer.user is not None:
        services.do_log_read(actor=viewer.user, verb=verb, engagement=engagement)


def _objective(o: Objective) -> ObjectiveOut:
    return ObjectiveOut(id=o.public_id, text=o.text, shared_with_sponsor=o.shared_with_sponsor, created_at=o.created_at)


def _note(n: SessionNote) -> NoteOut:
    return NoteOut(id=n.public_id, text=n.text, shared_with_coachee=n.shared_with_coachee, created_at=n.created_at)


def _commitment(c: Commitment) -> CommitmentOut:
    return CommitmentOut(
        id=c.public_id,
        text=c.text,
        due_on=c.due_on,
        status=c.status,
        proposed_by_coach=c.proposed_by_coach,
        accepted=c.accepted_at is not None,
        created_at=c.created_at,
    )


def _journal(e: JournalEntry) -> JournalOut:
    return JournalOut(id=e.public_id, text=e.text, created_at=e.created_at)


def _referral(r: Referral) -> ReferralOut:
    return ReferralOut(id=r.public_id, note=r.note, at=r.at, resolved_at=r.resolved_at)


# --- Engagements -----------------------------------------------------------------------------------------------
@router.get(f"{BASE}/engagements", response={200: EngagementListOut, **IN_ORG}, summary="Your coaching engagements")
@api_rule("coaching_engagement", "list")
def list_engagements(request: HttpRequest, org_slug: str) -> EngagementListOut:
    """As coachee, coach or sponsor (a program admin: all of the organization's). Logistics only."""
    return EngagementListOut(
        items=[
            EngagementOut(
                id=e.public_id,
                coachee=PersonOut(id=e.coachee.public_id, name=e.coachee.user.full_name),
                coach=PersonOut(id=e.coach.public_id, name=e.coach.user.full_name),
                status=e.status,  # type: ignore[arg-type]
                starts_on=e.starts_on,
                ends_on=e.ends_on,
                sessions_used=e.sessions_used,  # type: ignore[attr-defined]
                sessions_budget=e.sessions_budget,
            )
            for e in selectors.engagements(viewer_of(request))
        ]
    )


# --- Objectives ------------------------------------------------------------------------------------------------
@router.get(
    f"{BASE}/engagements/{{engagement_id}}/objectives",
    response={200: ObjectiveListOut, **IN_ORG},
    summary="The engagement's objectives (the sponsor: only those the leader shared)",
)
@api_rule("coaching_shared_objective", "view", subject=ENGAGEMENT)
def list_objectives(request: HttpRequest, org_slug: str, engagement_id: UUID) -> ObjectiveListOut:
    viewer, engagement, rels = _ctx(request)
    items = selectors.objectives(engagement, rels)
    full = allows("coaching_objective", "view", rels)
    _opened(viewer, engagement, rels, "coaching.objectives.read" if full else "coaching.shared_objectives.read")
    return ObjectiveListOut(items=[_objective(o) for o in items])


@router.post(
    f"{BASE}/engagements/{{engagement_id}}/objectives",
    response={201: ObjectiveOut, **WRITE},
    summary="Add an objective (the leader); private unless shared_with_sponsor",
)
@api_rule("coaching_objective", "create", subject=ENGAGEMENT)
def create_objective(request: HttpRequest, org_slug: str, engagement_id: UUID, payload: ObjectiveIn) -> Status:
    viewer, engagement, _ = _ctx(request)
    assert viewer.user is not None
    objective = services.do_add_objective(
        engagement=engagement, actor=viewer.user, text=payload.text, shared_with_sponsor=payload.shared_with_sponsor
    )
    return Status(201, _objective(objective))


# --- Notes ----------------------------------------------------------------------------------------------------
@router.get(
    f"{BASE}/engagements/{{engagement_id}}/notes",
    response={200: NoteListOut, **IN_ORG},
    summary="Session notes (the coach: all; the leader: those the coach shared)",
)
@api_rule("coaching_note", "view", subject=ENGAGEMENT)
def list_notes(request: HttpRequest, org_slug: str, engagement_id: UUID) -> NoteListOut:
    viewer, engagement, rels = _ctx(request)
    items = selectors.notes(engagement, rels)
    _opened(viewer, engagement, rels, "coaching.notes.read")
    return NoteListOut(items=[_note(n) for n in items])


@router.post(
    f"{BASE}/engagements/{{engagement_id}}/notes",
    response={201: NoteOut, **WRITE},
    summary="Write a session note (the coach)",
)
@api_rule("coaching_note", "create", subject=ENGAGEMENT)
def create_note(request: HttpRequest, org_slug: str, engagement_id: UUID, payload: NoteIn) -> Status:
    viewer, engagement, _ = _ctx(request)
    assert viewer.membership is not None
    note = services.do_add_note(
        engagement=engagement,
        author=viewer.membership,
        text=payload.text,
        shared_with_coachee=payload.shared_with_coachee,
    )
    return Status(201, _note(note))


# --- Commitments ----------------------------------------------------------------------------------------------
@router.get(
    f"{BASE}/engagements/{{engagement_id}}/commitments",
    response={200: CommitmentListOut, **IN_ORG},
    summary="The leader's commitments (the leader and the coach)",
)
@api_rule("coaching_commitment", "view", subject=ENGAGEMENT)
def list_commitments(request: HttpRequest, org_slug: str, engagement_id: UUID) -> CommitmentListOut:
    viewer, engagement, rels = _ctx(request)
    items = selectors.commitments(engagement, rels)
    _opened(viewer, engagement, rels, "coaching.commitments.read")
    return CommitmentListOut(items=[_commitment(c) for c in items])


@router.post(
    f"{BASE}/engagements/{{engagement_id}}/commitments",
    response={201: CommitmentOut, **WRITE},
    summary="Write a commitment (the leader)",
)
@api_rule("coaching_commitment", "create", subject=ENGAGEMENT)
def create_commitment(request: HttpRequest, org_slug: str, engagement_id: UUID, payload: CommitmentIn) -> Status:
    viewer, engagement, _ = _ctx(request)
    assert viewer.user is not None
    commitment = services.do_add_commitment(
        engagement=engagement, actor=viewer.user, text=payload.text, due_on=payload.due_on
    )
    return Status(201, _commitment(commitment))


@router.patch(
    f"{BASE}/commitments/{{commitment_id}}",
    response={200: CommitmentOut, **WRITE},
    summary="Edit, accept or close one of your commitments (the leader only)",
)
@api_rule("coaching_commitment", "update", subject=COMMITMENT)
def update_commitment(
    request: HttpRequest, org_slug: str, commitment_id: UUID, payload: CommitmentPatchIn
) -> CommitmentOut:
    viewer = viewer_of(request)
    commitment: Commitment = subject_of(request)
    assert viewer.membership is not None
    fields = payload.dict(exclude_unset=True)
    services.do_update_commitment(
        commitment=commitment,
        actor=viewer.membership,
        text=fields.get("text"),
        due_on=fields.get("due_on"),
        status=fields.get("status"),
        accept=bool(fields.get("accept")),
    )
    return _commitment(commitment)


# --- Journal --------------------------------------------------------------------------------------------------
@router.get(f"{BASE}/journal", response={200: JournalListOut, **IN_ORG}, summary="Your coaching journal")
@api_rule("coaching_journal", "own")
def list_journal(request: HttpRequest, org_slug: str) -> JournalListOut:
    return JournalListOut(items=[_journal(e) for e in selectors.journal(viewer_of(request))[:200]])


@router.post(f"{BASE}/journal", response={201: JournalOut, **WRITE}, summary="Write in your coaching journal")
@api_rule("coaching_journal", "own")
def create_journal(request: HttpRequest, org_slug: str, payload: JournalIn) -> Status:
    viewer = viewer_of(request)
    assert viewer.membership is not None
    return Status(201, _journal(services.do_write_journal(membership=viewer.membership, text=payload.text)))


# --- Referral -------------------------------------------------------------------------------------------------
@router.get(
    f"{BASE}/engagements/{{engagement_id}}/referral",
    response={200: ReferralListOut, **IN_ORG},
    summary="Referrals the coach flagged (the coach)",
)
@api_rule("coaching_referral", "view", subject=ENGAGEMENT)
def list_referrals(request: HttpRequest, org_slug: str, engagement_id: UUID) -> ReferralListOut:
    viewer, engagement, rels = _ctx(request)
    items = selectors.referrals(engagement, rels)
    _opened(viewer, engagement, rels, "coaching.referral.read")
    return ReferralListOut(items=[_referral(r) for r in items])


@router.post(
    f"{BASE}/engagements/{{engagement_id}}/referral",
    response={201: ReferralOut, **WRITE},
    summary="Flag a referral to a mental-health professional (the coach); the engagement pauses",
)
@api_rule("coaching_referral", "create", subject=ENGAGEMENT)
def create_referral(request: HttpRequest, org_slug: str, engagement_id: UUID, payload: ReferralIn) -> Status:
    viewer, engagement, _ = _ctx(request)
    assert viewer.membership is not None
    referral = services.do_flag_referral(engagement=engagement, coach=viewer.membership, note=payload.note)
    return Status(201, _referral(referral))
