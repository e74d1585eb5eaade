from __future__ import annotations

import uuid

from django.db import models

from trellis.core.models import Organization
from trellis.core.vault import SealedTextField


class Note(models.Model):
    """A stand-in for a T3–T5 record: its text is sealed by the vault."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    body = SealedTextField()
    reflection = SealedTextField(blank=True, null=True)

    def __str__(self) -> str:
        return f"note {self.public_id}"
