"""The mentoring API under /api/v1/orgs/{org_slug}/mentoring/ (issue 5, item 7)."""

from __future__ import annotations

# --- Pairs (imports) ---
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from trellis.core.access import Viewer, api_rule, member_of, subject_of, viewer_of
from trellis.core.api import IN_ORG, WRITE
from trellis.core.models import Membership
from trellis.mentoring import matchmaking, selectors, services
from trellis.mentoring.access import (
    APPLICATION,
    GOAL,
    INTRODUCTION,
    MEETING,
    NOTE,
    PAIR,
    PROGRAM,
    RUN,
    SUGGESTION,
    pair_relations,
)
from trellis.mentoring.models import (
    Application,
    Goal,
    Introduction,
    MatchRun,
    Meeting,
    MentorProfile,
    Note,
    Pair,
    Program,
    Reflection,
    Suggestion,
)
from trellis.mentoring.schemas import (
    ApplicationGoalOut,
    ApplicationIn,
    ApplicationOut,
    FitOut,
    GoalIn,
    GoalListOut,
    GoalOut,
    GoalPatchIn,
    IntroductionIn,
    IntroductionListOut,
    IntroductionOut,
    IntroductionRespondIn,
    MeetingIn,
    MeetingListOut,
    MeetingOut,
    MeetingPatchIn,
    MeetingRecordIn,
    MentoringNoteIn,
    MentoringNoteListOut,
    MentoringNoteOut,
    MentoringPersonOut,
    MentoringProgramListOut,
    MentoringProgramOut,
    MentoringRespondIn,
    MentorProfileIn,
    MentorProfileListOut,
    MentorProfileOut,
    NoteShareIn,
    PairListOut,
    PairOut,
    ProgramIn,
    ProposalOut,
    ReflectionIn,
    ReflectionListOut,
    ReflectionOut,
    RunIn,
    RunOut,
    ShortlistOut,
    SuggestionIn,
    SuggestionListOut,
    SuggestionOut,
    SuggestionPatchIn,
)

router = Router(tags=["mentoring"])
BASE = "/orgs/{org_slug}/mentoring"


# --- Pairs ---------------------------------------------------------------------------------------------------


def _person(m: Membership) -> MentoringPersonOut:
    return MentoringPersonOut(id=m.public_id, name=m.user.full_name)


def _pair(p: Pair) -> PairOut:
    return PairOut(
        id=p.public_id,
        program=p.program.name,
        program_id=p.program.public_id,
        mentee=_person(p.mentee),
        mentor=_person(p.mentor.member),
        status=p.status,  # type: ignore[arg-type]
        accepted_at=p.accepted_at,
        ended_at=p.ended_at,
        chemistry_ends_on=p.chemistry_ends_on(),
    )


def _goal(g: Goal) -> GoalOut:
    return GoalOut(
        id=g.public_id, text=g.text, tags=g.tags, progress=g.progress, status=g.status, updated_at=g.updated_at
    )


def _meeting(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.public_id,
        starts_at=m.starts_at,
        minutes=m.minutes,
        location=m.location,
        status=m.status,
        sequence=m.sequence,
        agenda=m.agenda,
        log=m.log,
    )


def _suggestion(s: Suggestion) -> SuggestionOut:
    return SuggestionOut(
        id=s.public_id,
        text=s.text,
        status=s.status,
        decline_reason=s.decline_reason,
        created_at=s.created_at,
        responded_at=s.responded_at,
        done_at=s.done_at,
    )


def _introduction(i: Introduction, me: Membership) -> IntroductionOut:
    contact = None
    if i.status == Introduction.Status.ACCEPTED:
        if i.kind == Introduction.Kind.MEMBER and i.to_member is not None:
            contact = i.pair.mentee.user.email if i.to_member_id == me.pk else i.to_member.user.email
        elif i.kind == Introduction.Kind.EMAIL:
            contact = i.to_email
    return IntroductionOut(
        id=i.public_id,
        kind=i.kind,
        status=i.status,
        to_member=_person(i.to_member) if i.to_member is not None else None,
        to_name=i.to_name,
        event=i.event,
        why=i.why,
        contact=contact,
        created_at=i.created_at,
    )


