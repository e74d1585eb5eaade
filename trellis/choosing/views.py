"""The chooser's pages: the public questionnaire, result and explanation; development requests in the
organization; the org admin's tuning with a what-if preview. Thin: rule → form → engine/selector/service."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.choosing import explain, selectors, services
from trellis.choosing.forms import ANSWER_LABELS, ConfigForm, ProfileForm, SaveRequestForm, ShareForm, profile_query
from trellis.choosing.models import DevelopmentRequest
from trellis.choosing.recommender import LABELS, MODALITIES, ChooserSettings, NeedProfile, Recommendation, recommend
from trellis.choosing.samples import SAMPLES
from trellis.core import selectors as core_selectors
from trellis.core.access import allows, rule, subject_of, viewer_of
from trellis.core.models import Membership

NEXT_STEPS = {  # what a sponsor can start for each modality, and whether that module exists yet
    "training": ("Enrol in a training cohort", "The training module is coming soon."),
    "mentoring": ("Open a mentoring application", "The mentoring module is coming soon."),
    "coaching": ("Propose a coaching engagement", "The coaching module is coming soon."),
    "counselling_referral": ("Point to professional support", "Refer outside Trellis: to the EAP or a doctor."),
}


def present(recommendation: dict[str, Any]) -> dict[str, Any]:
    """The API-shaped recommendation with labels for the templates."""
    ranking = [
        {
            **r,
            "label": LABELS.get(r["modality"], r["modality"]),
            "percent": round(float(r["score"]) * 100),
            "reasons": [{**x, "label": ANSWER_LABELS.get(x["answer"], x["answer"])} for x in r["reasons"]],
        }
        for r in recommendation["ranking"]
    ]
    return {**recommendation, "ranking": ranking, "top_label": LABELS.get(recommendation["top"], "")}


def _answers(profile: NeedProfile) -> list[tuple[str, str]]:
    form = ProfileForm()
    rows = []
    for name, value in asdict(profile).items():
        field = form.fields[name]
        choices = dict(getattr(field, "choices", []))
        shown = profile_query({name: value})[name]
        rows.append((str(field.label), str(choices.get(shown, shown or "—"))))
    return rows


# --- Public ---------------------------------------------------------------------------------------------------
@rule("chooser", "view")
@require_GET
def chooser(request: HttpRequest) -> HttpResponse:
    """The questionnaire: one form without JavaScript; htmx swaps in the first step of the step-by-step version."""
    return render(request, "choosing/chooser.html", {"form": ProfileForm(initial=request.GET or None)})


@rule("chooser", "view")
@require_GET
def chooser_step(request: HttpRequest) -> HttpResponse:
    """One step of the questionnaire (htmx). Validates the step's answers before moving on; carries the others."""
    form = ProfileForm(request.GET)
    try:
        step = max(0, min(len(ProfileForm.STEPS) - 1, int(request.GET.get("step", "0"))))
    except ValueError:
        step = 0
    go = request.GET.get("go")
    if go == "back":
        step = max(0, step - 1)
        form = ProfileForm(initial=request.GET)
    elif go == "next":
        form.is_valid()
        if any(name in form.errors for name in ProfileForm.STEPS[step][1]):
            return _step(request, form, step)
        step = min(len(ProfileForm.STEPS) - 1, step + 1)
        form = ProfileForm(initial=request.GET)
    else:
        form = ProfileForm(initial=request.GET)
    return _step(request, form, step)


def _step(request: HttpRequest, form: ProfileForm, step: int) -> HttpResponse:
    names = ProfileForm.STEPS[step][1]
    carried = [(k, v) for k, v in request.GET.items() if k in form.fields and k not in names]
    context = {
        "form": form,
        "step": step,
        "number": step + 1,
        "count": len(ProfileForm.STEPS),
        "title": ProfileForm.STEPS[step][0],
        "fields": [form[name] for name in names],
        "carried": carried,
        "last": step == len(ProfileForm.STEPS) - 1,
    }
    template = "choosing/_step.html" if request.htmx else "choosing/step.html"  # type: ignore[attr-defined]
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@rule("chooser", "use")
@require_GET
def chooser_result(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.GET)
    if not form.is_valid():
        return render(request, "choosing/chooser.html", {"form": form}, status=400)
    profile = form.to_profile()
    result = recommend(profile)
    viewer = viewer_of(request)
    orgs = [m.organization for m in core_selectors.viewer_memberships(viewer)] if viewer.user else []
    context = {
        "result": present(result.as_dict()),
        "answers": _answers(profile),
        "query": urlencode(profile_query(asdict(profile))),
        "orgs": orgs,
        "carried": list(profile_query(asdict(profile)).items()),
    }
    return render(request, "choosing/result.html", context)


@rule("chooser", "use")
@require_GET
def chooser_explain(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.GET)
    if not form.is_valid():
        return render(request, "choosing/chooser.html", {"form": form}, status=400)
    profile = form.to_profile()
    result = recommend(profile)
    return render(
        request,
        "choosing/explain.html",
        {
            "result": result,
            "charts": explain.charts(result, ANSWER_LABELS),
            "query": urlencode(profile_query(asdict(profile))),
        },
    )


# --- Development requests -------------------------------------------------------------------------------------
@rule("development_request", "list")
@require_GET
def devreq_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    me = viewer.membership
    items = list(selectors.visible_requests(viewer)[:200])
    mine = [r for r in items if me is not None and r.requester_id == me.pk]
    shared = [r for r in items if me is None or r.requester_id != me.pk]
    return render(request, "choosing/devreq_list.html", {"mine": mine, "shared": shared})


