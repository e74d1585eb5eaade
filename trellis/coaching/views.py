"""Coaching pages. Thin: rule → selector/service → render. What an engagement page shows is decided by the
access table with the viewer's relations to the engagement; reads by anyone but the leader are logged."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.coaching import running_views, selectors, services
from trellis.coaching.access import COMMITMENT, ENGAGEMENT, relations_to
from trellis.coaching.forms import (
    CommitmentForm,
    JournalForm,
    NoteForm,
    ObjectiveForm,
    PrepForm,
    ReferralForm,
    SettingsForm,
)
from trellis.coaching.models import CoachingSession, Commitment, Credential, Engagement, Objective
from trellis.core.access import COACH_OF, SELF, SPONSOR_OF, Viewer, allows, member_of, rule, subject_of
from trellis.core.forms import flash_errors
from trellis.core.models import Membership, Role


def _ctx(request: HttpRequest) -> tuple[Viewer, Membership, Engagement, set[str]]:
    viewer, me = member_of(request)
    engagement: Engagement = subject_of(request)
    return viewer, me, engagement, relations_to(viewer, engagement)


def _back(engagement: Engagement) -> HttpResponse:
    return redirect("coaching_engagement", org_slug=engagement.organization.slug, engagement_id=engagement.public_id)


# --- Lists -----------------------------------------------------------------------------------------------------
@rule("coaching_engagement", "list")
@require_GET
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, me = member_of(request)
    rows = list(selectors.engagements(viewer))
    today = timezone.localdate()
    admin = me.has_role(Role.PROGRAM_ADMIN)
    return render(
        request,
        "coaching/index.html",
        {
            "as_leader": [e for e in rows if e.coachee_id == me.pk],
            "as_coach": [e for e in rows if e.coach_id == me.pk],
            "as_sponsor": [e for e in rows if e.sponsor_id == me.pk],
            "as_manager": [e for e in rows if e.coachee.manager_id == me.pk and e.manager_may_see],
            "all": rows if admin else [],
            "admin": admin,
            "offered": selectors.coaches_offered(viewer, today) if admin else [],
            "expired": selectors.expired_coaches_with_running_engagements(viewer, today) if admin else [],
            "unverified": selectors.unverified_credentials(viewer) if admin else [],
            "can_settings": allows("coaching_settings", "update", viewer.relations()),
            **running_views.index_context(viewer),
        },
    )


@rule("coaching_engagement", "view", subject=ENGAGEMENT)
@require_GET
def engagement(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    viewer, _, eng, rels = _ctx(request)
    leader = SELF in rels
    assert viewer.user is not None
    objectives = selectors.objectives(eng, rels)
    sessions = selectors.sessions(eng)
    show_prep = allows("coaching_prep", "view", rels)
    notes = selectors.notes(eng, rels)
    commitments = selectors.commitments(eng, rels)
    referrals = selectors.referrals(eng, rels)
    if not leader:  # the leader sees who opened their records: one line per page view
        if allows("coaching_objective", "view", rels):
            services.do_log_read(actor=viewer.user, verb="coaching.records.read", engagement=eng)
        elif objectives:
            services.do_log_read(actor=viewer.user, verb="coaching.shared_objectives.read", engagement=eng)
    settings = selectors.settings_for(viewer)
    agreement = eng.agreements.order_by("-version").first()
    mine = {"accepted_by_coachee_at": leader, "accepted_by_coach_at": COACH_OF in rels}
    mine["accepted_by_sponsor_at"] = SPONSOR_OF in rels
    may_accept = any(who and (agreement is None or getattr(agreement, attr) is None) for attr, who in mine.items())
    response = render(
        request,
        "coaching/engagement.html",
        {
            **running_views.engagement_context(request, viewer, eng, rels, sessions),
            "e": eng,
            "leader": leader,
            "coach": COACH_OF in rels,
            "sponsor": SPONSOR_OF in rels,
            "agreement": agreement,
            "may_accept": may_accept,
            "can_agreement": allows("coaching_agreement", "view", rels | viewer.relations()),
            "terms": settings.confidentiality_terms if settings else "",
            "sessions_used": sum(1 for s in sessions if s.status in selectors.USED),
            "objectives": objectives,
            "objectives_all": allows("coaching_objective", "view", rels),
            "sessions": sessions,
            "show_prep": show_prep,
            "notes": notes,
            "show_notes": allows("coaching_note", "view", rels),
            "commitments": commitments,
            "show_commitments": allows("coaching_commitment", "view", rels),
            "referrals": referrals,
            "support": settings.support_resources if settings and leader and eng.status == "paused" else "",
            "objective_form": ObjectiveForm(auto_id="objective-%s") if leader else None,
            "commitment_form": CommitmentForm(auto_id="commitment-%s") if leader or COACH_OF in rels else None,
            "note_form": NoteForm(auto_id="note-%s") if allows("coaching_note", "create", rels) else None,
            "referral_form": (
                ReferralForm(auto_id="referral-%s") if allows("coaching_referral", "create", rels) else None
            ),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@rule("coaching_access_log", "view", subject=ENGAGEMENT)
@require_GET
def access_log(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, _, eng, _ = _ctx(request)
    return render(request, "coaching/access_log.html", {"e": eng, "opened": selectors.access_log(eng)})


# --- The leader ------------------------------------------------------------------------------------------------
@rule("coaching_objective", "create", subject=ENGAGEMENT)
@require_POST
def objective_new(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    viewer, _, eng, _ = _ctx(request)
    form = ObjectiveForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_objective(
                engagement=eng,
                actor=viewer.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
                shared_with_sponsor=form.cleaned_data["shared_with_sponsor"],
            )
            messages.success(request, "Objective added.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _back(eng)


@rule("coaching_objective", "update", subject=ENGAGEMENT)
@require_POST
def objective_share(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    viewer, _, eng, _ = _ctx(request)
    try:
        objective = Objective.objects.get(engagement=eng, public_id=UUID(request.POST.get("objective", "")))
    except (Objective.DoesNotExist, ValueError):
        messages.error(request, "Choose one of this engagement's objectives.")  # a form error, not a missing page
        return _back(eng)
    shared = request.POST.get("shared") == "1"
    services.do_share_objective(objective=objective, actor=viewer.user, shared=shared)  # type: ignore[arg-type]
    messages.success(request, "Shared with your sponsor." if shared else "Now private.")
    return _back(eng)


@rule("coaching_commitment", "create", subject=ENGAGEMENT)
@require_POST
def commitment_new(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    return _commit(request, proposed=False)


@rule("coaching_commitment", "propose", subject=ENGAGEMENT)
@require_POST
def commitment_propose(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    return _commit(request, proposed=True)


def _commit(request: HttpRequest, *, proposed: bool) -> HttpResponse:
    viewer, _, eng, _ = _ctx(request)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_commitment(
                engagement=eng,
                actor=viewer.user,  # type: ignore[arg-type]
                text=form.cleaned_data["text"],
                due_on=form.cleaned_data["due_on"],
                proposed_by_coach=proposed,
            )
            messages.success(request, "Commitment proposed." if proposed else "Commitment added.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _back(eng)


@rule("coaching_commitment", "update", subject=COMMITMENT)
@require_http_methods(["GET", "POST"])
def commitment_edit(request: HttpRequest, org_slug: str, commitment_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    commitment: Commitment = subject_of(request)
    eng = commitment.engagement
    form = CommitmentForm(
        request.POST if request.method == "POST" and "text" in request.POST else None,
        initial={"text": commitment.text, "due_on": commitment.due_on},
    )
    if request.method == "POST":
        try:
            if "status" in request.POST or "accept" in request.POST:
                services.do_update_commitment(
                    commitment=commitment,
                    actor=me,
                    status=request.POST.get("status") or None,
                    accept="accept" in request.POST,
                )
                messages.success(request, "Commitment updated.")
                return _back(eng)
            if form.is_valid():
                services.do_update_commitment(
                    commitment=commitment, actor=me, text=form.cleaned_data["text"], due_on=form.cleaned_data["due_on"]
                )
                messages.success(request, "Commitment saved.")
                return _back(eng)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    response = render(
        request,
        "coaching/commitment.html",
        {"commitment": commitment, "e": eng, "form": form},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@rule("coaching_prep", "update", subject=ENGAGEMENT)
@require_POST
def prep(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _ctx(request)
    form = PrepForm(request.POST)
    if form.is_valid():
        session = CoachingSession.objects.filter(engagement=eng, public_id=form.cleaned_data["session"]).first()
        if session is None:
            messages.error(request, "Choose one of this engagement's sessions.")
            return _back(eng)
        try:
            services.do_save_prep(session=session, actor=me, text=form.cleaned_data["text"])
            messages.success(request, "Preparation saved.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _back(eng)


@rule("coaching_engagement", "update", subject=ENGAGEMENT)
@require_POST
def manager_opt(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _ctx(request)
    try:
        services.do_set_manager_may_see(engagement=eng, actor=me, allowed=request.POST.get("allowed") == "1")
    except PermissionDenied:
        raise
    messages.success(request, "Saved.")
    return _back(eng)


@rule("coaching_engagement", "accept", subject=ENGAGEMENT)
@require_POST
def accept_agreement(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _ctx(request)
    try:
        services.do_accept_agreement(engagement=eng, membership=me)
        messages.success(request, "You accepted the agreement.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(eng)


@rule("coaching_journal", "own")
@require_http_methods(["GET", "POST"])
def journal(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, me = member_of(request)
    form = JournalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_write_journal(membership=me, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.add_error("text", exc.messages)
        else:
            messages.success(request, "Saved in your journal.")
            return redirect("coaching_journal", org_slug=org_slug)
    response = render(
        request,
        "coaching/journal.html",
        {"form": form, "entries": selectors.journal(viewer)[:100]},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


# --- The coach -------------------------------------------------------------------------------------------------
@rule("coaching_note", "create", subject=ENGAGEMENT)
@require_POST
def note_new(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _ctx(request)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_note(
                engagement=eng,
                author=me,
                text=form.cleaned_data["text"],
                shared_with_coachee=form.cleaned_data["shared_with_coachee"],
            )
            messages.success(request, "Note saved.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _back(eng)


@rule("coaching_referral", "create", subject=ENGAGEMENT)
@require_POST
def referral(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _ctx(request)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            services.do_flag_referral(engagement=eng, coach=me, note=form.cleaned_data["note"])
            messages.success(request, "Referral flagged; the engagement is paused.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _back(eng)


@rule("coaching_referral", "resolve", subject=ENGAGEMENT)
@require_POST
def resume(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _ctx(request)
    try:
        services.do_resume(engagement=eng, coach=me)
        messages.success(request, "The engagement is active again.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(eng)


# --- The program admin -----------------------------------------------------------------------------------------
@rule("coaching_coach", "verify")
@require_POST
def verify_credential(request: HttpRequest, org_slug: str) -> HttpResponse:
    _, me = member_of(request)
    try:
        credential = Credential.objects.get(
            organization=me.organization, public_id=UUID(request.POST.get("credential", ""))
        )
    except (Credential.DoesNotExist, ValueError):
        messages.error(request, "Choose one of this organization's credentials.")
    else:
        services.do_verify_credential(credential=credential, verifier=me)
        messages.success(request, "Credential verified.")
    return redirect("coaching_index", org_slug=org_slug)


# --- The org admin ---------------------------------------------------------------------------------------------
@rule("coaching_settings", "update")
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, _ = member_of(request)
    current = selectors.settings_for(viewer)
    initial = (
        {"support_resources": current.support_resources, "confidentiality_terms": current.confidentiality_terms}
        if current
        else {}
    )
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        assert viewer.organization is not None and viewer.user is not None
        services.do_set_support_resources(organization=viewer.organization, actor=viewer.user, **form.cleaned_data)
        messages.success(request, "Coaching settings saved.")
        return redirect("coaching_settings", org_slug=org_slug)
    return render(request, "coaching/settings.html", {"form": form}, status=400 if form.errors else 200)
