"""Coaching: coaches and their credentials, engagements with a three-way agreement, and the confidential
content of an engagement (objectives, session prep, notes, commitments, referral, the leader's journal).

Every free text of tier 4–5 is a :class:`SealedTextField`: the column holds vault ciphertext only.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.timezone import now

from trellis.core.models import Membership, Organization
from trellis.core.vault import SealedTextField


class CoachingSettings(models.Model):
    """Per-organization texts: the support resources a leader sees after a referral (set by the org admin)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="coaching_settings")
    support_resources = models.TextField(
        blank=True, help_text="Shown to a leader whose coach suggested professional support (EAP, helplines)."
    )
    confidentiality_terms = models.TextField(blank=True, help_text="What the sponsor will and will not see.")

    class Meta:
        verbose_name_plural = "coaching settings"

    def __str__(self) -> str:
        return f"coaching settings {self.organization_id}"


class CoachProfile(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(Membership, on_delete=models.CASCADE, related_name="coach_profile")
    specialties = models.JSONField(default=list, blank=True)
    languages = models.JSONField(default=list, blank=True)
    bio = models.TextField(blank=True)
    capacity = models.PositiveSmallIntegerField(default=5, help_text="Engagements the coach takes at once.")

    def __str__(self) -> str:
        return f"coach {self.membership_id}"

    def offerable(self, today: date) -> bool:
        """Offered for new engagements only with a verified, unexpired credential and the ethics code acknowledged."""
        return self.valid_credentials(today).exists() and self.ethics.exists()

    def valid_credentials(self, today: date) -> models.QuerySet[Credential]:
        return self.credentials.filter(verified_at__isnull=False).filter(
            models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today)
        )


def _evidence_path(instance: Any, filename: str) -> str:
    """A random name: nothing of the coach's file name (or the coach) is in the path."""
    ext = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(
        getattr(instance, "evidence_type", ""), ""
    )
    return f"coaching/evidence/{uuid.uuid4().hex}{ext}"


class Credential(models.Model):
    class Body(models.TextChoices):
        ICF = "icf", "ICF"
        EMCC = "emcc", "EMCC"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(CoachProfile, on_delete=models.CASCADE, related_name="credentials")
    body = models.CharField(max_length=10, choices=Body.choices)
    level = models.CharField(max_length=40, help_text="ACC / PCC / MCC or the body's equivalent.")
    credential_id = models.CharField(max_length=80, blank=True)
    issued_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    # Evidence (a PDF or image of the certificate), stored under MEDIA_ROOT with a random name and served only
    # through a view with its own rule (the coach and the organization's program admins).
    evidence = models.FileField(upload_to=_evidence_path, blank=True, max_length=200)
    evidence_type = models.CharField(max_length=40, blank=True)
    evidence_uploaded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.level}"

    def is_valid(self, today: date) -> bool:
        return self.verified_at is not None and (self.expires_on is None or self.expires_on >= today)


