"""Reads of training, always scoped by the viewer (their organization, their own cards, their reports)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from trellis.core.access import Viewer, allows
from trellis.core.models import Membership
from trellis.core.selectors import AttentionItem
from trellis.training import scheduling
from trellis.training.models import (
    Card,
    Cohort,
    Enrolment,
    Material,
    ObservationRequest,
    Program,
    QuizAttempt,
    Reaction,
    Review,
    Session,
)
from trellis.training.services import card_state, quiz_open

MIN_GROUP = 5  # aggregates over fewer people are suppressed (DESIGN §4)
SEAT_STATUSES = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)


def _member(viewer: Viewer) -> Membership:
    assert viewer.membership is not None
    return viewer.membership


def programs(viewer: Viewer) -> QuerySet[Program]:
    return Program.objects.filter(organization=_member(viewer).organization_id).annotate(
        n_items=Count("items", distinct=True)
    )


def cohorts_of(program: Program) -> list[Cohort]:
    return list(
        program.cohorts.select_related("instructor__user").annotate(
            seats_taken=Count("enrolments", filter=Q(enrolments__status__in=SEAT_STATUSES)),
            waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
        )
    )


def my_enrolments(viewer: Viewer) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(membership=_member(viewer))
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("cohort__program")
        .order_by("-cohort__starts_on")
    )


def enrolments_by_cohort(viewer: Viewer, cohorts: list[Cohort]) -> dict[int, Enrolment]:
    rows = Enrolment.objects.filter(membership=_member(viewer), cohort__in=cohorts)
    return {e.cohort_id: e for e in rows}


def _local_day_start(viewer: Viewer, now: datetime) -> datetime:
    zone = ZoneInfo(_member(viewer).timezone)
    local = now.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def live_cards(viewer: Viewer) -> QuerySet[Card]:
    return Card.objects.filter(membership=_member(viewer), retired_at__isnull=True)


def due_today(viewer: Viewer, now: datetime | None = None) -> list[Card]:
    """Today's items: due, not paused, not retired, at most the program's digest size minus what was answered
    today (local day)."""
    now = now or timezone.now()
    member = _member(viewer)
    answered = Review.objects.filter(card__membership=member, at__gte=_local_day_start(viewer, now)).count()
    cards = list(
        live_cards(viewer).filter(due__lte=now, paused=False).select_related("item__program").order_by("due", "id")[:10]
    )
    size = max((c.item.program.digest_size for c in cards), default=0)
    return cards[: max(0, size - answered)]


def due_count(viewer: Viewer, now: datetime | None = None) -> int:
    """``len(due_today(viewer))`` for the home page, without loading the cards and their items."""
    now = now or timezone.now()
    member = _member(viewer)
    answered = Review.objects.filter(card__membership=member, at__gte=_local_day_start(viewer, now)).count()
    sizes = list(
        live_cards(viewer).filter(due__lte=now, paused=False).values_list("item__program__digest_size", flat=True)[:10]
    )
    return min(len(sizes), max(0, max(sizes, default=0) - answered))


def is_paused(viewer: Viewer) -> bool:
    return live_cards(viewer).filter(paused=True).exists()


def next_due(viewer: Viewer) -> datetime | None:
    return live_cards(viewer).filter(paused=False).order_by("due").values_list("due", flat=True).first()


@dataclass(frozen=True)
class Retention:
    now: float
    forecast: scheduling.Forecast
    cards: int
    retired: int
    course_day: datetime | None


def retention(viewer: Viewer, now: datetime | None = None) -> Retention:
    """The viewer's predicted recall now and for 90 days, next to the curve without reinforcement."""
    now = now or timezone.now()
    member = _member(viewer)
    cards = list(Card.objects.filter(membership=member))
    live = [c for c in cards if c.retired_at is None]
    first = (
        Session.objects.filter(attendance__membership=member, attendance__present=True)
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    course_day = first or (min((c.created_at for c in cards), default=now))
    fc = scheduling.forecast([card_state(c) for c in live], now=now, course_day=min(course_day, now))
    # retired cards are mastered: count them at their current recall in "now"
    states = [card_state(c) for c in cards]
    if states:
        stab = np.array([s.stability if s.stability is not None else np.nan for s in states])
        last = np.array([scheduling.to_us(s.last_review) if s.last_review else 0 for s in states], dtype=np.int64)
        now_r = float(np.mean(scheduling.retrievability(stab, last, scheduling.to_us(now))))
    else:
        now_r = 0.0
    return Retention(now_r, fc, len(cards), len(cards) - len(live), first)


# --- Instructor ------------------------------------------------------------------------------------------------
def cohorts_taught(viewer: Viewer) -> QuerySet[Cohort]:
    return (
        Cohort.objects.filter(instructor=_member(viewer))
        .select_related("program")
        .annotate(seats_taken=Count("enrolments", filter=Q(enrolments__status__in=SEAT_STATUSES)))
        .order_by("-starts_on")
    )


@dataclass
class RosterRow:
    enrolment: Enrolment
    present: dict[int, bool]  # session pk → present


def roster(cohort: Cohort) -> tuple[list[Session], list[RosterRow], list[Enrolment]]:
    sessions = list(cohort.sessions.all())
    enrolments = list(cohort.enrolments.select_related("membership__user").order_by("membership__user__full_name"))
    marks: dict[int, dict[int, bool]] = defaultdict(dict)
    for session_id, member_id, present in (
        Session.objects.filter(cohort=cohort)
        .filter(attendance__isnull=False)
        .values_list("pk", "attendance__membership_id", "attendance__present")
    ):
        marks[member_id][session_id] = present
    rows = [RosterRow(e, marks[e.membership_id]) for e in enrolments if e.status in SEAT_STATUSES]
    waiting = sorted(
        (e for e in enrolments if e.status == Enrolment.Status.WAITLISTED), key=lambda e: e.waitlist_position or 0
    )
    return sessions, rows, waiting


# --- Manager ---------------------------------------------------------------------------------------------------
def reports_enrolments(viewer: Viewer) -> QuerySet[Enrolment]:
    """Enrolment and completion of the viewer's direct reports: records only, never answers."""
    return (
        Enrolment.objects.filter(membership__manager=_member(viewer), membership__is_active=True)
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("membership__user", "cohort__program")
        .annotate(
            attended=Count(
                "cohort__sessions__attendance",
                filter=Q(
                    cohort__sessions__attendance__present=True,
                    cohort__sessions__attendance__membership=F("membership"),
                ),
            )
        )
        .order_by("membership__user__full_name", "-cohort__starts_on")
    )


def learner_enrolments(member: Membership) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(membership=member)
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("cohort__program")
        .order_by("-cohort__starts_on")
    )