def _note(n: Note, me: Membership) -> MentoringNoteOut:
    mine = n.author_id == me.pk
    return MentoringNoteOut(
        id=n.public_id,
        pair_id=n.pair.public_id,
        author=_person(n.author),
        text=n.text,
        mine=mine,
        shared_with=[_person(m) for m in n.shared_with.all()] if mine else [],
        created_at=n.created_at,
    )


def _reflection(r: Reflection) -> ReflectionOut:
    return ReflectionOut(id=r.public_id, author=_person(r.author), text=r.text, created_at=r.created_at)


def _pair_ctx(request: HttpRequest) -> tuple[Viewer, Membership, Pair, set[str]]:
    viewer, me = member_of(request)
    pair: Pair = subject_of(request)
    return viewer, me, pair, pair_relations(viewer, pair)


# Pairs --------------------------------------------------------------------------------------------------------
@router.get(f"{BASE}/pairs", response={200: PairListOut, **IN_ORG}, summary="Your mentoring pairs (mentee or mentor)")
@api_rule("mentoring_pair", "list")
def list_pairs(request: HttpRequest, org_slug: str) -> PairListOut:
    return PairListOut(items=[_pair(p) for p in selectors.my_pairs(viewer_of(request))[:500]])


@router.get(f"{BASE}/pairs/{{pair_id}}", response={200: PairOut, **IN_ORG}, summary="One pair (logistics)")
@api_rule("mentoring_pair", "view", subject=PAIR)
def get_pair(request: HttpRequest, org_slug: str, pair_id: UUID) -> PairOut:
    return _pair(subject_of(request))


@router.post(f"{BASE}/pairs/{{pair_id}}/end", response={200: PairOut, **WRITE}, summary="End an active pair")
@api_rule("mentoring_pair", "end", subject=PAIR)
def end_pair(request: HttpRequest, org_slug: str, pair_id: UUID) -> PairOut:
    _, me, pair, _ = _pair_ctx(request)
    return _pair(services.do_end_pair(actor=me, pair=pair))


# Goals --------------------------------------------------------------------------------------------------------
@router.get(f"{BASE}/pairs/{{pair_id}}/goals", response={200: GoalListOut, **IN_ORG}, summary="The mentee's goals")
@api_rule("mentoring_content", "view", subject=PAIR)
def list_goals(request: HttpRequest, org_slug: str, pair_id: UUID) -> GoalListOut:
    _, _, pair, rels = _pair_ctx(request)
    return GoalListOut(items=[_goal(g) for g in selectors.goals(pair, rels)])


@router.post(f"{BASE}/pairs/{{pair_id}}/goals", response={201: GoalOut, **WRITE}, summary="Add a goal (the mentee)")
@api_rule("mentoring_content", "update", subject=PAIR)
def create_goal(request: HttpRequest, org_slug: str, pair_id: UUID, payload: GoalIn) -> Status:
    _, me, pair, _ = _pair_ctx(request)
    return Status(201, _goal(services.do_add_pair_goal(actor=me, pair=pair, text=payload.text, tags=payload.tags)))


@router.patch(
    f"{BASE}/goals/{{goal_id}}",
    response={200: GoalOut, **WRITE},
    summary="Edit a goal, set its progress or status (the mentee)",
)
@api_rule("mentoring_content", "update", subject=GOAL)
def update_goal(request: HttpRequest, org_slug: str, goal_id: UUID, payload: GoalPatchIn) -> GoalOut:
    _, me = member_of(request)
    goal: Goal = subject_of(request)
    fields = payload.dict(exclude_unset=True)
    return _goal(services.do_track_goal(actor=me, goal=goal, **fields))


