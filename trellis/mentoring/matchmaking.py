"""Glue between the mentoring models and the pure engine (:mod:`trellis.mentoring.matching`).

The engine knows people by string ids: here a mentee and a mentor are both named by their membership's public
id, so the engine's rules (the same person, the management chain from ``Membership.manager``) apply as they are.
A mentor's capacity given to the engine is what is left: the profile's capacity minus its live pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count

from trellis.core.calendar import utc_offset_hours
from trellis.core.models import Membership, Organization
from trellis.mentoring import matching
from trellis.mentoring.models import DEFAULT_WEIGHTS, Application, MentorProfile, Pair, Program

SHORTLIST_SIZE = 8
LIVE = (Pair.Status.PROPOSED, Pair.Status.ACTIVE)
EXCLUDING = (Pair.Status.DECLINED, Pair.Status.REMATCH)  # a mentee's earlier mentors, never proposed again
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd"}

RULE_WORDS = {
    "same_person": "that is you",
    "level": "the mentor must be more senior than you",
    "management_chain": "the mentor is in your reporting line",
    "no_shared_language": "you share no language",
    "excluded": "this mentor was your mentor before",
    "capacity": "this mentor has no free place",
}
UNMATCHED_WORDS = {
    matching.REASON_NO_ELIGIBLE: "no mentor meets the rules (level, reporting line, shared language)",
    matching.REASON_CAPACITY: "every eligible mentor is full",
    "no_goals": "no goal yet: a mentee needs at least one goal to be matched",
}


def weights_of(program: Program) -> matching.Weights:
    values = {**DEFAULT_WEIGHTS, **{k: float(v) for k, v in (program.weights or {}).items() if k in DEFAULT_WEIGHTS}}
    return matching.Weights(**values)


def managers_of(organization: Organization) -> dict[str, str | None]:
    """Every member's manager, by public id: the engine walks the management chain upwards from this."""
    rows = Membership.objects.filter(organization=organization).values_list("public_id", "manager__public_id")
    return {str(me): (str(boss) if boss else None) for me, boss in rows}


def live_pairs(program: Program) -> dict[int, int]:
    """Live (proposed or active) pairs per mentor profile."""
    rows = Pair.objects.filter(program=program, status__in=LIVE).values("mentor_id").annotate(n=Count("id")).order_by()
    return {row["mentor_id"]: row["n"] for row in rows}


def exclusions(program: Program, mentees: Iterable[int]) -> dict[int, frozenset[str]]:
    """Membership pk of each mentee → public ids of their earlier mentors in this program (declined, rematch)."""
    found: dict[int, set[str]] = defaultdict(set)
    rows = Pair.objects.filter(program=program, mentee_id__in=list(mentees), status__in=EXCLUDING).values_list(
        "mentee_id", "mentor__member__public_id"
    )
    for mentee_id, mentor in rows:
        found[mentee_id].add(str(mentor))
    return {k: frozenset(v) for k, v in found.items()}


def mentor_input(profile: MentorProfile, *, live: int, at: datetime) -> matching.Mentor:
    m = profile.member
    return matching.Mentor(
        id=str(m.public_id),
        level=float(m.level),
        department=m.department,
        languages=frozenset(m.languages or ()),
        timezone=utc_offset_hours(m.timezone, at),
        expertise=frozenset(profile.expertise or ()),
        capacity=max(0, profile.capacity - live),
    )


def mentee_input(
    application: Application,
    *,
    tags: Iterable[str],
    preferences: Sequence[str] = (),
    exclude: frozenset[str] = frozenset(),
    at: datetime,
) -> matching.Mentee:
    m = application.mentee
    return matching.Mentee(
        id=str(m.public_id),
        level=float(m.level),
        department=m.department,
        languages=frozenset(m.languages or ()),
        timezone=utc_offset_hours(m.timezone, at),
        goals=frozenset(tags),
        preferences=tuple(preferences),
        exclude=exclude,
    )


