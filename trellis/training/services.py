"""Every write in training: keyword-only ``do_*`` functions, atomic, audited (ids and verbs only)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from trellis.core import audit, calendar, mail
from trellis.core.models import Membership, Organization, Role, User
from trellis.core.services import do_notify
from trellis.training import scheduling
from trellis.training.models import (
    Attendance,
    Card,
    Cohort,
    Enrolment,
    Material,
    ObservationRequest,
    Program,
    QuizAttempt,
    Reaction,
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
    if status == Cohort.Status.CANCELLED:  # take its upcoming sessions out of everyone's calendar
        for session in cohort.sessions.filter(cancelled_at__isnull=True, starts_at__gt=timezone.now()):
            do_cancel_session(session=session, actor=actor)
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
    send_invites(session)
    return session


SESSION_FIELDS = ("title", "starts_at", "ends_at", "place", "online_url")


@transaction.atomic
def do_update_session(*, session: Session, actor: User, **fields: Any) -> Session:
    """Change a session; a new time, place or link raises its SEQUENCE and sends everyone an updated invite."""
    if session.cancelled_at is not None:
        raise ValidationError("This session is cancelled.")
    for name in fields:
        if name not in SESSION_FIELDS:
            raise TypeError(f"unexpected session field {name!r}")
    changed = {name for name, value in fields.items() if getattr(session, name) != value}
    for name, value in fields.items():
        setattr(session, name, value)
    if session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": "A session ends after it starts."})
    if not session.place and not session.online_url:
        raise ValidationError({"place": "Give a place (in person) or a link (online)."})
    session.full_clean(exclude=["organization", "cohort"])
    if changed:
        session.sequence += 1
    session.save()
    audit.record(actor=actor, verb="training.session.updated", obj=session, organization=session.cohort.organization)
    if changed:
        send_invites(session)
    return session


@transaction.atomic
def do_cancel_session(*, session: Session, actor: User, now: datetime | None = None) -> Session:
    """Cancel a session (kept for the record): everyone enrolled gets a CANCEL for their calendar."""
    if session.cancelled_at is not None:
        return session
    session.cancelled_at = now or timezone.now()
    session.sequence += 1
    session.save(update_fields=["cancelled_at", "sequence"])
    audit.record(actor=actor, verb="training.session.cancelled", obj=session, organization=session.cohort.organization)
    send_invites(session)
    return session


def invite_key(session: Session, membership: Membership) -> str:
    return f"training-ics:{session.public_id}:{membership.public_id}:{session.sequence}"


def send_invites(
    session: Session, people: list[Membership] | None = None, now: datetime | None = None, *, withdrawn: bool = False
) -> int:
    """Queue an e-mail with the session's invite (REQUEST, or CANCEL once cancelled — or, with ``withdrawn``, for
    people who left the cohort) to each person holding a seat, once per (session, learner, sequence). Returns how
    many were queued."""
    now = now or timezone.now()
    cohort = session.cohort
    if people is None:
        people = list(
            Membership.objects.filter(
                training_enrolments__cohort=cohort,
                training_enrolments__status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED],
            ).select_related("user")
        )
    if not people:
        return 0
    teacher = cohort.instructor.user if cohort.instructor_id and cohort.instructor else None
    organizer = (teacher.email, teacher.full_name) if teacher else (settings.DEFAULT_FROM_EMAIL, "Trellis")
    cancelled = session.cancelled_at is not None or withdrawn
    where = session.place or session.online_url
    summary = f"{cohort.program.title}: {session.title or cohort.title}"
    sent = 0
    for person in people:
        ics = calendar.invite(
            uid=f"training-session-{session.public_id}@trellis",
            summary=summary,
            start=session.starts_at,
            end=session.ends_at,
            organizer=organizer,
            attendees=[(person.user.email, person.user.full_name)],
            description=f"{cohort.title}. " + (f"Join: {session.online_url}" if session.online_url else ""),
            location=where,
            sequence=session.sequence,
            cancelled=cancelled,
            now=now,
        )
        when = timezone.localtime(session.starts_at).strftime("%a %d %b %Y, %H:%M")
        if withdrawn:
            subject, body = (
                f"Cancelled: {summary}",
                f"You left {cohort.title}: the session on {when} is off your calendar.\n",
            )
        elif cancelled:
            subject, body = f"Cancelled: {summary}", f"The session on {when} is cancelled.\n"
        elif session.sequence:
            subject, body = f"Updated: {summary}", f"The session has changed. It is now on {when}, {where}.\n"
        else:
            subject, body = f"Invitation: {summary}", f"You are invited to the session on {when}, {where}.\n"
        _, created = mail.queue(
            to=person.user,
            subject=subject,
            body=body,
            key=invite_key(session, person)
            + (f":withdrawn:{now:%Y%m%d%H%M%S%f}" if withdrawn else ":cancel" if cancelled else ""),
            organization=cohort.organization,
            ics=ics,
        )
        sent += int(created)
    return sent


def _invite_to_upcoming(cohort: Cohort, membership: Membership, now: datetime) -> None:
    for session in cohort.sessions.filter(cancelled_at__isnull=True, starts_at__gt=now).select_related(
        "cohort__program", "cohort__instructor__user", "cohort__organization"
    ):
        send_invites(session, [membership], now=now)


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
    if enrolment.status == Enrolment.Status.ENROLLED:
        _invite_to_upcoming(cohort, membership, now)
    return enrolment


def can_assign(actor: Membership, membership: Membership) -> bool:
    """A manager assigns their direct reports; a program admin assigns anyone in the organization."""
    if actor.organization_id != membership.organization_id:
        return False
    return actor.has_role(Role.PROGRAM_ADMIN) or (
        actor.has_role(Role.MANAGER) and membership.manager_id == actor.pk and actor.pk != membership.pk
    )


@transaction.atomic
def do_assign(*, cohort: Cohort, membership: Membership, assigned_by: Membership, actor: User) -> Enrolment:
    """Enrol someone else (same seats and waitlist as self-enrolment) and tell them."""
    if not can_assign(assigned_by, membership):
        raise PermissionDenied("You can assign your direct reports only.")
    enrolment = do_enrol(cohort=cohort, membership=membership, actor=actor)
    audit.record(actor=actor, verb="training.enrolment.assigned", obj=enrolment, organization=cohort.organization)
    where = "enrolled in" if enrolment.status == Enrolment.Status.ENROLLED else "on the waitlist of"
    do_notify(
        membership=membership,
        text=f"{assigned_by.user.full_name} put you {where} {cohort.title} ({cohort.program.title}).",
        url=reverse("training_program", args=[cohort.organization.slug, cohort.program.public_id]),
        key=f"training-assigned:{enrolment.public_id}:{enrolment.updated_at:%Y%m%d%H%M%S%f}",
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
    enrolment_had_seat = enrolment.status == Enrolment.Status.ENROLLED
    enrolment.status, enrolment.waitlist_position, enrolment.updated_at = Enrolment.Status.CANCELLED, None, now
    enrolment.save(update_fields=["status", "waitlist_position", "updated_at"])
    audit.record(actor=actor, verb="training.enrolment.cancelled", obj=enrolment, organization=cohort.organization)
    if enrolment_had_seat:
        for session in cohort.sessions.filter(cancelled_at__isnull=True, starts_at__gt=now).select_related(
            "cohort__program", "cohort__instructor__user", "cohort__organization"
        ):
            send_invites(session, [enrolment.membership], now=now, withdrawn=True)
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
        _invite_to_upcoming(cohort, enrolment.membership, now)
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
def do_answer_observation(
    *,
    observation: ObservationRequest,
    actor: User,
    now: datetime,
    answer: str | None = None,
    applied: bool | None = None,
    comment: str = "",
) -> None:
    """The manager's answer: yes / partly / no / not observed, and an optional comment of their own."""
    if answer is None:
        answer = ObservationRequest.Seen.YES if applied else ObservationRequest.Seen.NO
    if answer not in ObservationRequest.Seen.values:
        raise ValidationError({"answer": "Choose one of the answers."})
    seen = ObservationRequest.Seen
    observation.answer = answer
    observation.applied = {seen.YES: True, seen.NO: False}.get(seen(answer))
    observation.comment, observation.answered_at = comment.strip()[:2000], now
    observation.save(update_fields=["answer", "applied", "comment", "answered_at"])
    audit.record(
        actor=actor,
        verb="training.observation.answered",
        obj=observation.enrolment,
        organization=observation.organization,
    )