# Meetings -----------------------------------------------------------------------------------------------------
@router.get(
    f"{BASE}/pairs/{{pair_id}}/meetings",
    response={200: MeetingListOut, **IN_ORG},
    summary="Meetings with agenda and log",
)
@api_rule("mentoring_content", "view", subject=PAIR)
def list_meetings(request: HttpRequest, org_slug: str, pair_id: UUID) -> MeetingListOut:
    _, _, pair, _ = _pair_ctx(request)
    return MeetingListOut(items=[_meeting(m) for m in selectors.meetings(pair)])


@router.post(
    f"{BASE}/pairs/{{pair_id}}/meetings",
    response={201: MeetingOut, **WRITE},
    summary="Schedule a meeting: both sides get an invitation (.ics)",
)
@api_rule("mentoring_pair", "schedule", subject=PAIR)
def create_meeting(request: HttpRequest, org_slug: str, pair_id: UUID, payload: MeetingIn) -> Status:
    _, me, pair, _ = _pair_ctx(request)
    meeting = services.do_schedule_meeting(
        actor=me,
        pair=pair,
        starts_at=payload.starts_at,
        minutes=payload.minutes,
        location=payload.location,
        agenda=payload.agenda,
    )
    return Status(201, _meeting(meeting))


@router.patch(
    f"{BASE}/meetings/{{meeting_id}}",
    response={200: MeetingOut, **WRITE},
    summary="Change the time or place (SEQUENCE goes up) or cancel",
)
@api_rule("mentoring_pair", "schedule", subject=MEETING)
def update_meeting(request: HttpRequest, org_slug: str, meeting_id: UUID, payload: MeetingPatchIn) -> MeetingOut:
    _, me = member_of(request)
    meeting: Meeting = subject_of(request)
    if payload.cancel:
        return _meeting(services.do_cancel_meeting(actor=me, meeting=meeting))
    meeting = services.do_reschedule_meeting(
        actor=me, meeting=meeting, starts_at=payload.starts_at, minutes=payload.minutes, location=payload.location
    )
    return _meeting(meeting)


@router.put(
    f"{BASE}/meetings/{{meeting_id}}/record",
    response={200: MeetingOut, **WRITE},
    summary="Write the agenda (before) or the log (after; marks it held)",
)
@api_rule("mentoring_content", "write", subject=MEETING)
def record_meeting(request: HttpRequest, org_slug: str, meeting_id: UUID, payload: MeetingRecordIn) -> MeetingOut:
    _, me = member_of(request)
    meeting: Meeting = subject_of(request)
    return _meeting(services.do_record_meeting(actor=me, meeting=meeting, agenda=payload.agenda, log=payload.log))


# Suggestions --------------------------------------------------------------------------------------------------
@router.get(f"{BASE}/pairs/{{pair_id}}/suggestions", response={200: SuggestionListOut, **IN_ORG}, summary="Suggestions")
@api_rule("mentoring_content", "view", subject=PAIR)
def list_suggestions(request: HttpRequest, org_slug: str, pair_id: UUID) -> SuggestionListOut:
    _, _, pair, rels = _pair_ctx(request)
    return SuggestionListOut(items=[_suggestion(s) for s in selectors.suggestions(pair, rels)])


@router.post(
    f"{BASE}/pairs/{{pair_id}}/suggestions",
    response={201: SuggestionOut, **WRITE},
    summary="Suggest something (the mentor)",
)
@api_rule("mentoring_content", "suggest", subject=PAIR)
def create_suggestion(request: HttpRequest, org_slug: str, pair_id: UUID, payload: SuggestionIn) -> Status:
    _, me, pair, _ = _pair_ctx(request)
    return Status(201, _suggestion(services.do_suggest(actor=me, pair=pair, text=payload.text)))


@router.patch(
    f"{BASE}/suggestions/{{suggestion_id}}",
    response={200: SuggestionOut, **WRITE},
    summary="Accept, decline (with an optional reason) or mark done (the mentee)",
)
@api_rule("mentoring_content", "update", subject=SUGGESTION)
def update_suggestion(
    request: HttpRequest, org_slug: str, suggestion_id: UUID, payload: SuggestionPatchIn
) -> SuggestionOut:
    _, me = member_of(request)
    suggestion: Suggestion = subject_of(request)
    return _suggestion(
        services.do_respond_suggestion(actor=me, suggestion=suggestion, status=payload.status, reason=payload.reason)
    )


