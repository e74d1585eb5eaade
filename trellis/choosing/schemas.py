"""The chooser's API shapes. `NeedProfileIn` and `RecommendationOut` follow issue 4's schemas exactly."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool, StringConstraints

from trellis.choosing.recommender import NeedProfile

Modality = Literal["training", "mentoring", "coaching", "counselling_referral"]
Answer = Literal[
    "people_with_need",
    "need_kind",
    "content_is_standard",
    "wants_advice",
    "goals_are_clear",
    "confidentiality",
    "includes_personal_goals",
    "expert_available",
    "wants_introductions",
    "months_available",
    "budget_per_person",
    "distress_signals",
]


class NeedProfileIn(Schema):
    """One development need. Unknown fields are refused (422)."""

    model_config = ConfigDict(extra="forbid")

    people_with_need: Annotated[int, Field(ge=1, le=1_000_000, strict=True)] = Field(
        description="How many people share this same need."
    )
    need_kind: Literal["skill", "know_how", "self_leadership", "wellbeing"] = Field(
        description="skill: a defined, teachable skill or body of knowledge · know_how: experience-based career "
        "or organizational know-how and network · self_leadership: one's own thinking, beliefs, values, "
        "decisions, behaviour · wellbeing: persistent distress, anxiety, grief, burnout symptoms."
    )
    content_is_standard: StrictBool = Field(description="The same content would serve everyone with the need.")
    wants_advice: Annotated[int, Field(ge=1, le=5, strict=True)] = Field(
        description="1 = wants to find their own answers … 5 = wants an experienced person's answers."
    )
    goals_are_clear: StrictBool = Field(description="Can state specific goals now.")
    confidentiality: Literal["low", "medium", "high"] = Field(description="How private the subject is.")
    includes_personal_goals: StrictBool = Field(description="Personal life goals are part of it.")
    expert_available: StrictBool = Field(
        description="A more senior person with the relevant experience is available, inside or outside."
    )
    wants_introductions: StrictBool = Field(description="Wants access to people, networks, events.")
    months_available: Annotated[float, Field(gt=0, le=600, allow_inf_nan=False)] = Field(
        description="Time horizon in months."
    )
    budget_per_person: Annotated[float, Field(ge=0, le=1_000_000_000, allow_inf_nan=False)] | None = Field(
        None, description="In the organization's currency; null when unknown."
    )
    distress_signals: StrictBool = Field(description="Signs that professional mental-health support may be needed.")

    def to_profile(self) -> NeedProfile:
        return NeedProfile(**self.model_dump())


class ReasonOut(Schema):
    answer: Answer
    effect: Literal["for", "against"]
    text: str


class RankedOut(Schema):
    modality: Modality
    score: float = Field(ge=0, le=1)
    fit: Literal["strong", "possible", "poor"]
    reasons: list[ReasonOut]


class CautionOut(Schema):
    code: str
    text: str


class PlanStepOut(Schema):
    step: str
    detail: str
    within_weeks: int


class RecommendationOut(Schema):
    top: Modality
    ranking: list[RankedOut] = Field(description="All four modalities, best first.")
    cautions: list[CautionOut]
    plan: list[PlanStepOut]


Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class DevelopmentRequestIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Title = Field(description="A short title; only the requester and the people they share with see it.")
    profile: NeedProfileIn
    share_with: list[UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Member ids to share with: the requester's manager, sponsors or program admins.",
    )


class DevelopmentRequestOut(Schema):
    id: UUID
    title: str
    requester: UUID
    requester_name: str
    status: Literal["open", "accepted", "closed"]
    next_step: Modality | None
    created_at: datetime
    profile: NeedProfileIn
    recommendation: RecommendationOut
    shared_with: list[UUID] | None = Field(description="Only the requester sees whom it is shared with.")


class DevelopmentRequestPageOut(Schema):
    items: list[DevelopmentRequestOut]
    next_cursor: UUID | None


class DevelopmentRequestListQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    cursor: UUID | None = Field(None, description="The `next_cursor` of the previous page.")
