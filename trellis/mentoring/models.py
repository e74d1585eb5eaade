"""Mentoring (issue 5): programs, mentor profiles, mentee applications with goals, matching runs and their
proposals, and the pairs with what happens in them (goals, meetings, notes, suggestions, introductions,
reflections).

Tiers (docs/access.md): that a program, profile or pair exists and its logistics are T1/T2; goal texts, meeting
agendas and logs, notes, suggestions, introductions and reflections are T3 — every such free text is a
:class:`SealedTextField` (vault ciphertext in the column). Program admins see counts, never these texts.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now

from trellis.core.models import Membership, OrgOwned
from trellis.core.vault import SealedTextField

DEFAULT_WEIGHTS = {"goal": 0.5, "timezone": 0.2, "department": 0.1, "preference": 0.2}


def _default_weights() -> dict[str, float]:
    return dict(DEFAULT_WEIGHTS)


class Program(OrgOwned):
    class Joining(models.TextChoices):
        APPLICATION = "application", "Anyone in the organization may apply"
        INVITATION = "invitation", "By invitation of the program admin"

    class Matching(models.TextChoices):
        ADMIN = "admin", "The program admin runs optimal matching"
        PICK = "pick", "Mentees pick from their shortlist"
        BOTH = "both", "Both: mentees state preferences, the admin runs matching"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for applications"
        RUNNING = "running", "Running"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    admin = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Program admin."
    )
    joining = models.CharField(max_length=12, choices=Joining.choices, default=Joining.APPLICATION)
    matching = models.CharField(max_length=8, choices=Matching.choices, default=Matching.BOTH)
    chemistry_weeks = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(12)], help_text="Weeks of the chemistry check."
    )
    rules = models.TextField(blank=True, help_text="What the program expects of mentors and mentees.")
    weights = models.JSONField(default=_default_weights)
    at_risk_weeks = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1)], help_text="A pair with no meeting for this long is at risk."
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-starts_on", "name"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="program_dates_order")
        ]

    def __str__(self) -> str:
        return self.name


class Invitation(OrgOwned):
    """For an invitation-only program: who may apply (as mentee) or join as mentor."""

    class As(models.TextChoices):
        MENTEE = "mentee", "Mentee"
        MENTOR = "mentor", "Mentor"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="invitations")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    invited_as = models.CharField(max_length=6, choices=As.choices)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["program", "member", "invited_as"], name="one_invitation_per_role")
        ]

    def __str__(self) -> str:
        return f"invitation {self.public_id}"


class MentorProfile(OrgOwned):
    """A mentor in a program. Languages and time zone come from the membership."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="mentors")
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentor_profiles")
    expertise = models.JSONField(default=list, blank=True, help_text="Tags.")
    capacity = models.PositiveSmallIntegerField(default=2, validators=[MaxValueValidator(20)], help_text="Max mentees.")
    bio = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["program", "member"], name="one_mentor_profile_per_program")
        ]

    def __str__(self) -> str:
        return f"mentor profile {self.public_id}"


class Application(OrgOwned):
    """A mentee's application to a program: goals (required before matching) and up to 3 ranked mentors."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for a match"
        MATCHED = "matched", "Matched"
        WITHDRAWN = "withdrawn", "Withdrawn"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="applications")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentoring_applications")
    preferences = models.ManyToManyField(MentorProfile, through="Preference", related_name="+", blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["program", "mentee"], name="one_application_per_program")
        ]

    def __str__(self) -> str:
        return f"application {self.public_id}"


class Preference(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="ranked")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(3)])

    class Meta:
        ordering: ClassVar[list[str]] = ["rank"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["application", "rank"], name="one_mentor_per_rank"),
            models.UniqueConstraint(fields=["application", "mentor"], name="one_rank_per_mentor"),
        ]

    def __str__(self) -> str:
        return f"preference {self.rank}"


class Goal(OrgOwned):
    """A mentee's goal (T3: its text is sealed). Tags are what matching compares with mentors' expertise."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="goals")
    text = SealedTextField()
    tags = models.JSONField(default=list, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)], help_text="Percent.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"goal {self.public_id}"


