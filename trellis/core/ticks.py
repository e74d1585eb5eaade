"""`trellis tick`: find due work and enqueue it. Each job is idempotent, so running tick twice sends nothing
twice. Product apps register their own jobs with :func:`job`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from trellis.core.models import OutboxMessage

Job = Callable[[datetime], int]
JOBS: dict[str, Job] = {}


def job(name: str) -> Callable[[Job], Job]:
    def register(func: Job) -> Job:
        JOBS[name] = func
        return func

    return register


@job("mail.retry_unsent")
def retry_unsent_mail(now: datetime) -> int:
    """Messages that were stored but not delivered (worker down, SMTP error) are handed to the worker again."""
    from trellis.core.mail import MAX_ATTEMPTS
    from trellis.core.tasks import deliver_outbox

    stuck = OutboxMessage.objects.filter(
        sent_at__isnull=True, created_at__lt=now - timedelta(minutes=2), attempts__lt=MAX_ATTEMPTS
    )
    count = stuck.count()
    if count:
        deliver_outbox.enqueue()
    return count


@job("sessions.purge_expired")
def purge_sessions(now: datetime) -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return deleted


def run(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {name: func(now) for name, func in sorted(JOBS.items())}
