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
from trellis.core.forms import add_errors
from trellis.core.models import Membership, Role
from trellis.training import chart, selectors, services
from trellis.training.access import BANK_ITEM, CARD_PAGE, COHORT, LEARNER, PROGRAM, SESSION
from trellis.training.forms import (
    AssignForm,
    CheckInForm,
    CohortForm,
    ItemForm,
    MaterialForm,
    ObservationForm,
    ProgramForm,
    ReactionForm,
    SessionForm,
)
from trellis.training.models import (
    Card,
    Cohort,
    Enrolment,
    Material,
    ObservationRequest,
    Program,
    QuizAttempt,
    ReinforcementItem,
    Session,
)


def _who(request: HttpRequest) -> tuple[Any, Membership]:
    viewer = viewer_of(request)
    assert viewer.user is not None and viewer.membership is not None
    return viewer, viewer.membership


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
            "materials": selectors.my_materials(viewer),
            "quizzes": selectors.quizzes_open(viewer),
        },
    )


@rule("training_catalogue", "view", subject=PROGRAM)
@require_GET
def program(request: HttpRequest, org_slug: str, program_id: UUID) -> HttpResponse:
    viewer, me = _who(request)
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
            "bank": prog.items.all() if me.has_role(Role.PROGRAM_ADMIN) else [],
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
            add_errors(form, exc)
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
        if session.cancelled_at is not None:
            raise Http404("That session is cancelled.")
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
        request,
        "training/cohort.html",
        {"cohort": coh, "sessions": sessions, "rows": rows, "waiting": waiting, "materials": coh.materials.all()},
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
            add_errors(form, exc)
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
            add_errors(form, exc)
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
            add_errors(form, exc)
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
            add_errors(form, exc)
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
    evaluation = {e.cohort.pk: e for e in selectors.program_evaluation(prog)}
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="training-{prog.public_id}.csv"'
        out = csv.writer(response)
        seen = ObservationRequest.Seen.values
        out.writerow(
            ["cohort", "starts_on", "enrolled", "attended", "completed", "recall_now", "cost_per_participant"]
            + ["l1_responses", "l1_mean", "l2_pre_n", "l2_pre_mean", "l2_post_n", "l2_post_mean", "l3_answers"]
            + [f"l3_{a}" for a in seen]
        )

        def num(value: float | None, digits: int = 3) -> str:
            return "" if value is None else f"{value:.{digits}f}"

        for c in cohorts:
            ev = evaluation[c.cohort.pk]
            out.writerow(
                [
                    c.cohort.title,
                    c.cohort.starts_on,
                    c.learners,
                    c.attendees,
                    c.completed,
                    "" if c.recall is None else f"{c.recall:.3f}",
                    "" if c.cost_per_participant is None else f"{c.cost_per_participant:.2f}",
                    ev.reactions,
                    num(ev.reaction, 2),
                    ev.pre_n,
                    num(ev.pre),
                    ev.post_n,
                    num(ev.post),
                    ev.l3_n,
                    *("" if ev.l3[a] is None else ev.l3[a] for a in seen),
                ]
            )
        return response
    return render(
        request,
        "training/report.html",
        {
            "program": prog,
            "cohorts": cohorts,
            "items": items,
            "evaluation_rows": [(c, evaluation[c.cohort.pk]) for c in cohorts],
            "answers": ObservationRequest.Seen.choices,
            "min_group": selectors.MIN_GROUP,
            "now": timezone.now(),
        },
    )