def cost_per_participant(program: Program, attendees: int) -> Decimal | None:
    return (program.cost / attendees).quantize(Decimal("0.01")) if attendees else None


# --- Evaluation: reaction (L1) and before/after quiz (L2) -------------------------------------------------------
@transaction.atomic
def do_react(
    *, session: Session, membership: Membership, score: int, comment: str = "", actor: User, now: datetime | None = None
) -> Reaction:
    """One reaction per learner per session, from someone who attended it; answering again replaces it."""
    if not 1 <= score <= 5:
        raise ValidationError({"score": "Rate the session from 1 to 5."})
    if not Attendance.objects.filter(session=session, membership=membership, present=True).exists():
        raise ValidationError("Only people who attended the session can rate it.")
    reaction, _ = Reaction.objects.update_or_create(
        session=session,
        membership=membership,
        defaults={
            "organization_id": session.organization_id,
            "score": score,
            "comment": comment.strip()[:2000],
            "at": now or timezone.now(),
        },
    )
    audit.record(actor=actor, verb="training.reaction.saved", obj=session, organization=membership.organization)
    return reaction


def quiz_questions(program: Program) -> list[ReinforcementItem]:
    return list(program.items.filter(kind=ReinforcementItem.Kind.QUESTION))


def quiz_open(enrolment: Enrolment, phase: str, now: datetime) -> bool:
    """Pre-test: while holding a seat and before the first session starts. Post-test: once the last session
    has ended. Once per phase."""
    if enrolment.status not in (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED):
        return False
    sessions = enrolment.cohort.sessions.filter(cancelled_at__isnull=True)
    if phase == QuizAttempt.Phase.PRE:
        first = sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
        return first is None or now < first
    if phase == QuizAttempt.Phase.POST:
        last = sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
        return last is not None and now >= last
    return False