class MatchRun(OrgOwned):
    """One run of the matching engine over a program's open applications; a proposal until published."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        READY = "ready", "Ready for review"
        PUBLISHED = "published", "Published"
        FAILED = "failed", "Failed"
        DISCARDED = "discarded", "Discarded"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="runs")
    started_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    objective = models.CharField(max_length=16, default="participation")
    weights = models.JSONField(default=_default_weights)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0.0)
    error = models.TextField(blank=True)
    matched = models.PositiveIntegerField(default=0)
    total_score = models.FloatField(default=0.0)
    created_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"match run {self.public_id}"


class Proposal(models.Model):
    """One line of a run: a mentee with the proposed mentor and the score parts, or unmatched with a reason."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(MentorProfile, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    parts = models.JSONField(
        default=dict, blank=True
    )  # {"goal": .., "timezone": .., "department": .., "preference": ..}
    score = models.FloatField(default=0.0)
    reason = models.CharField(max_length=32, blank=True)  # when unmatched: no_eligible_mentor | capacity_exhausted
    edited = models.BooleanField(default=False, help_text="Changed by hand after the run.")

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["run", "application"], name="one_proposal_per_application")
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk}"


class Pair(OrgOwned):
    """A mentee and a mentor in a program. Proposed until the mentor accepts; after the chemistry check either
    side may ask for a rematch (the earlier mentor is then excluded for this mentee)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the mentor"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined by the mentor"
        REMATCH = "rematch", "Ended for a rematch"
        ENDED = "ended", "Ended"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pairs")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="pairs")
    mentee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="mentoring_as_mentee")
    mentor = models.ForeignKey(MentorProfile, on_delete=models.CASCADE, related_name="pairs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    score = models.FloatField(default=0.0)
    parts = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"pair {self.public_id}"

    @property
    def live(self) -> bool:
        return self.status in (self.Status.PROPOSED, self.Status.ACTIVE)

    def chemistry_ends_on(self) -> date | None:
        if self.accepted_at is None:
            return None
        return (self.accepted_at + timedelta(weeks=self.program.chemistry_weeks)).date()


class Meeting(OrgOwned):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField()
    minutes = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(15), MaxValueValidator(480)])
    location = models.CharField(max_length=200, blank=True)
    agenda = SealedTextField(blank=True, null=True)
    log = SealedTextField(blank=True, null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on every change.")

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"meeting {self.public_id}"


class Note(OrgOwned):
    """A note written by one side of a pair; private to its author unless shared (revocable at once)."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    text = SealedTextField()
    shared_with = models.ManyToManyField(Membership, blank=True, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note {self.public_id}"


class Suggestion(OrgOwned):
    """The mentor proposes; the mentee accepts, declines (optionally saying why) or marks it done."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        DONE = "done", "Done"

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="suggestions")
    text = SealedTextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    decline_reason = SealedTextField(blank=True, null=True)
    created_at = models.DateTimeField(default=now)
    responded_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"suggestion {self.public_id}"


class Introduction(OrgOwned):
    """The mentor proposes introducing the mentee to a member, an outside person (by e-mail) or an event. The
    introduced person accepts before any contact details are shared."""

    class Kind(models.TextChoices):
        MEMBER = "member", "A member of the organization"
        EMAIL = "email", "Someone outside, by e-mail"
        EVENT = "event", "An event"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for the introduced person"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="introductions")
    kind = models.CharField(max_length=6, choices=Kind.choices)
    to_member = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    to_email = SealedTextField(blank=True, null=True)  # an outsider's address: personal data, sealed
    to_name = models.CharField(max_length=200, blank=True)
    event = SealedTextField(blank=True, null=True)  # the event's name, date and link
    why = SealedTextField(blank=True, null=True)  # the mentor's reason for the introduction
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe, editable=False)
    created_at = models.DateTimeField(default=now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"introduction {self.public_id}"


class Reflection(OrgOwned):
    """Each side's reflection when a pair ends."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="reflections")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    text = SealedTextField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["pair", "author"], name="one_reflection_per_side")
        ]

    def __str__(self) -> str:
        return f"reflection {self.public_id}"
