"""Forms for starting an engagement and changing its agreement (pages work without JS)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError

from trellis.coaching.starting import MAX_FOCUS_TAGS, parse_focus
from trellis.core.models import Membership, Role


def _label(m: Membership) -> str:
    return f"{m.user.full_name}" + (f" — {m.title}" if m.title else "")


class RequestForm(forms.Form):
    """A sponsor picks the leader (they sponsor it); anyone else opens it for themself and names a sponsor."""

    leader = forms.ChoiceField(label="Leader to be coached")
    sponsor = forms.ChoiceField(label="Sponsor (sees dates, sessions used and shared objectives only)")
    focus = forms.CharField(
        label="Focus",
        max_length=500,
        required=False,
        help_text=f"Up to {MAX_FOCUS_TAGS} topics, separated by commas (matched with coaches' specialties).",
    )

    def __init__(self, *args: Any, me: Membership, known_focus: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.me = me
        self.is_sponsor = me.has_role(Role.SPONSOR)
        members = Membership.objects.active().filter(organization=me.organization).select_related("user")
        if self.is_sponsor:
            leaders = members.exclude(pk=me.pk).order_by("user__full_name")
            leader_field = cast(forms.ChoiceField, self.fields["leader"])
            leader_field.choices = [("", "Choose a leader")] + [(str(m.public_id), _label(m)) for m in leaders]
            del self.fields["sponsor"]
        else:
            del self.fields["leader"]
            sponsors = members.with_role(Role.SPONSOR).exclude(pk=me.pk).order_by("user__full_name")
            sponsor_field = cast(forms.ChoiceField, self.fields["sponsor"])
            sponsor_field.choices = [("", "Choose a sponsor")] + [(str(m.public_id), _label(m)) for m in sponsors]
        if known_focus:
            self.fields["focus"].help_text += " Coaches here work on: " + ", ".join(known_focus) + "."
        self._members = {str(m.public_id): m for m in members}

    def clean_focus(self) -> list[str]:
        return parse_focus(self.cleaned_data.get("focus") or "")

    def chosen(self) -> tuple[Membership, Membership]:
        """(leader, sponsor) after validation."""
        if self.is_sponsor:
            return self._members[self.cleaned_data["leader"]], self.me
        return self.me, self._members[self.cleaned_data["sponsor"]]


class BookCallForm(forms.Form):
    coach = forms.UUIDField(widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(
        label="Proposed time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(zone)
        self.fields["starts_at"].help_text = f"In your time zone ({zone})."

    def clean_starts_at(self) -> datetime:
        value: datetime = self.cleaned_data["starts_at"]
        naive = value.replace(tzinfo=None)  # the browser sends wall-clock time in the viewer's zone
        return naive.replace(tzinfo=self.zone)


class TermsForm(forms.Form):
    starts_on = forms.DateField(label="Starts on", widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Ends on", widget=forms.DateInput(attrs={"type": "date"}))
    sessions_budget = forms.IntegerField(label="Session budget", min_value=1, max_value=100)
    cancellation_rules = forms.CharField(
        label="Cancellation rules", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    refresh_confidentiality = forms.BooleanField(
        label="Use the organization's current confidentiality terms", required=False
    )

    def __init__(self, *args: Any, sponsor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not sponsor:
            del self.fields["refresh_confidentiality"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("The end comes after the start.")
        return data
