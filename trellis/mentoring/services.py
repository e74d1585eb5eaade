"""Writes for mentoring. Keyword-only ``do_*(*, actor, ...)``, atomic, audited (ids and verbs only — never text).

Notifications and mail say *that* something happened, never what was written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from trellis.core import audit, calendar, mail
from trellis.core import services as core_services
from trellis.core.models import Membership, Role
from trellis.core.services import do_notify
from trellis.mentoring import matching, matchmaking
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
    Preference,
    Program,
    Proposal,
    Reflection,
    Suggestion,
)

MAX_TEXT = 10_000


def _text(value: str | None, field: str = "text", *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: "Write something first."})
    if len(text) > MAX_TEXT:
        raise ValidationError({field: f"Keep it under {MAX_TEXT} characters."})
    return text


# --- Programs, profiles, applications, matching (program side) ---------------------------------------------
MAX_GOAL_TEXT = 2_000
MAX_GOAL_TAGS = 12
MAX_GOALS = 5
PROGRAM_FIELDS = (
    "name",
    "description",
    "starts_on",
    "ends_on",
    "joining",
    "matching",
    "chemistry_weeks",
    "rules",
    "at_risk_weeks",
)


def parse_tags(value: str | Sequence[str] | None) -> list[str]:
    """Tags from "a, b; c" or a list: stripped, lower-case, distinct, in order; at most MAX_GOAL_TAGS of 40 chars."""
    items = re.split(r"[,;]", value) if isinstance(value, str) else list(value or ())
    tags: list[str] = []
    for item in items:
        tag = " ".join(str(item).split()).casefold()
        if not tag:
            continue
        if len(tag) > 40:
            raise ValidationError({"tags": f"Keep each tag under 40 characters ({tag[:20]}…)."})
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_GOAL_TAGS:
        raise ValidationError({"tags": f"At most {MAX_GOAL_TAGS} tags."})
    return tags


def _program_url(program: Program) -> str:
    return reverse("mentoring_program", args=[program.organization.slug, program.public_id])


def _apply_program_fields(program: Program, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name not in PROGRAM_FIELDS:
            raise TypeError(f"unexpected program field {name!r}")
        setattr(program, name, value.strip() if isinstance(value, str) else value)
    if program.starts_on and program.ends_on and program.ends_on < program.starts_on:
        raise ValidationError({"ends_on": "The program cannot end before it starts."})
    program.full_clean(exclude=["organization", "admin", "weights"])


@transaction.atomic
def do_create_program(*, actor: Membership, **fields: Any) -> Program:
    """A new program run by ``actor`` (a program admin); open for applications unless a status is given."""
    status = fields.pop("status", Program.Status.OPEN)
    program = Program(organization=actor.organization, admin=actor, status=status)
    _apply_program_fields(program, fields)
    program.save()
    audit.record(actor=actor.user, verb="mentoring.program.created", obj=program, organization=actor.organization)
    return program


@transaction.atomic
def do_update_program(*, actor: Membership, program: Program, **fields: Any) -> Program:
    _apply_program_fields(program, fields)
    program.save()
    audit.record(actor=actor.user, verb="mentoring.program.updated", obj=program, organization=program.organization)
    return program


@transaction.atomic
def do_set_program_status(*, actor: Membership, program: Program, status: str) -> Program:
    """Open (applications welcome), running (matching done, no new applications), closed, or back to draft."""
    if status not in Program.Status.values:
        raise ValidationError({"status": "Unknown status."})
    if program.status != status:
        program.status = status
        program.save(update_fields=["status"])
        audit.record(
            actor=actor.user, verb=f"mentoring.program.{status}", obj=program, organization=program.organization
        )
    return program


def invited(program: Program, member: Membership, invited_as: str) -> bool:
    return Invitation.objects.filter(program=program, member=member, invited_as=invited_as).exists()


def may_apply(program: Program, member: Membership) -> str | None:
    """None if the member may apply to the program now, else why not (in words)."""
    if program.status != Program.Status.OPEN:
        return "This program is not open for applications."
    if program.joining == Program.Joining.INVITATION and not invited(program, member, Invitation.As.MENTEE):
        return "This program is by invitation only."
    return None


@transaction.atomic
def do_invite(*, actor: Membership, program: Program, member: Membership, invited_as: str) -> Invitation:
    """Invite a member as mentee (they may then apply) or as mentor (they get the mentor role and may offer
    themself)."""
    if member.organization_id != program.organization_id or not member.is_active:
        raise ValidationError({"member": "Invite an active member of this organization."})
    if invited_as not in Invitation.As.values:
        raise ValidationError({"invited_as": "Invite as mentee or mentor."})
    invitation, created = Invitation.objects.get_or_create(
        program=program, member=member, invited_as=invited_as, defaults={"organization": program.organization}
    )
    if invited_as == Invitation.As.MENTOR and not member.has_role(Role.MENTOR):
        core_services.do_set_roles(membership=member, roles=[*member.roles, Role.MENTOR], actor=actor.user)
    if created:
        audit.record(
            actor=actor.user, verb="mentoring.invitation.created", obj=invitation, organization=program.organization
        )
        do_notify(
            membership=member,
            text=f"You are invited to the mentoring program {program.name} as {invitation.get_invited_as_display()}.",
            url=_program_url(program),
            key=f"mentoring.invitation:{invitation.public_id}",
        )
    return invitation


@transaction.atomic
def do_invite_external_mentor(
    *,
    actor: Membership,
    program: Program,
    email: str,
    full_name: str,
    expertise: str | Sequence[str] = (),
    capacity: int = 2,
    languages: Sequence[str] = ("en",),
    tz_name: str = "UTC",
    level: int = 8,
) -> MentorProfile:
    """Someone outside: a new account with no usable password (the invitation mail carries the set-password
    link), a membership with the mentor role only, and their mentor profile in this program."""
    if not full_name.strip():
        raise ValidationError({"full_name": "Give the mentor's name."})
    member = core_services.do_invite_member(
        organization=program.organization,
        email=email,
        full_name=full_name,
        roles=[Role.MENTOR],
        actor=actor.user,
        department="External",
        level=level,
        languages=list(languages),
        timezone=tz_name,
    )
    invitation = Invitation.objects.create(
        organization=program.organization, program=program, member=member, invited_as=Invitation.As.MENTOR
    )
    audit.record(
        actor=actor.user, verb="mentoring.invitation.created", obj=invitation, organization=program.organization
    )
    return _save_profile(actor=actor, program=program, member=member, expertise=expertise, capacity=capacity)


def _save_profile(
    *,
    actor: Membership,
    program: Program,
    member: Membership,
    expertise: str | Sequence[str],
    capacity: int,
    bio: str = "",
    is_active: bool = True,
) -> MentorProfile:
    profile = MentorProfile.objects.filter(program=program, member=member).first()
    created = profile is None
    if profile is None:
        profile = MentorProfile(organization=program.organization, program=program, member=member)
    profile.expertise = parse_tags(expertise)
    profile.capacity = capacity
    profile.bio = (bio or "").strip()
    profile.is_active = is_active
    profile.full_clean(exclude=["organization", "program", "member"])
    if profile.capacity < 1 and is_active:
        raise ValidationError({"capacity": "Take at least one mentee, or pause your profile."})
    profile.save()
    verb = "mentoring.mentor_profile.created" if created else "mentoring.mentor_profile.updated"
    audit.record(actor=actor.user, verb=verb, obj=profile, organization=program.organization)
    return profile


@transaction.atomic
def do_save_mentor_profile(
    *,
    actor: Membership,
    program: Program,
    expertise: str | Sequence[str],
    capacity: int,
    bio: str = "",
    is_active: bool = True,
) -> MentorProfile:
    """The actor offers themself as a mentor in the program (or edits their offer)."""
    if program.status == Program.Status.CLOSED:
        raise ValidationError("This program is closed.")
    return _save_profile(
        actor=actor, program=program, member=actor, expertise=expertise, capacity=capacity, bio=bio, is_active=is_active
    )


def _goal_text(text: str) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationError({"text": "Say what you want to achieve."})
    if len(value) > MAX_GOAL_TEXT:
        raise ValidationError({"text": f"Keep a goal under {MAX_GOAL_TEXT} characters."})
    return value


def _add_goal(application: Application, text: str, tags: str | Sequence[str]) -> Goal:
    if application.goals.count() >= MAX_GOALS:
        raise ValidationError(f"At most {MAX_GOALS} goals.")
    goal = Goal(organization=application.organization, application=application, tags=parse_tags(tags))
    goal.text = _goal_text(text)
    if not goal.tags:
        raise ValidationError({"tags": "Give at least one tag: matching compares them with mentors' expertise."})
    goal.save()
    return goal


@transaction.atomic
def do_apply(
    *,
    actor: Membership,
    program: Program,
    goals: Sequence[tuple[str, str | Sequence[str]]],
    preferences: Sequence[MentorProfile] = (),
    at: datetime | None = None,
) -> Application:
    """The actor applies as a mentee: at least one goal (text and tags); up to 3 ranked mentors from their
    shortlist. Applying again after withdrawing reopens the same application."""
    reason = may_apply(program, actor)
    if reason:
        raise ValidationError(reason)
    if not goals:
        raise ValidationError({"goals": "Add at least one goal: it is what matching is about."})
    application = Application.objects.filter(program=program, mentee=actor).first()
    if application is not None and application.status != Application.Status.WITHDRAWN:
        raise ValidationError("You have already applied to this program.")
    if application is None:
        application = Application.objects.create(organization=program.organization, program=program, mentee=actor)
    else:
        application.status = Application.Status.OPEN
        application.save(update_fields=["status"])
        application.goals.all().delete()
        application.ranked.all().delete()
    for text, tags in goals:
        _add_goal(application, text, tags)
    if preferences:
        _set_preferences(application, list(preferences), at=at)
    audit.record(
        actor=actor.user, verb="mentoring.application.created", obj=application, organization=program.organization
    )
    return application


@transaction.atomic
def do_add_goal(*, actor: Membership, application: Application, text: str, tags: str | Sequence[str]) -> Goal:
    if application.status == Application.Status.WITHDRAWN:
        raise ValidationError("This application was withdrawn.")
    goal = _add_goal(application, text, tags)
    audit.record(actor=actor.user, verb="mentoring.goal.created", obj=goal, organization=application.organization)
    return goal


def _set_preferences(application: Application, mentors: list[MentorProfile], *, at: datetime | None) -> None:
    if len(mentors) > 3:
        raise ValidationError({"preferences": "Choose at most 3 mentors."})
    if len({m.pk for m in mentors}) != len(mentors):
        raise ValidationError({"preferences": "Choose each mentor once."})
    application.ranked.all().delete()
    if mentors:
        offered = {fit.profile.pk for fit in matchmaking.shortlist(application, at=at or timezone.now())}
        for mentor in mentors:
            if mentor.program_id != application.program_id or mentor.pk not in offered:
                raise ValidationError({"preferences": "Choose mentors from your shortlist."})
    Preference.objects.bulk_create(
        Preference(application=application, mentor=mentor, rank=rank) for rank, mentor in enumerate(mentors, start=1)
    )


@transaction.atomic
def do_set_preferences(
    *, actor: Membership, application: Application, mentors: Sequence[MentorProfile], at: datetime | None = None
) -> Application:
    """Up to 3 mentors from the mentee's shortlist, 1st choice first (the shortlist is computed without them)."""
    if application.status != Application.Status.OPEN:
        raise ValidationError("Only an open application takes preferences.")
    _set_preferences(application, list(mentors), at=at)
    audit.record(
        actor=actor.user,
        verb="mentoring.application.preferences",
        obj=application,
        organization=application.organization,
    )
    return application


