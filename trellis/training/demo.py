"""Demo data for training: Northwind's "Giving feedback (SBI)" — a completed cohort taught by grace that alice
attended, her reinforcement history since (simulated with the FSRS scheduler, deterministically), items due
today, and an upcoming cohort with a waitlist. Idempotent: a second run changes nothing."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from trellis.core.models import Membership, Organization
from trellis.training import scheduling
from trellis.training.models import (
    Attendance,
    Card,
    Cohort,
    Enrolment,
    Material,
    Program,
    QuizAttempt,
    Reaction,
    ReinforcementItem,
    Review,
    Session,
)

TITLE = "Giving feedback (SBI)"
QUESTIONS = [
    (
        "In the SBI model, what does the “S” stand for?",
        ["Situation", "Summary", "Strength", "Solution"],
        0,
        "Situation: say when and where it happened, so the other person knows exactly which moment you mean.",
    ),
    (
        "Which of these describes a Behaviour, not a judgement?",
        ["You were rude in the meeting", "You interrupted Sam twice", "You seemed not to care", "You are too direct"],
        1,
        "A behaviour is what a camera would record: observable, specific, free of interpretation.",
    ),
    (
        "What belongs in the Impact part?",
        [
            "What you think of their character",
            "What should happen next",
            "The effect the behaviour had on you or the team",
            "A rating",
        ],
        2,
        "Impact is the consequence you saw or felt — it makes the feedback matter without blaming.",
    ),
    (
        "When is feedback most useful?",
        ["At the annual review", "Soon after the moment", "Only when asked", "In writing, a month later"],
        1,
        "Close to the moment, while both of you still remember the details.",
    ),
    (
        "After giving SBI feedback, a good next step is to…",
        ["Leave before they answer", "Ask for their view", "Repeat it louder", "Copy their manager"],
        1,
        "Feedback is a conversation: ask what they saw and agree together what happens next.",
    ),
    (
        "Which is SBI feedback on a positive behaviour?",
        [
            "Great job!",
            "In Tuesday's demo, you answered the client's pricing question with data; they signed that afternoon.",
            "You are a natural",
            "Keep it up",
        ],
        1,
        "Positive feedback follows the same model: specific praise tells people what to repeat.",
    ),
]
PRACTICE = [
    "Use SBI in a 1:1 this week: note the situation, the behaviour and its impact, then reflect on how it went.",
    "Give one piece of positive SBI feedback to a peer today.",
]
CLASSMATES = 7  # besides alice: enough people for the program's aggregates (groups under 5 are hidden)


def _at(day: datetime, hour: int) -> datetime:
    return datetime.combine(day.date(), time(hour), tzinfo=UTC)


def _simulate(cards: list[Card], *, start: datetime, now: datetime, daily: int, accuracy: float, seed: int) -> int:
    """Each morning, answer the learner's due cards (at most ``daily``), right with probability ``accuracy``."""
    rng = random.Random(seed)  # noqa: S311 (a deterministic simulation, not a secret)
    states = {c.pk: scheduling.CardState(card_id=c.pk, due=c.due) for c in cards}
    reviews: list[Review] = []
    day = start
    while day < now - timedelta(hours=20):
        moment = _at(day, 8) + timedelta(minutes=rng.randint(0, 90))
        due = sorted((s.due, pk) for pk, s in states.items() if s.due is not None and s.due <= moment)
        for _, pk in due[:daily]:
            right = rng.random() < accuracy
            grade = scheduling.Rating.Good if right else scheduling.Rating.Again
            states[pk] = scheduling.review(states[pk], grade, now=moment)
            reviews.append(Review(card_id=pk, rating=int(grade), correct=right, at=moment, organization_id=0))
        day += timedelta(days=1)
    by_pk = {c.pk: c for c in cards}
    for pk, s in states.items():
        card = by_pk[pk]
        card.state, card.step, card.stability, card.difficulty = s.state, s.step, s.stability, s.difficulty
        card.due, card.last_review = s.due or now, s.last_review
    Card.objects.bulk_update(cards, ["state", "step", "stability", "difficulty", "due", "last_review"])
    for r in reviews:
        r.organization_id = by_pk[r.card_id].organization_id
    Review.objects.bulk_create(reviews)
    return len(reviews)


