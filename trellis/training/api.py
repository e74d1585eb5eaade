"""The training API: catalogue, a learner's enrolments, and reinforcement (due items, answering one)."""

from __future__ import annotations

from uuid import UUID

from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from ninja import Router, Status

from trellis.core.access import api_rule, subject_of, viewer_of
from trellis.core.api import IN_ORG, WRITE
from trellis.core.models import Membership
from trellis.training import selectors, services
from trellis.training.access import CARD, COHORT, LEARNER
from trellis.training.models import Card, Cohort, Session
from trellis.training.schemas import (
    AnswerIn,
    AnswerOut,
    AttendanceIn,
    AttendanceOut,
    CohortOut,
    DueItemOut,
    DueListOut,
    EnrolmentListOut,
    EnrolmentOut,
    ProgramListOut,
    ProgramOut,
    SessionListOut,
    SessionOut,
)

router = Router(tags=["training"])


@router.get("/orgs/{org_slug}/training/programs", response={200: ProgramListOut, **IN_ORG}, summary="The catalogue")
@api_rule("training_catalogue", "view")
def list_programs(request: HttpRequest, org_slug: str) -> ProgramListOut:
    items = []
    for program in selectors.programs(viewer_of(request)):
        cohorts = [
            CohortOut(
                id=c.public_id,
                title=c.title,
                starts_on=c.starts_on,
                ends_on=c.ends_on,
                capacity=c.capacity,
                seats_taken=c.seats_taken,  # type: ignore[attr-defined]
                waitlisted=c.waiting,  # type: ignore[attr-defined]
                status=c.status,
                instructor=c.instructor.user.full_name if c.instructor else None,
            )
            for c in selectors.cohorts_of(program)
        ]
        items.append(
            ProgramOut(
                id=program.public_id,
                title=program.title,
                topic=program.topic,
                objectives=program.objectives,
                digest_size=program.digest_size,
                cohorts=cohorts,
            )
        )
    return ProgramListOut(items=items)


@router.get(
    "/orgs/{org_slug}/training/members/{member_id}/enrolments",
    response={200: EnrolmentListOut, **IN_ORG},
    summary="A person's enrolments and attendance (themselves, their manager, instructor, program admins)",
)
@api_rule("training_record", "view", subject=LEARNER)
def list_enrolments(request: HttpRequest, org_slug: str, member_id: UUID) -> EnrolmentListOut:
    person: Membership = subject_of(request)
    rows = selectors.learner_enrolments(person).annotate(
        attended=Count(
            "cohort__sessions__attendance",
            filter=Q(cohort__sessions__attendance__present=True, cohort__sessions__attendance__membership=person),
        )
    )
    return EnrolmentListOut(
        items=[
            EnrolmentOut(
                id=e.public_id,
                program=e.cohort.program.title,
                cohort=e.cohort.public_id,
                cohort_title=e.cohort.title,
                starts_on=e.cohort.starts_on,
                status=e.status,
                waitlist_position=e.waitlist_position,
                sessions_attended=e.attended,  # type: ignore[attr-defined]
            )
            for e in rows
        ]
    )


@router.get(
    "/orgs/{org_slug}/training/reinforcement/due",
    response={200: DueListOut, **IN_ORG},
    summary="Your items to practise today",
)
@api_rule("reinforcement_answer", "own")
def due(request: HttpRequest, org_slug: str) -> DueListOut:
    """At most the program's daily number (default 2), minus what you answered today; nothing while paused."""
    cards = selectors.due_today(viewer_of(request))
    return DueListOut(
        items=[
            DueItemOut(
                id=c.public_id,
                item=c.item.public_id,
                program=c.item.program.title,
                kind=c.item.kind,
                prompt=c.item.prompt,
                choices=list(c.item.choices),
                due=c.due,
            )
            for c in cards
        ]
    )