@transaction.atomic
def do_withdraw(*, actor: Membership, application: Application) -> Application:
    if application.status != Application.Status.OPEN:
        raise ValidationError("Only an application still waiting for a match can be withdrawn.")
    application.status = Application.Status.WITHDRAWN
    application.save(update_fields=["status"])
    audit.record(
        actor=actor.user, verb="mentoring.application.withdrawn", obj=application, organization=application.organization
    )
    return application


# --- Matching runs -------------------------------------------------------------------------------------------
@transaction.atomic
def do_start_run(*, actor: Membership, program: Program, objective: str = "participation") -> MatchRun:
    """Queue a matching run over the program's open applications; the task (tasks.run_matching) does the work.

    The task is enqueued in the same transaction as the run row: with the database backend a worker only sees
    both after commit; with the immediate backend (tests) it runs at once."""
    if objective not in matching.OBJECTIVES:
        raise ValidationError({"objective": f"Choose one of {', '.join(matching.OBJECTIVES)}."})
    if program.matching == Program.Matching.PICK:
        raise ValidationError("In this program mentees pick their mentor; there is no matching run.")
    if MatchRun.objects.filter(program=program, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]).exists():
        raise ValidationError("A matching run is already under way for this program.")
    run = MatchRun.objects.create(
        organization=program.organization,
        program=program,
        started_by=actor,
        objective=objective,
        weights=matchmaking.weights_of(program).__dict__,
    )
    audit.record(actor=actor.user, verb="mentoring.run.started", obj=run, organization=program.organization)
    from trellis.mentoring.tasks import run_matching

    run_matching.enqueue(str(run.public_id))
    return run


