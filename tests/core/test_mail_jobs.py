"""Mail and jobs: the outbox (stored first, delivered after commit, once), `trellis tick`, the in-app mail pages
and calendar invitations."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail as django_mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from trellis.cli import main as trellis_cli
from trellis.core import calendar, mail, ticks
from trellis.core.models import OutboxMessage
from trellis.core.tasks import deliver_outbox

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


class RefusingBackend(locmem.EmailBackend):
    """The locmem backend, except that the 'mail server' refuses some addresses."""

    refused: ClassVar[set[str]] = set()

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            if set(message.to) & self.refused:
                raise smtplib.SMTPDataError(554, b"rejected")
        return super().send_messages(messages)


@pytest.fixture
def refuse(settings):  # type: ignore[no-untyped-def]
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}

    def refuse(*addresses: str) -> None:
        RefusingBackend.refused = set(addresses)

    yield refuse
    RefusingBackend.refused = set()


def queued(user: Any, key: str = "test:1", **extra: Any) -> OutboxMessage:
    message, created = mail.queue(to=user, subject="Your session", body="See you on Tuesday.", key=key, **extra)
    assert created
    return message


# --- Queue and deliver --------------------------------------------------------------------------------------
def test_queue_stores_first_and_delivers_only_after_commit(user, django_capture_on_commit_callbacks):
    alice = user("alice")
    with django_capture_on_commit_callbacks() as callbacks:
        message = queued(alice)
    assert len(callbacks) == 1
    assert django_mail.outbox == []  # nothing leaves before the transaction commits
    message.refresh_from_db()
    assert message.sent_at is None and message.recipient == alice and message.to_email == alice.email
    callbacks[0]()
    assert len(django_mail.outbox) == 1
    sent = django_mail.outbox[0]
    assert sent.to == ["alice@northwind.example"]
    assert sent.subject == "Your session"
    assert sent.body == "See you on Tuesday."
    message.refresh_from_db()
    assert message.sent_at is not None and message.attempts == 1


def test_queue_is_idempotent_per_key(user, django_capture_on_commit_callbacks):
    alice = user("alice")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first, created = mail.queue(to=alice, subject="One", body="first", key="digest:alice:2026-11-24")
        second, again = mail.queue(to=alice, subject="Two", body="second", key="digest:alice:2026-11-24")
    assert created is True and again is False
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert OutboxMessage.objects.filter(idempotency_key="digest:alice:2026-11-24").count() == 1
    assert [m.subject for m in django_mail.outbox] == ["One"]


def test_a_rolled_back_transaction_sends_nothing(user, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queued(user("alice"), key="rolled-back")
        raise RuntimeError
    assert callbacks == []
    assert django_mail.outbox == []
    assert not OutboxMessage.objects.filter(idempotency_key="rolled-back").exists()


def test_queue_to_an_address_finds_the_account(user, django_capture_on_commit_callbacks):
    message, _ = mail.queue(to="Bob@Northwind.example", subject="Hi", body="Hello", key="addr:1")
    assert message.recipient == user("bob")
    stranger, _ = mail.queue(to="someone@elsewhere.example", subject="Hi", body="Hello", key="addr:2")
    assert stranger.recipient is None and stranger.to_email == "someone@elsewhere.example"


def test_deliver_twice_sends_once(user):
    message = queued(user("alice"))
    assert mail.deliver(message) is True
    assert mail.deliver(message) is False
    assert deliver_outbox.call(message.pk) == 0
    assert len(django_mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_the_batch_delivers_every_unsent_message_once(user):
    for i, name in enumerate(("alice", "bob", "erin")):
        queued(user(name), key=f"batch:{i}")
    assert deliver_outbox.call() == 3
    assert deliver_outbox.call() == 0
    assert sorted(m.to[0] for m in django_mail.outbox) == [
        "alice@northwind.example",
        "bob@northwind.example",
        "erin@northwind.example",
    ]


def test_a_refused_message_is_released_for_a_retry(user, refuse, django_capture_on_commit_callbacks):
    refuse("alice@northwind.example")
    with django_capture_on_commit_callbacks(execute=True):
        message = queued(user("alice"))
    message.refresh_from_db()
    assert message.sent_at is None
    assert message.attempts == 1
    assert message.last_error == "SMTPDataError"
    assert django_mail.outbox == []
    with pytest.raises(smtplib.SMTPDataError):
        mail.deliver(message)  # a stale in-memory copy still counts attempts from the database
    message.refresh_from_db()
    assert message.attempts == 2
    refuse()  # the server accepts again
    assert mail.deliver(message) is True
    assert len(django_mail.outbox) == 1


def test_one_refused_message_does_not_hold_up_the_others(user, refuse):
    refuse("alice@northwind.example")
    stuck = queued(user("alice"), key="stuck")
    queued(user("bob"), key="fine")
    assert deliver_outbox.call() == 1
    assert [m.to for m in django_mail.outbox] == [["bob@northwind.example"]]
    stuck.refresh_from_db()
    assert stuck.sent_at is None and stuck.attempts == 1


def test_a_message_refused_too_often_is_left_alone(user, refuse):
    refuse("alice@northwind.example")
    message = queued(user("alice"))
    OutboxMessage.objects.filter(pk=message.pk).update(attempts=mail.MAX_ATTEMPTS)
    refuse()
    assert deliver_outbox.call() == 0
    assert ticks.run(timezone.now() + timedelta(hours=1))["mail.retry_unsent"] == 0
    assert django_mail.outbox == []


# --- trellis tick -------------------------------------------------------------------------------------------
def test_tick_retries_stuck_mail_and_running_it_twice_sends_nothing_twice(user):
    message = queued(user("alice"))  # stored, but the worker never ran (no commit in this test)
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    first = ticks.run()
    assert first["mail.retry_unsent"] == 1
    assert len(django_mail.outbox) == 1
    second = ticks.run()
    assert second["mail.retry_unsent"] == 0
    assert len(django_mail.outbox) == 1


def test_tick_leaves_fresh_mail_to_the_worker(user):
    queued(user("alice"))
    assert ticks.run()["mail.retry_unsent"] == 0
    assert django_mail.outbox == []


def test_tick_purges_expired_sessions(db):
    expired, live = SessionStore(), SessionStore()
    for store in (expired, live):
        store["x"] = 1
        store.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(days=1))
    assert ticks.run()["sessions.purge_expired"] >= 1
    assert not Session.objects.filter(session_key=expired.session_key).exists()
    assert Session.objects.filter(session_key=live.session_key).exists()
    assert ticks.run()["sessions.purge_expired"] == 0


def test_the_tick_command_runs_every_job(user):
    message = queued(user("bob"))
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    out = StringIO()
    call_command("tick", stdout=out)
    lines = out.getvalue().splitlines()
    assert "mail.retry_unsent: 1" in lines
    assert any(line.startswith("sessions.purge_expired: ") for line in lines)
    assert {line.split(":")[0] for line in lines} == set(ticks.JOBS)
    assert len(django_mail.outbox) == 1


def test_the_trellis_console_script_runs_tick(db, capsys):
    trellis_cli(["tick"])
    assert "mail.retry_unsent: 0" in capsys.readouterr().out


# --- The in-app mail pages ----------------------------------------------------------------------------------
def test_the_outbox_lists_only_the_viewers_messages(login, user):
    mine = queued(user("alice"), key="mine", organization=None)
    theirs, _ = mail.queue(to=user("bob"), subject="Bob's private note", body="For Bob only.", key="theirs")
    response = login("alice").get("/mail/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/mail/{mine.public_id}/" in html and "Your session" in html
    assert "queued" in html  # not sent yet
    assert str(theirs.public_id) not in html and "private note" not in html
    assert {m.pk for m in response.context["page"]} == {mine.pk}


def test_a_message_page_shows_the_body_to_its_recipient_only(login, user):
    message = queued(user("alice"))
    response = login("alice").get(f"/mail/{message.public_id}/")
    assert response.status_code == 200
    assert "See you on Tuesday." in response.content.decode()
    assert "To alice@northwind.example" in response.content.decode()
    for name in ("bob", "erin", "mallory"):
        other = login(name).get(f"/mail/{message.public_id}/")
        assert other.status_code == 404
        assert b"See you on Tuesday." not in other.content
    assert login("alice").get("/mail/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_mail_pages_need_sign_in(user):
    message = queued(user("alice"))
    for url in ("/mail/", f"/mail/{message.public_id}/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_outbox_query_count_does_not_grow_with_messages(login, user, django_assert_max_num_queries):
    alice = user("alice")
    client = login("alice")
    client.get("/mail/")  # the first request after signing in also refreshes the session
    queued(alice, key="q:0")
    with django_assert_max_num_queries(8) as few:
        client.get("/mail/")
    for i in range(1, 30):
        queued(alice, key=f"q:{i}")
    with django_assert_max_num_queries(8) as many:
        response = client.get("/mail/")
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["page"]) == 25


# --- Calendar invitations -----------------------------------------------------------------------------------
def make_invite(**overrides: Any) -> str:
    berlin = ZoneInfo("Europe/Berlin")
    kwargs: dict[str, Any] = {
        "uid": "session-42@trellis.example",
        "summary": "Coaching session",
        "start": datetime(2026, 12, 1, 10, 0, tzinfo=berlin),
        "end": datetime(2026, 12, 1, 11, 0, tzinfo=berlin),
        "organizer": ("carol@northwind.example", "Carol Dubois"),
        "attendees": [("alice@northwind.example", "Alice Martin"), ("bob@northwind.example", "Bob Chen")],
        "location": "Video call",
        "now": NOW,
    }
    kwargs.update(overrides)
    return calendar.invite(**kwargs)


def test_an_invite_parses_back_with_its_fields_in_utc():
    cal = Calendar.from_ical(make_invite())
    assert str(cal["method"]) == "REQUEST"
    assert str(cal["version"]) == "2.0"
    (event,) = cal.walk("VEVENT")
    assert str(event["uid"]) == "session-42@trellis.example"
    assert str(event["summary"]) == "Coaching session"
    assert str(event["location"]) == "Video call"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert start == datetime(2026, 12, 1, 9, 0, tzinfo=UTC) and start.utcoffset() == timedelta(0)
    assert end == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert event.decoded("dtstamp") == NOW
    assert "DTSTART:20261201T090000Z" in make_invite()
    attendees = event["attendee"]
    assert [str(a) for a in attendees] == ["mailto:alice@northwind.example", "mailto:bob@northwind.example"]
    assert [str(a.params["cn"]) for a in attendees] == ["Alice Martin", "Bob Chen"]
    assert all(str(a.params["rsvp"]) == "TRUE" for a in attendees)
    assert str(event["organizer"]) == "mailto:carol@northwind.example"
    assert str(event["status"]) == "CONFIRMED"
    assert int(event["sequence"]) == 0


def test_a_cancellation_carries_method_cancel_and_a_higher_sequence():
    cal = Calendar.from_ical(make_invite(cancelled=True, sequence=2))
    assert str(cal["method"]) == "CANCEL"
    (event,) = cal.walk("VEVENT")
    assert str(event["status"]) == "CANCELLED"
    assert int(event["sequence"]) == 2
    assert calendar.method_of(make_invite(cancelled=True)) == "CANCEL"


@pytest.mark.parametrize("field", ["start", "end", "now"])
def test_naive_times_are_refused(field):
    naive = {"start": datetime(2026, 12, 1, 10), "end": datetime(2026, 12, 1, 11), "now": datetime(2026, 11, 24)}
    with pytest.raises(ValueError, match="timezone-aware"):
        make_invite(**{field: naive[field]})


def test_an_event_must_end_after_it_starts():
    start = datetime(2026, 12, 1, 10, tzinfo=UTC)
    with pytest.raises(ValueError, match="end after it starts"):
        make_invite(start=start, end=start)


@pytest.mark.parametrize("cancelled", [False, True])
def test_an_email_with_an_invite_carries_a_text_calendar_attachment(user, cancelled):
    ics = make_invite(cancelled=cancelled)
    message = queued(user("alice"), ics=ics)
    assert mail.deliver(message)
    (sent,) = django_mail.outbox
    parts = [p for p in sent.message().walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_param("method") == ("CANCEL" if cancelled else "REQUEST")  # matches the METHOD inside
    assert part.get_filename() == "invite.ics"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal.walk("VEVENT")[0]["uid"]) == "session-42@trellis.example"
    assert sent.body == "See you on Tuesday."


def test_the_invite_is_mentioned_on_the_message_page(login, user):
    message = queued(user("alice"), ics=make_invite())
    assert "calendar invitation" in login("alice").get(f"/mail/{message.public_id}/").content.decode()
