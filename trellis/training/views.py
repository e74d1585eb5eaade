"""Training pages. Thin: rule → selector/service → render."""

from __future__ import annotations

import csv
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.core.access import rule, subject_of, viewer_of
from trellis.core.models import Membership
from trellis.training import chart, selectors, services
from trellis.training.access import CARD_PAGE, COHORT, LEARNER, PROGRAM
from trellis.training.forms import CheckInForm, CohortForm, ItemForm, ProgramForm, SessionForm
from trellis.training.models import Card, Cohort, Enrolment, Program, Session


def _who(request: HttpRequest) -> tuple[Any, Membership]:
    viewer = viewer_of(request)
    assert viewer.user is not None and viewer.membership is not None
    return viewer, viewer.membership


def _errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


# --- Learner ---------------------------------------------------------------------------------------------------
@rule("training_catalogue", "view")
@require_GET
def index(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, _ = _who(request)
    return render(
        request,
        "training/index.html",
        {
            "programs": selectors.programs(viewer),
            "enrolments": selectors.my_enrolments(viewer),
            "due": len(selectors.due_today(viewer)),
            "paused": selectors.is_paused(viewer),
        },
    )


@rule("training_catalogue", "view", subject=PROGRAM)
@require_GET
def program(request: HttpRequest, org_slug: str, program_id: UUID) -> HttpResponse:
    viewer, _ = _who(request)
    prog: Program = subject_of(request)
    cohorts = selectors.cohorts_of(prog)
    return render(
        request,
        "training/program.html",
        {
            "program": prog,
            "cohorts": cohorts,
            "mine": selectors.enrolments_by_cohort(viewer, cohorts),
            "items": prog.items.count(),
        },
    )


@rule("training_record", "enrol", subject=COHORT)
@require_POST
def enrol(request: HttpRequest, org_slug: str, cohort_id: UUID) -> HttpResponse:
    viewer, me = _who(request)
    cohort: Cohort = subject_of(request)
    try:
        if request.POST.get("cancel"):
            enrolment = Enrolment.objects.filter(cohort=cohort, membership=me).first()
            if enrolment is None:
                raise Http404
            services.do_cancel_enrolment(enrolment=enrolment, actor=viewer.user)
            messages.success(request, f"You are no longer enrolled in {cohort.title}.")
        else:
            enrolment = services.do_enrol(cohort=cohort, membership=me, actor=viewer.user)
            if enrolment.status == Enrolment.Status.WAITLISTED:
                messages.success(
                    request, f"The cohort is full: you are number {enrolment.waitlist_position} on the waitlist."
                )
            else:
                messages.success(request, f"You are enrolled in {cohort.title}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("training_program", org_slug=org_slug, program_id=cohort.program.public_id)


@rule("training_record", "check_in")
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, me = _who(request)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            attendance = services.do_check_in(membership=me, code=form.cleaned_data["code"], actor=viewer.user)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"You are checked in to {attendance.session.cohort.title}. Welcome!")
            return redirect("training_index", org_slug=org_slug)
    return render(request, "training/check_in.html", {"form": form}, status=400 if form.errors else 200)


@rule("reinforcement_answer", "own")
@require_GET
def review(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Today's items, one per screen: the first one due, with big answer buttons."""
    viewer, _ = _who(request)
    due = selectors.due_today(viewer)
    return render(
        request,
        "training/review.html",
        {"card": due[0] if due else None, "left": len(due), "next_due": selectors.next_due(viewer)},
    )


@rule("reinforcement_answer", "answer", subject=CARD_PAGE)
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, org_slug: str, card_id: UUID) -> HttpResponse:
    """POST grades the card and redirects here; GET shows how the last answer went and when the item comes back."""
    viewer, _ = _who(request)
    card: Card = subject_of(request)
    if request.method == "POST":
        try:
            choice = int(request.POST["choice"]) if "choice" in request.POST else None
            rating = int(request.POST["rating"]) if "rating" in request.POST else None
        except ValueError:
            choice = rating = None
        try:
            services.do_answer(card=card, actor=viewer.user, choice=choice, rating=rating)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("training_review", org_slug=org_slug)
        return redirect("training_answer", org_slug=org_slug, card_id=card.public_id)
    result = card.reviews.order_by("-at", "-id").first()
    if result is None:
        return redirect("training_review", org_slug=org_slug)
    left = len(selectors.due_today(viewer))
    return render(request, "training/answered.html", {"card": card, "result": result, "left": left})


@rule("reinforcement_answer", "own")
@require_POST
def pause(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, me = _who(request)
    paused = request.POST.get("paused") == "1"
    services.do_pause(membership=me, paused=paused, actor=viewer.user)
    messages.success(request, "Reinforcement paused." if paused else "Reinforcement resumed.")
    return redirect("training_index", org_slug=org_slug)


@rule("reinforcement_answer", "own")
@require_GET
def retention(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, _ = _who(request)
    data = selectors.retention(viewer)
    return render(request, "training/retention.html", {"r": data, "chart": chart.retention_svg(data.forecast)})


# --- Instructor ------------------------------------------------------------------------------------------------
@rule("training_catalogue", "view")
@require_GET
def teaching(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, _ = _who(request)
    return render(request, "training/teaching.html", {"cohorts": selectors.cohorts_taught(viewer)})


@rule("training_record", "mark", subject=COHORT)
@require_http_methods(["GET", "POST"])
def cohort(request: HttpRequest, org_slug: str, cohort_id: UUID) -> HttpResponse:
    """The roster: attendance per session (the instructor marks it) and each session's check-in code."""
    viewer, _ = _who(request)
    coh: Cohort = subject_of(request)
    if request.method == "POST":
        session_id = _uuid(request.POST.get("session"))
        session = Session.objects.filter(cohort=coh, public_id=session_id).first() if session_id else None
        if session is None:
            raise Http404("No such session.")
        present_ids = set(request.POST.getlist("present"))
        enrolments = coh.enrolments.filter(status__in=selectors.SEAT_STATUSES).select_related("membership")
        for enrolment in enrolments:
            services.do_mark_attendance(
                session=session,
                membership=enrolment.membership,
                present=str(enrolment.membership.public_id) in present_ids,
                actor=viewer.user,
            )
        messages.success(request, f"Attendance saved for {session}.")
        return redirect("training_cohort", org_slug=org_slug, cohort_id=coh.public_id)
    sessions, rows, waiting = selectors.roster(coh)
    return render(
        request, "training/cohort.html", {"cohort": coh, "sessions": sessions, "rows": rows, "waiting": waiting}
    )


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


# --- Manager ---------------------------------------------------------------------------------------------------
@rule("training_record", "list_reports")
@require_GET
def team(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, _ = _who(request)
    return render(request, "training/team.html", {"enrolments": selectors.reports_enrolments(viewer)})


@rule("training_record", "view", subject=LEARNER)
@require_GET
def learner(request: HttpRequest, org_slug: str, member_id: UUID) -> HttpResponse:
    person: Membership = subject_of(request)
    return render(
        request, "training/learner.html", {"person": person, "enrolments": selectors.learner_enrolments(person)}
    )


# --- Program admin ---------------------------------------------------------------------------------------------
@rule("training_catalogue", "manage")
@require_http_methods(["GET", "POST"])
def program_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    return _program_form(request, org_slug, None)


@rule("training_catalogue", "manage", subject=PROGRAM)
@require_http_methods(["GET", "POST"])
def program_edit(request: HttpRequest, org_slug: str, program_id: UUID) -> HttpResponse:
    return _program_form(request, org_slug, subject_of(request))


def _program_form(request: HttpRequest, org_slug: str, prog: Program | None) -> HttpResponse:
    viewer, me = _who(request)
    form = ProgramForm(request.POST or None, instance=prog)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.do_save_program(
                organization=me.organization,
                actor=viewer.user,
                program=prog,
                **{f: form.cleaned_data[f] for f in services.PROGRAM_FIELDS},
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"Saved {saved.title}.")
            return redirect("training_program", org_slug=org_slug, program_id=saved.public_id)
    return render(
        request,
        "training/form.html",
        {"form": form, "heading": f"Edit {prog.title}" if prog else "New program"},
        status=400 if form.errors else 200,
    )


@rule("training_catalogue", "manage", subject=PROGRAM)
@require_http_methods(["GET", "POST"])
def cohort_new(request: HttpRequest, org_slug: str, program_id: UUID) -> HttpResponse:
    viewer, me = _who(request)
    prog: Program = subject_of(request)
    form = CohortForm(request.POST or None, organization=me.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_cohort(program=prog, actor=viewer.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Cohort created.")
            return redirect("training_program", org_slug=org_slug, program_id=prog.public_id)
    return render(
        request,
        "training/form.html",
        {"form": form, "heading": f"New cohort of {prog.title}"},
        status=400 if form.errors else 200,
    )


@rule("training_catalogue", "manage", subject=COHORT)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, org_slug: str, cohort_id: UUID) -> HttpResponse:
    viewer, _ = _who(request)
    coh: Cohort = subject_of(request)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_add_session(cohort=coh, actor=viewer.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Session added.")
            return redirect("training_cohort", org_slug=org_slug, cohort_id=coh.public_id)
    return render(
        request,
        "training/form.html",
        {"form": form, "heading": f"New session of {coh.title}"},
        status=400 if form.errors else 200,
    )


@rule("training_catalogue", "manage", subject=PROGRAM)
@require_http_methods(["GET", "POST"])
def item_new(request: HttpRequest, org_slug: str, program_id: UUID) -> HttpResponse:
    viewer, _ = _who(request)
    prog: Program = subject_of(request)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        correct = data["correct"] - 1 if data["correct"] else None
        try:
            services.do_add_item(
                program=prog,
                actor=viewer.user,
                kind=data["kind"],
                prompt=data["prompt"],
                choices=data["choices"].splitlines(),
                correct=correct,
                explanation=data["explanation"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, "Item added.")
            return redirect("training_program", org_slug=org_slug, program_id=prog.public_id)
    return render(
        request,
        "training/form.html",
        {"form": form, "heading": f"New reinforcement item for {prog.title}"},
        status=400 if form.errors else 200,
    )


@rule("training_aggregate", "view", subject=PROGRAM)
@require_GET
def program_report(request: HttpRequest, org_slug: str, program_id: UUID) -> HttpResponse:
    prog: Program = subject_of(request)
    cohorts, items = selectors.program_retention(prog)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="training-{prog.public_id}.csv"'
        out = csv.writer(response)
        out.writerow(["cohort", "starts_on", "enrolled", "attended", "completed", "recall_now", "cost_per_participant"])
        for c in cohorts:
            out.writerow(
                [
                    c.cohort.title,
                    c.cohort.starts_on,
                    c.learners,
                    c.attendees,
                    c.completed,
                    "" if c.recall is None else f"{c.recall:.3f}",
                    "" if c.cost_per_participant is None else f"{c.cost_per_participant:.2f}",
                ]
            )
        return response
    return render(
        request,
        "training/report.html",
        {"program": prog, "cohorts": cohorts, "items": items, "min_group": selectors.MIN_GROUP, "now": timezone.now()},
    )