def _proposal_parts(parts: matching.ScoreParts) -> dict[str, float]:
    return {
        "goal": parts.goal,
        "timezone": parts.timezone,
        "department": parts.department,
        "preference": parts.preference,
    }


@transaction.atomic
def do_store_proposal(
    *,
    run: MatchRun,
    result: matching.Result,
    applications: dict[str, Application],
    profiles: dict[str, MentorProfile],
    without_goals: Sequence[Application] = (),
    now: datetime | None = None,
) -> MatchRun:
    """Write the engine's result as the run's proposal (one line per application) and mark the run ready."""
    run.proposals.all().delete()
    lines = [
        Proposal(
            run=run,
            application=applications[p.mentee_id],
            mentor=profiles[p.mentor_id],
            parts=_proposal_parts(p.parts),
            score=p.parts.total,
        )
        for p in result.pairs
    ]
    lines += [Proposal(run=run, application=applications[u.mentee_id], reason=u.reason) for u in result.unmatched]
    lines += [Proposal(run=run, application=a, reason="no_goals") for a in without_goals]
    Proposal.objects.bulk_create(lines)
    run.status = MatchRun.Status.READY
    run.progress = 1.0
    run.matched = result.matched
    run.total_score = result.total_score
    run.finished_at = now or timezone.now()
    run.save(update_fields=["status", "progress", "matched", "total_score", "finished_at"])
    audit.record(
        actor=run.started_by.user if run.started_by else None,
        verb="mentoring.run.ready",
        obj=run,
        organization=run.organization,
    )
    return run


def _totals(run: MatchRun) -> None:
    lines = list(run.proposals.filter(mentor__isnull=False).values_list("score", flat=True))
    run.matched = len(lines)
    run.total_score = float(sum(lines))
    run.save(update_fields=["matched", "total_score"])


@transaction.atomic
def do_swap(
    *,
    actor: Membership,
    run: MatchRun,
    application: Application,
    mentor: MentorProfile | None,
    at: datetime | None = None,
) -> Proposal:
    """Change a mentee's proposed mentor by hand (or leave them unmatched). The engine checks the hard rules;
    the mentor's capacity counts live pairs and the other lines of this proposal. Refuses with the reason."""
    if run.status != MatchRun.Status.READY:
        raise ValidationError("Only a proposal ready for review can be changed.")
    line = run.proposals.select_for_update().filter(application=application).first()
    if line is None:
        raise ValidationError({"application": "This mentee is not in the proposal."})
    if mentor is None:
        line.mentor, line.parts, line.score, line.reason = None, {}, 0.0, "unassigned"
    else:
        if mentor.program_id != run.program_id or not mentor.is_active:
            raise ValidationError({"mentor": "Choose an active mentor of this program."})
        taken = run.proposals.filter(mentor=mentor).exclude(pk=line.pk).count()
        when = at or timezone.now()
        reason = matchmaking.why_not(application, mentor, at=when, taken=taken)
        if reason is not None:
            name = mentor.member.user.full_name
            raise ValidationError(
                {"mentor": f"{name} cannot mentor this mentee: {matchmaking.RULE_WORDS.get(reason, reason)}."}
            )
        mentee = matchmaking.application_input(application, at=when)
        parts = matching.score(
            mentee, matchmaking.mentor_input(mentor, live=0, at=when), matchmaking.weights_of(run.program)
        )
        line.mentor, line.parts, line.score, line.reason = mentor, _proposal_parts(parts), parts.total, ""
    line.edited = True
    line.save()
    _totals(run)
    audit.record(actor=actor.user, verb="mentoring.run.swapped", obj=run, organization=run.organization)
    return line


def _notify_proposed(pair: Pair) -> None:
    program = pair.program.name
    do_notify(
        membership=pair.mentor.member,
        text=f"You have a proposed mentee in {program}: please accept or decline.",
        url=pair_url(pair),
        key=f"mentoring.pair.proposed:{pair.public_id}:mentor",
    )
    do_notify(
        membership=pair.mentee,
        text=f"You have been matched with a mentor in {program}; they will confirm.",
        url=pair_url(pair),
        key=f"mentoring.pair.proposed:{pair.public_id}:mentee",
    )


