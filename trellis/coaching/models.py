"""Coaching: coaches and their credentials, engagements with a three-way agreement, and the confidential
content of an engagement (objectives, session prep, notes, commitments, referral, the leader's journal).

Every free text of tier 4–5 is a :class:`SealedTextField`: the column holds vault ciphertext only.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, ClassVar

from django.core.validators import MinValueValidator
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
