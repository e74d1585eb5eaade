"""Background tasks (django.tasks; the database backend in production, immediate in tests)."""

from __future__ import annotations

import logging

from django.tasks import task

from trellis.core import mail
from trellis.core.models import OutboxMessage

logger = logging.getLogger(__name__)


@task()
def deliver_outbox(message_id: int | None = None) -> int:
    """Deliver one message, or every unsent one when no id is given. Returns how many were sent."""
    if message_id is not None:
        message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
        return int(message is not None and mail.deliver(message))
    sent = 0
    for message in OutboxMessage.objects.filter(sent_at__isnull=True, attempts__lt=mail.MAX_ATTEMPTS).order_by("id"):
        try:  # one message the server refuses must not hold up every message after it
            sent += mail.deliver(message)
        except Exception as exc:
            logger.warning("outbox message %s not delivered: %s", message.public_id, type(exc).__name__)
    return sent