@transaction.atomic
def do_publish(*, actor: Membership, run: MatchRun, now: datetime | None = None) -> list[Pair]:
    """Turn the reviewed proposal into pairs (proposed: each mentor accepts or declines) and tell both sides."""
    run = MatchRun.objects.select_for_update().select_related("program").get(pk=run.pk)
    if run.status != MatchRun.Status.READY:
        raise ValidationError("Only a proposal ready for review can be published.")
    lines = list(
        run.proposals.filter(mentor__isnull=False).select_related("application__mentee__user", "mentor__member__user")
    )
    live = matchmaking.live_pairs(run.program)
    used: dict[int, int] = {}
    for line in lines:
        if line.application.status != Application.Status.OPEN:
            raise ValidationError(f"{line.application.mentee.user.full_name}'s application is no longer open.")
        assert line.mentor is not None
        used[line.mentor.pk] = used.get(line.mentor.pk, 0) + 1
        if live.get(line.mentor.pk, 0) + used[line.mentor.pk] > line.mentor.capacity:
            raise ValidationError(f"{line.mentor.member.user.full_name} has no free place left.")
    pairs = []
    for line in lines:
        assert line.mentor is not None
        pair = Pair.objects.create(
            organization=run.organization,
            program=run.program,
            application=line.application,
            mentee=line.application.mentee,
            mentor=line.mentor,
            score=line.score,
            parts=line.parts,
        )
        line.application.status = Application.Status.MATCHED
        line.application.save(update_fields=["status"])
        audit.record(actor=actor.user, verb="mentoring.pair.proposed", obj=pair, organization=run.organization)
        _notify_proposed(pair)
        pairs.append(pair)
    run.status = MatchRun.Status.PUBLISHED
    run.published_at = now or timezone.now()
    run.save(update_fields=["status", "published_at"])
    audit.record(actor=actor.user, verb="mentoring.run.published", obj=run, organization=run.organization)
    return pairs


@transaction.atomic
def do_discard_run(*, actor: Membership, run: MatchRun) -> MatchRun:
    if run.status in (MatchRun.Status.PUBLISHED, MatchRun.Status.DISCARDED):
        raise ValidationError("This run is already published or discarded.")
    run.status = MatchRun.Status.DISCARDED
    run.save(update_fields=["status"])
    audit.record(actor=actor.user, verb="mentoring.run.discarded", obj=run, organization=run.organization)
    return run


# --- Pair status: proposed → active / declined; active → rematch (program side owns these transitions) ---------
@transaction.atomic
def do_request_mentor(
    *, actor: Membership, application: Application, mentor: MentorProfile, at: datetime | None = None
) -> Pair:
    """Mentee-picks mode: the mentee asks a mentor from their shortlist directly; a proposed pair if the rules and
    the mentor's capacity allow."""
    program = application.program
    if program.matching == Program.Matching.ADMIN:
        raise ValidationError("In this program the program admin matches mentees and mentors.")
    if application.status != Application.Status.OPEN:
        raise ValidationError("Only an application still waiting for a match can ask a mentor.")
    if not application.goals.exists():
        raise ValidationError("Add at least one goal before asking a mentor.")
    if mentor.program_id != program.pk or not mentor.is_active:
        raise ValidationError({"mentor": "Choose an active mentor of this program."})
    reason = matchmaking.why_not(application, mentor, at=at or timezone.now())
    if reason is not None:
        raise ValidationError({"mentor": f"You cannot ask this mentor: {matchmaking.RULE_WORDS.get(reason, reason)}."})
    mentee = matchmaking.application_input(application, at=at or timezone.now())
    parts = matching.score(
        mentee, matchmaking.mentor_input(mentor, live=0, at=at or timezone.now()), matchmaking.weights_of(program)
    )
    pair = Pair.objects.create(
        organization=application.organization,
        program=program,
        application=application,
        mentee=application.mentee,
        mentor=mentor,
        score=parts.total,
        parts=_proposal_parts(parts),
    )
    application.status = Application.Status.MATCHED
    application.save(update_fields=["status"])
    audit.record(actor=actor.user, verb="mentoring.pair.requested", obj=pair, organization=pair.organization)
    do_notify(
        membership=mentor.member,
        text=f"You have a proposed mentee in {program.name}: please accept or decline.",
        url=pair_url(pair),
        key=f"mentoring.pair.proposed:{pair.public_id}:mentor",
    )
    return pair


@transaction.atomic
def do_respond(*, actor: Membership, pair: Pair, accept: bool, now: datetime | None = None) -> Pair:
    """The mentor accepts (the pair starts; the chemistry check runs from now) or declines (the application is
    open again and this mentor is never proposed to this mentee again)."""
    pair = (
        Pair.objects.select_for_update()
        .select_related("program", "application", "mentee", "mentor__member")
        .get(pk=pair.pk)
    )
    if pair.status != Pair.Status.PROPOSED:
        raise ValidationError("This match has already been answered.")
    when = now or timezone.now()
    if accept:
        pair.status, pair.accepted_at = Pair.Status.ACTIVE, when
        pair.save(update_fields=["status", "accepted_at"])
    else:
        pair.status, pair.ended_at = Pair.Status.DECLINED, when
        pair.save(update_fields=["status", "ended_at"])
        _reopen(pair.application)
    verb = "accepted" if accept else "declined"
    audit.record(actor=actor.user, verb=f"mentoring.pair.{verb}", obj=pair, organization=pair.organization)
    do_notify(
        membership=pair.mentee,
        text=f"Your proposed mentor in {pair.program.name} has {verb}.",
        url=pair_url(pair),
        key=f"mentoring.pair.{verb}:{pair.public_id}",
    )
    return pair


def _reopen(application: Application) -> None:
    if application.status == Application.Status.MATCHED:
        application.status = Application.Status.OPEN
        application.save(update_fields=["status"])


def rematch_from(pair: Pair) -> date | None:
    """The first day either side may ask for a rematch: the end of the chemistry check."""
    return pair.chemistry_ends_on()


