"""Pages for starting an engagement (request → shortlist → chemistry calls → choice → coach's acceptance) and the
agreement's versions. Thin: rule → starting service/selector → render. Every form works without JS."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.coaching import selectors, services, starting
from trellis.coaching.access import ENGAGEMENT, REQUEST, relations_to, relations_to_request
from trellis.coaching.models import ChemistryCall, CoachingRequest, CoachProfile, Engagement
from trellis.coaching.starting_forms import BookCallForm, RequestForm, TermsForm
from trellis.core.access import COACH_OF, SELF, SPONSOR_OF, allows, member_of, rule, subject_of
from trellis.core.forms import flash_errors
from trellis.core.models import Membership, Role


def _back(req: CoachingRequest) -> HttpResponse:
    return redirect("coaching_request", org_slug=req.organization.slug, request_id=req.public_id)


def _member(req: CoachingRequest, public_id: str) -> Membership | None:
    try:
        return Membership.objects.select_related("user").get(
            organization_id=req.organization_id, public_id=UUID(public_id)
        )
    except (Membership.DoesNotExist, ValueError):
        return None


@rule("coaching_request", "list")
@require_GET
def requests_index(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer, me = member_of(request)
    rows = list(starting.requests_for(viewer)[:200])
    return render(
        request,
        "coaching/requests.html",
        {
            "as_leader": [r for r in rows if r.leader_id == me.pk],
            "as_sponsor": [r for r in rows if me.pk in (r.sponsor_id, r.opened_by_id) and r.leader_id != me.pk],
            "as_coach": [r for r in rows if r.leader_id != me.pk and me.pk not in (r.sponsor_id, r.opened_by_id)],
            "can_open": allows("coaching_request", "create", viewer.relations()),
            "admin": me.has_role(Role.PROGRAM_ADMIN),
        },
    )


@rule("coaching_request", "create")
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    _, me = member_of(request)
    known = sorted(
        {
            s
            for specialties in CoachProfile.objects.filter(organization=me.organization).values_list(
                "specialties", flat=True
            )
            for s in (specialties or [])
        },
        key=str.casefold,
    )
    initial = {"leader": request.GET.get("leader", "")}
    form = RequestForm(request.POST or None, me=me, known_focus=known, initial=initial)
    if request.method == "POST" and form.is_valid():
        leader, sponsor = form.chosen()
        try:
            req = starting.do_open_request(actor=me, leader=leader, sponsor=sponsor, focus=form.cleaned_data["focus"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, "Coaching request opened.")
            return _back(req)
    return render(
        request,
        "coaching/request_new.html",
        {"form": form, "is_sponsor": form.is_sponsor},
        status=400 if form.errors else 200,
    )


@rule("coaching_request", "view", subject=REQUEST)
@require_GET
def request_detail(request: HttpRequest, org_slug: str, request_id: UUID) -> HttpResponse:
    viewer, me = member_of(request)
    req: CoachingRequest = subject_of(request)
    rels = relations_to_request(viewer, req)
    leader = SELF in rels
    now = timezone.now()
    all_calls = starting.calls(req)
    mine_only = not (leader or SPONSOR_OF in rels or me.has_role(Role.PROGRAM_ADMIN))
    calls = [c for c in all_calls if c.coach_id == me.pk] if mine_only else all_calls
    offers = []
    if not mine_only and req.status == CoachingRequest.Status.OPEN:
        offers = starting.shortlist(req, today=timezone.localdate(), now=now)
    by_coach = {c.coach_id: c for c in all_calls}
    live = sum(1 for c in all_calls if c.status != ChemistryCall.Status.CANCELLED)
    rows = [(o, by_coach.get(o.profile.membership_id)) for o in offers]
    response = render(
        request,
        "coaching/request.html",
        {
            "r": req,
            "leader": leader,
            "sponsor": SPONSOR_OF in rels,
            "rows": rows,
            "calls": calls,
            "calls_left": max(0, starting.MAX_CALLS - live),
            "max_calls": starting.MAX_CALLS,
            "may_book": leader and req.status == CoachingRequest.Status.OPEN and live < starting.MAX_CALLS,
            "may_choose": leader and req.status == CoachingRequest.Status.OPEN,
            "may_respond": COACH_OF in rels
            and req.status == CoachingRequest.Status.CHOSEN
            and req.chosen_coach_id == me.pk,
            "may_withdraw": allows("coaching_request", "withdraw", rels | viewer.relations())
            and req.status in starting.OPEN,
            "zone": me.timezone,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@rule("coaching_chemistry_call", "create", subject=REQUEST)
@require_POST
def call_book(request: HttpRequest, org_slug: str, request_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    req: CoachingRequest = subject_of(request)
    form = BookCallForm(request.POST, zone=me.timezone)
    coach = _member(req, request.POST.get("coach", "")) if form.is_valid() else None
    if not form.is_valid() or coach is None:
        messages.error(request, "Choose a coach from the shortlist and a time.")
        return _back(req)
    try:
        starting.do_book_call(request=req, actor=me, coach=coach, starts_at=form.cleaned_data["starts_at"])
        messages.success(request, f"Chemistry call booked with {coach.user.full_name}.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(req)


@rule("coaching_chemistry_call", "update", subject=REQUEST)
@require_POST
def call_mark(request: HttpRequest, org_slug: str, request_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    req: CoachingRequest = subject_of(request)
    try:
        call = ChemistryCall.objects.select_related("request__organization", "coach").get(
            request=req, public_id=UUID(request.POST.get("call", ""))
        )
    except (ChemistryCall.DoesNotExist, ValueError):
        messages.error(request, "Choose one of this request's calls.")
        return _back(req)
    try:
        starting.do_mark_call(call=call, actor=me, status=request.POST.get("status", ""))
        messages.success(request, "Call updated.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(req)


@rule("coaching_request", "choose", subject=REQUEST)
@require_POST
def choose(request: HttpRequest, org_slug: str, request_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    req: CoachingRequest = subject_of(request)
    coach = _member(req, request.POST.get("coach", ""))
    if coach is None:
        messages.error(request, "Choose a coach.")
        return _back(req)
    try:
        starting.do_choose_coach(request=req, actor=me, coach=coach)
        messages.success(request, f"You chose {coach.user.full_name}. They will be asked to accept.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(req)


@rule("coaching_request", "respond", subject=REQUEST)
@require_POST
def respond(request: HttpRequest, org_slug: str, request_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    req: CoachingRequest = subject_of(request)
    accept = request.POST.get("accept") == "1"
    try:
        starting.do_respond(request=req, actor=me, accept=accept)
    except ValidationError as exc:
        flash_errors(request, exc=exc)
        return _back(req)
    if accept and req.engagement is not None:
        messages.success(request, "You accepted. The agreement now waits for the leader and the sponsor.")
        return redirect("coaching_agreement", org_slug=org_slug, engagement_id=req.engagement.public_id)
    messages.success(request, "You declined; the leader will choose another coach.")
    return _back(req)


@rule("coaching_request", "withdraw", subject=REQUEST)
@require_POST
def withdraw(request: HttpRequest, org_slug: str, request_id: UUID) -> HttpResponse:
    _, me = member_of(request)
    req: CoachingRequest = subject_of(request)
    try:
        starting.do_withdraw(request=req, actor=me)
        messages.success(request, "Request withdrawn.")
    except ValidationError as exc:
        flash_errors(request, exc=exc)
    return _back(req)


# --- Agreement versions ----------------------------------------------------------------------------------------
def _agreement_page(request: HttpRequest, form: TermsForm | None, status: int = 200) -> HttpResponse:
    viewer, me = member_of(request)
    eng: Engagement = subject_of(request)
    rels = relations_to(viewer, eng)
    versions = starting.versions(eng, rels)
    if SELF not in rels and viewer.user is not None:  # the leader sees who opened their records
        if allows("coaching_objective", "view", rels) and any(v.private_objectives for v in versions):
            services.do_log_read(actor=viewer.user, verb="coaching.objectives.read", engagement=eng)
        elif any(v.shared_objectives for v in versions):
            services.do_log_read(actor=viewer.user, verb="coaching.shared_objectives.read", engagement=eng)
    current = versions[0] if versions else None
    attr = starting._party_attr(eng, me)
    may_accept = bool(
        allows("coaching_engagement", "accept", rels)
        and attr
        and (current is None or getattr(current.agreement, attr) is None)
        and eng.status != Engagement.Status.CLOSED
    )
    if form is None and allows("coaching_agreement", "propose", rels) and eng.status != Engagement.Status.CLOSED:
        terms = current.terms if current else starting._terms(eng, None)
        form = TermsForm(
            sponsor=SPONSOR_OF in rels,
            auto_id="terms-%s",
            initial={
                "starts_on": terms["starts_on"],
                "ends_on": terms["ends_on"],
                "sessions_budget": terms["sessions_budget"],
                "cancellation_rules": terms["cancellation_rules"] or starting.DEFAULT_CANCELLATION_RULES,
            },
        )
    response = render(
        request,
        "coaching/agreement.html",
        {
            "e": eng,
            "versions": versions,
            "current": current,
            "leader": SELF in rels,
            "sponsor_view": SPONSOR_OF in rels and SELF not in rels and COACH_OF not in rels,
            "may_accept": may_accept,
            "form": form,
            "sessions_used": selectors.sessions_used(eng),
        },
        status=status,
    )
    response["Cache-Control"] = "no-store"
    return response


@rule("coaching_agreement", "view", subject=ENGAGEMENT)
@require_GET
def agreement(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    return _agreement_page(request, None)


@rule("coaching_agreement", "propose", subject=ENGAGEMENT)
@require_POST
def agreement_change(request: HttpRequest, org_slug: str, engagement_id: UUID) -> HttpResponse:
    viewer, me = member_of(request)
    eng: Engagement = subject_of(request)
    form = TermsForm(request.POST, sponsor=SPONSOR_OF in relations_to(viewer, eng), auto_id="terms-%s")
    if form.is_valid():
        try:
            agreement = starting.do_propose_terms(engagement=eng, actor=me, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Version {agreement.version} proposed. The others are asked to accept it.")
            return redirect("coaching_agreement", org_slug=org_slug, engagement_id=eng.public_id)
    return _agreement_page(request, form, status=400)
