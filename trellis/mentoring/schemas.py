"""The shapes of the mentoring API.

Bodies have defaults where they can: the access check runs before the service validates the text, so a caller in
the wrong role gets 403/404 — never a hint about the body. A missing or empty text is a 422.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import StringConstraints

from trellis.core.schemas import Text

Body = Annotated[Text, StringConstraints(max_length=10_000)]
Short = Annotated[Text, StringConstraints(max_length=200)]

# --- Programs, profiles, applications, matching (program side) ---------------------------------------------
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class ProgramIn(Schema):
    name: Short = Field("", description="Required.")
    description: Body = ""
    starts_on: date | None = Field(None, description="Required.")
    ends_on: date | None = Field(None, description="Required; not before starts_on.")
    joining: Literal["application", "invitation"] = "application"
    matching: Literal["admin", "pick", "both"] = "both"
    chemistry_weeks: int = Field(3, ge=1, le=12)
    rules: Body = ""
    at_risk_weeks: int = Field(4, ge=1, le=52)


class MentoringProgramOut(Schema):
    id: UUID
    name: str
    description: str
    starts_on: date
    ends_on: date
    joining: str
    matching: str
    chemistry_weeks: int
    rules: str
    at_risk_weeks: int
    status: str
    admin: str | None = Field(description="The program admin's name.")


class MentoringProgramListOut(Schema):
    items: list[MentoringProgramOut]


class MentorProfileIn(Schema):
    expertise: list[Tag] = Field(default_factory=list, max_length=12)
    capacity: int = Field(2, ge=0, le=20)
    bio: Body = ""
    is_active: bool = True


class MentorProfileOut(Schema):
    id: UUID
    member_id: UUID
    name: str
    title: str
    expertise: list[str]
    capacity: int
    live_pairs: int
    languages: list[str]
    timezone: str
    bio: str
    is_active: bool


class MentorProfileListOut(Schema):
    items: list[MentorProfileOut]


class ApplicationGoalIn(Schema):
    text: Body = Field("", description="Required.")
    tags: list[Tag] = Field(default_factory=list, max_length=12, description="At least one.")


class ApplicationIn(Schema):
    goals: list[ApplicationGoalIn] = Field(default_factory=list, max_length=5, description="At least one.")
    preferences: list[UUID] = Field(
        default_factory=list, max_length=3, description="Mentor profile ids from your shortlist, 1st choice first."
    )


class ApplicationGoalOut(Schema):
    id: UUID
    text: str
    tags: list[str]
    status: str


class ApplicationOut(Schema):
    id: UUID
    program_id: UUID
    status: Literal["open", "matched", "withdrawn"]
    goals: list[ApplicationGoalOut]
    preferences: list[UUID] = Field(description="Mentor profile ids, 1st choice first.")


class FitOut(Schema):
    mentor_profile_id: UUID
    name: str
    percent: int = Field(description="The score as a percentage of the best possible.")
    goal: float
    timezone: float
    department: float
    preference: float
    reasons: list[str]


class ShortlistOut(Schema):
    items: list[FitOut]


class RunIn(Schema):
    objective: Literal["participation", "score"] = "participation"


class ProposalOut(Schema):
    mentee: str
    application_id: UUID
    mentor: str | None
    mentor_profile_id: UUID | None
    score: float
    parts: dict[str, float]
    goal_count: int = Field(description="How many goals the mentee has (never their text).")
    reason: str = Field(description="Why unmatched: no_eligible_mentor, capacity_exhausted, no_goals, unassigned.")
    edited: bool


class RunOut(Schema):
    id: UUID
    program_id: UUID
    status: Literal["queued", "running", "ready", "published", "failed", "discarded"]
    objective: str
    progress: float
    matched: int
    total_score: float
    proposals: list[ProposalOut]


class MentoringRespondIn(Schema):
    accept: bool = Field(description="true: accept the proposed mentee; false: decline.")


# --- Pairs ---------------------------------------------------------------------------------------------------
class MentoringPersonOut(Schema):
    id: UUID = Field(description="The member's id in this organization.")
    name: str


class PairOut(Schema):
    id: UUID
    program: str
    program_id: UUID
    mentee: MentoringPersonOut
    mentor: MentoringPersonOut
    status: Literal["proposed", "active", "declined", "rematch", "ended"]
    accepted_at: datetime | None
    ended_at: datetime | None
    chemistry_ends_on: date | None


class PairListOut(Schema):
    items: list[PairOut]


class GoalIn(Schema):
    text: Body = Field("", description="Required.")
    tags: list[Short] = Field(default_factory=list)


class GoalPatchIn(Schema):
    text: Body | None = None
    tags: list[Short] | None = None
    progress: int | None = Field(None, ge=0, le=100)
    status: Literal["open", "achieved", "dropped"] | None = None


class GoalOut(Schema):
    id: UUID
    text: str
    tags: list[str]
    progress: int
    status: str
    updated_at: datetime


class GoalListOut(Schema):
    items: list[GoalOut]


class MeetingIn(Schema):
    starts_at: datetime = Field(description="With its UTC offset; stored in UTC.")
    minutes: int = Field(60, ge=15, le=480)
    location: Short = ""
    agenda: Body = ""


class MeetingPatchIn(Schema):
    starts_at: datetime | None = None
    minutes: int | None = Field(None, ge=15, le=480)
    location: Short | None = None
    cancel: bool = Field(False, description="Cancel the meeting (both sides get METHOD:CANCEL).")


class MeetingRecordIn(Schema):
    agenda: Body | None = Field(None, description="Before the meeting.")
    log: Body | None = Field(None, description="After the meeting; a non-empty log marks it held.")


class MeetingOut(Schema):
    id: UUID
    starts_at: datetime
    minutes: int
    location: str
    status: str
    sequence: int
    agenda: str | None
    log: str | None


class MeetingListOut(Schema):
    items: list[MeetingOut]


class SuggestionIn(Schema):
    text: Body = Field("", description="Required.")


class SuggestionPatchIn(Schema):
    status: Literal["accepted", "declined", "done"]
    reason: Body = Field("", description="Optional, when declining.")


class SuggestionOut(Schema):
    id: UUID
    text: str
    status: str
    decline_reason: str | None
    created_at: datetime
    responded_at: datetime | None
    done_at: datetime | None


class SuggestionListOut(Schema):
    items: list[SuggestionOut]


class IntroductionIn(Schema):
    kind: Literal["member", "email", "event"]
    to_member: UUID | None = None
    to_email: Short = ""
    to_name: Short = ""
    event: Body = Field("", description="For an event: its name, date and link.")
    why: Body = ""


class IntroductionRespondIn(Schema):
    accept: bool


class IntroductionOut(Schema):
    id: UUID
    kind: str
    status: str
    to_member: MentoringPersonOut | None
    to_name: str
    event: str | None
    why: str | None
    contact: str | None = Field(description="The other person's e-mail, once the introduction is accepted.")
    created_at: datetime


class IntroductionListOut(Schema):
    items: list[IntroductionOut]


class MentoringNoteIn(Schema):
    text: Body = Field("", description="Required.")


class NoteShareIn(Schema):
    member: UUID = Field(description="The member to share with (or to stop sharing with).")


class MentoringNoteOut(Schema):
    id: UUID
    pair_id: UUID
    author: MentoringPersonOut
    text: str
    mine: bool
    shared_with: list[MentoringPersonOut] = Field(description="Only for your own notes.")
    created_at: datetime


class MentoringNoteListOut(Schema):
    items: list[MentoringNoteOut]


class ReflectionIn(Schema):
    text: Body = Field("", description="Required.")


class ReflectionOut(Schema):
    id: UUID
    author: MentoringPersonOut
    text: str
    created_at: datetime


class ReflectionListOut(Schema):
    items: list[ReflectionOut]
