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
from trellis.training.models import Card, Cohort, Enrolment, Program, Review, Session
from trellis.training.services import card_state

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


# --- Home page -------------------------------------------------------------------------------------------------
def attention(viewer: Viewer) -> list[AttentionItem]:
    if viewer.organization is None or viewer.membership is None:
        return []
    slug = viewer.organization.slug
    items: list[AttentionItem] = []
    due = len(due_today(viewer))
    if due:
        items.append(AttentionItem("Training items to practise today", reverse("training_review", args=[slug]), due))
    soon = timezone.now() - timedelta(days=1)
    if allows("training_catalogue", "view", viewer.relations()):
        teaching = Cohort.objects.filter(instructor=viewer.membership, ends_on__gte=soon.date()).count()
        if teaching:
            items.append(AttentionItem("Cohorts you teach", reverse("training_teaching", args=[slug]), teaching))
    return items