@rule("development_request", "create")
@require_http_methods(["GET", "POST"])
def devreq_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    assert viewer.membership is not None and viewer.user is not None
    form = SaveRequestForm(request.POST or None, initial=request.GET or None)
    if request.method == "POST" and form.is_valid():
        saved = services.do_create_request(
            requester=viewer.membership, profile=form.to_profile(), title=form.cleaned_data["title"], actor=viewer.user
        )
        messages.success(request, "Saved. Share it with your manager or a sponsor when you are ready.")
        return redirect("devreq_detail", org_slug=org_slug, dev_request_id=saved.public_id)
    return render(request, "choosing/devreq_new.html", {"form": form}, status=400 if form.errors else 200)


def _profile_of(saved: DevelopmentRequest) -> NeedProfile:
    return NeedProfile(**saved.profile)


@rule("development_request", "view", subject=selectors.REQUEST_SUBJECT)
@require_GET
def devreq_detail(request: HttpRequest, org_slug: str, dev_request_id: UUID) -> HttpResponse:
    viewer = viewer_of(request)
    saved: DevelopmentRequest = subject_of(request)
    profile = _profile_of(saved)
    relations = viewer.relations() | selectors.REQUEST_SUBJECT.relate(viewer, saved)
    can_share = allows("development_request", "share", relations)
    context: dict[str, Any] = {
        "saved": saved,
        "result": present(saved.recommendation),
        "answers": _answers(profile),
        "can_share": can_share,
        "can_act": allows("development_request", "act", relations),
        "next_steps": [(m, *NEXT_STEPS[m], LABELS[m]) for m in MODALITIES],
        "shares": selectors.shares_of(saved) if can_share else [],
        "query": urlencode(profile_query(saved.profile)),
    }
    if can_share:
        shared_ids = {s.membership_id for s in context["shares"]}
        candidates = [m for m in services.share_candidates(saved.requester) if m.pk not in shared_ids]
        context["share_form"] = ShareForm(candidates=candidates) if candidates else None
    return render(request, "choosing/devreq_detail.html", context)


@rule("development_request", "share", subject=selectors.REQUEST_SUBJECT)
@require_POST
def devreq_share(request: HttpRequest, org_slug: str, dev_request_id: UUID) -> HttpResponse:
    viewer = viewer_of(request)
    saved: DevelopmentRequest = subject_of(request)
    assert viewer.user is not None
    revoke = request.POST.get("revoke")
    if revoke:
        revoke_id = _uuid(revoke)
        member = (
            Membership.objects.filter(organization=saved.organization, public_id=revoke_id).first()
            if revoke_id
            else None
        )
        if member is not None and services.do_unshare_request(request=saved, membership=member, actor=viewer.user):
            messages.success(request, f"{member.user.full_name} no longer sees this request.")
        return redirect("devreq_detail", org_slug=org_slug, dev_request_id=saved.public_id)
    form = ShareForm(request.POST, candidates=services.share_candidates(saved.requester))
    if form.is_valid():
        try:
            services.do_share_request(request=saved, membership=form.chosen(), actor=viewer.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Shared with {form.chosen().user.full_name}.")
    else:
        messages.error(request, "Choose someone to share with.")
    return redirect("devreq_detail", org_slug=org_slug, dev_request_id=saved.public_id)


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


@rule("development_request", "act", subject=selectors.REQUEST_SUBJECT)
@require_POST
def devreq_act(request: HttpRequest, org_slug: str, dev_request_id: UUID) -> HttpResponse:
    viewer = viewer_of(request)
    saved: DevelopmentRequest = subject_of(request)
    assert viewer.membership is not None
    try:
        services.do_act_on_request(request=saved, next_step=request.POST.get("next_step", ""), actor=viewer.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Next step agreed: {saved.next_step_label}. {NEXT_STEPS[saved.next_step][1]}")
    return redirect("devreq_detail", org_slug=org_slug, dev_request_id=saved.public_id)


# --- Tuning (org admins) ----------------------------------------------------------------------------------------
def what_if(before: ChooserSettings, after: ChooserSettings) -> list[dict[str, Any]]:
    """The built-in sample needs: the top choice under the current settings and under the proposed ones."""
    rows = []
    for sample in SAMPLES:
        old: Recommendation = recommend(sample.profile, settings=before)
        new: Recommendation = recommend(sample.profile, settings=after)
        rows.append(
            {
                "sample": sample,
                "advisor": LABELS[sample.advisor],
                "before": LABELS[old.top],
                "after": LABELS[new.top],
                "changed": old.top != new.top,
                "agrees": new.top == sample.advisor,
            }
        )
    return rows


@rule("chooser_config", "update")
@require_http_methods(["GET", "POST"])
def chooser_config(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    assert viewer.organization is not None and viewer.user is not None
    current = services.settings_for(viewer.organization)
    data: QueryDict | None = request.POST if request.method == "POST" else None
    form = ConfigForm(data, settings=current)
    context: dict[str, Any] = {"form": form, "preview": None}
    if data is not None and form.is_valid():
        weights, costs = form.values()
        if "save" in data:
            services.do_update_chooser_config(
                organization=viewer.organization, weights=weights, costs=costs, actor=viewer.user
            )
            messages.success(request, "Saved the chooser's weights and costs.")
            return redirect("chooser_config", org_slug=org_slug)
        context["preview"] = what_if(current, ChooserSettings.build(weights, costs))
    else:
        context["preview"] = what_if(current, current) if data is None else None
    return render(request, "choosing/config.html", context, status=400 if form.errors else 200)