# --- Program admin: aggregates only ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CohortRetention:
    cohort: Cohort
    learners: int
    completed: int
    attendees: int
    recall: float | None  # None: fewer than MIN_GROUP learners, suppressed
    cost_per_participant: float | None


@dataclass(frozen=True)
class ItemRecall:
    prompt: str
    learners: int
    recall: float | None


def program_retention(program: Program, now: datetime | None = None) -> tuple[list[CohortRetention], list[ItemRecall]]:
    """Per cohort: mean predicted recall of its attendees' cards now; per item: the least remembered. Groups
    under five people are suppressed. The curve is computed in bulk over columns (numpy)."""
    now = now or timezone.now()
    now_us = scheduling.to_us(now)
    cohorts = cohorts_of(program)
    attendees: dict[int, set[int]] = defaultdict(set)
    for cohort_id, member_id in (
        Session.objects.filter(cohort__program=program, attendance__present=True)
        .values_list("cohort_id", "attendance__membership_id")
        .distinct()
    ):
        attendees[cohort_id].add(member_id)
    rows = list(
        Card.objects.filter(item__program=program).values_list("membership_id", "item_id", "stability", "last_review")
    )
    by_member: dict[int, list[int]] = defaultdict(list)
    if rows:
        stab = np.array([r[2] if r[2] is not None else np.nan for r in rows], dtype=np.float64)
        last = np.array([scheduling.to_us(r[3]) if r[3] else 0 for r in rows], dtype=np.int64)
        recall = scheduling.retrievability(stab, last, now_us)
    else:
        recall = np.zeros(0)
    by_item: dict[int, list[int]] = defaultdict(list)
    for i, (member_id, item_id, _s, _l) in enumerate(rows):
        by_member[member_id].append(i)
        by_item[item_id].append(i)
    completed = dict(
        program.cohorts.annotate(
            n=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.COMPLETED))
        ).values_list("pk", "n")
    )
    out = []
    for cohort in cohorts:
        members = attendees.get(cohort.pk, set())
        idx = [i for m in members for i in by_member.get(m, [])]
        value = float(np.mean(recall[idx])) if len(members) >= MIN_GROUP and idx else None
        n = len(members)
        out.append(
            CohortRetention(
                cohort=cohort,
                learners=cohort.seats_taken,  # type: ignore[attr-defined]
                completed=completed.get(cohort.pk, 0),
                attendees=n,
                recall=value,
                cost_per_participant=float(program.cost / n) if n else None,
            )
        )
    items = []
    for item in program.items.all():
        idx = by_item.get(item.pk, [])
        learners = len({rows[i][0] for i in idx})
        items.append(ItemRecall(item.prompt, learners, float(np.mean(recall[idx])) if learners >= MIN_GROUP else None))
    items.sort(key=lambda r: (r.recall is None, r.recall if r.recall is not None else 0))
    return out, items


