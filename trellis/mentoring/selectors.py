"""Reads for mentoring, scoped by the viewer. What a viewer may read of a pair is decided by the access table
with the viewer's relations to it (``trellis.mentoring.access.pair_relations``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from trellis.core.access import Viewer, allows
from trellis.core.models import Membership, Role
from trellis.mentoring.models import (
    Application,
    Goal,
    Introduction,
    Invitation,
    MatchRun,
    Meeting,
    MentorProfile,
    Note,
    Pair,
    Program,
    Proposal,
    Reflection,
    Suggestion,
)

# --- Programs, profiles, applications, matching (program side) ---------------------------------------------
MIN_GROUP = 5  # counts of groups under this are shown as "<5" (DESIGN §4)


def shown(n: int) -> str:
    """A count for the program admin's dashboard: groups under MIN_GROUP are suppressed ("<5")."""
    return str(n) if n == 0 or n >= MIN_GROUP else f"<{MIN_GROUP}"


def programs_for(viewer: Viewer) -> list[Program]:
    """Programs the viewer may see in the list: a program admin sees all of them; anyone else the open ones they
    may join (joining by application, or invited), and those they take part in."""
    me = viewer.membership
    if me is None:
        return []
    qs = Program.objects.filter(organization=me.organization).select_related("admin__user")
    if not me.has_role(Role.PROGRAM_ADMIN):
        qs = qs.filter(
            Q(status=Program.Status.OPEN, joining=Program.Joining.APPLICATION)
            | Q(status__in=[Program.Status.OPEN, Program.Status.RUNNING], invitations__member=me)
            | Q(applications__mentee=me)
            | Q(mentors__member=me)
        ).exclude(status=Program.Status.DRAFT)
    return list(qs.distinct())


def my_applications(viewer: Viewer) -> dict[int, Application]:
    me = viewer.membership
    if me is None:
        return {}
    return {a.program_id: a for a in Application.objects.filter(mentee=me).select_related("program")}


def my_profiles(viewer: Viewer) -> dict[int, MentorProfile]:
    me = viewer.membership
    if me is None:
        return {}
    return {p.program_id: p for p in MentorProfile.objects.filter(member=me)}


def mentor_profiles(program: Program) -> list[MentorProfile]:
    """The program's mentors with their live pairs (``live``), for the program page and the API."""
    return list(
        MentorProfile.objects.filter(program=program)
        .select_related("member__user")
        .annotate(live=Count("pairs", filter=Q(pairs__status__in=[Pair.Status.PROPOSED, Pair.Status.ACTIVE])))
        .order_by("member__user__full_name")
    )


def invitations(program: Program) -> list[Invitation]:
    return list(Invitation.objects.filter(program=program).select_related("member__user").order_by("-created_at"))


def runs(program: Program) -> list[MatchRun]:
    return list(MatchRun.objects.filter(program=program).select_related("started_by__user")[:20])


def run_lines(run: MatchRun) -> list[Proposal]:
    """The proposal's lines (a mentee, their proposed mentor and score parts, or a reason): no goal text."""
    lines = list(
        Proposal.objects.filter(run=run)
        .select_related("application__mentee__user", "mentor__member__user")
        .annotate(goal_count=Count("application__goals"))
        .order_by("application__mentee__user__full_name", "id")
    )
    return sorted(lines, key=lambda line: line.mentor_id is None)


def proposed_pairs_for_mentor(viewer: Viewer) -> list[Pair]:
    """Pairs waiting for the viewer's answer as mentor."""
    me = viewer.membership
    if me is None:
        return []
    return list(
        Pair.objects.filter(mentor__member=me, status=Pair.Status.PROPOSED).select_related("program", "mentee__user")
    )


@dataclass(frozen=True)
class AtRisk:
    pair: Pair
    days_since_meeting: int
    days_since_goal: int | None


@dataclass(frozen=True)
class Dashboard:
    pairs: dict[str, str]
    meetings_held: str
    goals: dict[str, str]
    suggestions: dict[str, str]
    introductions: dict[str, str]
    applications: dict[str, str]
    at_risk: list[AtRisk]
    capacity: list[MentorProfile]


def dashboard(program: Program, *, now: datetime) -> Dashboard:
    """The program admin's view: counts only (small groups suppressed), at-risk pairs (names and days — T2
    logistics) and each mentor's capacity use. Never any goal, note or suggestion text. A fixed number of
    queries, whatever the program's size."""
    pairs = _by_status(Pair.objects.filter(program=program), list(Pair.Status.values))
    applications = _by_status(Application.objects.filter(program=program), list(Application.Status.values))
    horizon = timedelta(weeks=program.at_risk_weeks)
    activity = pair_activity(program)
    at_risk: list[AtRisk] = []
    if activity:
        active = Pair.objects.filter(pk__in=list(activity)).select_related("mentee__user", "mentor__member__user")
        for pair in active:
            last_meeting, last_goal = activity[pair.pk]
            since = last_meeting or pair.accepted_at or pair.created_at
            goal_age = (now - last_goal).days if last_goal else None
            if now - since >= horizon or (last_goal is not None and now - last_goal >= horizon):
                at_risk.append(AtRisk(pair, (now - since).days, goal_age))
    at_risk.sort(key=lambda r: -r.days_since_meeting)
    return Dashboard(
        pairs={k: shown(v) for k, v in pairs.items()},
        meetings_held=shown(meetings_held(program)),
        goals={k: shown(v) for k, v in goals_by_status(program).items()},
        suggestions={k: shown(v) for k, v in suggestions_by_status(program).items()},
        introductions={k: shown(v) for k, v in introductions_by_status(program).items()},
        applications={k: shown(v) for k, v in applications.items()},
        at_risk=at_risk,
        capacity=mentor_profiles(program),
    )


