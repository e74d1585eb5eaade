"""Pages of the platform: sign-in, home, organizations, people, audit, mail. Thin: rule → selector/service."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import FileExtensionValidator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trellis.core import importing, selectors, services
from trellis.core.access import MEMBER_SUBJECT, allows, public, rule, subject_of, viewer_of
from trellis.core.forms import InviteForm, LoginForm, MemberForm, ResetForm, add_errors, member_initial
from trellis.core.models import Membership, OutboxMessage, User

DEMO_LOGINS = [
    ("alice", "leader (participant)"),
    ("bob", "mentor"),
    ("carol", "external coach"),
    ("dave", "HR sponsor"),
    ("erin", "org admin"),
    ("frank", "line manager"),
    ("grace", "instructor"),
    ("heidi", "program admin"),
]


# --- Public -----------------------------------------------------------------------------------------------
@public
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if settings.TRELLIS_DEMO:
            context["demo_logins"] = [(f"{n}@northwind.example", what) for n, what in DEMO_LOGINS] + [
                ("mallory@globex.example", "org admin at Globex")
            ]
        return context


login = public(LoginView.as_view())
logout = public(auth_views.LogoutView.as_view())
password_reset = public(auth_views.PasswordResetView.as_view(form_class=ResetForm))
password_reset_done = public(auth_views.PasswordResetDoneView.as_view())
password_reset_complete = public(auth_views.PasswordResetCompleteView.as_view())


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link carries the user's public UUID, never the sequential primary key."""

    def get_user(self, uidb64: str) -> Any:
        try:
            public_id = UUID(force_str(urlsafe_base64_decode(uidb64)))
            return User.objects.get(public_id=public_id)
        except (ValueError, TypeError, OverflowError, User.DoesNotExist):
            return None


password_reset_confirm = public(ResetConfirmView.as_view())


def login_locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """django-axes calls this after too many failed sign-ins (with the response it replaces)."""
    minutes = int(float(settings.AXES_COOLOFF_TIME) * 60)
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse(
            {
                "error": {
                    "code": "too_many_attempts",
                    "fields": {},
                    "message": f"Too many failed sign-ins. Try again in {minutes} minutes.",
                }
            },
            status=429,
        )
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


