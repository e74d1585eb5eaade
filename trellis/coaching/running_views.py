"""Pages for running an engagement. Thin: rule → form → service/selector → render or redirect. Every page works
without JavaScript."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.coaching import running, running_reads
from trellis.coaching.access import CREDENTIAL, ENGAGEMENT, relations_to
from trellis.coaching.models import CloseReason, CoachingSession, Credential, Engagement
from trellis.coaching.running_forms import (
    CloseForm,
    CredentialForm,
    EvidenceForm,
    QuestionFilterForm,
    QuestionForm,
    RatingForm,
    ReviewForm,
    SessionChangeForm,
    SessionForm,
    SessionMarkForm,
)
from trellis.coaching.services import do_log_read
from trellis.core.access import SELF, SPONSOR_OF, Viewer, allows, member_of, rule, subject_of
from trellis.core.forms import flash_errors
from trellis.core.models import Membership


def _engagement(request: HttpRequest) -> tuple[Viewer, Membership, Engagement, set[str]]:
    viewer, me = member_of(request)
    engagement: Engagement = subject_of(request)
    return viewer, me, engagement, relations_to(viewer, engagement)


def _back(engagement: Engagement, anchor: str = "sessions-h") -> HttpResponse:
    response = redirect(
        "coaching_engagement", org_slug=engagement.organization.slug, engagement_id=engagement.public_id
    )
    response["Location"] += f"#{anchor}"
    return response


def _session(engagement: Engagement, public_id: UUID) -> CoachingSession | None:
    return CoachingSession.objects.filter(engagement=engagement, public_id=public_id).first()


# --- Sessions --------------------------------------------------------------------------------------------------
@rule("coaching_session", "create", subject=ENGAGEMENT)
@require_POST
def session_new(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _engagement(request)
    form = SessionForm(request.POST, zone=me.timezone)
    if not form.is_valid():
        flash_errors(request, form=form)
        return _back(eng)
    try:
        running.do_schedule_session(
            engagement=eng, actor=me, starts_at=form.cleaned_data["starts_at"], minutes=form.cleaned_data["minutes"]
        )
        messages.success(request, "Session scheduled; you both get an invitation for your calendar.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(eng)


@rule("coaching_session", "update", subject=ENGAGEMENT)
@require_POST
def session_change(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _engagement(request)
    form = SessionChangeForm(request.POST, zone=me.timezone)
    if not form.is_valid():
        flash_errors(request, form=form)
        return _back(eng)
    session = _session(eng, form.cleaned_data["session"])
    if session is None:
        messages.error(request, "Choose one of this engagement's sessions.")
        return _back(eng)
    try:
        if form.cleaned_data["cancel"]:
            running.do_mark_session(session=session, actor=me, status=CoachingSession.Status.CANCELLED)
            messages.success(request, "Session cancelled; it is taken out of both calendars.")
        else:
            running.do_reschedule_session(
                session=session,
                actor=me,
                starts_at=form.cleaned_data["starts_at"],
                minutes=form.cleaned_data["minutes"],
            )
            messages.success(request, "Session moved; you both get the update for your calendar.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(eng)


@rule("coaching_session", "mark", subject=ENGAGEMENT)
@require_POST
def session_mark(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _engagement(request)
    form = SessionMarkForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form=form)
        return _back(eng)
    session = _session(eng, form.cleaned_data["session"])
    if session is None:
        messages.error(request, "Choose one of this engagement's sessions.")
        return _back(eng)
    try:
        running.do_mark_session(session=session, actor=me, status=form.cleaned_data["status"])
        messages.success(request, f"Session marked {session.get_status_display().lower()}.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(eng)


# --- Reviews, rating, closing ----------------------------------------------------------------------------------
@rule("coaching_review", "view", subject=ENGAGEMENT)
@require_GET
def review(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    """Only shared objectives, logistics and each party's short answer — the same page for all three."""
    viewer, _, eng, rels = _engagement(request)
    sessions = list(CoachingSession.objects.filter(engagement=eng))
    objectives = running_reads.shared_objectives(eng, rels)
    if SPONSOR_OF in rels and SELF not in rels and objectives:
        do_log_read(actor=viewer.user, verb="coaching.shared_objectives.read", engagement=eng)  # type: ignore[arg-type]
    may_rate = allows("coaching_satisfaction", "rate", rels)
    response = render(
        request,
        "coaching/running/review.html",
        {
            "e": eng,
            "clock": running_reads.clock(eng, sessions, _today()),
            "objectives": objectives,
            "reviews": running_reads.reviews(eng),
            "may_record": allows("coaching_review", "record", rels) and eng.status != Engagement.Status.CLOSED,
            "may_rate": may_rate,
            "ratings": running_reads.my_ratings(eng) if may_rate else {},
            "rating_choices": range(1, 6),
            "may_close": allows("coaching_engagement", "close", rels) and eng.status != Engagement.Status.CLOSED,
            "close_form": CloseForm(auto_id="close-%s"),
            "final_done": running.final_review_done(eng),
            "closed_because": _reason(eng),
        },
    )
    response["Cache-Control"] = "no-store"
    return response


