"""The shapes of the coaching API.

Bodies have defaults on purpose: the access check runs before the service validates the text, so a caller in
the wrong role always gets 403/404 — never a hint about the body. A missing or empty ``text`` is a 422.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import StringConstraints

from trellis.core.schemas import Text

Body = Annotated[Text, StringConstraints(max_length=10_000)]


class PersonOut(Schema):
    id: UUID = Field(description="The member's id in this organization.")
    name: str


class EngagementOut(Schema):
    id: UUID
    coachee: PersonOut
    coach: PersonOut
    status: Literal["proposed", "active", "paused", "closed"]
    starts_on: date
    ends_on: date
    sessions_used: int = Field(description="Sessions held or no-show.")
    sessions_budget: int


class EngagementListOut(Schema):
    items: list[EngagementOut]


class ObjectiveIn(Schema):
    text: Body = Field("", description="Required.")
    shared_with_sponsor: bool = Field(False, description="The leader's choice; private unless true.")


class ObjectiveOut(Schema):
    id: UUID
    text: str
    shared_with_sponsor: bool
    created_at: datetime


class ObjectiveListOut(Schema):
    items: list[ObjectiveOut]


class NoteIn(Schema):
    text: Body = Field("", description="Required.")
    shared_with_coachee: bool = False


class NoteOut(Schema):
    id: UUID
    text: str
    shared_with_coachee: bool
    created_at: datetime


class NoteListOut(Schema):
    items: list[NoteOut]


class CommitmentIn(Schema):
    text: Body = Field("", description="Required.")
    due_on: date | None = None


class CommitmentPatchIn(Schema):
    text: Body | None = None
    due_on: date | None = None
    status: Literal["open", "done", "dropped"] | None = None
    accept: bool = Field(False, description="Accept a commitment your coach proposed as yours.")


class CommitmentOut(Schema):
    id: UUID
    text: str
    due_on: date | None
    status: str
    proposed_by_coach: bool
    accepted: bool
    created_at: datetime


class CommitmentListOut(Schema):
    items: list[CommitmentOut]


class JournalIn(Schema):
    text: Body = Field("", description="Required.")


class JournalOut(Schema):
    id: UUID
    text: str
    created_at: datetime


class JournalListOut(Schema):
    items: list[JournalOut]


class ReferralIn(Schema):
    note: Body = Field("", description="Required: the coach's private note.")


class ReferralOut(Schema):
    id: UUID
    note: str
    at: datetime
    resolved_at: datetime | None


class ReferralListOut(Schema):
    items: list[ReferralOut]