@transaction.atomic
def do_rematch(*, actor: Membership, pair: Pair, now: datetime | None = None) -> Pair:
    """After the chemistry check either side may end the pair for a rematch; the mentee's application is open
    again and this mentor is excluded from their next matches."""
    pair = (
        Pair.objects.select_for_update()
        .select_related("program", "application", "mentee", "mentor__member")
        .get(pk=pair.pk)
    )
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError("Only an active pair can ask for a rematch.")
    when = now or timezone.now()
    start = rematch_from(pair)
    if start is not None and timezone.localdate(when) < start:
        raise ValidationError(f"A rematch can be asked for after the chemistry check, from {start:%d %b %Y}.")
    pair.status, pair.ended_at = Pair.Status.REMATCH, when
    pair.save(update_fields=["status", "ended_at"])
    _reopen(pair.application)
    audit.record(actor=actor.user, verb="mentoring.pair.rematch", obj=pair, organization=pair.organization)
    other = pair.mentor.member if actor.pk == pair.mentee_id else pair.mentee
    do_notify(
        membership=other,
        text=f"Your mentoring pair in {pair.program.name} has ended for a rematch.",
        url=pair_url(pair),
        key=f"mentoring.pair.rematch:{pair.public_id}",
    )
    return pair


# --- Pairs ---------------------------------------------------------------------------------------------------
INTRO_SALT = "trellis.mentoring.introduction"
INTRO_MAX_AGE = timedelta(days=30)
MAX_TAGS = 10


def pair_url(pair: Pair) -> str:
    return reverse("mentoring_pair", args=[pair.organization.slug, pair.public_id])


def _side(pair: Pair, actor: Membership) -> str:
    """ "mentee" or "mentor"; anyone else may not write in the pair."""
    if pair.mentee_id == actor.pk:
        return "mentee"
    if pair.mentor.member_id == actor.pk:
        return "mentor"
    raise PermissionDenied("Only the mentee and the mentor write in a pair.")


def _other(pair: Pair, actor: Membership) -> Membership:
    return pair.mentor.member if _side(pair, actor) == "mentee" else pair.mentee


def _active(pair: Pair) -> None:
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError("This pair is not active.")


def _mentee_only(pair: Pair, actor: Membership) -> None:
    if pair.mentee_id != actor.pk:
        raise PermissionDenied("Only the mentee does this.")


def _mentor_only(pair: Pair, actor: Membership) -> None:
    if pair.mentor.member_id != actor.pk:
        raise PermissionDenied("Only the mentor does this.")


def clean_tags(tags: list[str] | str | None) -> list[str]:
    if tags is None:
        return []
    raw = tags.split(",") if isinstance(tags, str) else tags
    out: list[str] = []
    for tag in raw:
        t = str(tag).strip().lower()[:40]
        if t and t not in out:
            out.append(t)
    if len(out) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags."})
    return out


# Goals --------------------------------------------------------------------------------------------------------
@transaction.atomic
def do_add_pair_goal(*, actor: Membership, pair: Pair, text: str, tags: list[str] | str | None = None) -> Goal:
    """The mentee adds a goal to the application the pair is built on."""
    _mentee_only(pair, actor)
    if not pair.live:
        raise ValidationError("This pair has ended.")
    goal = Goal(organization=pair.organization, application=pair.application, tags=clean_tags(tags))
    goal.text = _text(text)
    goal.save()
    audit.record(actor=actor.user, verb="mentoring.goal.created", obj=goal, organization=pair.organization)
    return goal


@transaction.atomic
def do_track_goal(
    *,
    actor: Membership,
    goal: Goal,
    text: str | None = None,
    tags: list[str] | str | None = None,
    progress: int | None = None,
    status: str | None = None,
) -> Goal:
    """The mentee edits a goal, sets its progress (0–100) or its status (open / achieved / dropped)."""
    if goal.application.mentee_id != actor.pk:
        raise PermissionDenied("Only the mentee edits their goals.")
    changed: list[str] = []
    if text is not None:
        goal.text = _text(text)
        changed.append("text")
    if tags is not None:
        goal.tags = clean_tags(tags)
        changed.append("tags")
    if progress is not None:
        if not 0 <= int(progress) <= 100:
            raise ValidationError({"progress": "Between 0 and 100."})
        goal.progress = int(progress)
        changed.append("progress")
    if status is not None and status != goal.status:
        if status not in Goal.Status.values:
            raise ValidationError({"status": "Open, achieved or dropped."})
        goal.status = status
        if status == Goal.Status.ACHIEVED:
            goal.progress = 100
            changed.append("progress")
        changed.append("status")
    if changed:
        goal.updated_at = timezone.now()
        goal.save(update_fields=[*set(changed), "updated_at"])
        audit.record(actor=actor.user, verb="mentoring.goal.updated", obj=goal, organization=goal.organization)
    return goal


# Meetings -----------------------------------------------------------------------------------------------------
def ics_for(meeting: Meeting, *, now: datetime) -> str:
    """The meeting as a real iCalendar invite: logistics only (no agenda, no log)."""
    pair = meeting.pair
    mentee, mentor = pair.mentee.user, pair.mentor.member.user
    return calendar.invite(
        uid=f"mentoring-meeting-{meeting.public_id}@trellis",
        summary=f"Mentoring: {mentee.full_name} and {mentor.full_name}",
        start=meeting.starts_at,
        end=meeting.starts_at + timedelta(minutes=meeting.minutes),
        organizer=(settings.DEFAULT_FROM_EMAIL, "Trellis"),
        attendees=[(mentee.email, mentee.full_name), (mentor.email, mentor.full_name)],
        location=meeting.location,
        sequence=meeting.sequence,
        cancelled=meeting.status == Meeting.Status.CANCELLED,
        now=now,
    )


