"""Append to and verify the audit log. Called by every service inside its transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID

from django.db import models, transaction
from django.utils import timezone

from trellis.core import hashchain
from trellis.core.models import AuditEvent, AuditHead, Organization, User


def record(
    *,
    actor: User | None,
    verb: str,
    obj: models.Model | None = None,
    organization: Organization | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one line: who (public id), did what (verb), to which object (type and public id). No content."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the service's transaction")
    at = (now or timezone.now()).astimezone(UTC)
    object_type = obj._meta.label_lower if obj is not None else ""
    object_id = str(getattr(obj, "public_id", None) or (obj.pk if obj is not None else ""))
    actor_id: UUID | None = actor.public_id if actor is not None and actor.pk else None
    head = _locked_head()
    fields = {
        "at": at.isoformat(),
        "organization": str(organization.public_id) if organization else "",
        "actor": str(actor_id or ""),
        "verb": verb,
        "object_type": object_type,
        "object_id": object_id,
    }
    new_hash = hashchain.digest(head.last_hash, **fields)
    event = AuditEvent.objects.create(
        organization=organization,
        at=at,
        actor=actor_id,
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        prev_hash=head.last_hash,
        hash=new_hash,
    )
    AuditHead.objects.filter(pk=head.pk).update(last_hash=new_hash)
    return event


def _locked_head() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        head, _ = AuditHead.objects.get_or_create(pk=1, defaults={"last_hash": last or hashchain.GENESIS})
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def _lines(batch: int = 2000) -> Iterator[hashchain.Line]:
    orgs = dict(Organization.objects.values_list("id", "public_id"))
    rows = AuditEvent.objects.order_by("id").values_list(
        "id", "at", "organization_id", "actor", "verb", "object_type", "object_id", "prev_hash", "hash"
    )
    for pk, at, org_id, actor, verb, otype, oid, prev, h in rows.iterator(chunk_size=batch):
        yield hashchain.Line(
            seq=pk,
            at=at.astimezone(UTC).isoformat(),
            organization=str(orgs[org_id]) if org_id else "",
            actor=str(actor or ""),
            verb=verb,
            object_type=otype,
            object_id=oid,
            prev_hash=prev,
            hash=h,
        )


def verify() -> tuple[int, str] | None:
    """The first broken line (id, reason), or None when the whole chain holds and ends at the head."""
    broken = hashchain.first_break(_lines())
    if broken:
        return broken
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    head = AuditHead.objects.filter(pk=1).values_list("last_hash", flat=True).first()
    if head is not None and head != (last[1] if last else hashchain.GENESIS):
        if last is None:
            return 0, "the log is empty but its head records lines (every line was removed)"
        return last[0], "the newest line is not the chain's head (lines were removed from the end)"
    return None