@router.post(
    "/orgs/{org_slug}/training/reinforcement/{item_id}/answer",
    response={200: AnswerOut, **WRITE},
    summary="Answer one of your items; returns when it comes back",
)
@api_rule("reinforcement_answer", "answer", subject=CARD)
def answer(request: HttpRequest, org_slug: str, item_id: UUID, payload: AnswerIn) -> AnswerOut:
    """`item_id` is the card's id from `/reinforcement/due`. A right answer moves the next due date later, a
    wrong one sooner. Another person's card is 403; another organization's is 404."""
    viewer = viewer_of(request)
    card: Card = subject_of(request)
    assert viewer.user is not None
    review = services.do_answer(card=card, actor=viewer.user, choice=payload.choice, rating=payload.rating)
    card.refresh_from_db(fields=["due", "retired_at"])
    return AnswerOut(
        correct=review.correct,
        explanation=card.item.explanation,
        rating=review.rating,
        due=card.due,
        retired=card.retired_at is not None,
    )


@router.get(
    "/orgs/{org_slug}/training/cohorts/{cohort_id}/sessions",
    response={200: SessionListOut, **IN_ORG},
    summary="A cohort's sessions, with how many attended each",
)
@api_rule("training_catalogue", "view", subject=COHORT)
def list_sessions(request: HttpRequest, org_slug: str, cohort_id: UUID) -> SessionListOut:
    cohort: Cohort = subject_of(request)
    rows = (
        Session.objects.filter(cohort=cohort)
        .annotate(present=Count("attendance", filter=Q(attendance__present=True)))
        .order_by("starts_at", "id")
    )
    return SessionListOut(
        items=[
            SessionOut(
                id=s.public_id,
                title=s.title,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                place=s.place,
                online_url=s.online_url,
                cancelled=s.cancelled_at is not None,
                present=s.present,
            )  # type: ignore[attr-defined]
            for s in rows
        ]
    )


@router.post(
    "/orgs/{org_slug}/training/cohorts/{cohort_id}/enrolments",
    response={201: EnrolmentOut, **WRITE},
    summary="Enrol yourself (a seat if one is free, else the waitlist)",
)
@api_rule("training_record", "enrol", subject=COHORT)
def enrol(request: HttpRequest, org_slug: str, cohort_id: UUID) -> Status:
    viewer = viewer_of(request)
    cohort: Cohort = subject_of(request)
    assert viewer.user is not None and viewer.membership is not None
    enrolment = services.do_enrol(cohort=cohort, membership=viewer.membership, actor=viewer.user)
    return Status(
        201,
        EnrolmentOut(
            id=enrolment.public_id,
            program=cohort.program.title,
            cohort=cohort.public_id,
            cohort_title=cohort.title,
            starts_on=cohort.starts_on,
            status=enrolment.status,
            waitlist_position=enrolment.waitlist_position,
            sessions_attended=0,
        ),
    )


@router.post(
    "/orgs/{org_slug}/training/cohorts/{cohort_id}/attendance",
    response={200: AttendanceOut, **WRITE},
    summary="Mark a learner present or absent at one of the cohort's sessions (its instructor, program admins)",
)
@api_rule("training_record", "mark", subject=COHORT)
def mark_attendance(request: HttpRequest, org_slug: str, cohort_id: UUID, payload: AttendanceIn) -> AttendanceOut:
    viewer = viewer_of(request)
    cohort: Cohort = subject_of(request)
    assert viewer.user is not None
    session = Session.objects.filter(cohort=cohort, public_id=payload.session).first()
    learner = Membership.objects.filter(organization_id=cohort.organization_id, public_id=payload.member).first()
    if session is None or learner is None:
        raise Http404("No such session or member in this cohort.")
    attendance = services.do_mark_attendance(
        session=session, membership=learner, present=payload.present, actor=viewer.user
    )
    return AttendanceOut(session=session.public_id, member=learner.public_id, present=attendance.present)