def _announce_meeting(meeting: Meeting, actor: Membership, *, now: datetime) -> None:
    """Both sides: an in-app notice and an e-mail with the .ics, once per (meeting, person, sequence)."""
    pair = meeting.pair
    cancelled = meeting.status == Meeting.Status.CANCELLED
    ics = ics_for(meeting, now=now)
    verb = "cancelled" if cancelled else "updated" if meeting.sequence else "scheduled"
    who = actor.user.full_name
    for person in (pair.mentee, pair.mentor.member):
        when = timezone.localtime(meeting.starts_at, _zone(person)).strftime("%a %d %b %Y, %H:%M")
        key = f"mentoring-ics:{meeting.public_id}:{person.public_id}:{meeting.sequence}" + (
            ":cancel" if cancelled else ""
        )
        do_notify(membership=person, text=f"{who} {verb} a mentoring meeting ({when}).", url=pair_url(pair), key=key)
        subject = {"cancelled": "Cancelled", "updated": "Updated", "scheduled": "Invitation"}[verb]
        body = (
            f"{who} {verb} a mentoring meeting: {when} ({person.timezone}), {meeting.minutes} minutes"
            + (f", {meeting.location}" if meeting.location else "")
            + ".\n"
        )
        mail.queue(
            to=person.user,
            subject=f"{subject}: mentoring meeting",
            body=body,
            key=key,
            organization=pair.organization,
            ics=ics,
        )


def _zone(person: Membership):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(person.timezone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _check_when(starts_at: datetime, minutes: int) -> None:
    if timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "Give the time with its zone."})
    if not 15 <= int(minutes) <= 480:
        raise ValidationError({"minutes": "Between 15 and 480 minutes."})


@transaction.atomic
def do_schedule_meeting(
    *,
    actor: Membership,
    pair: Pair,
    starts_at: datetime,
    minutes: int = 60,
    location: str = "",
    agenda: str = "",
    now: datetime | None = None,
) -> Meeting:
    _side(pair, actor)
    _active(pair)
    _check_when(starts_at, minutes)
    meeting = Meeting(
        organization=pair.organization,
        pair=pair,
        starts_at=starts_at.astimezone(UTC),
        minutes=int(minutes),
        location=(location or "").strip()[:200],
    )
    meeting.agenda = _text(agenda, "agenda", required=False) or None
    meeting.save()
    audit.record(actor=actor.user, verb="mentoring.meeting.scheduled", obj=meeting, organization=pair.organization)
    _announce_meeting(meeting, actor, now=now or timezone.now())
    return meeting