# Introductions ------------------------------------------------------------------------------------------------
@router.get(
    f"{BASE}/pairs/{{pair_id}}/introductions", response={200: IntroductionListOut, **IN_ORG}, summary="Introductions"
)
@api_rule("mentoring_content", "view", subject=PAIR)
def list_introductions(request: HttpRequest, org_slug: str, pair_id: UUID) -> IntroductionListOut:
    _, me, pair, rels = _pair_ctx(request)
    return IntroductionListOut(items=[_introduction(i, me) for i in selectors.introductions(pair, rels)])


@router.post(
    f"{BASE}/pairs/{{pair_id}}/introductions",
    response={201: IntroductionOut, **WRITE},
    summary="Propose an introduction to a member, an outsider (by e-mail) or an event (the mentor)",
)
@api_rule("mentoring_content", "suggest", subject=PAIR)
def create_introduction(request: HttpRequest, org_slug: str, pair_id: UUID, payload: IntroductionIn) -> Status:
    _, me, pair, _ = _pair_ctx(request)
    to_member = None
    if payload.to_member is not None:
        to_member = Membership.objects.filter(organization_id=pair.organization_id, public_id=payload.to_member).first()
    intro = services.do_propose_introduction(
        actor=me,
        pair=pair,
        kind=payload.kind,
        why=payload.why,
        to_member=to_member,
        to_email=payload.to_email,
        to_name=payload.to_name,
        event=payload.event,
    )
    return Status(201, _introduction(intro, me))


@router.post(
    f"{BASE}/introductions/{{introduction_id}}/respond",
    response={200: IntroductionOut, **WRITE},
    summary="Accept or decline an introduction addressed to you",
)
@api_rule("mentoring_introduction", "respond", subject=INTRODUCTION)
def respond_introduction(
    request: HttpRequest, org_slug: str, introduction_id: UUID, payload: IntroductionRespondIn
) -> IntroductionOut:
    _, me = member_of(request)
    intro: Introduction = subject_of(request)
    services.do_respond_introduction(intro=intro, actor=me, accept=payload.accept)
    return _introduction(intro, me)


@router.post(
    f"{BASE}/introductions/{{introduction_id}}/decide",
    response={200: IntroductionOut, **WRITE},
    summary="Accept or decline an event your mentor proposed (the mentee)",
)
@api_rule("mentoring_content", "update", subject=INTRODUCTION)
def decide_introduction(
    request: HttpRequest, org_slug: str, introduction_id: UUID, payload: IntroductionRespondIn
) -> IntroductionOut:
    _, me = member_of(request)
    intro: Introduction = subject_of(request)
    services.do_respond_introduction(intro=intro, actor=me, accept=payload.accept)
    return _introduction(intro, me)


# Notes --------------------------------------------------------------------------------------------------------
@router.get(
    f"{BASE}/notes", response={200: MentoringNoteListOut, **IN_ORG}, summary="Your notes and those shared with you"
)
@api_rule("mentoring_note", "list")
def list_notes(request: HttpRequest, org_slug: str) -> MentoringNoteListOut:
    viewer, me = member_of(request)
    notes = selectors.my_notes(viewer).select_related("pair")[:500]
    return MentoringNoteListOut(items=[_note(n, me) for n in notes])


@router.post(
    f"{BASE}/pairs/{{pair_id}}/notes",
    response={201: MentoringNoteOut, **WRITE},
    summary="Write a private note in a pair",
)
@api_rule("mentoring_note", "create", subject=PAIR)
def create_note(request: HttpRequest, org_slug: str, pair_id: UUID, payload: MentoringNoteIn) -> Status:
    _, me, pair, _ = _pair_ctx(request)
    return Status(201, _note(services.do_write_note(actor=me, pair=pair, text=payload.text), me))


