"""Reads for running an engagement, scoped by the viewer: the clock, the question bank, the three-way review (shared
objectives only) and satisfaction averages that hide groups smaller than five."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet

from trellis.coaching.models import (
    CoachingQuestion,
    CoachingSession,
    Credential,
    Engagement,
    Objective,
    ReviewKind,
    ReviewParty,
    ReviewResponse,
    SatisfactionRating,
)
from trellis.coaching.running import BOOKED, review_dates
from trellis.core.access import Viewer, allows

USED = (CoachingSession.Status.HELD, CoachingSession.Status.NO_SHOW)
MIN_GROUP = 5  # DESIGN §4: aggregates suppress any group smaller than five


@dataclass(frozen=True)
class Clock:
    starts_on: date
    ends_on: date
    budget: int
    used: int
    booked: int  # scheduled, not yet held
    days_left: int
    midpoint: date

    @property
    def left(self) -> int:
        """Sessions still free to schedule."""
        return max(self.budget - self.used - self.booked, 0)


def clock(engagement: Engagement, sessions: list[CoachingSession], today: date) -> Clock:
    used = sum(1 for s in sessions if s.status in USED)
    booked = sum(1 for s in sessions if s.status in BOOKED) - used
    return Clock(
        starts_on=engagement.starts_on,
        ends_on=engagement.ends_on,
        budget=engagement.sessions_budget,
        used=used,
        booked=booked,
        days_left=max((engagement.ends_on - max(today, engagement.starts_on)).days, 0),
        midpoint=review_dates(engagement)[ReviewKind.MIDPOINT],
    )


def questions(viewer: Viewer, model: str = "", stage: str = "") -> QuerySet[CoachingQuestion]:
    """The standard questions, the organization's and the viewer's own (never another coach's)."""
    qs = CoachingQuestion.objects.filter(
        Q(organization__isnull=True)
        | Q(organization=viewer.organization, owner__isnull=True)
        | Q(owner=viewer.membership)
    )
    if model:
        qs = qs.filter(model=model)
    if stage:
        qs = qs.filter(stage=stage)
    return qs


@dataclass
class ReviewView:
    kind: str
    label: str
    due_on: date
    responses: dict[str, ReviewResponse] = field(default_factory=dict)  # party → response

    def by(self, party: str) -> ReviewResponse | None:
        return self.responses.get(party)

    @property
    def rows(self) -> list[tuple[str, ReviewResponse | None]]:
        return [(label, self.responses.get(party)) for party, label in ReviewParty.choices]


def reviews(engagement: Engagement) -> list[ReviewView]:
    dates = review_dates(engagement)
    views = {k: ReviewView(k, label, dates[k]) for k, label in ReviewKind.choices}
    for r in ReviewResponse.objects.filter(engagement=engagement):
        views[r.kind].responses[r.party] = r
    return list(views.values())


def shared_objectives(engagement: Engagement, relations: set[str]) -> list[Objective]:
    """The review shows ONLY the objectives the leader shared — to all three, the leader and coach included."""
    if not allows("coaching_shared_objective", "view", relations):
        return []
    return list(Objective.objects.filter(engagement=engagement, shared_with_sponsor=True))


def my_ratings(engagement: Engagement) -> dict[str, int]:
    """The leader's own ratings (shown only to the leader)."""
    return dict(SatisfactionRating.objects.filter(engagement=engagement).values_list("kind", "rating"))


@dataclass(frozen=True)
class Average:
    label: str
    people: int
    average: float | None  # None: fewer than five — hidden

    @property
    def hidden(self) -> bool:
        return self.average is None


def _average(label: str, ratings: list[tuple[int, int]]) -> Average:
    people = len({coachee for coachee, _ in ratings})
    if people < MIN_GROUP:
        return Average(label, people, None)
    return Average(label, people, round(sum(r for _, r in ratings) / len(ratings), 1))


def satisfaction(viewer: Viewer) -> list[Average]:
    """The organization's average and each coach's, from each engagement's latest rating (the final review's if
    given). A group with fewer than five leaders shows no average."""
    if not allows("coaching_satisfaction", "view", viewer.relations()) or viewer.organization is None:
        return []
    latest: dict[int, tuple[int, int, str]] = {}
    rows = (
        SatisfactionRating.objects.filter(organization=viewer.organization)
        .select_related("engagement__coach__user")
        .order_by("engagement_id", "at")
    )
    coach_names: dict[int, str] = {}
    for r in rows:
        current = latest.get(r.engagement_id)
        if current is None or r.kind == ReviewKind.FINAL or current[2] != ReviewKind.FINAL:
            latest[r.engagement_id] = (r.engagement.coachee_id, r.rating, r.kind)
            coach_names[r.engagement_id] = r.engagement.coach.user.full_name
    everyone = [(coachee, rating) for coachee, rating, _ in latest.values()]
    per_coach: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for engagement_id, (coachee, rating, _) in latest.items():
        per_coach[coach_names[engagement_id]].append((coachee, rating))
    return [_average(f"All coaching in {viewer.organization.name}", everyone)] + [
        _average(name, ratings) for name, ratings in sorted(per_coach.items())
    ]


def my_credentials(viewer: Viewer) -> list[Credential]:
    if viewer.membership is None:
        return []
    return list(Credential.objects.filter(coach__membership=viewer.membership).order_by("-issued_on", "-id"))