@transaction.atomic
def do_reschedule_meeting(
    *,
    actor: Membership,
    meeting: Meeting,
    starts_at: datetime | None = None,
    minutes: int | None = None,
    location: str | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Change the time, length or place: SEQUENCE goes up and both sides get the updated invite."""
    _side(meeting.pair, actor)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError("Only a scheduled meeting can be changed.")
    new_start = (starts_at or meeting.starts_at).astimezone(UTC)
    new_minutes = int(minutes) if minutes is not None else meeting.minutes
    new_location = location.strip()[:200] if location is not None else meeting.location
    if starts_at is not None:
        _check_when(starts_at, new_minutes)
    _check_when(new_start, new_minutes)
    if (new_start, new_minutes, new_location) == (meeting.starts_at, meeting.minutes, meeting.location):
        return meeting
    meeting.starts_at, meeting.minutes, meeting.location = new_start, new_minutes, new_location
    meeting.sequence += 1
    meeting.save(update_fields=["starts_at", "minutes", "location", "sequence"])
    audit.record(actor=actor.user, verb="mentoring.meeting.changed", obj=meeting, organization=meeting.organization)
    _announce_meeting(meeting, actor, now=now or timezone.now())
    return meeting


@transaction.atomic
def do_cancel_meeting(*, actor: Membership, meeting: Meeting, now: datetime | None = None) -> Meeting:
    _side(meeting.pair, actor)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError("Only a scheduled meeting can be cancelled.")
    meeting.status = Meeting.Status.CANCELLED
    meeting.sequence += 1
    meeting.save(update_fields=["status", "sequence"])
    audit.record(actor=actor.user, verb="mentoring.meeting.cancelled", obj=meeting, organization=meeting.organization)
    _announce_meeting(meeting, actor, now=now or timezone.now())
    return meeting


@transaction.atomic
def do_record_meeting(
    *, actor: Membership, meeting: Meeting, agenda: str | None = None, log: str | None = None
) -> Meeting:
    """Either side writes the agenda (before) or the log (after); a log marks the meeting held."""
    _side(meeting.pair, actor)
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationError("This meeting was cancelled.")
    fields: list[str] = []
    if agenda is not None:
        meeting.agenda = _text(agenda, "agenda", required=False) or None
        fields.append("agenda")
    if log is not None:
        text = _text(log, "log", required=False)
        meeting.log = text or None
        fields.append("log")
        if text and meeting.status == Meeting.Status.SCHEDULED:
            meeting.status = Meeting.Status.HELD
            fields.append("status")
    if fields:
        meeting.save(update_fields=fields)
        audit.record(
            actor=actor.user, verb="mentoring.meeting.recorded", obj=meeting, organization=meeting.organization
        )
    return meeting


# Notes --------------------------------------------------------------------------------------------------------
@transaction.atomic
def do_write_note(*, actor: Membership, pair: Pair, text: str) -> Note:
    """A private note by one side of the pair."""
    _side(pair, actor)
    note = Note(organization=pair.organization, pair=pair, author=actor)
    note.text = _text(text)
    note.save()
    audit.record(actor=actor.user, verb="mentoring.note.created", obj=note, organization=pair.organization)
    return note


@transaction.atomic
def do_edit_note(*, actor: Membership, note: Note, text: str) -> Note:
    if note.author_id != actor.pk:
        raise PermissionDenied("Only the author edits a note.")
    note.text = _text(text)
    note.save(update_fields=["text"])
    audit.record(actor=actor.user, verb="mentoring.note.edited", obj=note, organization=note.organization)
    return note


@transaction.atomic
def do_share_note(*, actor: Membership, note: Note, with_member: Membership) -> Note:
    """The author shares a note with the other side or another active member of the organization."""
    if note.author_id != actor.pk:
        raise PermissionDenied("Only the author shares a note.")
    if with_member.organization_id != note.organization_id or not with_member.is_active:
        raise ValidationError({"member": "Choose an active member of this organization."})
    if with_member.pk == actor.pk:
        raise ValidationError({"member": "The note is yours already."})
    note.shared_with.add(with_member)
    audit.record(actor=actor.user, verb="mentoring.note.shared", obj=note, organization=note.organization)
    do_notify(
        membership=with_member,
        text=f"{actor.user.full_name} shared a mentoring note with you.",
        url=reverse("mentoring_note", args=[note.organization.slug, note.public_id]),
        key=f"mentoring:note-shared:{note.public_id}:{with_member.public_id}:{timezone.now():%Y%m%d%H%M%S%f}",
    )
    return note


@transaction.atomic
def do_unshare_note(*, actor: Membership, note: Note, member: Membership) -> Note:
    """Revoke a share: the next request of that member no longer finds the note."""
    if note.author_id != actor.pk:
        raise PermissionDenied("Only the author revokes a share.")
    note.shared_with.remove(member)
    audit.record(actor=actor.user, verb="mentoring.note.unshared", obj=note, organization=note.organization)
    return note


# Suggestions --------------------------------------------------------------------------------------------------
@transaction.atomic
def do_suggest(*, actor: Membership, pair: Pair, text: str) -> Suggestion:
    _mentor_only(pair, actor)
    _active(pair)
    suggestion = Suggestion(organization=pair.organization, pair=pair)
    suggestion.text = _text(text)
    suggestion.save()
    audit.record(actor=actor.user, verb="mentoring.suggestion.proposed", obj=suggestion, organization=pair.organization)
    do_notify(
        membership=pair.mentee,
        text=f"{actor.user.full_name} suggested something.",
        url=pair_url(pair),
        key=f"mentoring:suggestion:{suggestion.public_id}",
    )
    return suggestion


SUGGESTION_MOVES = {
    Suggestion.Status.PROPOSED: {Suggestion.Status.ACCEPTED, Suggestion.Status.DECLINED},
    Suggestion.Status.ACCEPTED: {Suggestion.Status.DONE, Suggestion.Status.DECLINED},
    Suggestion.Status.DECLINED: {Suggestion.Status.ACCEPTED},
    Suggestion.Status.DONE: {Suggestion.Status.ACCEPTED},
}


@transaction.atomic
def do_respond_suggestion(
    *, actor: Membership, suggestion: Suggestion, status: str, reason: str = "", now: datetime | None = None
) -> Suggestion:
    """The mentee accepts, declines (optionally saying why) or marks done (after accepting)."""
    pair = suggestion.pair
    _mentee_only(pair, actor)
    if status not in Suggestion.Status.values or status == Suggestion.Status.PROPOSED:
        raise ValidationError({"status": "Accepted, declined or done."})
    if status == suggestion.status:
        return suggestion
    if status not in SUGGESTION_MOVES[Suggestion.Status(suggestion.status)]:
        raise ValidationError({"status": "Accept the suggestion before marking it done."})
    now = now or timezone.now()
    suggestion.status = status
    if status == Suggestion.Status.DECLINED:
        suggestion.decline_reason = _text(reason, "reason", required=False) or None
    else:
        suggestion.decline_reason = None
    if status == Suggestion.Status.ACCEPTED:
        suggestion.responded_at = now
        suggestion.done_at = None
    elif status == Suggestion.Status.DONE:
        suggestion.done_at = now
    else:
        suggestion.responded_at = now
    suggestion.save(update_fields=["status", "decline_reason", "responded_at", "done_at"])
    audit.record(
        actor=actor.user, verb=f"mentoring.suggestion.{status}", obj=suggestion, organization=suggestion.organization
    )
    do_notify(
        membership=pair.mentor.member,
        text=f"{actor.user.full_name} responded to a suggestion.",
        url=pair_url(pair),
        key=f"mentoring:suggestion:{suggestion.public_id}:{status}:{now:%Y%m%d%H%M%S%f}",
    )
    return suggestion


# Introductions ------------------------------------------------------------------------------------------------
def intro_link(intro: Introduction) -> str:
    token = signing.TimestampSigner(salt=INTRO_SALT).sign(intro.token)
    return settings.TRELLIS_BASE_URL.rstrip("/") + reverse("mentoring_intro_public", args=[token])


def read_intro_link(signed: str) -> Introduction | None:
    """The introduction an outsider's link is for, or None when altered, expired or unknown."""
    try:
        token = signing.TimestampSigner(salt=INTRO_SALT).unsign(signed, max_age=INTRO_MAX_AGE)
    except signing.BadSignature:
        return None
    return (
        Introduction.objects.select_related("pair__mentee__user", "pair__mentor__member__user", "organization")
        .filter(token=token, kind=Introduction.Kind.EMAIL)
        .first()
    )


def first_name(full_name: str) -> str:
    return (full_name or "").split(" ")[0] or "Someone"


@transaction.atomic
def do_propose_introduction(
    *,
    actor: Membership,
    pair: Pair,
    kind: str,
    why: str = "",
    to_member: Membership | None = None,
    to_email: str = "",
    to_name: str = "",
    event: str = "",
) -> Introduction:
    """The mentor proposes introducing the mentee to a member, an outsider (by e-mail) or an event."""
    _mentor_only(pair, actor)
    _active(pair)
    intro = Introduction(organization=pair.organization, pair=pair, kind=kind)
    intro.why = _text(why, "why", required=False) or None
    if kind == Introduction.Kind.MEMBER:
        if to_member is None or to_member.organization_id != pair.organization_id or not to_member.is_active:
            raise ValidationError({"to_member": "Choose an active member of this organization."})
        if to_member.pk in (pair.mentee_id, pair.mentor.member_id):
            raise ValidationError({"to_member": "Choose someone other than the two of you."})
        intro.to_member = to_member
    elif kind == Introduction.Kind.EMAIL:
        address = (to_email or "").strip()
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"to_email": "Enter a valid e-mail address."}) from None
        intro.to_email = address
        intro.to_name = (to_name or "").strip()[:200]
    elif kind == Introduction.Kind.EVENT:
        intro.event = _text(event, "event")
    else:
        raise ValidationError({"kind": "A member, an e-mail or an event."})
    intro.save()
    audit.record(actor=actor.user, verb="mentoring.introduction.proposed", obj=intro, organization=pair.organization)
    mentor_first, mentee_first = first_name(actor.user.full_name), first_name(pair.mentee.user.full_name)
    if kind == Introduction.Kind.MEMBER:
        assert to_member is not None
        do_notify(
            membership=to_member,
            text=f"{actor.user.full_name} asks to introduce someone to you.",
            url=reverse("mentoring_introduction", args=[pair.organization.slug, intro.public_id]),
            key=f"mentoring:intro:{intro.public_id}:to",
        )
    elif kind == Introduction.Kind.EMAIL:
        mail.queue(
            to=intro.to_email or "",
            subject=f"{mentor_first} would like to introduce {mentee_first} to you",
            body=(
                f"Hello{(' ' + first_name(intro.to_name)) if intro.to_name else ''},\n\n"
                f"{mentor_first} mentors {mentee_first} and would like to introduce the two of you. "
                "Nothing about you is shared unless you accept. Accept or decline here:\n\n"
                f"{intro_link(intro)}\n"
            ),
            key=f"mentoring:intro:{intro.public_id}:email",
            organization=pair.organization,
        )
    do_notify(
        membership=pair.mentee,
        text=f"{actor.user.full_name} proposed an introduction.",
        url=pair_url(pair),
        key=f"mentoring:intro:{intro.public_id}:mentee",
    )
    return intro