@router.patch(
    f"{BASE}/notes/{{note_id}}", response={200: MentoringNoteOut, **WRITE}, summary="Edit your note (the author)"
)
@api_rule("mentoring_note", "update", subject=NOTE)
def update_note(request: HttpRequest, org_slug: str, note_id: UUID, payload: MentoringNoteIn) -> MentoringNoteOut:
    _, me = member_of(request)
    note: Note = subject_of(request)
    return _note(services.do_edit_note(actor=me, note=note, text=payload.text), me)


def _member(note: Note, public_id: UUID) -> Membership:
    member = Membership.objects.filter(organization_id=note.organization_id, public_id=public_id).first()
    if member is None:
        raise ValidationError({"member": "Choose a member of this organization."})
    return member


@router.post(f"{BASE}/notes/{{note_id}}/share", response={200: MentoringNoteOut, **WRITE}, summary="Share your note")
@api_rule("mentoring_note", "share", subject=NOTE)
def share_note(request: HttpRequest, org_slug: str, note_id: UUID, payload: NoteShareIn) -> MentoringNoteOut:
    _, me = member_of(request)
    note: Note = subject_of(request)
    return _note(services.do_share_note(actor=me, note=note, with_member=_member(note, payload.member)), me)


@router.post(
    f"{BASE}/notes/{{note_id}}/unshare",
    response={200: MentoringNoteOut, **WRITE},
    summary="Stop sharing your note with someone (effective on their next request)",
)
@api_rule("mentoring_note", "share", subject=NOTE)
def unshare_note(request: HttpRequest, org_slug: str, note_id: UUID, payload: NoteShareIn) -> MentoringNoteOut:
    _, me = member_of(request)
    note: Note = subject_of(request)
    return _note(services.do_unshare_note(actor=me, note=note, member=_member(note, payload.member)), me)


# Reflections --------------------------------------------------------------------------------------------------
@router.get(
    f"{BASE}/pairs/{{pair_id}}/reflections", response={200: ReflectionListOut, **IN_ORG}, summary="Both reflections"
)
@api_rule("mentoring_content", "view", subject=PAIR)
def list_reflections(request: HttpRequest, org_slug: str, pair_id: UUID) -> ReflectionListOut:
    _, _, pair, rels = _pair_ctx(request)
    return ReflectionListOut(items=[_reflection(r) for r in selectors.reflections(pair, rels)])


@router.post(
    f"{BASE}/pairs/{{pair_id}}/reflections",
    response={201: ReflectionOut, **WRITE},
    summary="Write your reflection once the pair has ended",
)
@api_rule("mentoring_content", "write", subject=PAIR)
def create_reflection(request: HttpRequest, org_slug: str, pair_id: UUID, payload: ReflectionIn) -> Status:
    _, me, pair, _ = _pair_ctx(request)
    return Status(201, _reflection(services.do_write_reflection(actor=me, pair=pair, text=payload.text)))


# --- Programs, profiles, applications, matching (program side) ---------------------------------------------
def _program(p: Program) -> MentoringProgramOut:
    return MentoringProgramOut(
        id=p.public_id,
        name=p.name,
        description=p.description,
        starts_on=p.starts_on,
        ends_on=p.ends_on,
        joining=p.joining,
        matching=p.matching,
        chemistry_weeks=p.chemistry_weeks,
        rules=p.rules,
        at_risk_weeks=p.at_risk_weeks,
        status=p.status,
        admin=p.admin.user.full_name if p.admin else None,
    )


def _profile(p: MentorProfile, live: int) -> MentorProfileOut:
    m = p.member
    return MentorProfileOut(
        id=p.public_id,
        member_id=m.public_id,
        name=m.user.full_name,
        title=m.title,
        expertise=list(p.expertise),
        capacity=p.capacity,
        live_pairs=live,
        languages=list(m.languages or ()),
        timezone=m.timezone,
        bio=p.bio,
        is_active=p.is_active,
    )


