"""The questionnaire (one form, shown step by step with htmx), sharing, acting and the organization's tuning."""

from __future__ import annotations

from typing import Any

from django import forms

from trellis.choosing.recommender import (
    ANSWERS,
    DEFAULT_COSTS,
    LABELS,
    MAX_COST,
    MAX_WEIGHT,
    MODALITIES,
    ChooserSettings,
    NeedProfile,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        help_text=help_text,
    )


# Short names of the answers, for reasons, tables and charts.
ANSWER_LABELS = {
    "people_with_need": "People with the need",
    "need_kind": "Kind of need",
    "content_is_standard": "Standard content",
    "wants_advice": "Wants advice",
    "goals_are_clear": "Clear goals",
    "confidentiality": "Confidentiality",
    "includes_personal_goals": "Personal goals",
    "expert_available": "Experienced person available",
    "wants_introductions": "Wants introductions",
    "months_available": "Months available",
    "budget_per_person": "Budget per person",
    "distress_signals": "Signs of distress",
    "start": "Starting point",
}


class ProfileForm(forms.Form):
    """The chooser's questions. Field names are the API's NeedProfile fields."""

    need_kind = forms.ChoiceField(
        label="What kind of need is it?",
        widget=forms.RadioSelect,
        choices=[
            ("skill", "A defined, teachable skill or body of knowledge (e.g. giving feedback, budgeting)"),
            ("know_how", "Experience-based know-how about careers or the organization, and a network"),
            ("self_leadership", "Their own thinking, beliefs, values, decisions or behaviour"),
            ("wellbeing", "Persistent distress, anxiety, grief or signs of burnout"),
        ],
    )
    people_with_need = forms.IntegerField(
        label="How many people share this same need?", min_value=1, max_value=1_000_000, initial=1
    )
    content_is_standard = _yes_no("Would the same content serve everyone with this need?")
    wants_advice = forms.TypedChoiceField(
        label="Do they want to find their own answers, or hear an experienced person's?",
        widget=forms.RadioSelect,
        coerce=int,
        choices=[
            ("1", "1 — find my own answers"),
            ("2", "2"),
            ("3", "3 — a bit of both"),
            ("4", "4"),
            ("5", "5 — hear an experienced person's answers"),
        ],
    )
    goals_are_clear = _yes_no("Can they state specific goals now?")
    includes_personal_goals = _yes_no("Are personal life goals part of it?")
    wants_introductions = _yes_no("Do they want introductions to people, networks or events?")
    confidentiality = forms.ChoiceField(
        label="How private is the subject?",
        widget=forms.RadioSelect,
        choices=[("low", "Low — fine to discuss openly"), ("medium", "Medium"), ("high", "High — strictly private")],
    )
    distress_signals = _yes_no(
        "Are there signs that professional mental-health support may be needed?",
        "For example persistent distress, anxiety, grief or symptoms of burnout.",
    )
    expert_available = _yes_no("Is a more senior person with the relevant experience available, inside or outside?")
    months_available = forms.FloatField(label="How many months are available?", min_value=0.1, max_value=600, initial=6)
    budget_per_person = forms.FloatField(
        label="Budget per person (optional)",
        required=False,
        min_value=0,
        max_value=1_000_000_000,
        help_text="In your organization's currency; leave empty if not known.",
    )

    STEPS: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("The need", ("need_kind", "people_with_need", "content_is_standard")),
        (
            "How they like to learn",
            ("wants_advice", "goals_are_clear", "includes_personal_goals", "wants_introductions"),
        ),
        ("Privacy and wellbeing", ("confidentiality", "distress_signals")),
        ("Time, people and money", ("expert_available", "months_available", "budget_per_person")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("months_available", "budget_per_person"):
            self.fields[name].widget.attrs.update(step="any", inputmode="decimal")

    def to_profile(self) -> NeedProfile:
        data = self.cleaned_data
        budget = data.get("budget_per_person")
        return NeedProfile(
            people_with_need=data["people_with_need"],
            need_kind=data["need_kind"],
            content_is_standard=data["content_is_standard"],
            wants_advice=data["wants_advice"],
            goals_are_clear=data["goals_are_clear"],
            confidentiality=data["confidentiality"],
            includes_personal_goals=data["includes_personal_goals"],
            expert_available=data["expert_available"],
            wants_introductions=data["wants_introductions"],
            months_available=float(data["months_available"]),
            distress_signals=data["distress_signals"],
            budget_per_person=None if budget is None else float(budget),
        )

    def steps(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.STEPS]


def profile_query(profile: dict[str, Any]) -> dict[str, str]:
    """A profile (as stored or as a dataclass dict) as the questionnaire's GET parameters."""
    out: dict[str, str] = {}
    for name in ANSWERS:
        value = profile.get(name)
        if value is None:
            out[name] = ""
        elif isinstance(value, bool):
            out[name] = "yes" if value else "no"
        elif isinstance(value, float) and value.is_integer():
            out[name] = str(int(value))
        else:
            out[name] = str(value)
    return out


class SaveRequestForm(ProfileForm):
    title = forms.CharField(
        label="A short title for this need",
        max_length=200,
        help_text="Only you and the people you share it with will see it.",
    )


class ShareForm(forms.Form):
    membership = forms.ChoiceField(label="Share with")

    def __init__(self, *args: Any, candidates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {str(m.public_id): m for m in candidates}
        self.fields["membership"].choices = [  # type: ignore[attr-defined]
            (str(m.public_id), f"{m.user.full_name} — {m.title or ', '.join(m.role_labels)}") for m in candidates
        ]

    def chosen(self) -> Any:
        return self.candidates[self.cleaned_data["membership"]]


class ConfigForm(forms.Form):
    """Weights per answer (0–3, 1 = as designed) and the cost per person of each modality."""

    def __init__(self, *args: Any, settings: ChooserSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for answer in ANSWERS:
            self.fields[f"w_{answer}"] = forms.FloatField(
                label=ANSWER_LABELS[answer],
                min_value=0,
                max_value=MAX_WEIGHT,
                initial=settings.weight(answer),
                widget=forms.NumberInput(attrs={"step": "0.1"}),
            )
        for modality in MODALITIES:
            self.fields[f"c_{modality}"] = forms.FloatField(
                label=f"Cost per person: {LABELS[modality].lower()}",
                min_value=0,
                max_value=MAX_COST,
                initial=settings.cost(modality),
                help_text=f"Default {DEFAULT_COSTS[modality]:,.0f}.",
                widget=forms.NumberInput(attrs={"step": "any"}),
            )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"w_{a}"] for a in ANSWERS]

    def cost_fields(self) -> list[forms.BoundField]:
        return [self[f"c_{m}"] for m in MODALITIES]

    def values(self) -> tuple[dict[str, float], dict[str, float]]:
        data = self.cleaned_data
        return {a: data[f"w_{a}"] for a in ANSWERS}, {m: data[f"c_{m}"] for m in MODALITIES}
