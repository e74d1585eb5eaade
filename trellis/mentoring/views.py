"""Mentoring pages. Thin: rule → selector/service → render. Program admins see records and counts, never the
text of goals, notes, suggestions or introductions."""

from __future__ import annotations

# --- Pairs (imports) ---
import contextlib
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.core.access import MENTOR_OF, SELF, Viewer, allows, member_of, public, rule, subject_of
from trellis.core.forms import flash_errors
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
from trellis.mentoring.forms import (
    ApplyForm,
    ExternalMentorForm,
    GoalForm,
    GoalProgressForm,
    IntroductionForm,
    InviteForm,
    MeetingForm,
    MeetingRecordForm,
    MentorProfileForm,
    PairGoalForm,
    PairNoteForm,
    PreferencesForm,
    ProgramForm,
    ReflectionForm,
    RunForm,
    SuggestionForm,
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
    Suggestion,
)

# --- Pairs ---------------------------------------------------------------------------------------------------


def _pair_ctx(request: HttpRequest) -> tuple[Viewer, Membership, Pair, set[str]]:
    viewer, me = member_of(request)
    pair: Pair = subject_of(request)
    return viewer, me, pair, pair_relations(viewer, pair)


def _to_pair(pair: Pair) -> HttpResponse:
    return redirect("mentoring_pair", org_slug=pair.organization.slug, pair_id=pair.public_id)


