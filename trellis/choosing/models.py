"""Development requests (a saved chooser result, shared by its owner's choice) and each organization's tuning."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.db import models
from django.utils.timezone import now

from trellis.choosing.recommender import LABELS, MODALITIES, ChooserSettings
from trellis.core.models import Membership, Organization, User

MODALITY_CHOICES = [(m, LABELS[m]) for m in MODALITIES]


class ChooserConfig(models.Model):
    """How much each answer counts and what each modality costs per person, for one organization."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="chooser_config")
    weights = models.JSONField(default=dict, blank=True, help_text="answer → multiplier (1 = as designed)")
    costs = models.JSONField(default=dict, blank=True, help_text="modality → cost per person")
    updated_at = models.DateTimeField(default=now)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Chooser settings of {self.organization}"

    def settings(self) -> ChooserSettings:
        return ChooserSettings.build(self.weights, self.costs)


class DevelopmentRequest(models.Model):
    """A member's need with the chooser's recommendation. Seen by the requester and, only by their choice, by
    the people they share it with (revocable at once)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Next step agreed"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requester = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="development_requests")
    title = models.CharField(max_length=200)
    profile = models.JSONField(help_text="the NeedProfile answers")
    recommendation = models.JSONField(help_text="the Recommendation, as the API returns it")
    top = models.CharField(max_length=30, choices=MODALITY_CHOICES)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    next_step = models.CharField(max_length=30, choices=MODALITY_CHOICES, blank=True)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    shared_with = models.ManyToManyField(
        Membership, through="RequestShare", related_name="shared_development_requests", blank=True
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["organization", "requester"])]

    def __str__(self) -> str:
        return self.title

    @property
    def top_label(self) -> str:
        return LABELS.get(self.top, self.top)  # type: ignore[call-overload]

    @property
    def next_step_label(self) -> str:
        return LABELS.get(self.next_step, "")  # type: ignore[call-overload]

    def ranking(self) -> list[dict[str, Any]]:
        return list(self.recommendation.get("ranking", []))


class RequestShare(models.Model):
    """The requester shared a development request with one member of the same organization."""

    request = models.ForeignKey(DevelopmentRequest, on_delete=models.CASCADE, related_name="shares")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["request", "membership"], name="share_a_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.membership_id}"