def _application(a: Application) -> ApplicationOut:
    return ApplicationOut(
        id=a.public_id,
        program_id=a.program.public_id,
        status=a.status,  # type: ignore[arg-type]
        goals=[
            ApplicationGoalOut(id=g.public_id, text=g.text, tags=list(g.tags), status=g.status) for g in a.goals.all()
        ],
        preferences=list(a.ranked.order_by("rank").values_list("mentor__public_id", flat=True)),
    )


def _run(run: MatchRun) -> RunOut:
    lines = selectors.run_lines(run) if run.status not in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING) else []
    return RunOut(
        id=run.public_id,
        program_id=run.program.public_id,
        status=run.status,  # type: ignore[arg-type]
        objective=run.objective,
        progress=run.progress,
        matched=run.matched,
        total_score=run.total_score,
        proposals=[
            ProposalOut(
                mentee=line.application.mentee.user.full_name,
                application_id=line.application.public_id,
                mentor=line.mentor.member.user.full_name if line.mentor else None,
                mentor_profile_id=line.mentor.public_id if line.mentor else None,
                score=line.score,
                parts=dict(line.parts),
                goal_count=line.goal_count,  # type: ignore[attr-defined]
                reason=line.reason,
                edited=line.edited,
            )
            for line in lines
        ],
    )


@router.get(
    f"{BASE}/programs", response={200: MentoringProgramListOut, **IN_ORG}, summary="Mentoring programs open to you"
)
@api_rule("mentoring_program", "list")
def list_programs(request: HttpRequest, org_slug: str) -> MentoringProgramListOut:
    """A program admin: all of the organization's; anyone else: the open ones they may join and their own."""
    return MentoringProgramListOut(items=[_program(p) for p in selectors.programs_for(viewer_of(request))])


@router.post(
    f"{BASE}/programs", response={201: MentoringProgramOut, **WRITE}, summary="Create a program (program admins)"
)
@api_rule("mentoring_program", "create")
def create_program(request: HttpRequest, org_slug: str, payload: ProgramIn) -> Status:
    _, me = member_of(request)
    if payload.starts_on is None or payload.ends_on is None:
        raise ValidationError({"starts_on": "Give the start and end dates."})
    program = services.do_create_program(actor=me, **payload.dict())
    return Status(201, _program(program))