@transaction.atomic
def do_take_quiz(
    *, enrolment: Enrolment, phase: str, answers: dict[int, int], actor: User, now: datetime | None = None
) -> QuizAttempt:
    """Score the program's questions (answers: item pk → chosen index). Only the score is kept."""
    now = now or timezone.now()
    if not quiz_open(enrolment, phase, now):
        raise ValidationError("This quiz is not open.")
    if QuizAttempt.objects.filter(enrolment=enrolment, phase=phase).exists():
        raise ValidationError("You have already taken this quiz.")
    questions = quiz_questions(enrolment.cohort.program)
    if not questions:
        raise ValidationError("This program has no questions.")
    correct = sum(1 for q in questions if answers.get(q.pk) is not None and answers[q.pk] == q.correct)
    attempt = QuizAttempt.objects.create(
        organization_id=enrolment.organization_id,
        enrolment=enrolment,
        phase=phase,
        correct=correct,
        total=len(questions),
        at=now,
    )
    audit.record(actor=actor, verb=f"training.quiz.{phase}", obj=enrolment, organization=enrolment.organization)
    return attempt


# --- Materials -------------------------------------------------------------------------------------------------
@transaction.atomic
def do_add_material(*, cohort: Cohort, actor: User, title: str, url: str, session: Session | None = None) -> Material:
    if session is not None and session.cohort_id != cohort.pk:
        raise ValidationError({"session": "That session belongs to another cohort."})
    material = Material(organization_id=cohort.organization_id, cohort=cohort, session=session, title=title, url=url)
    material.full_clean(exclude=["organization", "cohort", "session"])
    material.save()
    audit.record(actor=actor, verb="training.material.created", obj=material, organization=cohort.organization)
    return material


@transaction.atomic
def do_delete_material(*, material: Material, actor: User) -> None:
    audit.record(actor=actor, verb="training.material.deleted", obj=material, organization=material.cohort.organization)
    material.delete()


# --- Deleting ----------------------------------------------------------------------------------------------------
@transaction.atomic
def do_delete_cohort(*, cohort: Cohort, actor: User, now: datetime | None = None) -> None:
    """Delete a cohort nobody has attended yet (a run that happened is kept: set it to cancelled instead).
    Upcoming sessions are cancelled in everyone's calendar first."""
    now = now or timezone.now()
    if Attendance.objects.filter(session__cohort=cohort, present=True).exists():
        raise ValidationError("People attended this cohort: cancel it instead of deleting it.")
    for session in cohort.sessions.filter(cancelled_at__isnull=True, starts_at__gt=now):
        do_cancel_session(session=session, actor=actor, now=now)
    audit.record(actor=actor, verb="training.cohort.deleted", obj=cohort, organization=cohort.organization)
    cohort.delete()


@transaction.atomic
def do_update_item(
    *,
    item: ReinforcementItem,
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
    item.kind, item.prompt, item.choices = kind, prompt.strip(), choices
    item.correct, item.explanation = correct, explanation.strip()
    item.full_clean(exclude=["organization", "program"])
    item.save()
    audit.record(actor=actor, verb="training.item.updated", obj=item, organization=item.program.organization)
    return item


@transaction.atomic
def do_delete_item(*, item: ReinforcementItem, actor: User) -> None:
    """Remove an item from the bank, with its cards (and their reviews) — learners stop seeing it."""
    audit.record(actor=actor, verb="training.item.deleted", obj=item, organization=item.program.organization)
    item.delete()