def program_mentors(program: Program, *, at: datetime) -> list[tuple[MentorProfile, matching.Mentor]]:
    """The program's active mentor profiles with what capacity they have left (one query each for both)."""
    live = live_pairs(program)
    profiles = MentorProfile.objects.filter(program=program, is_active=True, member__is_active=True).select_related(
        "member__user"
    )
    return [(p, mentor_input(p, live=live.get(p.pk, 0), at=at)) for p in profiles]


def application_input(application: Application, *, at: datetime) -> matching.Mentee:
    """One application as the engine's mentee: goal tags, ranked preferences, earlier mentors excluded."""
    tags = {t for goal in application.goals.all() for t in (goal.tags or ())}
    prefs = [
        str(member)
        for member in application.ranked.order_by("rank").values_list("mentor__member__public_id", flat=True)
    ]
    exclude = exclusions(application.program, [application.mentee_id]).get(application.mentee_id, frozenset())
    return mentee_input(application, tags=tags, preferences=prefs, exclude=exclude, at=at)


@dataclass(frozen=True)
class Fit:
    """A mentor on a mentee's shortlist: the score parts in % and in words."""

    profile: MentorProfile
    parts: matching.ScoreParts
    reasons: tuple[str, ...]

    @property
    def percent(self) -> int:
        return round(100 * self.parts.total)


def reasons(mentee: matching.Mentee, mentor: matching.Mentor, parts: matching.ScoreParts) -> tuple[str, ...]:
    """The score parts in words, e.g. "2 of 3 of your goal tags match", "same time zone", "your 1st choice"."""
    goals = {t.strip().casefold() for t in mentee.goals}
    expertise = {t.strip().casefold() for t in mentor.expertise}
    words = [f"{len(goals & expertise)} of {len(goals)} of your goal tags match" if goals else "you have no goal tags"]
    hours = abs(mentee.timezone - mentor.timezone)
    if hours == 0:
        words.append("same time zone")
    else:
        words.append(f"{hours:g} hour{'s' if hours != 1 else ''} apart")
    same = mentee.department.strip().casefold() == mentor.department.strip().casefold()
    words.append("same department" if same else "different department")
    for rank, choice in enumerate(mentee.preferences[:3], start=1):
        if choice == mentor.id:
            words.append(f"your {ORDINALS[rank]} choice")
    return tuple(words)


def shortlist(application: Application, *, at: datetime, limit: int = SHORTLIST_SIZE) -> list[Fit]:
    """The mentee's best eligible mentors with a free place (the engine's hard rules), best first."""
    mentors = program_mentors(application.program, at=at)
    by_id = {mentor.id: (profile, mentor) for profile, mentor in mentors}
    mentee = application_input(application, at=at)
    ranked = matching.shortlist(
        mentee,
        [m for _, m in mentors],
        managers_of(application.organization),
        weights=weights_of(application.program),
        limit=limit,
    )
    return [
        Fit(by_id[p.mentor_id][0], p.parts, reasons(mentee, by_id[p.mentor_id][1], p.parts))
        for p in ranked
        if p.mentor_id in by_id
    ]


def why_not(application: Application, profile: MentorProfile, *, at: datetime, taken: int = 0) -> str | None:
    """None if the mentor may take this mentee now, else a reason code (see RULE_WORDS). ``taken``: places of the
    mentor already used beyond live pairs (e.g. by other lines of the same proposal)."""
    mentee = application_input(application, at=at)
    live = Pair.objects.filter(mentor=profile, status__in=LIVE).count()
    mentor = mentor_input(profile, live=live + taken, at=at)
    chain = matching.management_chain(mentee.id, managers_of(application.organization))
    reason = matching.why_not(mentee, mentor, chain)
    if reason is None and mentor.capacity <= 0:
        return "capacity"
    return reason


def open_applications(program: Program) -> list[Application]:
    return list(
        Application.objects.filter(program=program, status=Application.Status.OPEN)
        .select_related("mentee__user", "program")
        .prefetch_related("goals")
    )