@router.get(
    f"{BASE}/programs/{{mentoring_program_id}}", response={200: MentoringProgramOut, **IN_ORG}, summary="One program"
)
@api_rule("mentoring_program", "view", subject=PROGRAM)
def get_program(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> MentoringProgramOut:
    return _program(subject_of(request))


@router.get(
    f"{BASE}/programs/{{mentoring_program_id}}/mentors",
    response={200: MentorProfileListOut, **IN_ORG},
    summary="The program's mentors",
)
@api_rule("mentoring_program", "view", subject=PROGRAM)
def list_mentors(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> MentorProfileListOut:
    return MentorProfileListOut(
        items=[_profile(p, p.live) for p in selectors.mentor_profiles(subject_of(request))]  # type: ignore[attr-defined]
    )


@router.put(
    f"{BASE}/programs/{{mentoring_program_id}}/mentors/me",
    response={200: MentorProfileOut, **WRITE},
    summary="Offer yourself as a mentor, or change your offer",
)
@api_rule("mentoring_program", "mentor", subject=PROGRAM)
def put_my_profile(
    request: HttpRequest, org_slug: str, mentoring_program_id: UUID, payload: MentorProfileIn
) -> MentorProfileOut:
    _, me = member_of(request)
    program: Program = subject_of(request)
    profile = services.do_save_mentor_profile(actor=me, program=program, **payload.dict())
    return _profile(profile, Pair.objects.filter(mentor=profile, status__in=matchmaking.LIVE).count())


@router.post(
    f"{BASE}/programs/{{mentoring_program_id}}/applications",
    response={201: ApplicationOut, **WRITE},
    summary="Apply as a mentee: at least one goal; up to 3 mentors from your shortlist",
)
@api_rule("mentoring_application", "create", subject=PROGRAM)
def create_application(
    request: HttpRequest, org_slug: str, mentoring_program_id: UUID, payload: ApplicationIn
) -> Status:
    _, me = member_of(request)
    program: Program = subject_of(request)
    mentors = {p.public_id: p for p in MentorProfile.objects.filter(program=program, public_id__in=payload.preferences)}
    if set(payload.preferences) - set(mentors):
        raise ValidationError({"preferences": "Choose mentors of this program from your shortlist."})
    application = services.do_apply(
        actor=me,
        program=program,
        goals=[(g.text, g.tags) for g in payload.goals],
        preferences=[mentors[i] for i in payload.preferences],
    )
    return Status(201, _application(application))


@router.get(
    f"{BASE}/applications/{{application_id}}", response={200: ApplicationOut, **IN_ORG}, summary="Your application"
)
@api_rule("mentoring_application", "view", subject=APPLICATION)
def get_application(request: HttpRequest, org_slug: str, application_id: UUID) -> ApplicationOut:
    return _application(subject_of(request))


@router.get(
    f"{BASE}/applications/{{application_id}}/shortlist",
    response={200: ShortlistOut, **IN_ORG},
    summary="Your best eligible mentors with a free place: % fit and reasons",
)
@api_rule("mentoring_application", "view", subject=APPLICATION)
def get_shortlist(request: HttpRequest, org_slug: str, application_id: UUID) -> ShortlistOut:
    fits = matchmaking.shortlist(subject_of(request), at=timezone.now())
    return ShortlistOut(
        items=[
            FitOut(
                mentor_profile_id=f.profile.public_id,
                name=f.profile.member.user.full_name,
                percent=f.percent,
                goal=f.parts.goal,
                timezone=f.parts.timezone,
                department=f.parts.department,
                preference=f.parts.preference,
                reasons=list(f.reasons),
            )
            for f in fits
        ]
    )


@router.post(
    f"{BASE}/programs/{{mentoring_program_id}}/runs",
    response={201: RunOut, **WRITE},
    summary="Start a matching run (runs in the background; poll the run)",
)
@api_rule("mentoring_match", "run", subject=PROGRAM)
def create_run(request: HttpRequest, org_slug: str, mentoring_program_id: UUID, payload: RunIn) -> Status:
    _, me = member_of(request)
    run = services.do_start_run(actor=me, program=subject_of(request), objective=payload.objective)
    run.refresh_from_db()
    return Status(201, _run(run))


@router.get(f"{BASE}/runs/{{run_id}}", response={200: RunOut, **IN_ORG}, summary="A run: progress, then the proposal")
@api_rule("mentoring_match", "view", subject=RUN)
def get_run(request: HttpRequest, org_slug: str, run_id: UUID) -> RunOut:
    run: MatchRun = subject_of(request)
    run.refresh_from_db()
    return _run(run)


@router.post(
    f"{BASE}/runs/{{run_id}}/publish",
    response={200: RunOut, **WRITE},
    summary="Publish the proposal: proposed pairs, each mentor accepts or declines",
)
@api_rule("mentoring_match", "publish", subject=RUN)
def publish_run(request: HttpRequest, org_slug: str, run_id: UUID) -> RunOut:
    _, me = member_of(request)
    run: MatchRun = subject_of(request)
    services.do_publish(actor=me, run=run)
    run.refresh_from_db()
    return _run(run)


@router.post(
    f"{BASE}/pairs/{{pair_id}}/respond",
    response={200: PairOut, **WRITE},
    summary="Accept or decline a proposed mentee (the mentor)",
)
@api_rule("mentoring_pair", "respond", subject=PAIR)
def respond_pair(request: HttpRequest, org_slug: str, pair_id: UUID, payload: MentoringRespondIn) -> PairOut:
    _, me = member_of(request)
    return _pair(services.do_respond(actor=me, pair=subject_of(request), accept=payload.accept))