# --- Evaluation ------------------------------------------------------------------------------------------------
@rule("training_record", "list_reports")
@require_http_methods(["GET", "POST"])
def observations(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Level 3: the manager says whether they have seen each report apply the course (their own words only)."""
    viewer, _ = _who(request)
    mine = selectors.observations_for(viewer)
    if request.method == "POST":
        try:
            obs_pk = int(request.POST.get("observation", ""))
        except ValueError:
            raise Http404("No such question.") from None
        observation = mine.filter(pk=obs_pk).first()
        if observation is None:
            raise Http404("No such question.")
        form = ObservationForm(request.POST)
        if form.is_valid():
            services.do_answer_observation(
                observation=observation,
                actor=viewer.user,
                now=timezone.now(),
                answer=form.cleaned_data["answer"],
                comment=form.cleaned_data["comment"],
            )
            messages.success(
                request, f"Thank you: your answer about {observation.enrolment.membership.user.full_name} is saved."
            )
            return redirect("training_observations", org_slug=org_slug)
        messages.error(request, "Choose one of the answers.")
    rows = [(o, ObservationForm(prefix=f"o{o.pk}") if o.answered_at is None else None) for o in mine]
    return render(request, "training/observations.html", {"rows": rows})


@rule("reinforcement_answer", "own")
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Level 1: rate each session you attended, once (answering again replaces your rating)."""
    viewer, me = _who(request)
    sessions = selectors.sessions_to_rate(viewer)
    if request.method == "POST":
        session_id = _uuid(request.POST.get("session"))
        session = next((s for s in sessions if s.public_id == session_id), None)
        if session is None:
            raise Http404("No such session of yours.")
        form = ReactionForm(request.POST)
        if form.is_valid():
            try:
                services.do_react(
                    session=session,
                    membership=me,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    actor=viewer.user,
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"Thank you for rating {session}.")
            return redirect("training_feedback", org_slug=org_slug)
        messages.error(request, "Choose a rating from 1 to 5.")
    return render(request, "training/feedback.html", {"sessions": sessions, "form": ReactionForm()})


@rule("reinforcement_answer", "own")
@require_http_methods(["GET", "POST"])
def quiz(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Level 2: the program's questions before the first session and after the last; the score is yours."""
    viewer, me = _who(request)
    enrolment_id = _uuid(request.POST.get("enrolment") or request.GET.get("enrolment"))
    phase = request.POST.get("phase") or request.GET.get("phase") or ""
    enrolment = (
        Enrolment.objects.filter(membership=me, public_id=enrolment_id).select_related("cohort__program").first()
        if enrolment_id
        else None
    )
    if enrolment is None or phase not in QuizAttempt.Phase.values:
        return render(
            request,
            "training/quiz.html",
            {"todo": selectors.quizzes_open(viewer), "scores": selectors.my_quiz_scores(viewer)},
        )
    questions = services.quiz_questions(enrolment.cohort.program)
    if request.method == "POST":
        answers = {}
        for q in questions:
            try:
                answers[q.pk] = int(request.POST.get(f"q{q.pk}", ""))
            except ValueError:
                continue
        try:
            attempt = services.do_take_quiz(enrolment=enrolment, phase=phase, answers=answers, actor=viewer.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Your score: {attempt.correct} of {attempt.total}. Only you can see it.")
        return redirect("training_quiz", org_slug=org_slug)
    return render(
        request,
        "training/quiz.html",
        {"enrolment": enrolment, "phase": phase, "phase_label": QuizAttempt.Phase(phase).label, "questions": questions},
    )


# --- Materials and assignment ------------------------------------------------------------------------------------
@rule("training_record", "mark", subject=COHORT)
@require_http_methods(["GET", "POST"])
def materials(request: HttpRequest, org_slug: str, cohort_id: UUID) -> HttpResponse:
    """The instructor or a program admin adds (or removes) a title and link for the cohort or one session."""
    viewer, _ = _who(request)
    coh: Cohort = subject_of(request)
    form = MaterialForm(request.POST or None, cohort=coh)
    if request.method == "POST":
        remove = _uuid(request.POST.get("delete"))
        if remove is not None:
            material = Material.objects.filter(cohort=coh, public_id=remove).first()
            if material is None:
                raise Http404("No such material.")
            services.do_delete_material(material=material, actor=viewer.user)
            messages.success(request, f"Removed {material.title}.")
            return redirect("training_materials", org_slug=org_slug, cohort_id=coh.public_id)
        if form.is_valid():
            try:
                services.do_add_material(cohort=coh, actor=viewer.user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Material added.")
                return redirect("training_materials", org_slug=org_slug, cohort_id=coh.public_id)
    return render(
        request,
        "training/materials.html",
        {"cohort": coh, "form": form, "materials": coh.materials.select_related("session")},
        status=400 if form.errors else 200,
    )


def _assignable(me: Membership) -> Any:
    people = Membership.objects.active().filter(organization=me.organization_id).select_related("user")
    if me.has_role(Role.PROGRAM_ADMIN):
        return people.order_by("user__full_name")
    if me.has_role(Role.MANAGER):
        return people.filter(manager=me).order_by("user__full_name")
    return people.none()


@rule("training_record", "enrol", subject=COHORT)
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, org_slug: str, cohort_id: UUID) -> HttpResponse:
    """A manager enrols a direct report, a program admin anyone: same seats and waitlist as self-enrolment."""
    viewer, me = _who(request)
    coh: Cohort = subject_of(request)
    people = _assignable(me)
    form = AssignForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        person: Membership = form.cleaned_data["person"]
        try:
            enrolment = services.do_assign(cohort=coh, membership=person, assigned_by=me, actor=viewer.user)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            where = "enrolled" if enrolment.status == Enrolment.Status.ENROLLED else "on the waitlist"
            messages.success(request, f"{person.user.full_name} is {where}.")
            return redirect("training_program", org_slug=org_slug, program_id=coh.program.public_id)
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "heading": f"Enrol someone in {coh.title}",
            "nobody": not people.exists(),
        },
        status=400 if form.errors else 200,
    )


# --- Editing and deleting (program admin) ------------------------------------------------------------------------
@rule("training_catalogue", "manage", subject=COHORT)
@require_http_methods(["GET", "POST"])
def cohort_edit(request: HttpRequest, org_slug: str, cohort_id: UUID) -> HttpResponse:
    viewer, me = _who(request)
    coh: Cohort = subject_of(request)
    initial = {f: getattr(coh, f) for f in ("title", "starts_on", "ends_on", "capacity", "instructor", "status")}
    form = CohortForm(request.POST or None, organization=me.organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_save_cohort(program=coh.program, actor=viewer.user, cohort=coh, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Cohort saved.")
            return redirect("training_cohort", org_slug=org_slug, cohort_id=coh.public_id)
    return render(
        request,
        "training/form.html",
        {"form": form, "heading": f"Edit {coh.title}", "delete_url": "training_cohort_delete", "obj": coh},
        status=400 if form.errors else 200,
    )


@rule("training_catalogue", "manage", subject=COHORT)
@require_POST
def cohort_delete(request: HttpRequest, org_slug: str, cohort_id: UUID) -> HttpResponse:
    viewer, _ = _who(request)
    coh: Cohort = subject_of(request)
    try:
        services.do_delete_cohort(cohort=coh, actor=viewer.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("training_cohort", org_slug=org_slug, cohort_id=coh.public_id)
    messages.success(request, f"Deleted {coh.title}.")
    return redirect("training_program", org_slug=org_slug, program_id=coh.program.public_id)


@rule("training_catalogue", "manage", subject=SESSION)
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, org_slug: str, session_id: UUID) -> HttpResponse:
    viewer, _ = _who(request)
    session: Session = subject_of(request)
    initial = {f: getattr(session, f) for f in services.SESSION_FIELDS}
    initial["starts_at"] = timezone.localtime(session.starts_at)
    initial["ends_at"] = timezone.localtime(session.ends_at)
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_session(session=session, actor=viewer.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Session saved; everyone enrolled gets the update for their calendar.")
            return redirect("training_cohort", org_slug=org_slug, cohort_id=session.cohort.public_id)
    return render(
        request,
        "training/form.html",
        {
            "form": form,
            "heading": f"Edit {session}",
            "delete_url": "training_session_cancel",
            "obj": session,
            "delete_label": "Cancel this session",
        },
        status=400 if form.errors else 200,
    )


@rule("training_catalogue", "manage", subject=SESSION)
@require_POST
def session_cancel(request: HttpRequest, org_slug: str, session_id: UUID) -> HttpResponse:
    viewer, _ = _who(request)
    session: Session = subject_of(request)
    services.do_cancel_session(session=session, actor=viewer.user)
    messages.success(request, f"{session} is cancelled; everyone enrolled is told.")
    return redirect("training_cohort", org_slug=org_slug, cohort_id=session.cohort.public_id)


@rule("training_catalogue", "manage", subject=BANK_ITEM)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, org_slug: str, bank_item_id: UUID) -> HttpResponse:
    viewer, _ = _who(request)
    item: ReinforcementItem = subject_of(request)
    initial = {
        "kind": item.kind,
        "prompt": item.prompt,
        "choices": "\n".join(item.choices),
        "correct": item.correct + 1 if item.correct is not None else None,
        "explanation": item.explanation,
    }
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_update_item(
                item=item,
                actor=viewer.user,
                kind=data["kind"],
                prompt=data["prompt"],
                choices=data["choices"].splitlines(),
                correct=data["correct"] - 1 if data["correct"] else None,
                explanation=data["explanation"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Item saved.")
            return redirect("training_program", org_slug=org_slug, program_id=item.program.public_id)
    return render(
        request,
        "training/form.html",
        {"form": form, "heading": "Edit reinforcement item", "delete_url": "training_item_delete", "obj": item},
        status=400 if form.errors else 200,
    )


@rule("training_catalogue", "manage", subject=BANK_ITEM)
@require_POST
def item_delete(request: HttpRequest, org_slug: str, bank_item_id: UUID) -> HttpResponse:
    viewer, _ = _who(request)
    item: ReinforcementItem = subject_of(request)
    services.do_delete_item(item=item, actor=viewer.user)
    messages.success(request, "Item deleted.")
    return redirect("training_program", org_slug=org_slug, program_id=item.program.public_id)
