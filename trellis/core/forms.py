from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from trellis.core import mail
from trellis.core.models import Membership, Organization, Role, User, validate_timezone


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )

    def clean_username(self) -> str:
        # One spelling per account: login throttling (django-axes) counts failures by the name passed to
        # authenticate(), so "Bob@…" and "bob@…" must not be separate allowances of failed attempts.
        return str(self.cleaned_data["username"]).strip().lower()


class ResetForm(PasswordResetForm):
    """Password reset through the outbox; the same answer whether or not the address has an account."""

    def get_users(self, email: str) -> Any:
        # Unlike Django's default, people who were invited but never chose a password (unusable password)
        # may ask for a new link too: an invitation link expires, and there is no other way in.
        # Like Django's, the match must survive Unicode case folding both ways (CVE-2019-19844).
        candidates = User.objects.filter(email__iexact=email.strip(), is_active=True)
        return [u for u in candidates if _same_address(email.strip(), u.email)]

    def save(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        for user in self.get_users(self.cleaned_data["email"]):
            if isinstance(user, User):
                mail.send_password_reset(user=user)


def _same_address(a: str, b: str) -> bool:
    return unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


class MemberForm(forms.Form):
    """Profile fields an org admin edits (and, with email, invites with)."""

    full_name = forms.CharField(max_length=200)
    title = forms.CharField(max_length=200, required=False)
    department = forms.CharField(max_length=200, required=False)
    level = forms.IntegerField(min_value=1, max_value=10, initial=1, help_text="Seniority from 1 to 10.")
    manager = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False, to_field_name="public_id")
    languages = forms.CharField(required=False, help_text="Separated by semicolons, e.g. en; de")
    timezone = forms.CharField(
        max_length=64, initial="UTC", help_text="IANA name, e.g. Europe/Berlin", validators=[validate_timezone]
    )
    roles = forms.MultipleChoiceField(
        choices=Role.choices, widget=forms.CheckboxSelectMultiple, initial=[Role.PARTICIPANT]
    )

    def __init__(
        self, *args: Any, organization: Organization, exclude: Membership | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        managers = Membership.objects.active().filter(organization=organization).select_related("user")
        if exclude is not None:
            managers = managers.exclude(pk=exclude.pk)
        field = self.fields["manager"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = managers.order_by("user__full_name")
        field.label_from_instance = _manager_label  # type: ignore[method-assign,assignment]

    def clean_languages(self) -> list[str]:
        return _split(self.cleaned_data.get("languages", ""))

    def profile(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("title", "department", "level", "manager", "languages", "timezone")}


def _manager_label(member: Membership) -> str:
    return f"{member.user.full_name} — {member.title or member.department}"


class InviteForm(MemberForm):
    email = forms.EmailField()
    field_order = ["email", "full_name"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, organization=organization, **kwargs)
        self.organization = organization

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        exists = Membership.objects.filter(
            organization=self.organization, user__email__iexact=email, is_active=True
        ).exists()
        if exists:
            raise ValidationError(f"{email} is already a member.")
        return email


def member_initial(member: Membership) -> dict[str, Any]:
    return {
        "full_name": member.user.full_name,
        "title": member.title,
        "department": member.department,
        "level": member.level,
        "manager": member.manager.public_id if member.manager else None,
        "languages": "; ".join(member.languages),
        "timezone": member.timezone,
        "roles": member.roles,
    }


def add_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the named field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def flash_errors(
    request: HttpRequest, *, form: forms.BaseForm | None = None, exc: ValidationError | None = None
) -> None:
    """Say what was wrong with a POST that redirects back to the page it came from (a small form on a page, not
    a form page of its own): the service's refusal, or the form's errors with the field's label."""
    if exc is not None:
        messages.error(request, " ".join(exc.messages))
    elif form is not None:
        parts = []
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else None
            parts += [
                f"{label or name.replace('_', ' ').capitalize()}: {e}" if name != "__all__" else str(e) for e in errors
            ]
        messages.error(request, " ".join(parts))
