"""Background tasks (django.tasks; the database backend in production, immediate in tests)."""

from __future__ import annotations

from django.tasks import task

from trellis.core import mail
from trellis.core.models import OutboxMessage


@task()
def deliver_outbox(message_id: int | None = None) -> int:
    """Deliver one message, or every unsent one when no id is given. Returns how many were sent."""
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    if message_id is not None:
        pending = pending.filter(pk=message_id)
    return sum(1 for message in pending.order_by("id") if mail.deliver(message))