# --- Pairs ---------------------------------------------------------------------------------------------------
PAIR_RELATED = ("program", "mentee__user", "mentor__member__user", "application", "organization")


def my_pairs(viewer: Viewer) -> QuerySet[Pair]:
    """The pairs the viewer is part of, as mentee or as mentor."""
    me = viewer.membership
    if me is None or not allows("mentoring_pair", "list", viewer.relations()):
        return Pair.objects.none()
    return (
        Pair.objects.filter(organization=me.organization)
        .filter(Q(mentee=me) | Q(mentor__member=me))
        .select_related(*PAIR_RELATED)
    )


def content_visible(relations: set[str]) -> bool:
    return allows("mentoring_content", "view", relations)


def goals(pair: Pair, relations: set[str]) -> list[Goal]:
    if not content_visible(relations):
        return []
    return list(Goal.objects.filter(application_id=pair.application_id))


def meetings(pair: Pair) -> list[Meeting]:
    """Logistics (T2) for everyone who may see the pair; the agenda and log only render for the pair."""
    return list(Meeting.objects.filter(pair=pair))


def suggestions(pair: Pair, relations: set[str]) -> list[Suggestion]:
    if not content_visible(relations):
        return []
    return list(Suggestion.objects.filter(pair=pair))


def introductions(pair: Pair, relations: set[str]) -> list[Introduction]:
    if not content_visible(relations):
        return []
    return list(Introduction.objects.filter(pair=pair).select_related("to_member__user"))


def reflections(pair: Pair, relations: set[str]) -> list[Reflection]:
    if not content_visible(relations):
        return []
    return list(Reflection.objects.filter(pair=pair).select_related("author__user"))


def notes_in_pair(viewer: Viewer, pair: Pair) -> list[Note]:
    """The viewer's own notes in the pair and those shared with them — nobody else's."""
    me = viewer.membership
    if me is None:
        return []
    return list(
        Note.objects.filter(pair=pair)
        .filter(Q(author=me) | Q(shared_with=me))
        .distinct()
        .select_related("author__user")
        .prefetch_related("shared_with__user")
    )


def my_notes(viewer: Viewer) -> QuerySet[Note]:
    """Every note the viewer wrote or that was shared with them (revoked shares vanish at once)."""
    me = viewer.membership
    if me is None or not allows("mentoring_note", "list", viewer.relations()):
        return Note.objects.none()
    return (
        Note.objects.filter(organization=me.organization)
        .filter(Q(author=me) | Q(shared_with=me))
        .distinct()
        .select_related("author__user", "pair__mentee__user", "pair__mentor__member__user")
        .prefetch_related("shared_with__user")
    )


def introductions_to_me(viewer: Viewer) -> QuerySet[Introduction]:
    me = viewer.membership
    if me is None:
        return Introduction.objects.none()
    return Introduction.objects.filter(organization=me.organization, to_member=me).select_related(
        "pair__mentor__member__user", "pair__mentee__user"
    )


def share_candidates(pair: Pair) -> QuerySet[Membership]:
    """Who a note may be shared with: the other side first, then the program admin, then anyone active."""
    return Membership.objects.filter(organization_id=pair.organization_id, is_active=True).select_related("user")


# --- Pair counts ---------------------------------------------------------------------------------------------
# For the program admin dashboard: counts only, never text. One aggregate query each.
def meetings_held(program: Program) -> int:
    return Meeting.objects.filter(pair__program=program, status=Meeting.Status.HELD).count()


def _by_status(qs: QuerySet[Any], values: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(values, 0)
    for row in qs.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def goals_by_status(program: Program) -> dict[str, int]:
    """Goals of mentees in the program's pairs (and open applications), by status."""
    return _by_status(Goal.objects.filter(application__program=program), list(Goal.Status.values))


def suggestions_by_status(program: Program) -> dict[str, int]:
    return _by_status(Suggestion.objects.filter(pair__program=program), list(Suggestion.Status.values))


def introductions_by_status(program: Program) -> dict[str, int]:
    return _by_status(Introduction.objects.filter(pair__program=program), list(Introduction.Status.values))


def pair_activity(program: Program) -> dict[int, tuple[datetime | None, datetime | None]]:
    """pair pk → (last held meeting's start, last goal update) for the program's active pairs (at-risk)."""
    rows = (
        Pair.objects.filter(program=program, status=Pair.Status.ACTIVE)
        .annotate(
            last_meeting=Max("meetings__starts_at", filter=Q(meetings__status=Meeting.Status.HELD)),
        )
        .values_list("pk", "last_meeting")
    )
    goal_rows = (
        Pair.objects.filter(program=program, status=Pair.Status.ACTIVE)
        .annotate(last_goal=Max("application__goals__updated_at"))
        .values_list("pk", "last_goal")
    )
    last_goal = dict(goal_rows)
    return {pk: (last_meeting, last_goal.get(pk)) for pk, last_meeting in rows}
