"""Training: programs, cohorts, enrolments, sessions, attendance, and reinforcement cards (FSRS state as columns)."""

from __future__ import annotations

import secrets
import uuid
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now

from trellis.core.models import Membership, Organization

CHECKIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or from a slide


def new_checkin_code() -> str:
    return "".join(secrets.choice(CHECKIN_ALPHABET) for _ in range(6))


class Program(models.Model):
    """A course in the catalogue, with its bank of reinforcement items."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="training_programs")
    title = models.CharField(max_length=200)
    topic = models.CharField(max_length=120, blank=True)
    objectives = models.TextField(blank=True)
    cost = models.DecimalField(max_digits=12, decimal_places=2, default=0, help_text="Total cost of one run.")
    digest_size = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(10)], help_text="Items a learner gets a day."
    )
    mastery_days = models.PositiveIntegerField(
        default=90, validators=[MinValueValidator(1)], help_text="An item retires when its stability passes this."
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Cohort(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    title = models.CharField(max_length=200)
    capacity = models.PositiveIntegerField(default=12, validators=[MinValueValidator(1)])
    starts_on = models.DateField()
    ends_on = models.DateField()
    instructor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="cohorts_taught"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_on", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "Waitlisted"
        CANCELLED = "cancelled", "Cancelled"
        COMPLETED = "completed", "Completed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="training_enrolments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ENROLLED)
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["cohort", "membership"], name="one_enrolment_per_cohort"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["cohort", "status"])]

    def __str__(self) -> str:
        return f"{self.membership_id} in {self.cohort_id}: {self.status}"

    @property
    def holds_seat(self) -> bool:
        return self.status in (self.Status.ENROLLED, self.Status.COMPLETED)


class Session(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(max_length=200, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True, help_text="A room, for an in-person session.")
    online_url = models.URLField(blank=True, help_text="A video-call link, for an online session.")
    checkin_code = models.CharField(max_length=12, default=new_checkin_code)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: raised on every change.")
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title or f"Session {self.starts_at:%Y-%m-%d}"


class Attendance(models.Model):
    class Via(models.TextChoices):
        INSTRUCTOR = "instructor", "Marked by the instructor"
        CHECK_IN = "check_in", "Checked in with the code"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="training_attendance")
    present = models.BooleanField(default=True)
    via = models.CharField(max_length=20, choices=Via.choices)
    at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["session", "membership"], name="one_attendance_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} at {self.session_id}: {self.present}"


class ReinforcementItem(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "Question (multiple choice)"
        PRACTICE = "practice", "Practice challenge (self-rated)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.QUESTION)
    prompt = models.TextField()
    choices = models.JSONField(default=list, blank=True)
    correct = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Index of the right choice (0 first).")
    explanation = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["position", "id"]

    def __str__(self) -> str:
        return self.prompt[:60]


class Card(models.Model):
    """One learner's schedule for one item. FSRS state lives in columns so due cards are an indexed query and
    the forgetting curve can be computed in bulk (see scheduling.py)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="training_cards")
    item = models.ForeignKey(ReinforcementItem, on_delete=models.CASCADE, related_name="cards")
    state = models.PositiveSmallIntegerField(default=1, help_text="fsrs.State: 1 learning, 2 review, 3 relearning")
    step = models.PositiveSmallIntegerField(null=True, blank=True, default=0)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField()
    last_review = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["membership", "item"], name="one_card_per_item"),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["due"], name="card_due_live", condition=models.Q(retired_at__isnull=True, paused=False)
            ),
            models.Index(fields=["membership", "due"]),
        ]

    def __str__(self) -> str:
        return f"card {self.public_id}"


class Review(models.Model):
    """One answer. The learner's own (tier 5): only they see it; programs see aggregates."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(4)])
    choice = models.PositiveSmallIntegerField(null=True, blank=True)
    correct = models.BooleanField(null=True, blank=True)
    at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["card", "at"])]

    def __str__(self) -> str:
        return f"review {self.pk}"


class ObservationRequest(models.Model):
    """Kirkpatrick level 3: 30 and 60 days after the course the manager is asked whether they saw it applied."""

    class Seen(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"
        NOT_OBSERVED = "not_observed", "I have not been able to observe"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="observations")
    manager = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    after_days = models.PositiveSmallIntegerField()
    asked_at = models.DateTimeField(default=now)
    applied = models.BooleanField(null=True, blank=True)
    answer = models.CharField(max_length=20, choices=Seen.choices, blank=True)
    comment = models.TextField(blank=True, help_text="The manager's own words.")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["enrolment", "after_days"], name="one_observation_per_checkpoint"),
        ]

    def __str__(self) -> str:
        return f"L3 {self.after_days}d for {self.enrolment_id}"


class Digest(models.Model):
    """One learner's daily digest (in-app and e-mail), once per local day: the tick's idempotency record."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="training_digests")
    day = models.DateField(help_text="The learner's local date.")
    items = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["membership", "day"], name="one_digest_per_day"),
        ]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"digest {self.membership_id} {self.day}"


class Reaction(models.Model):
    """Kirkpatrick level 1: one learner's reaction to one session they attended (1–5, optional comment)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reactions")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, max_length=2000)
    at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["session", "membership"], name="one_reaction_per_session"),
        ]

    def __str__(self) -> str:
        return f"reaction {self.pk}"


class QuizAttempt(models.Model):
    """Kirkpatrick level 2: the program's questions before the first session and after the last. The score is
    the learner's alone; the program sees cohort averages."""

    class Phase(models.TextChoices):
        PRE = "pre", "Before the course"
        POST = "post", "After the course"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="quiz_attempts")
    phase = models.CharField(max_length=10, choices=Phase.choices)
    correct = models.PositiveSmallIntegerField()
    total = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["enrolment", "phase"], name="one_quiz_per_phase"),
        ]

    def __str__(self) -> str:
        return f"quiz {self.phase} {self.enrolment_id}"

    @property
    def score(self) -> float:
        return self.correct / self.total if self.total else 0.0


class Material(models.Model):
    """A title and link for a cohort (or one of its sessions), for its enrolled learners and instructor."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="materials")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(max_length=200)
    url = models.URLField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title