@transaction.atomic
def load(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    org = Organization.objects.filter(slug="northwind").first()
    if org is None or Program.objects.filter(organization=org, title=TITLE).exists():
        return {"training programs": 0}
    people = {
        m.user.email.split("@")[0]: m
        for m in Membership.objects.filter(organization=org).select_related("user").order_by("id")
    }
    grace, alice = people["grace"], people["alice"]
    sales = [m for k, m in people.items() if m.department == "Sales" and m.roles == ["participant"] and k != "alice"]
    program = Program.objects.create(
        organization=org,
        title=TITLE,
        topic="Feedback",
        objectives="Give specific, timely feedback with the Situation–Behaviour–Impact model.\n"
        "Turn feedback into a two-way conversation.",
        cost=4800,
    )
    items = [
        ReinforcementItem.objects.create(
            organization=org,
            program=program,
            kind="question",
            prompt=p,
            choices=c,
            correct=k,
            explanation=e,
            position=i,
        )
        for i, (p, c, k, e) in enumerate(QUESTIONS, start=1)
    ] + [
        ReinforcementItem.objects.create(organization=org, program=program, kind="practice", prompt=p, position=10 + i)
        for i, p in enumerate(PRACTICE, start=1)
    ]
    course = now - timedelta(days=42)
    done = Cohort.objects.create(
        organization=org,
        program=program,
        title="Spring cohort",
        capacity=12,
        starts_on=course.date(),
        ends_on=(course + timedelta(days=1)).date(),
        instructor=grace,
        status=Cohort.Status.COMPLETED,
    )
    sessions = [
        Session.objects.create(
            organization=org,
            cohort=done,
            title=f"Day {d + 1}",
            starts_at=_at(course + timedelta(days=d), 9),
            ends_at=_at(course + timedelta(days=d), 13),
            place="Room Ada, London office",
        )
        for d in range(2)
    ]
    learners = [alice, *sales[:CLASSMATES]]
    reviews = 0
    for i, learner in enumerate(learners):
        Enrolment.objects.create(organization=org, cohort=done, membership=learner, status=Enrolment.Status.COMPLETED)
        for session in sessions:
            Attendance.objects.create(
                organization=org, session=session, membership=learner, via=Attendance.Via.INSTRUCTOR, at=session.ends_at
            )
        cards = [
            Card(
                organization=org,
                membership=learner,
                item=item,
                due=sessions[-1].ends_at,
                created_at=sessions[-1].ends_at,
            )
            for item in items
        ]
        cards = Card.objects.bulk_create(cards)
        reviews += _simulate(
            cards, start=course + timedelta(days=2), now=now, daily=2, accuracy=0.8 - 0.05 * (i % 3), seed=1000 + i
        )
    # evaluation: reactions to both days (L1), the quiz before and after (L2), and one material
    questions = sum(1 for item in items if item.kind == "question")
    for i, learner in enumerate(learners):
        enrolment = Enrolment.objects.get(cohort=done, membership=learner)
        for d, session in enumerate(sessions):
            Reaction.objects.create(
                organization=org, session=session, membership=learner, score=4 + (i + d) % 2, at=session.ends_at
            )
        QuizAttempt.objects.create(
            organization=org, enrolment=enrolment, phase="pre", correct=2 + i % 3, total=questions, at=course
        )
        QuizAttempt.objects.create(
            organization=org,
            enrolment=enrolment,
            phase="post",
            correct=min(questions, 4 + i % 3),
            total=questions,
            at=sessions[-1].ends_at,
        )
    Material.objects.create(
        organization=org, cohort=done, title="SBI one-page guide", url="https://example.com/sbi-guide.pdf"
    )
    # alice has items waiting today (the simulation stops yesterday; top up if her backlog happens to be empty)
    waiting_today = Card.objects.filter(membership=alice, due__lte=now).count()
    if waiting_today < program.digest_size:
        soonest = Card.objects.filter(membership=alice, due__gt=now).order_by("due", "id")
        ids = list(soonest.values_list("pk", flat=True)[: program.digest_size - waiting_today])
        Card.objects.filter(pk__in=ids).update(due=now - timedelta(hours=1))

    upcoming_day = now + timedelta(days=21)
    upcoming = Cohort.objects.create(
        organization=org,
        program=program,
        title="Autumn cohort",
        capacity=4,
        starts_on=upcoming_day.date(),
        ends_on=(upcoming_day + timedelta(days=1)).date(),
        instructor=grace,
    )
    Session.objects.create(
        organization=org,
        cohort=upcoming,
        title="Day 1",
        starts_at=_at(upcoming_day, 9),
        ends_at=_at(upcoming_day, 13),
        online_url="https://meet.example/northwind-sbi",
    )
    later = [m for m in people.values() if m.department == "Engineering" and m.roles == ["participant"]][:6]
    for position, learner in enumerate(later):
        waiting = position >= upcoming.capacity
        Enrolment.objects.create(
            organization=org,
            cohort=upcoming,
            membership=learner,
            status=Enrolment.Status.WAITLISTED if waiting else Enrolment.Status.ENROLLED,
            waitlist_position=position - upcoming.capacity + 1 if waiting else None,
        )
    return {"training programs": 1, "training reviews": reviews}