def _reason(engagement: Engagement) -> str:
    """The close reason's label (a category; there is no free text to show)."""
    return CloseReason(engagement.close_reason).label if engagement.close_reason in CloseReason.values else ""


def _today() -> date:
    return timezone.localdate()


def _to_review(engagement: Engagement) -> HttpResponse:
    return redirect("coaching_review", org_slug=engagement.organization.slug, engagement_id=engagement.public_id)


@rule("coaching_review", "record", subject=ENGAGEMENT)
@require_POST
def review_record(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _engagement(request)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            running.do_record_review(
                engagement=eng, member=me, kind=form.cleaned_data["kind"], answer=form.cleaned_data["answer"]
            )
            messages.success(request, "Your review is recorded.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_review(eng)


@rule("coaching_satisfaction", "rate", subject=ENGAGEMENT)
@require_POST
def review_rate(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _engagement(request)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            running.do_rate(
                engagement=eng, member=me, kind=form.cleaned_data["kind"], rating=form.cleaned_data["rating"]
            )
            messages.success(request, "Thank you: only averages of five or more leaders are ever shown to others.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_review(eng)


@rule("coaching_engagement", "close", subject=ENGAGEMENT)
@require_POST
def close(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    _, me, eng, _ = _engagement(request)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            running.do_close_engagement(engagement=eng, actor=me, reason=form.cleaned_data["reason"])
            messages.success(request, "The engagement is closed. Open commitments stay the leader's.")
            return _back(eng, "log-h")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return _to_review(eng)


# --- Question bank ---------------------------------------------------------------------------------------------
@rule("coaching_question", "view")
@require_GET
def questions(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, _ = member_of(request)
    rels = viewer.relations()
    filters = QuestionFilterForm(request.GET or None)
    model = stage = ""
    if filters.is_valid():
        model, stage = filters.cleaned_data["model"], filters.cleaned_data["stage"]
    return render(
        request,
        "coaching/running/questions.html",
        {
            "filters": filters,
            "questions": running_reads.questions(viewer, model, stage),
            "org_form": QuestionForm(auto_id="org-%s") if allows("coaching_question", "create", rels) else None,
            "own_form": QuestionForm(auto_id="own-%s") if allows("coaching_question", "create_own", rels) else None,
        },
    )


def _add_question(request: HttpRequest, org_slug: str, *, own: bool) -> HttpResponse:
    _, me = member_of(request)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            running.do_add_question(actor=me, own=own, **form.cleaned_data)
            messages.success(request, "Question added.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return redirect("coaching_questions", org_slug=org_slug)


@rule("coaching_question", "create")
@require_POST
def question_org(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _add_question(request, org_slug, own=False)


@rule("coaching_question", "create_own")
@require_POST
def question_own(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _add_question(request, org_slug, own=True)


# --- Credentials -----------------------------------------------------------------------------------------------
@rule("coaching_credential", "own")
@require_http_methods(["GET", "POST"])
def credentials(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The coach's own credentials: add one or renew one (with evidence), see what waits for verification."""
    viewer, me = member_of(request)
    form = CredentialForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            running.do_add_credential(coach=me, **data)
        except ValidationError as exc:
            for name, errs in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errs)
        else:
            messages.success(request, "Credential added; a program admin will verify it with the body.")
            return redirect("coaching_credentials", org_slug=org_slug)
    response = render(
        request,
        "coaching/running/credentials.html",
        {
            "form": form,
            "credentials": running_reads.my_credentials(viewer),
            "evidence_form": EvidenceForm(auto_id="evidence-%s"),
            "today": _today(),
        },
        status=400 if form.errors else 200,
    )
    return response


@rule("coaching_credential_evidence", "upload", subject=CREDENTIAL)
@require_POST
def evidence_upload(request: HttpRequest, org_slug: str, credential_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    credential: Credential = subject_of(request)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            running.do_upload_evidence(credential=credential, actor=me, upload=form.cleaned_data["evidence"])
            messages.success(request, "Evidence uploaded.")
        except ValidationError as exc:
            flash_errors(request, exc=exc)
    else:
        flash_errors(request, form=form)
    return redirect("coaching_credentials", org_slug=org_slug)


@rule("coaching_credential_evidence", "view", subject=CREDENTIAL)
@require_GET
def evidence(request: HttpRequest, org_slug: str, credential_id: UUID) -> HttpResponseBase:
    """The evidence file itself, only through this rule (never a public media URL)."""
    credential: Credential = subject_of(request)
    if not credential.evidence:
        messages.info(request, "No evidence was uploaded for this credential.")
        return redirect("coaching_index", org_slug=org_slug)
    try:
        handle = credential.evidence.open("rb")
    except FileNotFoundError:
        raise Http404("The evidence file is missing.") from None
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(credential.evidence_type, "bin")
    response = FileResponse(
        handle,
        content_type=credential.evidence_type or "application/octet-stream",
        as_attachment=True,
        filename=f"credential-{credential.public_id}.{ext}",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def engagement_context(
    request: HttpRequest, viewer: Viewer, engagement: Engagement, rels: set[str], sessions: list[CoachingSession]
) -> dict[str, object]:
    """What the engagement page shows of running it: the clock, the session actions the table allows the viewer,
    and — for the coach — the question bank (filtered by GET, so it works without JavaScript)."""
    me = viewer.membership
    assert me is not None
    running_now = engagement.status == Engagement.Status.ACTIVE
    context: dict[str, object] = {
        "clock": running_reads.clock(engagement, sessions, _today()),
        "zone": me.timezone or "UTC",
        "may_mark": allows("coaching_session", "mark", rels) and engagement.status != Engagement.Status.CLOSED,
        "may_change": allows("coaching_session", "update", rels) and running_now,
        "may_close": allows("coaching_engagement", "close", rels) and engagement.status != Engagement.Status.CLOSED,
        "session_form": (
            SessionForm(auto_id="session-%s", zone=me.timezone)
            if allows("coaching_session", "create", rels) and running_now
            else None
        ),
        "question_bank": None,
        "closed_because": _reason(engagement),
    }
    if allows("coaching_question", "use", rels):
        filters = QuestionFilterForm(request.GET or None, auto_id="qb-%s")
        model = stage = ""
        if filters.is_valid():
            model, stage = filters.cleaned_data["model"], filters.cleaned_data["stage"]
        context["question_filters"] = filters
        context["question_bank"] = list(running_reads.questions(viewer, model, stage))
    return context


def index_context(viewer: Viewer) -> dict[str, object]:
    """The coaching page: satisfaction averages (program admin, sponsor; groups under five hidden) and links to
    the question bank and the coach's own credentials."""
    rels = viewer.relations()
    return {
        "satisfaction": running_reads.satisfaction(viewer),
        "can_questions": allows("coaching_question", "view", rels),
        "can_credentials": allows("coaching_credential", "own", rels),
        "min_group": running_reads.MIN_GROUP,
    }
