"""Mentoring pairs through the pages: the demo, goals, meetings with real .ics, notes and sharing, suggestions
and their reminders, introductions (member, outsider by signed link, event), the end and the reflections."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import Client
from icalendar import Calendar

from trellis.core.models import Notification, OutboxMessage
from trellis.mentoring import demo, jobs, selectors, services
from trellis.mentoring.models import Goal, Introduction, Meeting, Note, Pair, Program, Suggestion

from .conftest import page


def _body(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- The demo and the pages ------------------------------------------------------------------------------------
def test_demo_is_idempotent_and_complete(pair: Pair) -> None:
    assert demo.load().get("mentoring pairs") == 0  # loaded once by the test database already
    assert pair.accepted_at is not None and 40 <= (datetime.now(UTC) - pair.accepted_at).days <= 44
    assert pair.meetings.filter(status=Meeting.Status.HELD).count() == 2
    assert pair.meetings.filter(status=Meeting.Status.SCHEDULED).count() == 1
    assert set(pair.suggestions.values_list("status", flat=True)) == set(Suggestion.Status.values)
    intro = pair.introductions.get()
    assert intro.status == "accepted" and intro.to_member is not None and intro.to_member.title == "Head of Pricing"
    tags = sorted(tuple(g.tags) for g in Goal.objects.filter(application=pair.application))
    assert tags == [("networking",), ("pricing", "negotiation")]


def test_my_mentoring_lists_both_sides(pair: Pair, login: Any) -> None:
    alice = _body(login("alice"), "/o/northwind/mentoring/mine/")
    assert "As mentee" in alice and "with Bob Chen" in alice and "Active" in alice
    bob = _body(login("bob"), "/o/northwind/mentoring/mine/")
    assert "Northwind Mentoring 2026: Alice Martin" in bob


def test_the_pair_page_for_mentee_and_mentor(pair: Pair, login: Any) -> None:
    alice = _body(login("alice"), page(pair))
    for text in (
        "Northwind Mentoring 2026",
        "Chemistry check ends",
        "Run a pricing negotiation without escalating",
        "Shadow a pricing review",
        "I learn better by doing than by reading.",
        "To Priya Raman",
        "priya@northwind.example",  # accepted: the contact is shared
        "I freeze when the customer asks",  # her own note
        "Rehearsed the opening",  # a log
    ):
        assert text in alice, text
    assert "bigger account" not in alice  # bob's private note
    assert "Suggest</button>" not in alice and "Propose the introduction" not in alice
    bob = _body(login("bob"), page(pair))
    assert "I freeze when the customer asks" in bob and "shared by Alice Martin" in bob
    assert "bigger account" in bob and "Propose the introduction" in bob
    assert "/goals/" not in bob.split('id="goals-h"')[1].split("</section>")[0]  # no goal editing for the mentor


def test_the_pair_page_is_a_few_queries(pair: Pair, login: Any, django_assert_max_num_queries: Any) -> None:
    alice, bob = login("alice"), login("bob")
    for i in range(10):
        s = Suggestion(organization=pair.organization, pair=pair)
        s.text = f"extra {i}"
        s.save()
        n = Note(organization=pair.organization, pair=pair, author=pair.mentee)
        n.text = f"note {i}"
        n.save()
        n.shared_with.add(pair.mentor.member)
    with django_assert_max_num_queries(20):
        assert alice.get(page(pair)).status_code == 200
    with django_assert_max_num_queries(20):
        assert bob.get(page(pair)).status_code == 200


def test_access_to_the_pair(pair: Pair, login: Any) -> None:
    assert login("mallory").get(page(pair).replace("northwind", "globex")).status_code == 404
    assert login("carol").get(page(pair)).status_code == 403
    heidi = _body(login("heidi"), page(pair))  # the program admin: that the pair exists, logistics only
    assert "Alice Martin" in heidi and "Debrief" not in heidi and "Shadow a pricing" not in heidi


# --- Goals -----------------------------------------------------------------------------------------------------
def test_mentee_adds_and_tracks_goals_mentor_reads_only(pair: Pair, login: Any) -> None:
    alice, bob = login("alice"), login("bob")
    r = alice.post(f"{page(pair)}goals/", {"text": "Lead a QBR alone", "tags": "QBR, presenting"})
    assert r.status_code == 302
    goal = Goal.objects.filter(application=pair.application).order_by("-created_at", "-id").first()
    assert goal is not None and goal.text == "Lead a QBR alone" and goal.tags == ["qbr", "presenting"]
    url = f"/o/northwind/mentoring/goals/{goal.public_id}/"
    r = alice.post(url, {"text": "Lead a QBR alone", "tags": "qbr", "progress": 60, "status": "open"})
    assert r.status_code == 302
    goal.refresh_from_db()
    assert goal.progress == 60
    assert alice.post(url, {"text": "x", "tags": "", "progress": 120, "status": "open"}).status_code == 400
    assert alice.post(url, {"text": "x", "tags": "", "progress": 10, "status": "achieved"}).status_code == 302
    goal.refresh_from_db()
    assert goal.status == "achieved" and goal.progress == 100
    assert "Lead a QBR alone" not in _body(bob, page(pair))  # renamed to "x"
    assert "Achieved</strong>, 100%" in _body(bob, page(pair))
    assert bob.get(url).status_code == 403
    assert bob.post(url, {"text": "mine", "progress": 0, "status": "open"}).status_code == 403
    assert bob.post(f"{page(pair)}goals/", {"text": "from bob"}).status_code == 403


# --- Meetings --------------------------------------------------------------------------------------------------
def _ics(message: OutboxMessage) -> Calendar:
    return Calendar.from_ical(message.ics)


def test_schedule_change_cancel_with_real_invites(pair: Pair, login: Any) -> None:
    alice, bob = login("alice"), login("bob")  # alice is in Europe/Paris
    before = OutboxMessage.objects.count()
    r = alice.post(f"{page(pair)}meetings/", {"starts_at": "2030-03-01T10:00", "minutes": 45, "location": "Room 4"})
    assert r.status_code == 302
    meeting = pair.meetings.order_by("-id").first()
    assert meeting is not None
    assert meeting.starts_at == datetime(2030, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 in Paris, stored UTC
    sent = list(OutboxMessage.objects.order_by("id")[before:])
    assert {m.to_email for m in sent} == {"alice@northwind.example", "bob@northwind.example"}
    cal = _ics(sent[0])
    assert str(cal["method"]) == "REQUEST"
    event = cal.walk("VEVENT")[0]
    assert event["sequence"] == 0 and str(event["location"]) == "Room 4"
    assert event.decoded("dtstart") == datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    keys = {f"mentoring-ics:{meeting.public_id}:{p.public_id}:0" for p in (pair.mentee, pair.mentor.member)}
    assert Notification.objects.filter(idempotency_key__in=keys).count() == 2

    # agenda and log: either side; never in the invite
    url = f"/o/northwind/mentoring/meetings/{meeting.public_id}/"
    assert bob.post(f"{url}record/", {"agenda": "AGENDA-SECRET"}).status_code == 302
    r = bob.post(url, {"starts_at": "2030-03-01T11:00", "minutes": 60, "location": "Room 5"})
    assert r.status_code == 302
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and meeting.agenda == "AGENDA-SECRET"
    update = OutboxMessage.objects.filter(idempotency_key__endswith=":1", to_email="alice@northwind.example").get(
        idempotency_key__startswith=f"mentoring-ics:{meeting.public_id}"
    )
    assert _ics(update).walk("VEVENT")[0]["sequence"] == 1 and "AGENDA-SECRET" not in update.ics + update.body
    assert bob.post(url, {"cancel": "1"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.sequence == 2
    cancel = OutboxMessage.objects.get(
        idempotency_key=f"mentoring-ics:{meeting.public_id}:{pair.mentee.public_id}:2:cancel"
    )
    assert str(_ics(cancel)["method"]) == "CANCEL" and "METHOD:CANCEL" in cancel.ics


def test_a_log_marks_the_meeting_held(pair: Pair, login: Any) -> None:
    meeting = pair.meetings.get(status=Meeting.Status.SCHEDULED)
    url = f"/o/northwind/mentoring/meetings/{meeting.public_id}/record/"
    assert login("alice").post(url, {"log": "We met."}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.log == "We met."
    assert login("heidi").post(url, {"log": "x"}).status_code == 403


# --- Notes -----------------------------------------------------------------------------------------------------
def test_notes_are_private_until_shared_and_revoked_at_once(pair: Pair, login: Any, member: Any) -> None:
    alice, bob = login("alice"), login("bob")
    assert alice.post(f"{page(pair)}notes/", {"text": "NOTE-ALICE-7"}).status_code == 302
    note = Note.objects.filter(pair=pair, author=pair.mentee).order_by("-id").first()
    assert note is not None
    url = f"/o/northwind/mentoring/notes/{note.public_id}/"
    assert "NOTE-ALICE-7" not in _body(bob, page(pair))
    assert bob.get(url).status_code == 403
    bob_id = str(pair.mentor.member.public_id)
    assert alice.post(f"{url}share/", {"member": bob_id, "share": "1"}).status_code == 302
    assert "NOTE-ALICE-7" in _body(bob, url) and "NOTE-ALICE-7" in _body(bob, page(pair))
    assert bob.post(f"{url}edit/", {"text": "changed by bob"}).status_code == 403  # only the author edits
    assert bob.post(f"{url}share/", {"member": bob_id, "share": "0"}).status_code == 403
    assert alice.post(f"{url}share/", {"member": bob_id, "share": "0"}).status_code == 302
    assert bob.get(url).status_code == 403  # the very next request
    assert "NOTE-ALICE-7" not in _body(bob, page(pair))
    # share with the program admin: she sees that one note, nothing else of the pair
    heidi_id = str(member("heidi").public_id)
    assert alice.post(f"{url}share/", {"member": heidi_id, "share": "1"}).status_code == 302
    heidi = login("heidi")
    assert "NOTE-ALICE-7" in _body(heidi, url)
    assert "A note by Alice Martin" in _body(heidi, "/o/northwind/mentoring/mine/")
    assert alice.post(f"{url}edit/", {"text": "NOTE-ALICE-8"}).status_code == 302
    note.refresh_from_db()
    assert note.text == "NOTE-ALICE-8"
    mallory = str(member("mallory").public_id)
    alice.post(f"{url}share/", {"member": mallory, "share": "1"})
    assert not note.shared_with.filter(public_id=mallory).exists()


# --- Suggestions -----------------------------------------------------------------------------------------------
def test_suggestions_flow(pair: Pair, login: Any) -> None:
    alice, bob = login("alice"), login("bob")
    assert bob.post(f"{page(pair)}suggestions/", {"text": "SUGG-ONE"}).status_code == 302
    assert bob.post(f"{page(pair)}suggestions/", {"text": "SUGG-TWO"}).status_code == 302
    assert alice.post(f"{page(pair)}suggestions/", {"text": "from alice"}).status_code == 403
    one, two = (Suggestion.objects.filter(pair=pair).order_by("-id")[i] for i in (1, 0))
    assert one.text == "SUGG-ONE"
    note = Notification.objects.get(idempotency_key=f"mentoring:suggestion:{one.public_id}")
    assert "SUGG" not in note.text and note.user_id == pair.mentee.user_id
    url = "/o/northwind/mentoring/suggestions/{}/"
    assert alice.post(url.format(one.public_id), {"status": "done"}).status_code == 302  # refused: not accepted
    one.refresh_from_db()
    assert one.status == "proposed"
    alice.post(url.format(one.public_id), {"status": "accepted"})
    alice.post(url.format(two.public_id), {"status": "declined", "reason": "Not now, after Q3."})
    assert bob.post(url.format(two.public_id), {"status": "accepted"}).status_code == 403
    body = _body(bob, page(pair))
    assert "SUGG-ONE — <strong>Accepted</strong>" in body
    assert "SUGG-TWO — <strong>Declined</strong>" in body and "Not now, after Q3." in body
    alice.post(url.format(one.public_id), {"status": "done"})
    one.refresh_from_db()
    assert one.status == "done" and one.done_at is not None


def test_reminders_are_idempotent_and_never_carry_text(pair: Pair) -> None:
    accepted = pair.suggestions.get(status="accepted")  # "Shadow a pricing review", accepted 11 days ago
    now = datetime.now(UTC)
    Notification.objects.filter(idempotency_key__startswith="mentoring:suggestion-reminder").delete()
    first = jobs.remind_suggestions(now)
    # 7 days after accepting, and the next meeting (in 5 days) is not yet within 3 days
    assert first == 1
    assert jobs.remind_suggestions(now) == 0
    assert jobs.remind_suggestions(now + timedelta(days=3)) == 1  # 3 days before the meeting
    assert jobs.remind_suggestions(now + timedelta(days=3, hours=5)) == 0
    notes = Notification.objects.filter(idempotency_key__startswith="mentoring:suggestion-reminder")
    assert notes.count() == 2 and all("Shadow" not in n.text for n in notes)
    assert {n.user_id for n in notes} == {pair.mentee.user_id}
    assert accepted.status == "accepted"


def test_the_tick_job_is_registered() -> None:
    from trellis.core.ticks import JOBS

    assert JOBS["mentoring.suggestion_reminders"] is jobs.remind_suggestions


# --- Introductions ---------------------------------------------------------------------------------------------
def test_introduction_to_a_member(pair: Pair, login: Any, member: Any) -> None:
    bob, alice = login("bob"), login("alice")
    grace = member("grace")
    r = bob.post(
        f"{page(pair)}introductions/",
        {"kind": "member", "to_member": str(grace.public_id), "why": "WHY-GRACE teaches negotiation"},
    )
    assert r.status_code == 302
    intro = Introduction.objects.filter(pair=pair, to_member=grace).get()
    assert "grace@northwind.example" not in _body(alice, page(pair))  # not before she accepts
    url = f"/o/northwind/mentoring/introductions/{intro.public_id}/"
    assert alice.get(url).status_code == 403  # the request page is the introduced member's
    g = login("grace")
    body = _body(g, url)
    assert "Bob Chen asks to introduce Alice Martin" in body and "WHY-GRACE" in body
    assert "alice@northwind.example" not in body
    assert "Introductions asked of you" in _body(g, "/o/northwind/mentoring/mine/")
    assert g.post(url, {"accept": "1"}).status_code == 302
    assert "alice@northwind.example" in _body(g, url)
    assert "grace@northwind.example" in _body(alice, page(pair))
    assert g.post(url, {"accept": "0"}).status_code == 302  # answered already: nothing changes
    intro.refresh_from_db()
    assert intro.status == "accepted"


def test_introduction_to_an_outsider_by_signed_link(pair: Pair, login: Any) -> None:
    bob, alice = login("bob"), login("alice")
    bob.post(
        f"{page(pair)}introductions/",
        {"kind": "email", "to_email": "sam.rivers@partner.example", "to_name": "Sam Rivers", "why": "WHY-SAM"},
    )
    intro = Introduction.objects.get(pair=pair, kind="email")
    mail = OutboxMessage.objects.get(idempotency_key=f"mentoring:intro:{intro.public_id}:email")
    assert mail.to_email == "sam.rivers@partner.example" and "WHY-SAM" not in mail.body
    assert "Alice" in mail.subject and "Martin" not in mail.subject + mail.body
    link = re.search(r"https?://\S+", mail.body)
    assert link is not None
    path = link.group(0).split("//", 1)[1].split("/", 1)[1]
    outsider = Client()
    body = _body(outsider, f"/{path}")
    assert "Bob would like to introduce Alice to you" in body
    for secret in ("Chen", "Martin", "alice@", "WHY-SAM", "Northwind"):
        assert secret not in body, secret
    assert "sam.rivers@partner.example" not in _body(alice, page(pair))
    assert outsider.get(f"/{path[:-3]}xyz/").status_code == 400  # tampered
    assert outsider.post(f"/{path}", {"accept": "1"}).status_code == 200
    intro.refresh_from_db()
    assert intro.status == "accepted"
    assert "sam.rivers@partner.example" in _body(alice, page(pair))
    contact = OutboxMessage.objects.get(idempotency_key=f"mentoring:intro:{intro.public_id}:contact")
    assert "alice@northwind.example" in contact.body


def test_an_event_is_accepted_by_the_mentee(pair: Pair, login: Any) -> None:
    bob, alice = login("bob"), login("alice")
    bob.post(f"{page(pair)}introductions/", {"kind": "event", "event": "Pricing Summit, 3 June, https://x.example"})
    intro = Introduction.objects.get(pair=pair, kind="event")
    url = f"/o/northwind/mentoring/introductions/{intro.public_id}/decide/"
    assert bob.post(url, {"accept": "1"}).status_code == 403
    assert alice.post(url, {"accept": "1"}).status_code == 302
    intro.refresh_from_db()
    assert intro.status == "accepted"


def test_the_mentee_cannot_propose_introductions(pair: Pair, login: Any) -> None:
    r = login("alice").post(f"{page(pair)}introductions/", {"kind": "event", "event": "x"})
    assert r.status_code == 403


# --- The end ---------------------------------------------------------------------------------------------------
def test_end_and_reflections(pair: Pair, login: Any) -> None:
    alice, bob = login("alice"), login("bob")
    assert alice.post(f"{page(pair)}reflection/", {"text": "too early"}).status_code == 302
    assert not pair.reflections.exists()
    assert bob.post(f"{page(pair)}end/").status_code == 302
    pair.refresh_from_db()
    assert pair.status == "ended" and pair.ended_at is not None
    assert pair.meetings.filter(status="scheduled").count() == 0  # the future meeting is cancelled, with CANCEL
    alice.post(f"{page(pair)}reflection/", {"text": "REFL-ALICE"})
    bob.post(f"{page(pair)}reflection/", {"text": "REFL-BOB"})
    for client in (alice, bob):
        body = _body(client, page(pair))
        assert "REFL-ALICE" in body and "REFL-BOB" in body
    assert "REFL" not in _body(login("heidi"), page(pair))
    assert bob.post(f"{page(pair)}end/").status_code == 302  # already ended: a message, no change


# --- Counts for the program admin dashboard --------------------------------------------------------------------
def test_pair_counts(pair: Pair, django_assert_max_num_queries: Any) -> None:
    program: Program = pair.program
    with django_assert_max_num_queries(6):
        held = selectors.meetings_held(program)
        goals = selectors.goals_by_status(program)
        suggestions = selectors.suggestions_by_status(program)
        intros = selectors.introductions_by_status(program)
        activity = selectors.pair_activity(program)
    assert held >= 2 and goals["open"] >= 2
    assert all(suggestions[s] >= 1 for s in Suggestion.Status.values)
    assert intros["accepted"] >= 1
    last_meeting, last_goal = activity[pair.pk]
    assert last_meeting is not None and last_goal is not None
    assert last_meeting < datetime.now(UTC)


def test_services_refuse_the_wrong_side(pair: Pair) -> None:
    import pytest
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.do_suggest(actor=pair.mentee, pair=pair, text="x")
    goal = Goal.objects.filter(application=pair.application).first()
    assert goal is not None
    with pytest.raises(PermissionDenied):
        services.do_track_goal(actor=pair.mentor.member, goal=goal, progress=50)
