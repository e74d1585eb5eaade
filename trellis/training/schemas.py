"""The shapes of the training API."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import ConfigDict


class CohortOut(Schema):
    id: UUID
    title: str
    starts_on: date
    ends_on: date
    capacity: int
    seats_taken: int
    waitlisted: int
    status: str
    instructor: str | None


class ProgramOut(Schema):
    id: UUID
    title: str
    topic: str
    objectives: str
    digest_size: int
    cohorts: list[CohortOut]


class ProgramListOut(Schema):
    items: list[ProgramOut]


class DueItemOut(Schema):
    id: UUID = Field(description="The card's id: pass it as `item_id` to answer.")
    item: UUID = Field(description="The reinforcement item this card schedules.")
    program: str
    kind: str = Field(description="`question` (answer with `choice`) or `practice` (answer with `rating`).")
    prompt: str
    choices: list[str]
    due: datetime


class DueListOut(Schema):
    items: list[DueItemOut]


class AnswerIn(Schema):
    """A question takes `choice` (0-based index); a practice challenge takes `rating` 1–4 (again … easy).
    The one the item does not take is ignored; the one it takes missing is a 422."""

    choice: int | None = Field(None, ge=0, le=50)
    rating: int | None = Field(None, ge=1, le=4)


class AnswerOut(Schema):
    correct: bool | None = Field(description="Null for a self-rated practice challenge.")
    explanation: str
    rating: int = Field(description="The FSRS grade given: 1 again, 2 hard, 3 good, 4 easy.")
    due: datetime = Field(description="When the item comes back.")
    retired: bool = Field(description="True once the item is mastered.")


class EnrolmentOut(Schema):
    id: UUID
    program: str
    cohort: UUID
    cohort_title: str
    starts_on: date
    status: str
    waitlist_position: int | None
    sessions_attended: int


class EnrolmentListOut(Schema):
    items: list[EnrolmentOut]


class SessionOut(Schema):
    id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    online_url: str
    cancelled: bool
    present: int


class SessionListOut(Schema):
    items: list[SessionOut]


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    session: UUID
    member: UUID
    present: bool


class AttendanceOut(Schema):
    session: UUID
    member: UUID
    present: bool
