from __future__ import annotations

from typing import Any

from django import forms

from trellis.coaching.services import MAX_TEXT


class ObjectiveForm(forms.Form):
    text = forms.CharField(label="Objective", widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT)
    shared_with_sponsor = forms.BooleanField(label="Share with my sponsor", required=False)


class CommitmentForm(forms.Form):
    text = forms.CharField(label="Commitment", widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT)
    due_on = forms.DateField(label="Due on", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class NoteForm(forms.Form):
    text = forms.CharField(label="Session note", widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_TEXT)
    shared_with_coachee = forms.BooleanField(label="Share this note with the leader", required=False)


class JournalForm(forms.Form):
    text = forms.CharField(label="New entry", widget=forms.Textarea(attrs={"rows": 5}), max_length=MAX_TEXT)


class PrepForm(forms.Form):
    session = forms.UUIDField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="What do you want to focus on?", widget=forms.Textarea(attrs={"rows": 2}), max_length=MAX_TEXT
    )


class ReferralForm(forms.Form):
    note = forms.CharField(
        label="Private note (only you will see it)", widget=forms.Textarea(attrs={"rows": 3}), max_length=MAX_TEXT
    )


class SettingsForm(forms.Form):
    support_resources = forms.CharField(
        label="Support resources", widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=MAX_TEXT
    )
    confidentiality_terms = forms.CharField(
        label="Confidentiality terms", widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=MAX_TEXT
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
