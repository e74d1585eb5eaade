"""Every write in training: keyword-only ``do_*`` functions, atomic, audited (ids and verbs only)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from trellis.core import audit
from trellis.core.models import Membership, Organization, User
from trellis.core.services import do_notify
from trellis.training import scheduling
from trellis.training.models import (
    Attendance,
    Card,
    Cohort,
    Enrolment,
    ObservationRequest,
    Program,
    ReinforcementItem,
    Review,
    Session,
)

PROGRAM_FIELDS = ("title", "topic", "objectives", "cost", "digest_size", "mastery_days")
CHECK_IN_WINDOW = timedelta(hours=1)  # the code works from an hour before the session to an hour after


def _same_org(*objs: Any, organization: Organization) -> None:
    for obj in objs:
        if obj is not None and obj.organization_id != organization.pk:
            raise ValidationError("That belongs to another organization.")


# --- Catalogue ------------------------------------------------------------------------------------------------
@transaction.atomic
def do_save_program(
    *, organization: Organization, actor: User, program: Program | None = None, **fields: Any
) -> Program:
    program = program or Program(organization=organization)
    _same_org(program, organization=organization)
    for name, value in fields.items():
        if name not in PROGRAM_FIELDS:
            raise TypeError(f"unexpected program field {name!r}")
        setattr(program, name, value)
    program.full_clean(exclude=["organization"])
    created = program.pk is None
    program.save()
    audit.record(
        actor=actor,
        verb="training.program." + ("created" if created else "updated"),
        obj=program,
        organization=organization,
    )
    return program


@transaction.atomic
def do_save_cohort(
    *,
    program: Program,
    actor: User,
    title: str,
    starts_on: date,
    ends_on: date,
    capacity: int = 12,
    instructor: Membership | None = None,
    status: str = Cohort.Status.PLANNED,
    cohort: Cohort | None = None,
) -> Cohort:
    _same_org(instructor, organization=program.organization)
    cohort = cohort or Cohort(organization_id=program.organization_id, program=program)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": "A cohort ends on or after the day it starts."})
    cohort.title, cohort.starts_on, cohort.ends_on = title, starts_on, ends_on
    cohort.capacity, cohort.instructor, cohort.status = capacity, instructor, status
    cohort.full_clean(exclude=["organization", "program", "instructor"])
    created = cohort.pk is None
    cohort.save()
    if not created:
        _promote_waitlist(cohort, actor=actor)
    audit.record(
        actor=actor,
        verb="training.cohort." + ("created" if created else "updated"),
        obj=cohort,
        organization=program.organization,
    )
    if status == Cohort.Status.COMPLETED:
        cohort.enrolments.filter(status=Enrolment.Status.ENROLLED).update(
            status=Enrolment.Status.COMPLETED, updated_at=timezone.now()
        )
    return cohort


@transaction.atomic
def do_add_session(
    *,
    cohort: Cohort,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    title: str = "",
    place: str = "",
    online_url: str = "",
) -> Session:
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "A session ends after it starts."})
    if not place and not online_url:
        raise ValidationError({"place": "Give a place (in person) or a link (online)."})
    session = Session(
        organization_id=cohort.organization_id,
        cohort=cohort,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
    )
    session.full_clean(exclude=["organization", "cohort"])
    session.save()
    audit.record(actor=actor, verb="training.session.created", obj=session, organization=cohort.organization)
    return session


@transaction.atomic
def do_add_item(
    *,
    program: Program,
    actor: User,
    kind: str,
    prompt: str,
    choices: list[str] | None = None,
    correct: int | None = None,
    explanation: str = "",
) -> ReinforcementItem:
    choices = [c.strip() for c in (choices or []) if c.strip()]
    if kind == ReinforcementItem.Kind.QUESTION:
        if len(choices) < 2:
            raise ValidationError({"choices": "A question needs at least two choices."})
        if correct is None or not 0 <= correct < len(choices):
            raise ValidationError({"correct": "Say which choice is right."})
    else:
        choices, correct = [], None
    position = (program.items.aggregate(m=Max("position"))["m"] or 0) + 1
    item = ReinforcementItem(
        organization_id=program.organization_id,
        program=program,
        kind=kind,
        prompt=prompt.strip(),
        choices=choices,
        correct=correct,
        explanation=explanation.strip(),
        position=position,
    )
    item.full_clean(exclude=["organization", "program"])
    item.save()
    # learners who already attended get the new item too
    now = timezone.now()
    attended = Membership.objects.filter(
        training_attendance__present=True, training_attendance__session__cohort__program=program
    ).distinct()
    Card.objects.bulk_create(
        [Card(organization_id=program.organization_id, membership=m, item=item, due=now) for m in attended],
        ignore_conflicts=True,
    )
    audit.record(actor=actor, verb="training.item.created", obj=item, organization=program.organization)
    return item


# --- Enrolment and the waitlist --------------------------------------------------------------------------------
def _locked(cohort: Cohort) -> Cohort:
    """The cohort row, locked: seats are counted and given under the lock, so two enrolments never take one seat."""
    return Cohort.objects.select_for_update().get(pk=cohort.pk)


def _seats_taken(cohort: Cohort) -> int:
    return cohort.enrolments.filter(status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED]).count()


@transaction.atomic
def do_enrol(*, cohort: Cohort, membership: Membership, actor: User, now: datetime | None = None) -> Enrolment:
    """A seat if one is free, else the end of the waitlist. Enrolling again after cancelling is allowed."""
    now = now or timezone.now()
    _same_org(membership, organization=cohort.organization)
    cohort = _locked(cohort)
    if cohort.status in (Cohort.Status.COMPLETED, Cohort.Status.CANCELLED):
        raise ValidationError("This cohort is closed.")
    enrolment = Enrolment.objects.filter(cohort=cohort, membership=membership).first()
    if enrolment is not None and enrolment.status != Enrolment.Status.CANCELLED:
        return enrolment
    enrolment = enrolment or Enrolment(organization_id=cohort.organization_id, cohort=cohort, membership=membership)
    if _seats_taken(cohort) < cohort.capacity:
        enrolment.status, enrolment.waitlist_position = Enrolment.Status.ENROLLED, None
    else:
        last = cohort.enrolments.filter(status=Enrolment.Status.WAITLISTED).aggregate(m=Max("waitlist_position"))["m"]
        enrolment.status, enrolment.waitlist_position = Enrolment.Status.WAITLISTED, (last or 0) + 1
    enrolment.updated_at = now
    enrolment.save()
    audit.record(
        actor=actor, verb=f"training.enrolment.{enrolment.status}", obj=enrolment, organization=cohort.organization
    )
    return enrolment


@transaction.atomic
def do_cancel_enrolment(*, enrolment: Enrolment, actor: User, now: datetime | None = None) -> Enrolment | None:
    """Cancel; if that frees a seat, the first on the waitlist gets it in the same transaction. Returns whoever
    was promoted."""
    now = now or timezone.now()
    cohort = _locked(enrolment.cohort)
    enrolment.refresh_from_db()
    if enrolment.status == Enrolment.Status.CANCELLED:
        return None
    enrolment.status, enrolment.waitlist_position, enrolment.updated_at = Enrolment.Status.CANCELLED, None, now
    enrolment.save(update_fields=["status", "waitlist_position", "updated_at"])
    audit.record(actor=actor, verb="training.enrolment.cancelled", obj=enrolment, organization=cohort.organization)
    promoted = _promote_waitlist(cohort, actor=actor, now=now)
    return promoted[0] if promoted else None


def _promote_waitlist(cohort: Cohort, *, actor: User, now: datetime | None = None) -> list[Enrolment]:
    """Give free seats to the waitlist in order (the caller holds the cohort's lock)."""
    now = now or timezone.now()
    free = cohort.capacity - _seats_taken(cohort)
    if free <= 0:
        return []
    waiting = list(
        cohort.enrolments.filter(status=Enrolment.Status.WAITLISTED)
        .select_related("membership")
        .order_by("waitlist_position", "id")[:free]
    )
    for enrolment in waiting:
        enrolment.status, enrolment.waitlist_position, enrolment.updated_at = Enrolment.Status.ENROLLED, None, now
        enrolment.save(update_fields=["status", "waitlist_position", "updated_at"])
        audit.record(actor=actor, verb="training.enrolment.promoted", obj=enrolment, organization=cohort.organization)
        do_notify(
            membership=enrolment.membership,
            text=f"A seat freed up: you are now enrolled in {cohort.title}.",
            url=reverse("training_program", args=[cohort.organization.slug, cohort.program.public_id]),
            key=f"training-promoted:{enrolment.public_id}:{now:%Y%m%d%H%M%S%f}",
        )
    return waiting


# --- Attendance ------------------------------------------------------------------------------------------------
def _schedule_cards(membership: Membership, program: Program, now: datetime) -> int:
    """Attending a session puts the program's items on the learner's schedule (once; due at once)."""
    items = list(program.items.values_list("pk", flat=True))
    made = Card.objects.bulk_create(
        [Card(organization_id=program.organization_id, membership=membership, item_id=pk, due=now) for pk in items],
        ignore_conflicts=True,
    )
    return len(made)


@transaction.atomic
def do_mark_attendance(
    *,
    session: Session,
    membership: Membership,
    present: bool,
    actor: User,
    via: str = Attendance.Via.INSTRUCTOR,
    now: datetime | None = None,
) -> Attendance:
    now = now or timezone.now()
    enrolled = Enrolment.objects.filter(
        cohort_id=session.cohort_id,
        membership=membership,
        status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
    ).exists()
    if not enrolled:
        raise ValidationError("Only people enrolled in the cohort can attend its sessions.")
    attendance, _ = Attendance.objects.update_or_create(
        session=session,
        membership=membership,
        defaults={"organization_id": session.organization_id, "present": present, "via": via, "at": now},
    )
    if present:
        _schedule_cards(membership, session.cohort.program, now)
    audit.record(
        actor=actor,
        verb="training.attendance." + ("present" if present else "absent"),
        obj=session,
        organization=session.cohort.organization,
    )
    return attendance


@transaction.atomic
def do_check_in(*, membership: Membership, code: str, actor: User, now: datetime | None = None) -> Attendance:
    """The learner types the code shown in the room; it works around the session's time for its enrolled people."""
    now = now or timezone.now()
    code = code.strip().upper().replace(" ", "")
    session = (
        Session.objects.select_related("cohort__program", "cohort__organization")
        .filter(
            organization_id=membership.organization_id,
            checkin_code=code,
            starts_at__lte=now + CHECK_IN_WINDOW,
            ends_at__gte=now - CHECK_IN_WINDOW,
            cohort__enrolments__membership=membership,
            cohort__enrolments__status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
        )
        .first()
    )
    if session is None:
        raise ValidationError({"code": "That code does not match a session of yours happening now."})
    return do_mark_attendance(
        session=session, membership=membership, present=True, actor=actor, via=Attendance.Via.CHECK_IN, now=now
    )


# --- Reinforcement ---------------------------------------------------------------------------------------------
def card_state(card: Card) -> scheduling.CardState:
    return scheduling.CardState(
        card_id=card.pk,
        state=card.state,
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


@transaction.atomic
def do_answer(
    *, card: Card, actor: User, choice: int | None = None, rating: int | None = None, now: datetime | None = None
) -> Review:
    """Grade one item and reschedule it: a question by its choice (wrong → Again, right → Good), a practice
    challenge by the learner's own rating 1–4. Retires the card once its stability passes the program's mastery."""
    now = now or timezone.now()
    item = card.item
    correct: bool | None = None
    if item.kind == item.Kind.QUESTION:
        if choice is None or not 0 <= choice < len(item.choices):
            raise ValidationError({"choice": f"Choose one of the {len(item.choices)} answers (0 first)."})
        assert item.correct is not None
        grade = scheduling.rating_for_choice(choice=choice, correct=item.correct)
        correct = choice == item.correct
    else:
        if rating is None or not 1 <= rating <= 4:
            raise ValidationError({"rating": "Rate how it went from 1 (did not manage) to 4 (easy)."})
        grade, choice = scheduling.Rating(rating), None
    if card.retired_at is not None:
        raise ValidationError("This item is mastered and retired.")
    new = scheduling.review(card_state(card), grade, now=now)
    card.state, card.step, card.stability, card.difficulty = new.state, new.step, new.stability, new.difficulty
    assert new.due is not None
    card.due, card.last_review = new.due, new.last_review
    if new.stability is not None and new.stability >= item.program.mastery_days:
        card.retired_at = now
    card.save(update_fields=["state", "step", "stability", "difficulty", "due", "last_review", "retired_at"])
    review = Review.objects.create(
        organization_id=card.organization_id, card=card, rating=int(grade), choice=choice, correct=correct, at=now
    )
    audit.record(actor=actor, verb="training.card.reviewed", obj=card, organization=card.organization, now=now)
    return review


@transaction.atomic
def do_pause(*, membership: Membership, paused: bool, actor: User) -> int:
    """Pause (holiday) or resume the learner's reinforcement; returns how many cards changed."""
    changed = Card.objects.filter(membership=membership).exclude(paused=paused).update(paused=paused)
    if changed:
        audit.record(
            actor=actor,
            verb="training.reinforcement." + ("paused" if paused else "resumed"),
            obj=membership,
            organization=membership.organization,
        )
    return changed


# --- Kirkpatrick level 3 ---------------------------------------------------------------------------------------
@transaction.atomic
def do_answer_observation(*, observation: ObservationRequest, applied: bool, actor: User, now: datetime) -> None:
    observation.applied, observation.answered_at = applied, now
    observation.save(update_fields=["applied", "answered_at"])
    audit.record(
        actor=actor,
        verb="training.observation.answered",
        obj=observation.enrolment,
        organization=observation.organization,
    )


def cost_per_participant(program: Program, attendees: int) -> Decimal | None:
    return (program.cost / attendees).quantize(Decimal("0.01")) if attendees else None
