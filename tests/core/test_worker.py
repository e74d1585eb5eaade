"""`trellis worker` really runs queued tasks from the database queue (the production backend)."""

from __future__ import annotations

import pytest
from asgiref.local import Local
from django.core import mail as django_mail
from django.core.management import call_command
from django.db import connection
from django.tasks import task_backends
from django.test import override_settings

from trellis.core import mail
from trellis.core.models import OutboxMessage

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _forget_backends() -> None:
    """django.tasks caches its configured backends; make it read TASKS again."""
    task_backends._settings = None  # type: ignore[attr-defined]
    task_backends.__dict__.pop("settings", None)
    task_backends._connections = Local(task_backends.thread_critical)  # type: ignore[attr-defined]


@pytest.fixture
def database_queue():  # type: ignore[no-untyped-def]
    with override_settings(TASKS=DB_TASKS):
        _forget_backends()
        yield
    _forget_backends()


def test_queued_mail_waits_for_the_worker_then_is_sent_once(  # type: ignore[no-untyped-def]
    database_queue, user, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    if connection.vendor != "sqlite":
        pytest.skip("the worker closes the database connection between tasks, which ends the test's transaction")

    with django_capture_on_commit_callbacks(execute=True):
        message, _ = mail.queue(to=user("alice"), subject="Queued", body="hello", key="worker:1")
    assert DBTaskResult.objects.count() == 1  # a row in the queue, nothing sent yet
    assert django_mail.outbox == []

    call_command("worker", batch=True)
    call_command("worker", batch=True)  # a second worker run finds nothing left to do

    assert [m.subject for m in django_mail.outbox] == ["Queued"]
    message.refresh_from_db()
    assert message.sent_at is not None
    assert OutboxMessage.objects.filter(sent_at__isnull=True, idempotency_key="worker:1").count() == 0