class EthicsAcknowledgement(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(CoachProfile, on_delete=models.CASCADE, related_name="ethics")
    version = models.CharField(max_length=40)
    at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"ethics {self.version}"


class Engagement(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    coachee = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="coaching_as_coachee")
    coach = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="coaching_as_coach")
    sponsor = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="coaching_as_sponsor"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    starts_on = models.DateField()
    ends_on = models.DateField()
    sessions_budget = models.PositiveSmallIntegerField(default=12, validators=[MinValueValidator(1)])
    manager_may_see = models.BooleanField(
        default=False, help_text="The leader lets their line manager see the logistics (status, dates, sessions)."
    )
    created_at = models.DateTimeField(default=now)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=20, blank=True, help_text="A category (CloseReason), never free text.")

    class Meta:
        ordering: ClassVar[list[str]] = ["-starts_on", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="engagement_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"engagement {self.public_id}"


class Agreement(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveSmallIntegerField(default=1)
    accepted_by_coachee_at = models.DateTimeField(null=True, blank=True)
    accepted_by_coach_at = models.DateTimeField(null=True, blank=True)
    accepted_by_sponsor_at = models.DateTimeField(null=True, blank=True)
    # The terms of this version (docs/coaching.md, "Agreement versions"). Logistics (T2); objective text stays in
    # Objective (T4) and is only linked per version by AgreementObjective.
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    sessions_budget = models.PositiveSmallIntegerField(default=12, validators=[MinValueValidator(1)])
    confidentiality_terms = models.TextField(blank=True, help_text="Copied from the organization's settings.")
    cancellation_rules = models.TextField(blank=True)
    proposed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    changed = models.JSONField(
        default=list, blank=True, help_text="Names of the terms changed from the version before."
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["engagement", "version"], name="agreement_version_once")
        ]

    def __str__(self) -> str:
        return f"agreement v{self.version}"

    @property
    def signed(self) -> bool:
        return None not in (self.accepted_by_coachee_at, self.accepted_by_coach_at, self.accepted_by_sponsor_at)


class Objective(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="objectives")
    text = SealedTextField()
    shared_with_sponsor = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"objective {self.public_id}"


class CoachingSession(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "No-show"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    prep = SealedTextField(blank=True, null=True)  # the leader's "what do you want to focus on?"
    minutes = models.PositiveSmallIntegerField(default=60, validators=[MinValueValidator(15)])
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: bumped on each change.")

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"session {self.public_id}"


class SessionNote(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    text = SealedTextField()
    shared_with_coachee = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note {self.public_id}"


class Commitment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="commitments")
    text = SealedTextField()
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    proposed_by_coach = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True, help_text="When the leader accepted it as theirs.")
    created_at = models.DateTimeField(default=now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at", "id"]

    def __str__(self) -> str:
        return f"commitment {self.public_id}"

    @property
    def awaiting_acceptance(self) -> bool:
        return self.proposed_by_coach and self.accepted_at is None


class JournalEntry(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    text = SealedTextField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"journal entry {self.public_id}"


class Referral(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="referrals")
    note = SealedTextField()
    flagged_by = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at", "-id"]

    def __str__(self) -> str:
        return f"referral {self.public_id}"


# --- Running an engagement: question bank, three-way reviews, satisfaction (docs/coaching.md) ---------------------
class CloseReason(models.TextChoices):
    """Why an engagement closed: a category only, so no free text reaches the sponsor."""

    COMPLETED = "completed", "Completed after the final review"
    GOALS_MET = "goals_met", "Objectives met early"
    ROLE_CHANGE = "role_change", "The leader changed role or left"
    NOT_A_FIT = "not_a_fit", "Coaching was not the right fit"
    SCHEDULING = "scheduling", "Could not find time"
    OTHER = "other", "Other"


class CoachingQuestion(models.Model):
    """A question a coach may ask, grouped by coaching model and stage. Tier 1: about no one. System questions
    have no organization; an organization's questions (program/org admins) and a coach's own have one."""

    class Model(models.TextChoices):
        GROW = "grow", "GROW"
        CLEAR = "clear", "CLEAR"
        OSKAR = "oskar", "OSKAR"

    STAGES: ClassVar[dict[str, list[tuple[str, str]]]] = {
        "grow": [("goal", "Goal"), ("reality", "Reality"), ("options", "Options"), ("will", "Will")],
        "clear": [
            ("contract", "Contract"),
            ("listen", "Listen"),
            ("explore", "Explore"),
            ("action", "Action"),
            ("review", "Review"),
        ],
        "oskar": [
            ("outcome", "Outcome"),
            ("scaling", "Scaling"),
            ("know_how", "Know-how"),
            ("affirm", "Affirm + Action"),
            ("review", "Review"),
        ],
    }

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.CASCADE, related_name="+", help_text="A coach's own."
    )
    model = models.CharField(max_length=10, choices=Model.choices)
    stage = models.CharField(max_length=20)
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["model", "stage", "id"]
        constraints: ClassVar[list[Any]] = [
            models.CheckConstraint(
                condition=models.Q(owner__isnull=True) | models.Q(organization__isnull=False),
                name="coaching_question_owner_in_org",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def stage_label(self) -> str:
        return dict(self.STAGES.get(self.model, [])).get(self.stage, self.stage)

    @property
    def scope(self) -> str:
        return "yours" if self.owner_id else "organization" if self.organization_id else "standard"


class ReviewKind(models.TextChoices):
    MIDPOINT = "midpoint", "Mid-point review"
    FINAL = "final", "Final review"


class ReviewParty(models.TextChoices):
    COACHEE = "coachee", "Leader"
    COACH = "coach", "Coach"
    SPONSOR = "sponsor", "Sponsor"


class ReviewResponse(models.Model):
    """One party's part of a three-way review: that they reviewed (timestamped) and a short answer all three
    read. The answer is written knowing the sponsor reads it; it is sealed all the same."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="review_responses")
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    party = models.CharField(max_length=10, choices=ReviewParty.choices)
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    answer = SealedTextField(blank=True, null=True)
    reviewed_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["reviewed_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["engagement", "kind", "party"], name="coaching_review_once_per_party")
        ]

    def __str__(self) -> str:
        return f"{self.kind} review by {self.party}"


class SatisfactionRating(models.Model):
    """The leader's rating (1–5) of the engagement at a review. Never shown one by one to anyone but the leader;
    others see averages of groups of at least five."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="ratings")
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["engagement", "kind"], name="coaching_rating_once_per_review"),
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="coaching_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"rating {self.public_id}"


# --- Starting an engagement (docs/coaching.md, "Starting an engagement") ----------------------------------------
class AgreementObjective(models.Model):
    """Which objectives (and whether each was shared with the sponsor) a version of the agreement covers. The
    objective text itself stays sealed in :class:`Objective`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="objective_links")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="+")
    shared_with_sponsor = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["agreement", "objective"], name="agreement_objective_once")
        ]

    def __str__(self) -> str:
        return f"agreement objective {self.public_id}"


class CoachingRequest(models.Model):
    """A sponsor (or the leader themself) asks for coaching for a leader. The leader books chemistry calls, chooses
    a coach; the coach's acceptance creates the engagement and version 1 of its agreement."""

    class Status(models.TextChoices):
        OPEN = "open", "Open: choosing a coach"
        CHOSEN = "chosen", "Waiting for the coach"
        ACCEPTED = "accepted", "Coach accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    leader = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="coaching_requests")
    sponsor = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="coaching_requests_sponsored")
    opened_by = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    focus = models.JSONField(default=list, blank=True, help_text="Focus tags, matched with coaches' specialties.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    chosen_coach = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    engagement = models.OneToOneField(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="request"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"coaching request {self.public_id}"


class ChemistryCall(models.Model):
    """A short call between the leader and a coach before choosing (at most 3 per request)."""

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"
        DECLINED = "declined", "Coach declined the engagement"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(CoachingRequest, on_delete=models.CASCADE, related_name="calls")
    coach = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="chemistry_calls")
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["starts_at", "id"]
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["request", "coach"], name="one_chemistry_call_per_coach")
        ]

    def __str__(self) -> str:
        return f"chemistry call {self.public_id}"