# --- Evaluation ------------------------------------------------------------------------------------------------
def observations_for(viewer: Viewer) -> QuerySet[ObservationRequest]:
    """The level-3 questions put to the viewer as manager (open first). The report's own answers never appear."""
    return (
        ObservationRequest.objects.filter(manager=_member(viewer), enrolment__membership__is_active=True)
        .select_related("enrolment__membership__user", "enrolment__cohort__program")
        .order_by(F("answered_at").desc(nulls_first=True), "-asked_at", "id")
    )


def sessions_to_rate(viewer: Viewer) -> list[Session]:
    """Sessions the viewer attended (not cancelled), with their own reaction (``mine``) if given."""
    member = _member(viewer)
    sessions = list(
        Session.objects.filter(attendance__membership=member, attendance__present=True, cancelled_at__isnull=True)
        .select_related("cohort__program")
        .order_by("-starts_at")[:20]
    )
    mine = {r.session_id: r for r in Reaction.objects.filter(membership=member, session__in=sessions)}
    for session in sessions:
        session.mine = mine.get(session.pk)  # type: ignore[attr-defined]
    return sessions


@dataclass(frozen=True)
class QuizTodo:
    enrolment: Enrolment
    phase: str
    label: str


def quizzes_open(viewer: Viewer, now: datetime | None = None) -> list[QuizTodo]:
    now = now or timezone.now()
    enrolments = list(
        Enrolment.objects.filter(membership=_member(viewer), status__in=SEAT_STATUSES)
        .select_related("cohort__program")
        .prefetch_related("quiz_attempts")
    )
    todo = []
    for e in enrolments:
        done = {a.phase for a in e.quiz_attempts.all()}
        for phase, label in QuizAttempt.Phase.choices:
            if phase not in done and quiz_open(e, phase, now):
                todo.append(QuizTodo(e, phase, str(label)))
    return todo


def my_quiz_scores(viewer: Viewer) -> QuerySet[QuizAttempt]:
    mine = QuizAttempt.objects.filter(enrolment__membership=_member(viewer))
    return mine.select_related("enrolment__cohort__program").order_by("enrolment__cohort__starts_on", "phase")


