"""Simple forms for training pages (rendered with _form.html)."""

from __future__ import annotations

from typing import Any

from django import forms

from trellis.core.models import Membership, Organization, Role
from trellis.training.models import Cohort, ObservationRequest, Program, ReinforcementItem, Session


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ("title", "topic", "objectives", "cost", "digest_size", "mastery_days")
        widgets = {"objectives": forms.Textarea(attrs={"rows": 4})}


class CohortForm(forms.Form):
    title = forms.CharField(max_length=200)
    starts_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    capacity = forms.IntegerField(min_value=1, max_value=1000, initial=12)
    instructor = forms.ModelChoiceField(queryset=Membership.objects.none(), required=False)
    status = forms.ChoiceField(choices=Cohort.Status.choices, initial=Cohort.Status.PLANNED)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["instructor"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Membership.objects.active()
            .with_role(Role.INSTRUCTOR)
            .filter(organization=organization)
            .select_related("user")
            .order_by("user__full_name")
        )
        field.label_from_instance = lambda m: m.user.full_name  # type: ignore[method-assign,assignment]


class SessionForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    starts_at = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(max_length=200, required=False, help_text="A room, for an in-person session.")
    online_url = forms.URLField(required=False, label="Online link", help_text="For an online session.")


class ItemForm(forms.Form):
    kind = forms.ChoiceField(choices=ReinforcementItem.Kind.choices)
    prompt = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    choices = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="For a question: one choice per line.",
        max_length=2000,
    )
    correct = forms.IntegerField(
        min_value=1, required=False, label="Right choice", help_text="Its line number (1 first)."
    )
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class CheckInForm(forms.Form):
    code = forms.CharField(max_length=12, label="Code shown in the room")


class ObservationForm(forms.Form):
    answer = forms.ChoiceField(
        choices=ObservationRequest.Seen.choices, widget=forms.RadioSelect, label="Have you seen it applied?"
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label="Comment (optional)"
    )


class ReactionForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        label="How useful was this session? (1 not at all – 5 very)",
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000, label="Comment (optional)"
    )


class MaterialForm(forms.Form):
    title = forms.CharField(max_length=200)
    url = forms.URLField(label="Link")
    session = forms.ModelChoiceField(
        queryset=Session.objects.none(), required=False, help_text="Leave empty for the whole cohort."
    )

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["session"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = cohort.sessions.filter(cancelled_at__isnull=True)


class AssignForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Membership.objects.none(), label="Person to enrol")

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people
        field.label_from_instance = lambda m: m.user.full_name  # type: ignore[method-assign,assignment]
