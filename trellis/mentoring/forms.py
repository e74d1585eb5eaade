from __future__ import annotations

from typing import Any, ClassVar

from django import forms

from trellis.mentoring.models import Goal, Invitation, Program

MAX_TEXT = 10_000


# --- Programs, profiles, applications, matching (program side) ---------------------------------------------
class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = [
            "name",
            "description",
            "starts_on",
            "ends_on",
            "joining",
            "matching",
            "chemistry_weeks",
            "at_risk_weeks",
            "rules",
        ]
        widgets: ClassVar[dict[str, Any]] = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "rules": forms.Textarea(attrs={"rows": 3}),
        }
        labels: ClassVar[dict[str, str]] = {
            "joining": "Who may join",
            "matching": "Matching mode",
            "chemistry_weeks": "Chemistry check after (weeks)",
            "at_risk_weeks": "At risk after (weeks without a meeting)",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The program cannot end before it starts.")
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(label="Member's e-mail")
    invited_as = forms.ChoiceField(label="Invite as", choices=Invitation.As.choices)


class ExternalMentorForm(forms.Form):
    full_name = forms.CharField(label="Name", max_length=200)
    email = forms.EmailField(label="E-mail")
    expertise = forms.CharField(label="Expertise tags (comma-separated)", max_length=400, required=False)
    capacity = forms.IntegerField(label="Capacity (max mentees)", min_value=1, max_value=20, initial=2)


class MentorProfileForm(forms.Form):
    expertise = forms.CharField(label="Expertise tags (comma-separated)", max_length=400)
    capacity = forms.IntegerField(label="Capacity (max mentees)", min_value=0, max_value=20, initial=2)
    bio = forms.CharField(label="About you", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    is_active = forms.BooleanField(label="Take new mentees", required=False, initial=True)


class GoalForm(forms.Form):
    text = forms.CharField(label="Goal", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    tags = forms.CharField(
        label="Tags (comma-separated)", max_length=400, help_text="Matching compares them with mentors' expertise."
    )


class ApplyForm(GoalForm):
    text = forms.CharField(label="Your first goal", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PreferencesForm(forms.Form):
    """Up to three mentors from the mentee's shortlist, 1st choice first."""

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", "—"), *choices]
        for rank, label in ((1, "1st choice"), (2, "2nd choice"), (3, "3rd choice")):
            self.fields[f"choice_{rank}"] = forms.ChoiceField(label=label, choices=options, required=False)

    def ranked(self) -> list[str]:
        return [v for v in (self.cleaned_data.get(f"choice_{r}") for r in (1, 2, 3)) if v]


class RunForm(forms.Form):
    objective = forms.ChoiceField(
        label="Objective",
        choices=[
            ("participation", "Match as many mentees as possible, then the best fit"),
            ("score", "Best total fit"),
        ],
    )


# --- Pairs ---------------------------------------------------------------------------------------------------
class PairGoalForm(forms.Form):
    text = forms.CharField(label="Goal", widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT)
    tags = forms.CharField(label="Tags (comma-separated)", required=False, max_length=400)


class GoalProgressForm(forms.Form):
    text = forms.CharField(label="Goal", widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT)
    tags = forms.CharField(label="Tags (comma-separated)", required=False, max_length=400)
    progress = forms.IntegerField(label="Progress (%)", min_value=0, max_value=100)
    status = forms.ChoiceField(label="Status", choices=Goal.Status.choices)


class MeetingForm(forms.Form):
    """Times are entered in the viewer's own time zone (the view makes them aware) and stored in UTC."""

    starts_at = forms.DateTimeField(
        label="Starts at (your time)", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    minutes = forms.IntegerField(label="Minutes", min_value=15, max_value=480, initial=60)
    location = forms.CharField(label="Where (room or link)", required=False, max_length=200)


class MeetingRecordForm(forms.Form):
    agenda = forms.CharField(
        label="Agenda (before)", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_TEXT
    )
    log = forms.CharField(
        label="Log (after: marks the meeting held)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=MAX_TEXT,
    )


class PairNoteForm(forms.Form):
    text = forms.CharField(label="Private note", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT)


class SuggestionForm(forms.Form):
    text = forms.CharField(label="Suggestion", widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT)


class IntroductionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Introduce to",
        choices=[
            ("member", "A member of the organization"),
            ("email", "Someone outside, by e-mail"),
            ("event", "An event"),
        ],
        widget=forms.RadioSelect,
    )
    to_member = forms.ChoiceField(label="Member", required=False)
    to_email = forms.EmailField(label="Their e-mail (outside)", required=False)
    to_name = forms.CharField(label="Their name (outside)", required=False, max_length=200)
    event = forms.CharField(
        label="Event: name, date and link", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    why = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=MAX_TEXT)

    def __init__(self, *args: Any, members: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_member"].choices = [("", "—"), *(members or [])]  # type: ignore[attr-defined]


class ReflectionForm(forms.Form):
    text = forms.CharField(label="Your reflection", widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT)