def my_materials(viewer: Viewer) -> QuerySet[Material]:
    """Materials of the cohorts where the viewer holds a seat or teaches."""
    member = _member(viewer)
    return (
        Material.objects.filter(
            Q(cohort__enrolments__membership=member, cohort__enrolments__status__in=SEAT_STATUSES)
            | Q(cohort__instructor=member)
        )
        .distinct()
        .select_related("cohort__program", "session")
        .order_by("cohort__starts_on", "created_at", "id")
    )


@dataclass(frozen=True)
class CohortEvaluation:
    cohort: Cohort
    reactions: int
    reaction: float | None  # mean 1–5; None under MIN_GROUP respondents
    pre_n: int
    pre: float | None  # mean score 0–1 before the course
    post_n: int
    post: float | None
    l3: dict[str, int | None]  # answer → count (None when fewer than MIN_GROUP answered)
    l3_n: int


def program_evaluation(program: Program) -> list[CohortEvaluation]:
    """Per cohort: L1 reaction, L2 pre/post averages, L3 manager observations, aggregates only (groups ≥ 5).
    A fixed number of queries whatever the number of cohorts."""
    cohorts = list(program.cohorts.order_by("starts_on", "id"))
    reactions: dict[int, list[int]] = defaultdict(list)
    respondents: dict[int, set[int]] = defaultdict(set)
    for cohort_id, member_id, score in Reaction.objects.filter(session__cohort__program=program).values_list(
        "session__cohort_id", "membership_id", "score"
    ):
        reactions[cohort_id].append(score)
        respondents[cohort_id].add(member_id)
    quiz: dict[tuple[int, str], list[float]] = defaultdict(list)
    for cohort_id, phase, correct, total in QuizAttempt.objects.filter(enrolment__cohort__program=program).values_list(
        "enrolment__cohort_id", "phase", "correct", "total"
    ):
        quiz[(cohort_id, phase)].append(correct / total if total else 0.0)
    l3: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for cohort_id, answer in ObservationRequest.objects.filter(
        enrolment__cohort__program=program, answered_at__isnull=False
    ).values_list("enrolment__cohort_id", "answer"):
        l3[cohort_id][answer] += 1
    out = []
    for cohort in cohorts:
        scores = reactions.get(cohort.pk, [])
        big = len(respondents.get(cohort.pk, ())) >= MIN_GROUP
        pre, post = quiz.get((cohort.pk, "pre"), []), quiz.get((cohort.pk, "post"), [])
        answers = l3.get(cohort.pk, {})
        l3_n = sum(answers.values())
        out.append(
            CohortEvaluation(
                cohort=cohort,
                reactions=len(scores),
                reaction=sum(scores) / len(scores) if big and scores else None,
                pre_n=len(pre),
                pre=sum(pre) / len(pre) if len(pre) >= MIN_GROUP else None,
                post_n=len(post),
                post=sum(post) / len(post) if len(post) >= MIN_GROUP else None,
                l3={a: (answers.get(a, 0) if l3_n >= MIN_GROUP else None) for a in ObservationRequest.Seen.values},
                l3_n=l3_n,
            )
        )
    return out


# --- Home page -------------------------------------------------------------------------------------------------
def attention(viewer: Viewer) -> list[AttentionItem]:
    if viewer.organization is None or viewer.membership is None:
        return []
    slug = viewer.organization.slug
    items: list[AttentionItem] = []
    due = due_count(viewer)
    if due:
        items.append(AttentionItem("Training items to practise today", reverse("training_review", args=[slug]), due))
    soon = timezone.now() - timedelta(days=1)
    if viewer.membership.has_role("instructor") and allows("training_catalogue", "view", viewer.relations()):
        teaching = Cohort.objects.filter(instructor=viewer.membership, ends_on__gte=soon.date()).count()
        if teaching:
            items.append(AttentionItem("Cohorts you teach", reverse("training_teaching", args=[slug]), teaching))
    return items
