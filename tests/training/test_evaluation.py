"""Evaluation: the manager's level-3 check (tick → notification → answer page → report), the reaction survey
(L1), the quiz before and after (L2), and what reaches the program report (aggregates only, groups ≥ 5)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trellis.core.models import AuditEvent, Membership, Notification
from trellis.training import services
from trellis.training.jobs import ask_managers
from trellis.training.models import Attendance, Cohort, Enrolment, ObservationRequest, QuizAttempt, Reaction, Session


def _completed_cohort(course: dict[str, Any], people: list[Membership], ended_days_ago: int) -> Cohort:
    cohort: Cohort = course["cohort"]
    ended = timezone.now().date() - timedelta(days=ended_days_ago)
    cohort.starts_on, cohort.ends_on, cohort.capacity, cohort.status = ended, ended, 20, "completed"
    cohort.save()
    for person in people:
        Enrolment.objects.create(organization=cohort.organization, cohort=cohort, membership=person, status="completed")
    return cohort


def _report_people(make_people: Callable[..., list[Membership]], manager: Membership, n: int) -> list[Membership]:
    people = make_people(n, "report")
    Membership.objects.filter(pk__in=[p.pk for p in people]).update(manager=manager)
    for p in people:
        p.refresh_from_db()
    return people


def test_l3_tick_asks_the_manager_who_answers_and_only_totals_reach_the_report(
    course: dict[str, Any], make_people: Any, member: Any, login: Any, django_assert_max_num_queries: Any
) -> None:
    frank = member("frank")
    people = _report_people(make_people, frank, 5)
    cohort = _completed_cohort(course, people, ended_days_ago=30)
    now = timezone.now()
    assert ask_managers(now) == 5
    assert ask_managers(now) == 0  # idempotent
    notes = Notification.objects.filter(user=frank.user, idempotency_key__startswith="training-l3:")
    assert notes.count() == 5 and {n.url for n in notes} == {"/o/northwind/training/observations/"}
    assert "have you seen Report 0 apply it?" in " ".join(n.text for n in notes)

    client = login("frank")
    with django_assert_max_num_queries(12):  # one query for the list, whatever its length
        page = client.get("/o/northwind/training/observations/").content.decode()
    assert "Have you seen Report 0 apply “Test course”?" in page and "30 days after Test cohort" in page
    observations = list(ObservationRequest.objects.filter(enrolment__cohort=cohort).order_by("pk"))
    # someone else (not the manager) cannot answer frank's question: it is not found among theirs
    heidi = login("heidi").post(
        "/o/northwind/training/observations/", {"observation": observations[0].pk, "answer": "no"}
    )
    assert heidi.status_code in (403, 404)
    observations[0].refresh_from_db()
    assert observations[0].answered_at is None

    report_url = f"/o/northwind/training/programs/{course['program'].public_id}/report/"
    heidi_client = login("heidi")
    with django_assert_max_num_queries(25):
        heidi_client.get(report_url)
    answers = ["yes", "yes", "partly", "no"]
    for obs, answer in zip(observations, answers, strict=False):
        response = client.post(
            "/o/northwind/training/observations/",
            {"observation": obs.pk, "answer": answer, "comment": "Saw it in the Monday 1:1" if answer == "yes" else ""},
        )
        assert response.status_code == 302
    obs = ObservationRequest.objects.get(pk=observations[0].pk)
    assert (obs.answer, obs.applied, obs.comment) == ("yes", True, "Saw it in the Monday 1:1")
    assert AuditEvent.objects.filter(verb="training.observation.answered").count() >= 4
    # four answers: suppressed
    assert "fewer than 5 answers" in login("heidi").get(report_url).content.decode()
    client.post("/o/northwind/training/observations/", {"observation": observations[4].pk, "answer": "not_observed"})
    page = login("heidi").get(report_url).content.decode()
    assert "Yes: 2 · Partly: 1 · No: 1 · I have not been able to observe: 1" in page
    assert "Monday 1:1" not in page  # the manager's comment is not published
    assert "You answered: <strong>Yes</strong>" in client.get("/o/northwind/training/observations/").content.decode()
    csv = login("heidi").get(report_url + "?format=csv").content.decode().splitlines()
    row = dict(zip(csv[0].split(","), csv[1].split(","), strict=True))
    assert (row["l3_answers"], row["l3_yes"], row["l3_partly"], row["l3_no"], row["l3_not_observed"]) == (
        "5",
        "2",
        "1",
        "1",
        "1",
    )


def test_l3_answer_page_never_shows_the_learners_own_answers(
    course: dict[str, Any], make_people: Any, member: Any, login: Any
) -> None:
    frank = member("frank")
    (person,) = _report_people(make_people, frank, 1)
    _completed_cohort(course, [person], ended_days_ago=60)
    ask_managers(timezone.now())
    question = course["items"][0]
    page = login("frank").get("/o/northwind/training/observations/").content.decode()
    assert "60 days after" in page and question.prompt not in page and "Predicted recall" not in page


def _attended_session(course: dict[str, Any], people: list[Membership], grace: Membership) -> Session:
    cohort: Cohort = course["cohort"]
    cohort.capacity = 20
    cohort.save()
    start = timezone.now() - timedelta(hours=3)
    session = Session.objects.create(
        organization=cohort.organization, cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=2), place="A"
    )
    for p in people:
        services.do_enrol(cohort=cohort, membership=p, actor=grace.user)
        services.do_mark_attendance(session=session, membership=p, present=True, actor=grace.user)
    return session


def test_reaction_survey_one_per_learner_and_only_attendees(
    course: dict[str, Any], make_people: Any, member: Any, login: Any, client: Any
) -> None:
    people = make_people(5)
    session = _attended_session(course, people, member("grace"))
    learner = people[0]
    client.force_login(learner.user)
    page = client.get("/o/northwind/training/feedback/").content.decode()
    assert "Test course" in page and "Send my rating" in page
    client.post("/o/northwind/training/feedback/", {"session": str(session.public_id), "score": "4", "comment": "ok"})
    client.post("/o/northwind/training/feedback/", {"session": str(session.public_id), "score": "5"})
    reaction = Reaction.objects.get(session=session, membership=learner)
    assert (reaction.score, reaction.comment) == (5, "")  # answering again replaces: still one
    assert "Your rating: <strong>5 / 5</strong>" in client.get("/o/northwind/training/feedback/").content.decode()
    # someone who did not attend cannot rate it
    with pytest.raises(ValidationError):
        services.do_react(session=session, membership=member("bob"), score=3, actor=member("bob").user)
    bob = login("bob").post("/o/northwind/training/feedback/", {"session": str(session.public_id), "score": "3"})
    assert bob.status_code == 404 and not Reaction.objects.filter(membership=member("bob")).exists()

    report = f"/o/northwind/training/programs/{course['program'].public_id}/report/"
    assert "5.0 (1)" not in login("heidi").get(report).content.decode()
    for p in people[1:]:
        services.do_react(session=session, membership=p, score=3, actor=p.user)
    page = login("heidi").get(report).content.decode()
    assert "3.4 (5)" in page  # (5 + 3·4) / 5
    assert "ok" not in page.split("Evaluation")[1].split("</table>")[0]


def test_quiz_before_and_after_scores_are_private_and_averaged_for_groups_of_five(
    course: dict[str, Any], make_people: Any, member: Any, login: Any, client: Any
) -> None:
    people = make_people(5)
    cohort: Cohort = course["cohort"]
    cohort.capacity = 20
    cohort.save()
    start = timezone.now() + timedelta(days=2)
    session = Session.objects.create(
        organization=cohort.organization, cohort=cohort, starts_at=start, ends_at=start + timedelta(hours=2), place="A"
    )
    grace = member("grace")
    for p in people:
        services.do_enrol(cohort=cohort, membership=p, actor=grace.user)
    learner = people[0]
    enrolment = Enrolment.objects.get(cohort=cohort, membership=learner)
    client.force_login(learner.user)
    listing = client.get("/o/northwind/training/quiz/").content.decode()
    assert "Test course — quiz before the course" in listing and "after the course" not in listing
    q1, q2, _practice = course["items"]
    form = client.get(f"/o/northwind/training/quiz/?enrolment={enrolment.public_id}&phase=pre").content.decode()
    assert "Q1" in form and "Q2" in form and "Try it" not in form  # questions only
    client.post(
        "/o/northwind/training/quiz/",
        {"enrolment": str(enrolment.public_id), "phase": "pre", f"q{q1.pk}": "1", f"q{q2.pk}": "1"},
    )
    attempt = QuizAttempt.objects.get(enrolment=enrolment, phase="pre")
    assert (attempt.correct, attempt.total) == (1, 2)
    assert "<strong>1 of 2</strong>" in client.get("/o/northwind/training/quiz/").content.decode()
    with pytest.raises(ValidationError, match="already"):
        services.do_take_quiz(enrolment=enrolment, phase="pre", answers={}, actor=learner.user)
    # the post-test opens after the last session, the pre-test closes once the course began
    later = session.ends_at + timedelta(minutes=1)
    assert services.quiz_open(enrolment, "post", later) and not services.quiz_open(enrolment, "pre", later)
    with pytest.raises(ValidationError, match="not open"):
        services.do_take_quiz(enrolment=enrolment, phase="post", answers={}, actor=learner.user)
    for p in people:
        e = Enrolment.objects.get(cohort=cohort, membership=p)
        services.do_take_quiz(enrolment=e, phase="post", answers={q1.pk: 1, q2.pk: 0}, actor=p.user, now=later)
    # the manager and the instructor never see a score; the program sees averages
    report = login("heidi").get(f"/o/northwind/training/programs/{course['program'].public_id}/report/")
    text = report.content.decode()
    assert "100% (5)" in text  # post: everyone 2/2
    assert text.count("fewer than 5") >= 1  # pre: one attempt only
    roster = login("grace").get(f"/o/northwind/training/cohorts/{cohort.public_id}/").content.decode()
    assert "1 of 2" not in roster and "2 of 2" not in roster


def test_cost_per_participant_counts_attendees(course: dict[str, Any], make_people: Any, member: Any) -> None:
    program = course["program"]
    program.cost = 1000
    program.save()
    people = make_people(4)
    _attended_session(course, people, member("grace"))
    from trellis.training import selectors

    (row,) = selectors.program_retention(program)[0]
    assert row.attendees == 4 and row.cost_per_participant == 250.0
    assert Attendance.objects.filter(session__cohort=course["cohort"], present=True).count() == 4
