"""Enrolment and the waitlist, attendance and check-in, answering and pausing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.core.models import AuditEvent, Notification
from trellis.training import services
from trellis.training.models import Attendance, Card, Enrolment, Review, Session


def _session(cohort: Any, *, start: Any = None) -> Session:
    start = start or timezone.now() - timedelta(minutes=30)
    return Session.objects.create(
        organization=cohort.organization, cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=3), place="A"
    )


def test_enrol_fills_seats_then_the_waitlist_in_order(course: dict[str, Any], make_people: Any, user: Any) -> None:
    cohort = course["cohort"]
    a, b, c, d = make_people(4)
    statuses = [services.do_enrol(cohort=cohort, membership=m, actor=user("heidi")) for m in (a, b, c, d)]
    assert [e.status for e in statuses] == ["enrolled", "enrolled", "waitlisted", "waitlisted"]
    assert [e.waitlist_position for e in statuses] == [None, None, 1, 2]
    assert AuditEvent.objects.filter(verb="training.enrolment.waitlisted").count() == 2


def test_a_freed_seat_goes_to_the_first_on_the_waitlist_at_once(
    course: dict[str, Any], make_people: Any, user: Any
) -> None:
    cohort = course["cohort"]
    a, b, c, d = make_people(4)
    first = services.do_enrol(cohort=cohort, membership=a, actor=a.user)
    for m in (b, c, d):
        services.do_enrol(cohort=cohort, membership=m, actor=m.user)
    promoted = services.do_cancel_enrolment(enrolment=first, actor=a.user)
    assert promoted is not None and promoted.membership == c
    rows = dict(Enrolment.objects.filter(cohort=cohort).values_list("membership_id", "status"))
    assert rows == {a.pk: "cancelled", b.pk: "enrolled", c.pk: "enrolled", d.pk: "waitlisted"}
    assert Notification.objects.filter(user=c.user, text__contains="seat freed up").exists()
    assert not Notification.objects.filter(user=d.user, text__contains="seat freed up").exists()
    # cancelling a waitlisted place frees no seat
    assert services.do_cancel_enrolment(enrolment=Enrolment.objects.get(membership=d), actor=d.user) is None


def test_enrolling_twice_is_a_no_op_and_again_after_cancelling_works(course: dict[str, Any], member: Any) -> None:
    alice = member("alice")
    first = services.do_enrol(cohort=course["cohort"], membership=alice, actor=alice.user)
    assert services.do_enrol(cohort=course["cohort"], membership=alice, actor=alice.user).pk == first.pk
    services.do_cancel_enrolment(enrolment=first, actor=alice.user)
    again = services.do_enrol(cohort=course["cohort"], membership=alice, actor=alice.user)
    assert again.pk == first.pk and again.status == "enrolled"


def test_attending_schedules_the_programs_items_once(course: dict[str, Any], member: Any, user: Any) -> None:
    alice, cohort = member("alice"), course["cohort"]
    session = _session(cohort)
    with pytest.raises(ValidationError, match="enrolled"):
        services.do_mark_attendance(session=session, membership=alice, present=True, actor=user("grace"))
    services.do_enrol(cohort=cohort, membership=alice, actor=alice.user)
    services.do_mark_attendance(session=session, membership=alice, present=True, actor=user("grace"))
    services.do_mark_attendance(session=session, membership=alice, present=True, actor=user("grace"))
    cards = Card.objects.filter(membership=alice, item__program=course["program"])
    assert cards.count() == 3 and all(c.due <= timezone.now() for c in cards)
    assert Attendance.objects.get(session=session, membership=alice).via == "instructor"


def test_absent_learners_get_no_cards(course: dict[str, Any], member: Any, user: Any) -> None:
    bob = member("bob")
    services.do_enrol(cohort=course["cohort"], membership=bob, actor=bob.user)
    services.do_mark_attendance(session=_session(course["cohort"]), membership=bob, present=False, actor=user("grace"))
    assert not Card.objects.filter(membership=bob, item__program=course["program"]).exists()


def test_check_in_with_the_code_during_the_session(course: dict[str, Any], member: Any) -> None:
    alice, cohort = member("alice"), course["cohort"]
    session = _session(cohort)
    with pytest.raises(ValidationError):  # not enrolled
        services.do_check_in(membership=alice, code=session.checkin_code, actor=alice.user)
    services.do_enrol(cohort=cohort, membership=alice, actor=alice.user)
    with pytest.raises(ValidationError):
        services.do_check_in(membership=alice, code="WRONG1", actor=alice.user)
    with pytest.raises(ValidationError):  # the code of a session two days away does not work now
        services.do_check_in(
            membership=alice, code=session.checkin_code, actor=alice.user, now=timezone.now() + timedelta(days=2)
        )
    attendance = services.do_check_in(membership=alice, code=f" {session.checkin_code.lower()} ", actor=alice.user)
    assert attendance.via == "check_in" and attendance.present
    assert Card.objects.filter(membership=alice, item__program=course["program"]).count() == 3


def _attended(course: dict[str, Any], who: Any) -> list[Card]:
    services.do_enrol(cohort=course["cohort"], membership=who, actor=who.user)
    services.do_mark_attendance(session=_session(course["cohort"]), membership=who, present=True, actor=who.user)
    return list(Card.objects.filter(membership=who, item__program=course["program"]).order_by("item__position"))


def test_answering_grades_and_reschedules(course: dict[str, Any], member: Any) -> None:
    alice = member("alice")
    q1, q2, practice = _attended(course, alice)
    now = timezone.now()
    right = services.do_answer(card=q1, actor=alice.user, choice=1, now=now)
    wrong = services.do_answer(card=q2, actor=alice.user, choice=1, now=now)
    assert (right.correct, right.rating, wrong.correct, wrong.rating) == (True, 3, False, 1)
    q1.refresh_from_db()
    q2.refresh_from_db()
    assert q1.due > q2.due and q1.last_review == now
    with pytest.raises(ValidationError):
        services.do_answer(card=q1, actor=alice.user, choice=7)
    with pytest.raises(ValidationError):
        services.do_answer(card=practice, actor=alice.user, choice=0)
    self_rated = services.do_answer(card=practice, actor=alice.user, rating=4, now=now)
    assert self_rated.correct is None and self_rated.rating == 4
    assert Review.objects.filter(card__membership=alice, card__item__program=course["program"]).count() == 3


def test_a_mastered_card_retires(course: dict[str, Any], member: Any) -> None:
    alice = member("alice")
    course["program"].mastery_days = 5
    course["program"].save()
    card = _attended(course, alice)[0]
    moment = timezone.now()
    for _ in range(6):
        card.refresh_from_db()
        if card.retired_at:
            break
        moment = max(moment, card.due) + timedelta(minutes=1)
        services.do_answer(card=card, actor=alice.user, choice=1, now=moment)
    card.refresh_from_db()
    assert card.retired_at is not None and card.stability is not None and card.stability >= 5


def test_pause_and_resume(course: dict[str, Any], member: Any) -> None:
    alice = member("alice")
    _attended(course, alice)
    assert services.do_pause(membership=alice, paused=True, actor=alice.user) >= 3
    assert not Card.objects.filter(membership=alice, paused=False).exists()
    assert services.do_pause(membership=alice, paused=True, actor=alice.user) == 0
    services.do_pause(membership=alice, paused=False, actor=alice.user)
    assert not Card.objects.filter(membership=alice, paused=True).exists()