def _zone(me: Membership) -> ZoneInfo:
    try:
        return ZoneInfo(me.timezone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _aware(value: datetime, me: Membership) -> datetime:
    """A time the viewer typed: its wall-clock reading is in the viewer's own zone (the form field attached the
    server's zone to it)."""
    return value.replace(tzinfo=None).replace(tzinfo=_zone(me))


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@rule("mentoring_pair", "list")
@require_GET
def my_mentoring(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, me = member_of(request)
    pairs = list(selectors.my_pairs(viewer))
    return _no_store(
        render(
            request,
            "mentoring/mine.html",
            {
                "as_mentee": [p for p in pairs if p.mentee_id == me.pk],
                "as_mentor": [p for p in pairs if p.mentor.member_id == me.pk],
                "shared_notes": [n for n in selectors.my_notes(viewer) if n.author_id != me.pk][:100],
                "intros": list(selectors.introductions_to_me(viewer)[:50]),
            },
        )
    )


@rule("mentoring_pair", "view", subject=PAIR)
@require_GET
def pair_page(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    viewer, me, pair, rels = _pair_ctx(request)
    content = selectors.content_visible(rels)
    mentee, mentor = SELF in rels, MENTOR_OF in rels
    zone = _zone(me)
    members = []
    if mentor and pair.status == Pair.Status.ACTIVE:
        members = [
            (str(m.public_id), f"{m.user.full_name} — {m.title or m.department}")
            for m in selectors.share_candidates(pair).exclude(pk__in=[pair.mentee_id, pair.mentor.member_id])
        ]
    reflections = selectors.reflections(pair, rels)
    notes = selectors.notes_in_pair(viewer, pair) if allows("mentoring_note", "create", rels) else []
    meetings = selectors.meetings(pair)
    for m in meetings:
        m.local_start = timezone.localtime(m.starts_at, zone)  # type: ignore[attr-defined]
    context = {
        "pair": pair,
        "me": me,
        "mentee": mentee,
        "mentor": mentor,
        "content": content,
        "zone": me.timezone,
        "chemistry_ends_on": pair.chemistry_ends_on(),
        "goals": selectors.goals(pair, rels),
        "meetings": meetings,
        "suggestions": selectors.suggestions(pair, rels),
        "introductions": selectors.introductions(pair, rels),
        "notes": notes,
        "reflections": reflections,
        "my_reflection": next((r for r in reflections if r.author_id == me.pk), None),
        "active": pair.status == Pair.Status.ACTIVE,
        "ended": pair.status in (Pair.Status.ENDED, Pair.Status.REMATCH),
        "may_schedule": allows("mentoring_pair", "schedule", rels) and pair.status == Pair.Status.ACTIVE,
        "goal_form": PairGoalForm(auto_id="goal-%s") if mentee and pair.live else None,
        "meeting_form": MeetingForm(auto_id="meeting-%s"),
        "note_form": PairNoteForm(auto_id="note-%s"),
        "suggestion_form": SuggestionForm(auto_id="suggestion-%s"),
        "intro_form": IntroductionForm(auto_id="intro-%s", members=members) if members else None,
        "reflection_form": ReflectionForm(auto_id="reflection-%s"),
    }
    return _no_store(render(request, "mentoring/pair.html", context))


# Goals --------------------------------------------------------------------------------------------------------
@rule("mentoring_content", "update", subject=PAIR)
@require_POST
def goal_new(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me, pair, _ = _pair_ctx(request)
    form = PairGoalForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_pair_goal(
                actor=me, pair=pair, text=form.cleaned_data["text"], tags=form.cleaned_data["tags"]
            )
            messages.success(request, "Goal added.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_pair(pair)


@rule("mentoring_content", "update", subject=GOAL)
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, org_slug: str, goal_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    goal: Goal = subject_of(request)
    initial = {"text": goal.text, "tags": ", ".join(goal.tags), "progress": goal.progress, "status": goal.status}
    form = GoalProgressForm(request.POST or None, initial=initial)
    pair = goal.application.pairs.filter(mentee=me).order_by("-created_at").first()
    if request.method == "POST" and form.is_valid():
        try:
            services.do_track_goal(actor=me, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "Goal saved.")
            return _to_pair(pair) if pair else redirect("mentoring_mine", org_slug=org_slug)
    return _no_store(
        render(
            request,
            "mentoring/goal.html",
            {"goal": goal, "form": form, "pair": pair},
            status=400 if form.errors else 200,
        )
    )


# Meetings -----------------------------------------------------------------------------------------------------
@rule("mentoring_pair", "schedule", subject=PAIR)
@require_POST
def meeting_new(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me, pair, _ = _pair_ctx(request)
    form = MeetingForm(request.POST)
    if form.is_valid():
        try:
            services.do_schedule_meeting(
                actor=me,
                pair=pair,
                starts_at=_aware(form.cleaned_data["starts_at"], me),
                minutes=form.cleaned_data["minutes"],
                location=form.cleaned_data["location"],
            )
            messages.success(request, "Meeting scheduled; both of you got an invitation.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_pair(pair)


@rule("mentoring_pair", "schedule", subject=MEETING)
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, org_slug: str, meeting_id: UUID) -> HttpResponse:
    """Change the time or place (SEQUENCE goes up, new invites) or cancel (METHOD:CANCEL)."""
    _, me = member_of(request)
    meeting: Meeting = subject_of(request)
    local = timezone.localtime(meeting.starts_at, _zone(me)).replace(tzinfo=None)
    form = MeetingForm(
        request.POST if request.method == "POST" and "cancel" not in request.POST else None,
        initial={"starts_at": local, "minutes": meeting.minutes, "location": meeting.location},
        auto_id="meeting-%s",
    )
    if request.method == "POST":
        try:
            if "cancel" in request.POST:
                services.do_cancel_meeting(actor=me, meeting=meeting)
                messages.success(request, "Meeting cancelled; both of you were told.")
                return _to_pair(meeting.pair)
            if form.is_valid():
                services.do_reschedule_meeting(
                    actor=me,
                    meeting=meeting,
                    starts_at=_aware(form.cleaned_data["starts_at"], me),
                    minutes=form.cleaned_data["minutes"],
                    location=form.cleaned_data["location"],
                )
                messages.success(request, "Meeting updated; both of you got the new invitation.")
                return _to_pair(meeting.pair)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return _no_store(
        render(
            request,
            "mentoring/meeting.html",
            {"meeting": meeting, "form": form, "zone": me.timezone},
            status=400 if form.errors else 200,
        )
    )


@rule("mentoring_content", "write", subject=MEETING)
@require_POST
def meeting_record(request: HttpRequest, org_slug: str, meeting_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    meeting: Meeting = subject_of(request)
    form = MeetingRecordForm(request.POST)
    if form.is_valid():
        try:
            services.do_record_meeting(
                actor=me,
                meeting=meeting,
                agenda=form.cleaned_data["agenda"] if "agenda" in request.POST else None,
                log=form.cleaned_data["log"] if "log" in request.POST else None,
            )
            messages.success(request, "Saved.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_pair(meeting.pair)


# Notes --------------------------------------------------------------------------------------------------------
@rule("mentoring_note", "create", subject=PAIR)
@require_POST
def note_new(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me, pair, _ = _pair_ctx(request)
    form = PairNoteForm(request.POST)
    if form.is_valid():
        try:
            services.do_write_note(actor=me, pair=pair, text=form.cleaned_data["text"])
            messages.success(request, "Note saved. Only you can see it until you share it.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_pair(pair)


@rule("mentoring_note", "view", subject=NOTE)
@require_GET
def note_page(request: HttpRequest, org_slug: str, note_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    note: Note = subject_of(request)
    mine = note.author_id == me.pk
    return _no_store(
        render(
            request,
            "mentoring/note.html",
            {
                "note": note,
                "mine": mine,
                "form": PairNoteForm(initial={"text": note.text}, auto_id="note-%s") if mine else None,
                "shared_with": list(note.shared_with.select_related("user")) if mine else [],
                "candidates": (
                    list(selectors.share_candidates(note.pair).exclude(pk=me.pk).order_by("user__full_name"))
                    if mine
                    else []
                ),
            },
        )
    )


@rule("mentoring_note", "update", subject=NOTE)
@require_POST
def note_edit(request: HttpRequest, org_slug: str, note_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    note: Note = subject_of(request)
    form = PairNoteForm(request.POST)
    if form.is_valid():
        try:
            services.do_edit_note(actor=me, note=note, text=form.cleaned_data["text"])
            messages.success(request, "Note saved.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return redirect("mentoring_note", org_slug=org_slug, note_id=note.public_id)


@rule("mentoring_note", "share", subject=NOTE)
@require_POST
def note_share(request: HttpRequest, org_slug: str, note_id: UUID) -> HttpResponse:
    """Share with a member (``share=1``) or revoke a share (``share=0``): effective on the next request."""
    _, me = member_of(request)
    note: Note = subject_of(request)
    try:
        member = Membership.objects.select_related("user").get(
            organization=me.organization, public_id=UUID(request.POST.get("member", ""))
        )
    except (Membership.DoesNotExist, ValueError):
        messages.error(request, "Choose a member of this organization.")
    else:
        try:
            if request.POST.get("share") == "0":
                services.do_unshare_note(actor=me, note=note, member=member)
                messages.success(request, f"{member.user.full_name} can no longer see this note.")
            else:
                services.do_share_note(actor=me, note=note, with_member=member)
                messages.success(request, f"Shared with {member.user.full_name}.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    if request.POST.get("next") == "pair":
        return _to_pair(note.pair)
    return redirect("mentoring_note", org_slug=org_slug, note_id=note.public_id)


# Suggestions --------------------------------------------------------------------------------------------------
@rule("mentoring_content", "suggest", subject=PAIR)
@require_POST
def suggestion_new(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me, pair, _ = _pair_ctx(request)
    form = SuggestionForm(request.POST)
    if form.is_valid():
        try:
            services.do_suggest(actor=me, pair=pair, text=form.cleaned_data["text"])
            messages.success(request, "Suggestion sent.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_pair(pair)


@rule("mentoring_content", "update", subject=SUGGESTION)
@require_POST
def suggestion_respond(request: HttpRequest, org_slug: str, suggestion_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    suggestion: Suggestion = subject_of(request)
    try:
        services.do_respond_suggestion(
            actor=me,
            suggestion=suggestion,
            status=request.POST.get("status", ""),
            reason=request.POST.get("reason", "")[:10_000],
        )
        messages.success(request, "Thanks, your mentor will see your answer.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _to_pair(suggestion.pair)


# Introductions ------------------------------------------------------------------------------------------------
@rule("mentoring_content", "suggest", subject=PAIR)
@require_POST
def introduction_new(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me, pair, _ = _pair_ctx(request)
    form = IntroductionForm(request.POST, members=[(request.POST.get("to_member", ""), "")])
    if form.is_valid():
        data = form.cleaned_data
        to_member = None
        if data["kind"] == Introduction.Kind.MEMBER and data["to_member"]:
            try:
                to_member = Membership.objects.get(organization=me.organization, public_id=UUID(data["to_member"]))
            except (Membership.DoesNotExist, ValueError):
                to_member = None
        try:
            services.do_propose_introduction(
                actor=me,
                pair=pair,
                kind=data["kind"],
                why=data["why"],
                to_member=to_member,
                to_email=data["to_email"],
                to_name=data["to_name"],
                event=data["event"],
            )
            messages.success(request, "Introduction proposed.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_pair(pair)


@rule("mentoring_content", "update", subject=INTRODUCTION)
@require_POST
def introduction_decide(request: HttpRequest, org_slug: str, introduction_id: UUID) -> HttpResponse:
    """The mentee accepts or declines an event the mentor proposed."""
    _, me = member_of(request)
    intro: Introduction = subject_of(request)
    try:
        services.do_respond_introduction(intro=intro, actor=me, accept=request.POST.get("accept") == "1")
        messages.success(request, "Saved.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _to_pair(intro.pair)


@rule("mentoring_introduction", "respond", subject=INTRODUCTION)
@require_http_methods(["GET", "POST"])
def introduction_page(request: HttpRequest, org_slug: str, introduction_id: UUID) -> HttpResponse:
    """The member someone asks to be introduced to: who asks and why; accept or decline."""
    _, me = member_of(request)
    intro: Introduction = subject_of(request)
    if request.method == "POST":
        try:
            services.do_respond_introduction(intro=intro, actor=me, accept=request.POST.get("accept") == "1")
            messages.success(
                request, "Thank you, they will hear from you." if intro.status == "accepted" else "Declined."
            )
        except ValidationError as exc:
            flash_errors(request, exc=exc)
        return redirect("mentoring_introduction", org_slug=org_slug, introduction_id=intro.public_id)
    return _no_store(render(request, "mentoring/introduction.html", {"intro": intro}))


@public
@require_http_methods(["GET", "POST"])
def introduction_public(request: HttpRequest, token: str) -> HttpResponse:
    """An outsider's signed link: shows only the first names; GET shows buttons, POST answers (so a mail
    scanner that fetches links answers nothing)."""
    intro = services.read_intro_link(token)
    if intro is None:
        return _no_store(render(request, "mentoring/intro_public.html", {"bad": True}, status=400))
    names = {
        "mentor": services.first_name(intro.pair.mentor.member.user.full_name),
        "mentee": services.first_name(intro.pair.mentee.user.full_name),
    }
    answered = intro.status != Introduction.Status.PROPOSED
    if request.method == "POST" and not answered:
        with contextlib.suppress(ValidationError):  # answered meanwhile: the page says thank you either way
            services.do_respond_introduction(intro=intro, accept=request.POST.get("accept") == "1")
        answered = True
    return _no_store(
        render(request, "mentoring/intro_public.html", {"names": names, "answered": answered, "status": intro.status})
    )


# End of the pair ----------------------------------------------------------------------------------------------
@rule("mentoring_pair", "end", subject=PAIR)
@require_POST
def pair_end(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me, pair, _ = _pair_ctx(request)
    try:
        services.do_end_pair(actor=me, pair=pair)
        messages.success(request, "The pair has ended. Write your reflection below.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _to_pair(pair)


@rule("mentoring_content", "write", subject=PAIR)
@require_POST
def reflection(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me, pair, _ = _pair_ctx(request)
    form = ReflectionForm(request.POST)
    if form.is_valid():
        try:
            services.do_write_reflection(actor=me, pair=pair, text=form.cleaned_data["text"])
            messages.success(request, "Reflection saved.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_pair(pair)


# --- Programs, profiles, applications, matching (program side) ---------------------------------------------


def _form_errors(form: Any, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form (field errors where the form has the field)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _to_program(program: Program) -> HttpResponse:
    return redirect("mentoring_program", org_slug=program.organization.slug, mentoring_program_id=program.public_id)


def _to_application(application: Application) -> HttpResponse:
    return redirect(
        "mentoring_application", org_slug=application.organization.slug, application_id=application.public_id
    )


def _to_run(run: MatchRun) -> HttpResponse:
    return redirect("mentoring_run", org_slug=run.organization.slug, run_id=run.public_id)


@rule("mentoring_program", "list")
@require_GET
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, me = member_of(request)
    return _no_store(
        render(
            request,
            "mentoring/index.html",
            {
                "pairs": [p for p in selectors.my_pairs(viewer) if p.live],
                "me": me,
                "programs": selectors.programs_for(viewer),
                "applications": selectors.my_applications(viewer),
                "profiles": selectors.my_profiles(viewer),
                "to_answer": selectors.proposed_pairs_for_mentor(viewer),
                "can_create": allows("mentoring_program", "create", viewer.relations()),
            },
        )
    )


@rule("mentoring_program", "create")
@require_http_methods(["GET", "POST"])
def program_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    _, me = member_of(request)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.do_create_program(actor=me, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Program created and open.")
            return _to_program(program)
    return render(request, "mentoring/program_form.html", {"form": form, "program": None})


@rule("mentoring_program", "view", subject=PROGRAM)
@require_GET
def program_page(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    viewer, me = member_of(request)
    program: Program = subject_of(request)
    rels = viewer.relations()
    manage = allows("mentoring_program", "manage", rels)
    application = Application.objects.filter(program=program, mentee=me).first()
    profile = MentorProfile.objects.filter(program=program, member=me).first()
    return _no_store(
        render(
            request,
            "mentoring/program.html",
            {
                "program": program,
                "manage": manage,
                "application": application,
                "may_apply": application is None and services.may_apply(program, me) is None,
                "apply_blocked": services.may_apply(program, me),
                "profile": profile,
                "may_mentor": allows("mentoring_program", "mentor", rels),
                "mentors": selectors.mentor_profiles(program),
                "invitations": selectors.invitations(program) if manage else [],
                "runs": selectors.runs(program) if allows("mentoring_match", "view", rels) else [],
                "may_run": allows("mentoring_match", "run", rels) and program.matching != Program.Matching.PICK,
                "may_dashboard": allows("mentoring_aggregate", "view", rels),
                "run_form": RunForm(auto_id="run-%s"),
                "invite_form": InviteForm(auto_id="invite-%s") if manage else None,
                "external_form": ExternalMentorForm(auto_id="external-%s") if manage else None,
                "statuses": Program.Status.choices,
            },
        )
    )


@rule("mentoring_program", "manage", subject=PROGRAM)
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    program: Program = subject_of(request)
    form = ProgramForm(request.POST or None, instance=program)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.do_update_program(actor=me, program=program, **fields)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Program saved.")
            return _to_program(program)
    return render(request, "mentoring/program_form.html", {"form": form, "program": program})


@rule("mentoring_program", "manage", subject=PROGRAM)
@require_POST
def program_status(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    program: Program = subject_of(request)
    try:
        services.do_set_program_status(actor=me, program=program, status=request.POST.get("status", ""))
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _to_program(program)


@rule("mentoring_program", "manage", subject=PROGRAM)
@require_POST
def program_invite(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    program: Program = subject_of(request)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a member's e-mail and whether they join as mentee or mentor.")
        return _to_program(program)
    member = Membership.objects.filter(
        organization=program.organization, user__email__iexact=form.cleaned_data["email"], is_active=True
    ).first()
    if member is None:
        messages.error(request, "No active member has that e-mail; invite an outside mentor below.")
        return _to_program(program)
    try:
        services.do_invite(actor=me, program=program, member=member, invited_as=form.cleaned_data["invited_as"])
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, f"{member.user.full_name} is invited.")
    return _to_program(program)


@rule("mentoring_program", "manage", subject=PROGRAM)
@require_POST
def program_invite_external(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    program: Program = subject_of(request)
    form = ExternalMentorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the mentor's name, e-mail, expertise and capacity.")
        return _to_program(program)
    try:
        services.do_invite_external_mentor(actor=me, program=program, **form.cleaned_data)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, "The mentor is invited: they get an e-mail to set their password.")
    return _to_program(program)


@rule("mentoring_program", "mentor", subject=PROGRAM)
@require_http_methods(["GET", "POST"])
def mentor_profile(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    program: Program = subject_of(request)
    profile = MentorProfile.objects.filter(program=program, member=me).first()
    initial = (
        {"expertise": ", ".join(profile.expertise), "capacity": profile.capacity, "bio": profile.bio}
        | {"is_active": profile.is_active}
        if profile
        else {"is_active": True, "capacity": 2}
    )
    form = MentorProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_mentor_profile(actor=me, program=program, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Your mentor profile is saved.")
            return _to_program(program)
    return render(request, "mentoring/mentor_form.html", {"form": form, "program": program, "me": me})


@rule("mentoring_application", "create", subject=PROGRAM)
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    program: Program = subject_of(request)
    form = ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.do_apply(
                actor=me, program=program, goals=[(form.cleaned_data["text"], form.cleaned_data["tags"])]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "Applied. Look at your shortlist and choose up to three mentors.")
            return _to_application(application)
    return render(
        request, "mentoring/apply.html", {"form": form, "program": program, "blocked": services.may_apply(program, me)}
    )


@rule("mentoring_application", "view", subject=APPLICATION)
@require_GET
def application_page(request: HttpRequest, org_slug: str, application_id: UUID) -> HttpResponse:
    application: Application = subject_of(request)
    program = application.program
    fits = (
        matchmaking.shortlist(application, at=timezone.now()) if application.status == Application.Status.OPEN else []
    )
    ranked = list(application.ranked.select_related("mentor__member__user"))
    prefs = PreferencesForm(
        choices=[(str(f.profile.public_id), f.profile.member.user.full_name) for f in fits],
        initial={f"choice_{p.rank}": str(p.mentor.public_id) for p in ranked},
        auto_id="pref-%s",
    )
    pairs = list(application.pairs.select_related("mentor__member__user").order_by("-created_at"))
    return _no_store(
        render(
            request,
            "mentoring/application.html",
            {
                "application": application,
                "program": program,
                "goals": list(application.goals.all()),
                "fits": fits,
                "ranked": ranked,
                "pref_form": prefs,
                "goal_form": GoalForm(auto_id="goal-%s"),
                "may_pick": program.matching != Program.Matching.ADMIN,
                "pairs": pairs,
                "open": application.status == Application.Status.OPEN,
            },
        )
    )


@rule("mentoring_application", "update", subject=APPLICATION)
@require_POST
def application_goal(request: HttpRequest, org_slug: str, application_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    application: Application = subject_of(request)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_goal(actor=me, application=application, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        messages.error(request, "A goal needs its text and at least one tag.")
    return _to_application(application)


def _profiles_by_id(application: Application, ids: list[str]) -> list[MentorProfile]:
    found = {
        str(p.public_id): p
        for p in MentorProfile.objects.filter(program=application.program, public_id__in=ids).select_related(
            "member__user"
        )
    }
    if set(ids) - set(found):
        raise ValidationError({"preferences": "Choose mentors from your shortlist."})
    return [found[i] for i in ids]


@rule("mentoring_application", "update", subject=APPLICATION)
@require_POST
def application_preferences(request: HttpRequest, org_slug: str, application_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    application: Application = subject_of(request)
    ids = [v for v in (request.POST.get(f"choice_{r}", "").strip() for r in (1, 2, 3)) if v]
    try:
        services.do_set_preferences(actor=me, application=application, mentors=_profiles_by_id(application, ids))
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, "Your preferences are saved.")
    return _to_application(application)


@rule("mentoring_application", "update", subject=APPLICATION)
@require_POST
def application_request(request: HttpRequest, org_slug: str, application_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    application: Application = subject_of(request)
    try:
        (mentor,) = _profiles_by_id(application, [request.POST.get("mentor", "").strip()])
        services.do_request_mentor(actor=me, application=application, mentor=mentor)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, "Asked. Your mentor will accept or decline.")
    return _to_application(application)


@rule("mentoring_application", "update", subject=APPLICATION)
@require_POST
def application_withdraw(request: HttpRequest, org_slug: str, application_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    application: Application = subject_of(request)
    try:
        services.do_withdraw(actor=me, application=application)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, "Your application is withdrawn.")
    return _to_application(application)


# Matching runs -------------------------------------------------------------------------------------------------
@rule("mentoring_match", "run", subject=PROGRAM)
@require_POST
def run_start(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    program: Program = subject_of(request)
    try:
        run = services.do_start_run(actor=me, program=program, objective=request.POST.get("objective", "participation"))
    except ValidationError as exc:
        flash_errors(request, exc=exc)
        return _to_program(program)
    return _to_run(run)


@rule("mentoring_match", "view", subject=RUN)
@require_GET
def run_page(request: HttpRequest, org_slug: str, run_id: UUID) -> HttpResponse:
    run: MatchRun = subject_of(request)
    run.refresh_from_db()
    working = run.status in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING)
    lines = [] if working else selectors.run_lines(run)
    context = {
        "run": run,
        "program": run.program,
        "working": working,
        "percent": round(100 * run.progress),
        "pairs": [line for line in lines if line.mentor_id],
        "unmatched": [line for line in lines if not line.mentor_id],
        "reasons": matchmaking.UNMATCHED_WORDS,
        "mentors": selectors.mentor_profiles(run.program) if run.status == MatchRun.Status.READY else [],
        "may_publish": run.status == MatchRun.Status.READY,
    }
    if request.headers.get("HX-Request"):
        response = _no_store(render(request, "mentoring/_run_progress.html", context))
        if not working:
            response["HX-Refresh"] = "true"  # done: reload the whole page to show the proposal
        return response
    return _no_store(render(request, "mentoring/run.html", context))


@rule("mentoring_match", "run", subject=RUN)
@require_POST
def run_swap(request: HttpRequest, org_slug: str, run_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    run: MatchRun = subject_of(request)
    application = Application.objects.filter(
        program=run.program, public_id=_uuid(request.POST.get("application"))
    ).first()
    mentor_id = request.POST.get("mentor", "").strip()
    mentor = (
        MentorProfile.objects.filter(program=run.program, public_id=_uuid(mentor_id)).first() if mentor_id else None
    )
    try:
        if application is None or (mentor_id and mentor is None):
            raise ValidationError("Choose a mentee of the proposal and a mentor of this program.")
        services.do_swap(actor=me, run=run, application=application, mentor=mentor)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, "The proposal is changed.")
    return _to_run(run)


def _uuid(value: str | None) -> UUID:
    """The UUID in a form field; the nil UUID (which names nothing) when it is not one."""
    try:
        return UUID(str(value))
    except ValueError:
        return UUID(int=0)


@rule("mentoring_match", "publish", subject=RUN)
@require_POST
def run_publish(request: HttpRequest, org_slug: str, run_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    run: MatchRun = subject_of(request)
    try:
        pairs = services.do_publish(actor=me, run=run)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, f"Published: {len(pairs)} pairs proposed; each mentor accepts or declines.")
    return _to_run(run)


@rule("mentoring_match", "run", subject=RUN)
@require_POST
def run_discard(request: HttpRequest, org_slug: str, run_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    run: MatchRun = subject_of(request)
    try:
        services.do_discard_run(actor=me, run=run)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _to_program(run.program)


@rule("mentoring_aggregate", "view", subject=PROGRAM)
@require_GET
def dashboard(request: HttpRequest, org_slug: str, mentoring_program_id: UUID) -> HttpResponse:
    program: Program = subject_of(request)
    return _no_store(
        render(
            request,
            "mentoring/dashboard.html",
            {"program": program, "d": selectors.dashboard(program, now=timezone.now())},
        )
    )


# Pair status (program side owns proposed → active/declined and active → rematch) --------------------------------
@rule("mentoring_pair", "respond", subject=PAIR)
@require_POST
def pair_respond(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    pair: Pair = subject_of(request)
    accept = request.POST.get("answer") == "accept"
    try:
        services.do_respond(actor=me, pair=pair, accept=accept)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, "Accepted: welcome your mentee." if accept else "Declined.")
    return redirect("mentoring_pair", org_slug=org_slug, pair_id=pair.public_id)


@rule("mentoring_pair", "rematch", subject=PAIR)
@require_POST
def pair_rematch(request: HttpRequest, org_slug: str, pair_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    pair: Pair = subject_of(request)
    try:
        services.do_rematch(actor=me, pair=pair)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    else:
        messages.success(request, "The pair has ended for a rematch.")
    return redirect("mentoring_pair", org_slug=org_slug, pair_id=pair.public_id)
