"""Forms for running an engagement: sessions, questions, reviews, closing, credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone as tz

from trellis.coaching.models import CloseReason, CoachingQuestion, Credential, ReviewKind

LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _Zoned(forms.Form):
    """A time typed in the viewer's own zone; stored in UTC."""

    def __init__(self, *args: Any, zone: str = "UTC", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(zone)

    def _in_zone(self, value: datetime) -> datetime:
        naive = tz.make_naive(value) if tz.is_aware(value) else value  # the wall-clock time that was typed
        return naive.replace(tzinfo=self.zone)


class SessionForm(_Zoned):
    starts_at = forms.DateTimeField(label="Date and time", widget=LOCAL, help_text="In your time zone.")
    minutes = forms.IntegerField(label="Length (minutes)", min_value=15, max_value=240, initial=60, required=False)

    def clean_starts_at(self) -> datetime:
        return self._in_zone(self.cleaned_data["starts_at"])

    def clean_minutes(self) -> int:
        return self.cleaned_data.get("minutes") or 60


class SessionChangeForm(_Zoned):
    session = forms.UUIDField(widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(label="New date and time", widget=LOCAL, required=False)
    minutes = forms.IntegerField(label="Length (minutes)", min_value=15, max_value=240, required=False)
    cancel = forms.BooleanField(required=False)

    def clean_starts_at(self) -> datetime | None:
        value = self.cleaned_data.get("starts_at")
        return self._in_zone(value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("cancel") and not data.get("starts_at"):
            raise forms.ValidationError("Give the new date and time, or cancel the session.")
        return data


class SessionMarkForm(forms.Form):
    MARKS = [("held", "Held"), ("no_show", "No-show"), ("cancelled", "Cancelled")]
    session = forms.UUIDField(widget=forms.HiddenInput)
    status = forms.ChoiceField(choices=MARKS)


class QuestionFilterForm(forms.Form):
    model = forms.ChoiceField(
        label="Model", choices=[("", "All models"), *CoachingQuestion.Model.choices], required=False
    )
    stage = forms.ChoiceField(label="Stage", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = {k: label for pairs in CoachingQuestion.STAGES.values() for k, label in pairs}
        self.fields["stage"].choices = [("", "All stages"), *sorted(stages.items(), key=lambda kv: kv[1])]  # type: ignore[attr-defined]


class QuestionForm(forms.Form):
    model = forms.ChoiceField(label="Model", choices=CoachingQuestion.Model.choices)
    stage = forms.ChoiceField(label="Stage")
    text = forms.CharField(label="Question", max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [  # type: ignore[attr-defined]
            (stage, f"{model.upper()}: {label}")
            for model, pairs in CoachingQuestion.STAGES.items()
            for stage, label in pairs
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        model, stage = data.get("model"), data.get("stage")
        if model and stage and stage not in dict(CoachingQuestion.STAGES[model]):
            self.add_error("stage", f"Choose a stage of {model.upper()}.")
        return data


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(choices=ReviewKind.choices, widget=forms.HiddenInput)
    answer = forms.CharField(
        label="Your short review (all three of you read it)",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        required=False,
        help_text="How is the engagement going? Leader, coach and sponsor all read this; keep private matters out.",
    )


class RatingForm(forms.Form):
    kind = forms.ChoiceField(choices=ReviewKind.choices, widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(
        label="How useful is your coaching? (1 = not at all, 5 = very)",
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label="Why does it end?", choices=CloseReason.choices)


class CredentialForm(forms.Form):
    body = forms.ChoiceField(label="Professional body", choices=Credential.Body.choices)
    level = forms.CharField(label="Level", max_length=40, help_text="ACC, PCC, MCC or the body's equivalent.")
    credential_id = forms.CharField(label="Credential number", max_length=80, required=False)
    issued_on = forms.DateField(label="Issued on", widget=forms.DateInput(attrs={"type": "date"}))
    expires_on = forms.DateField(label="Expires on", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.FileField(
        label="Evidence (PDF, PNG or JPEG, up to 5 MB)",
        required=False,
        help_text="Your certificate or the body's confirmation. Only you and the program admins can open it.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("issued_on") and data.get("expires_on") and data["expires_on"] < data["issued_on"]:
            self.add_error("expires_on", "A credential expires after it was issued.")
        return data


class EvidenceForm(forms.Form):
    evidence = forms.FileField(label="Evidence (PDF, PNG or JPEG, up to 5 MB)")