# --- The signed-in user's own pages ---------------------------------------------------------------------------
@rule("account", "view")
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the organization they used last, or let them pick one."""
    memberships = selectors.viewer_memberships(viewer_of(request))
    last = request.session.get("org")
    chosen = next((m for m in memberships if m.organization.slug == last), None)
    if chosen is None and len(memberships) == 1:
        chosen = memberships[0]
    if chosen is not None:
        return redirect("org_home", org_slug=chosen.organization.slug)
    if not memberships and request.user.is_superuser:
        return redirect("admin:index")  # the platform operator belongs to no organization
    return render(request, "core/choose_org.html", {"memberships": memberships})


@rule("account", "view")
@require_GET
def choose_org(request: HttpRequest) -> HttpResponse:
    """The organization switcher: pick one of your organizations (``?to=<slug>`` switches at once)."""
    memberships = selectors.viewer_memberships(viewer_of(request))
    target = request.GET.get("to")
    if target and any(m.organization.slug == target for m in memberships):
        return redirect("org_home", org_slug=target)
    return render(request, "core/choose_org.html", {"memberships": memberships})


@rule("account", "view")
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.outbox_of(viewer_of(request).user), 25).get_page(request.GET.get("page"))
    return render(request, "core/outbox.html", {"page": page})


@rule("account", "view")
@require_GET
def outbox_message(request: HttpRequest, message_id: UUID) -> HttpResponse:
    message = get_object_or_404(OutboxMessage, public_id=message_id, recipient=request.user)
    return render(request, "core/outbox_message.html", {"message": message})


# --- Organization pages --------------------------------------------------------------------------------------
@rule("organization", "view")
@require_GET
def org_home(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    if request.session.get("org") != org_slug:
        request.session["org"] = org_slug
    return render(request, "core/home.html", {"attention": selectors.attention_for(viewer)})


@rule("organization", "view")
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    assert viewer.user is not None and viewer.organization is not None
    if request.method == "POST":
        services.do_mark_notifications_read(user=viewer.user, organization=viewer.organization)
        return redirect("notifications", org_slug=org_slug)
    items = selectors.notifications_for(viewer)[:50]
    return render(request, "core/notifications.html", {"items": items})


@rule("member", "list")
@require_GET
def people(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    query = request.GET.get("q", "").strip()
    show_inactive = request.GET.get("inactive") == "1" and allows("member", "update", viewer.relations())
    members = selectors.directory(viewer, query=query, include_inactive=show_inactive)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    template = "core/_people_rows.html" if request.htmx else "core/people.html"  # type: ignore[attr-defined]
    response = render(request, template, {"page": page, "q": query, "show_inactive": show_inactive})
    patch_vary_headers(response, ["HX-Request"])  # the rows and the whole page share one URL: cache them apart
    return response


@rule("member", "view", subject=MEMBER_SUBJECT)
@require_GET
def member_detail(request: HttpRequest, org_slug: str, member_id: UUID) -> HttpResponse:
    member: Membership = subject_of(request)
    reports = member.reports.active().select_related("user").order_by("user__full_name")
    return render(request, "core/member_detail.html", {"member": member, "reports": reports})


@rule("member", "create")
@require_http_methods(["GET", "POST"])
def member_invite(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    assert viewer.organization is not None and viewer.user is not None
    form = InviteForm(request.POST or None, organization=viewer.organization)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.do_invite_member(
                organization=viewer.organization,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                actor=viewer.user,
                **form.profile(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{member.user.full_name} was invited; an e-mail is on its way.")
            return redirect("member_detail", org_slug=org_slug, member_id=member.public_id)
    return render(
        request, "core/member_form.html", {"form": form, "inviting": True}, status=400 if form.errors else 200
    )


@rule("member", "update", subject=MEMBER_SUBJECT)
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, org_slug: str, member_id: UUID) -> HttpResponse:
    viewer = viewer_of(request)
    member: Membership = subject_of(request)
    assert viewer.organization is not None and viewer.user is not None
    form = MemberForm(
        request.POST or None, organization=viewer.organization, exclude=member, initial=member_initial(member)
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                services.do_update_member(
                    membership=member, actor=viewer.user, full_name=form.cleaned_data["full_name"], **form.profile()
                )
                services.do_set_roles(membership=member, roles=form.cleaned_data["roles"], actor=viewer.user)
        except ValidationError as exc:
            member.refresh_from_db()
            add_errors(form, exc)
        else:
            messages.success(request, f"Saved {member.user.full_name}.")
            return redirect("member_detail", org_slug=org_slug, member_id=member.public_id)
    return render(
        request, "core/member_form.html", {"form": form, "member": member}, status=400 if form.errors else 200
    )


@rule("member", "deactivate", subject=MEMBER_SUBJECT)
@require_POST
def member_deactivate(request: HttpRequest, org_slug: str, member_id: UUID) -> HttpResponse:
    viewer = viewer_of(request)
    member: Membership = subject_of(request)
    assert viewer.user is not None
    try:
        if request.POST.get("reactivate"):
            services.do_reactivate_member(membership=member, actor=viewer.user)
            messages.success(request, f"{member.user.full_name} is active again.")
        else:
            services.do_deactivate_member(membership=member, actor=viewer.user)
            messages.success(request, f"{member.user.full_name} was deactivated.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("member_detail", org_slug=org_slug, member_id=member.public_id)


@rule("audit_log", "view")
@require_GET
def audit_log(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    page = Paginator(selectors.audit_events(viewer), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "actors": selectors.actor_names(viewer, page)})


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", {"reason": str(exception or "")}, status=403)


__all__ = ["Http404"]


# --- Importing people (HR CSV) ------------------------------------------------------------------------------
# The preview carries the uploaded CSV back to the browser inside a hidden field: compressed and signed with
# django.core.signing (HMAC over the content, the organization, the admin and the options, valid for an hour),
# so "Apply import" applies exactly what was previewed and nothing can be changed in between. No server state.
IMPORT_MAX_BYTES = 3 * 1024 * 1024  # the signed copy must fit DATA_UPLOAD_MAX_MEMORY_SIZE when applying
IMPORT_SALT = "trellis.people_import"
IMPORT_PREVIEW_ROWS = 200


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file", validators=[FileExtensionValidator(["csv"])], help_text="UTF-8 CSV, up to 3 MB."
    )
    deactivate_missing = forms.BooleanField(required=False, label="Deactivate active members who are not in the file")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError("The file is larger than 3 MB; split it or use `trellis import-people`.")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text; export it as “CSV UTF-8”.") from None
        if "\x00" in text or not text.strip():
            raise ValidationError("The file is empty or not a CSV text file.")
        return text


class PeopleImportApplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, strip=False)

    def __init__(self, *args: Any, viewer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.binding = {"org": str(viewer.organization.public_id), "by": str(viewer.user.public_id)}

    def sign(self, text: str, deactivate_missing: bool) -> str:
        payload = {**self.binding, "csv": text, "deactivate": deactivate_missing}
        return signing.dumps(payload, salt=IMPORT_SALT, compress=True)

    def clean_token(self) -> dict[str, Any]:
        try:
            payload = signing.loads(self.cleaned_data["token"], salt=IMPORT_SALT, max_age=3600)
        except signing.BadSignature:
            payload = None
        if not isinstance(payload, dict) or any(payload.get(k) != v for k, v in self.binding.items()):
            raise ValidationError("This preview has expired or was altered; please upload the file again.")
        return payload


def _import_context(result: importing.ImportResult) -> dict[str, Any]:
    plan, n = result.plan, IMPORT_PREVIEW_ROWS
    lists: dict[str, list[Any]] = {
        "errors": plan.errors,
        "creates": plan.creates,
        "updates": plan.updates,
        "deactivations": plan.deactivations,
    }
    return {
        "result": result,
        "counts": result.counts,
        **{k: v[:n] for k, v in lists.items()},
        "hidden": {k: max(len(v) - n, 0) for k, v in lists.items()},
    }


@rule("people_import", "create")
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Upload a CSV (step 1), preview what it would change (step 2), apply it (step 3)."""
    viewer = viewer_of(request)
    assert viewer.organization is not None and viewer.user is not None
    context: dict[str, Any] = {"form": PeopleImportForm()}
    apply_form = PeopleImportApplyForm(request.POST if "token" in request.POST else None, viewer=viewer)
    if apply_form.is_bound:
        if not apply_form.is_valid():
            context["problem"] = apply_form.errors["token"][0]
            return render(request, "core/people_import.html", context, status=400)
        payload = apply_form.cleaned_data["token"]
        result = importing.do_import_people(
            organization=viewer.organization,
            file=payload["csv"],
            actor=viewer.user,
            deactivate_missing=payload["deactivate"],
        )
        context |= _import_context(result)
        if not result.applied:  # the organization changed since the preview in a way that breaks the file
            return render(request, "core/people_import.html", context, status=409)
        return render(request, "core/people_import.html", context)
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        text, deactivate = form.cleaned_data["file"], form.cleaned_data["deactivate_missing"]
        result = importing.do_import_people(
            organization=viewer.organization, file=text, actor=viewer.user, dry_run=True, deactivate_missing=deactivate
        )
        context |= _import_context(result)
        if not result.errors:
            token = apply_form.sign(text, deactivate)
            context["apply_form"] = PeopleImportApplyForm(initial={"token": token}, viewer=viewer)
        else:
            context["form"] = PeopleImportForm(initial={"deactivate_missing": deactivate})
    return render(request, "core/people_import.html", context, status=400 if form.errors else 200)