@transaction.atomic
def do_respond_introduction(
    *, intro: Introduction, accept: bool, actor: Membership | None = None, now: datetime | None = None
) -> Introduction:
    """The introduced member (or, for an event, the mentee; for an outsider, the signed link) accepts or
    declines. Contact details are shown only after an accept."""
    pair = intro.pair
    if intro.kind == Introduction.Kind.MEMBER:
        if actor is None or intro.to_member_id != actor.pk:
            raise PermissionDenied("Only the person introduced answers.")
    elif intro.kind == Introduction.Kind.EVENT:
        if actor is None or pair.mentee_id != actor.pk:
            raise PermissionDenied("Only the mentee answers an event.")
    elif actor is not None:
        raise PermissionDenied("The person introduced answers through their link.")
    if intro.status != Introduction.Status.PROPOSED:
        raise ValidationError("This introduction has been answered already.")
    intro.status = Introduction.Status.ACCEPTED if accept else Introduction.Status.DECLINED
    intro.responded_at = now or timezone.now()
    intro.save(update_fields=["status", "responded_at"])
    audit.record(
        actor=actor.user if actor else None,
        verb=f"mentoring.introduction.{intro.status}",
        obj=intro,
        organization=intro.organization,
    )
    answer = "accepted" if accept else "declined"
    for person in {pair.mentee.pk: pair.mentee, pair.mentor.member.pk: pair.mentor.member}.values():
        if actor is not None and person.pk == actor.pk:
            continue
        do_notify(
            membership=person,
            text=f"An introduction was {answer}.",
            url=pair_url(pair),
            key=f"mentoring:intro:{intro.public_id}:{answer}:{person.public_id}",
        )
    if accept and intro.kind == Introduction.Kind.EMAIL:
        mentee = pair.mentee.user
        mail.queue(
            to=intro.to_email or "",
            subject=f"You accepted: meet {mentee.full_name}",
            body=f"Thank you. You can reach {mentee.full_name} at {mentee.email}.\n",
            key=f"mentoring:intro:{intro.public_id}:contact",
            organization=intro.organization,
        )
    return intro


# End of a pair ------------------------------------------------------------------------------------------------
@transaction.atomic
def do_end_pair(*, actor: Membership, pair: Pair, now: datetime | None = None) -> Pair:
    _side(pair, actor)
    _active(pair)
    now = now or timezone.now()
    pair.status = Pair.Status.ENDED
    pair.ended_at = now
    pair.save(update_fields=["status", "ended_at"])
    audit.record(actor=actor.user, verb="mentoring.pair.ended", obj=pair, organization=pair.organization)
    for meeting in pair.meetings.filter(status=Meeting.Status.SCHEDULED, starts_at__gt=now).select_related(
        "pair__mentee__user", "pair__mentor__member__user", "pair__organization"
    ):
        meeting.status = Meeting.Status.CANCELLED
        meeting.sequence += 1
        meeting.save(update_fields=["status", "sequence"])
        _announce_meeting(meeting, actor, now=now)
    do_notify(
        membership=_other(pair, actor),
        text=f"{actor.user.full_name} ended your mentoring pair. Write your reflection.",
        url=pair_url(pair),
        key=f"mentoring:pair-ended:{pair.public_id}",
    )
    return pair


@transaction.atomic
def do_write_reflection(*, actor: Membership, pair: Pair, text: str) -> Reflection:
    """Each side's reflection once the pair has ended (one each; writing again replaces it)."""
    _side(pair, actor)
    if pair.status not in (Pair.Status.ENDED, Pair.Status.REMATCH):
        raise ValidationError("Reflections are written when the pair has ended.")
    reflection = Reflection.objects.filter(pair=pair, author=actor).first() or Reflection(
        organization=pair.organization, pair=pair, author=actor
    )
    reflection.text = _text(text)
    reflection.save()
    audit.record(actor=actor.user, verb="mentoring.reflection.written", obj=reflection, organization=pair.organization)
    do_notify(
        membership=_other(pair, actor),
        text=f"{actor.user.full_name} wrote a reflection.",
        url=pair_url(pair),
        key=f"mentoring:reflection:{reflection.public_id}",
    )
    return reflection
