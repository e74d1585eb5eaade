"""How mentoring routes find their record (always inside the viewer's organization: 404 otherwise) and what the
viewer is to it. The rules themselves live in ``trellis.core.access.TABLE``.

Relations to a pair: ``self`` (the mentee, the person the pair is about) and ``mentor_of``. To a note: ``self``
(its author) and ``shared_with``. To an introduction: ``shared_with`` for the member it is addressed to. URL
keyword names are ``mentoring_``-prefixed where another app already uses the plain name (``program_id``).
"""

from __future__ import annotations

from typing import Any

from django.db import models

from trellis.core.access import MENTOR_OF, SELF, SHARED_WITH, Subject, Viewer, get_in_org
from trellis.core.models import Organization
from trellis.mentoring.models import Application, Goal, Introduction, MatchRun, Meeting, Note, Pair, Program, Suggestion


def pair_relations(viewer: Viewer, pair: Pair) -> set[str]:
    me = viewer.membership
    if me is None:
        return set()
    rels: set[str] = set()
    if pair.mentee_id == me.pk:
        rels.add(SELF)
    if pair.mentor.member_id == me.pk:
        rels.add(MENTOR_OF)
    return rels


def _load_pair(org: Organization, public_id: Any) -> Pair:
    return get_in_org(
        Pair.objects.select_related("program", "mentee__user", "mentor__member__user", "application"), org, public_id
    )


def _load_program(org: Organization, public_id: Any) -> Program:
    return get_in_org(Program.objects.select_related("admin__user"), org, public_id)


def _load_run(org: Organization, public_id: Any) -> MatchRun:
    return get_in_org(MatchRun.objects.select_related("program"), org, public_id)


def _load_application(org: Organization, public_id: Any) -> Application:
    return get_in_org(Application.objects.select_related("program", "mentee__user"), org, public_id)


def _relate_application(viewer: Viewer, application: Application) -> set[str]:
    return {SELF} if viewer.membership is not None and application.mentee_id == viewer.membership.pk else set()


def _child_loader[M: models.Model](model: type[M]) -> Any:
    def load(org: Organization, public_id: Any) -> M:
        return get_in_org(
            model._default_manager.select_related("pair__program", "pair__mentee", "pair__mentor__member"),
            org,
            public_id,
        )

    return load


def _relate_child(viewer: Viewer, obj: Any) -> set[str]:
    return pair_relations(viewer, obj.pair)


def _load_goal(org: Organization, public_id: Any) -> Goal:
    return get_in_org(Goal.objects.select_related("application__program"), org, public_id)


def _relate_goal(viewer: Viewer, goal: Goal) -> set[str]:
    """A goal is the mentee's; the mentor of a live pair built on the application sees it too."""
    me = viewer.membership
    if me is None:
        return set()
    if goal.application.mentee_id == me.pk:
        return {SELF}
    mentors = Pair.objects.filter(
        application_id=goal.application_id, status__in=[Pair.Status.PROPOSED, Pair.Status.ACTIVE, Pair.Status.ENDED]
    ).values_list("mentor__member_id", flat=True)
    return {MENTOR_OF} if me.pk in set(mentors) else set()


def _relate_note(viewer: Viewer, note: Note) -> set[str]:
    me = viewer.membership
    if me is None:
        return set()
    if note.author_id == me.pk:
        return {SELF}
    return {SHARED_WITH} if note.shared_with.filter(pk=me.pk).exists() else set()


def _relate_introduction(viewer: Viewer, intro: Introduction) -> set[str]:
    rels = pair_relations(viewer, intro.pair)
    if viewer.membership is not None and intro.to_member_id == viewer.membership.pk:
        rels.add(SHARED_WITH)
    return rels


PROGRAM = Subject("mentoring_program_id", _load_program)
RUN = Subject("run_id", _load_run)
APPLICATION = Subject("application_id", _load_application, _relate_application)
PAIR = Subject("pair_id", _load_pair, pair_relations)
GOAL = Subject("goal_id", _load_goal, _relate_goal)
MEETING = Subject("meeting_id", _child_loader(Meeting), _relate_child)
NOTE = Subject("note_id", _child_loader(Note), _relate_note)
SUGGESTION = Subject("suggestion_id", _child_loader(Suggestion), _relate_child)
INTRODUCTION = Subject("introduction_id", _child_loader(Introduction), _relate_introduction)
