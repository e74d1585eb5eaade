"""Sessions' calendar invites (.ics), materials, assignment by a manager or program admin, and editing or
deleting cohorts, sessions and items — with their audit lines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from icalendar import Calendar

from trellis.core.models import AuditEvent, Membership, Notification, OutboxMessage
from trellis.training import services
from trellis.training.models import Card, Cohort, Enrolment, Material, ReinforcementItem, Session


def _event(message: OutboxMessage) -> tuple[str, Any]:
    cal = Calendar.from_ical(message.ics)
    return str(cal["method"]), cal.walk("VEVENT")[0]


def _invites(session: Session) -> Any:
    return OutboxMessage.objects.filter(idempotency_key__startswith=f"training-ics:{session.public_id}:").order_by("id")


def test_session_invites_updates_and_cancel(course: dict[str, Any], member: Any, login: Any) -> None:
    cohort: Cohort = course["cohort"]
    alice, bob = member("alice"), member("bob")
    for who in (alice, bob):
        services.do_enrol(cohort=cohort, membership=who, actor=who.user)
    client = login("heidi")
    start = timezone.localtime(timezone.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    client.post(
        f"/o/northwind/training/cohorts/{cohort.public_id}/sessions/new/",
        {
            "title": "Day 1",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Room 4",
        },
    )
    session = Session.objects.get(cohort=cohort)
    first = list(_invites(session))
    assert {m.recipient for m in first} == {alice.user, bob.user}
    method, event = _event(first[0])
    assert method == "REQUEST" and int(event["sequence"]) == 0 and str(event["location"]) == "Room 4"
    assert event.decoded("dtstart") == start
    assert {m.idempotency_key for m in first} == {
        f"training-ics:{session.public_id}:{who.public_id}:0" for who in (alice, bob)
    }

    # saving without a change sends nothing; moving it sends an update with SEQUENCE 1
    edit = f"/o/northwind/training/sessions/{session.public_id}/edit/"
    form = {"title": "Day 1", "starts_at": start.strftime("%Y-%m-%dT%H:%M"), "place": "Room 4"}
    form["ends_at"] = (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    assert client.get(edit).status_code == 200 and 'value="Room 4"' in client.get(edit).content.decode()
    client.post(edit, form)
    assert _invites(session).count() == 2
    client.post(edit, {**form, "place": "Room 7"})
    session.refresh_from_db()
    assert session.sequence == 1 and session.place == "Room 7"
    updates = [m for m in _invites(session) if m.idempotency_key.endswith(":1")]
    assert len(updates) == 2 and updates[0].subject.startswith("Updated:")
    method, event = _event(updates[0])
    assert (method, int(event["sequence"]), str(event["location"])) == ("REQUEST", 1, "Room 7")
    assert str(event["uid"]) == str(_event(first[0])[1]["uid"])  # the same event, updated

    # someone enrolling later gets the current invite for upcoming sessions
    carol = member("carol")
    services.do_enrol(cohort=cohort, membership=carol, actor=carol.user)
    assert Enrolment.objects.get(cohort=cohort, membership=carol).status == "waitlisted"  # capacity 2
    assert not _invites(session).filter(recipient=carol.user).exists()
    alice_enrolment = Enrolment.objects.get(cohort=cohort, membership=alice)
    services.do_cancel_enrolment(enrolment=alice_enrolment, actor=alice.user)  # carol is promoted
    (carols,) = _invites(session).filter(recipient=carol.user)
    assert carols.idempotency_key == f"training-ics:{session.public_id}:{carol.public_id}:1"
    # alice, who left, gets a CANCEL for the session still in her calendar (same UID), and nobody else does
    (withdrawn,) = [m for m in _invites(session) if ":withdrawn:" in m.idempotency_key]
    assert withdrawn.recipient == alice.user and withdrawn.subject.startswith("Cancelled:")
    method, event = _event(withdrawn)
    assert (method, str(event["uid"])) == ("CANCEL", str(_event(first[0])[1]["uid"]))

    client.post(f"/o/northwind/training/sessions/{session.public_id}/cancel/")
    session.refresh_from_db()
    assert session.cancelled_at is not None and session.sequence == 2
    cancels = [m for m in _invites(session) if m.idempotency_key.endswith(":2:cancel")]
    assert {m.recipient for m in cancels} == {bob.user, carol.user}
    method, event = _event(cancels[0])
    assert (method, int(event["sequence"]), str(event["status"])) == ("CANCEL", 2, "CANCELLED")
    assert services.send_invites(session) == 0  # once per (session, learner, sequence)
    verbs = set(AuditEvent.objects.filter(object_id=str(session.public_id)).values_list("verb", flat=True))
    assert {"training.session.created", "training.session.updated", "training.session.cancelled"} <= verbs
    assert "Cancelled" in login("grace").get(f"/o/northwind/training/cohorts/{cohort.public_id}/").content.decode()


def test_cancelling_a_cohort_cancels_its_upcoming_sessions(course: dict[str, Any], member: Any) -> None:
    cohort: Cohort = course["cohort"]
    alice, heidi = member("alice"), member("heidi")
    services.do_enrol(cohort=cohort, membership=alice, actor=alice.user)
    start = timezone.now() + timedelta(days=5)
    session = services.do_add_session(
        cohort=cohort,
        actor=heidi.user,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        online_url="https://x.example/",
    )
    services.do_save_cohort(
        program=cohort.program,
        actor=heidi.user,
        cohort=cohort,
        title=cohort.title,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        capacity=cohort.capacity,
        instructor=cohort.instructor,
        status="cancelled",
    )
    session.refresh_from_db()
    assert session.cancelled_at is not None
    (cancel,) = [m for m in _invites(session) if m.idempotency_key.endswith(":cancel")]
    assert cancel.recipient == alice.user and _event(cancel)[0] == "CANCEL"


def test_materials_for_enrolled_learners_and_the_instructor(course: dict[str, Any], member: Any, login: Any) -> None:
    cohort: Cohort = course["cohort"]
    alice = member("alice")
    services.do_enrol(cohort=cohort, membership=alice, actor=alice.user)
    grace = login("grace")
    url = f"/o/northwind/training/cohorts/{cohort.public_id}/materials/"
    response = grace.post(url, {"title": "SBI cheat sheet", "url": "https://example.com/sbi.pdf"})
    assert response.status_code == 302
    material = Material.objects.get(cohort=cohort)
    assert "SBI cheat sheet" in grace.get(url).content.decode()
    assert "https://example.com/sbi.pdf" in login("alice").get("/o/northwind/training/").content.decode()
    assert "SBI cheat sheet" not in login("bob").get("/o/northwind/training/").content.decode()
    assert login("bob").post(url, {"title": "x", "url": "https://example.com/"}).status_code == 403
    assert grace.post(url, {"title": "bad", "url": "not a link"}).status_code == 400
    grace.post(url, {"delete": str(material.public_id)})
    assert not Material.objects.filter(cohort=cohort).exists()
    verbs = list(AuditEvent.objects.filter(object_id=str(material.public_id)).values_list("verb", flat=True))
    assert verbs == ["training.material.created", "training.material.deleted"]


def test_a_manager_assigns_a_direct_report_and_a_program_admin_anyone(
    course: dict[str, Any], member: Any, login: Any
) -> None:
    cohort: Cohort = course["cohort"]
    alice, bob, carol = member("alice"), member("bob"), member("carol")
    url = f"/o/northwind/training/cohorts/{cohort.public_id}/assign/"
    frank = login("frank")
    page = frank.get(url).content.decode()
    assert "Alice Martin" in page and "Bob Chen" not in page  # only frank's reports are offered
    assert frank.post(url, {"person": alice.pk}).status_code == 302
    assert Enrolment.objects.get(cohort=cohort, membership=alice).status == "enrolled"
    assert Notification.objects.filter(user=alice.user, text__startswith="Frank Meyer put you enrolled in").exists()
    assert frank.post(url, {"person": bob.pk}).status_code == 400  # not his report
    assert not Enrolment.objects.filter(cohort=cohort, membership=bob).exists()
    heidi = login("heidi")
    heidi.post(url, {"person": bob.pk})
    heidi.post(url, {"person": carol.pk})  # capacity 2: the waitlist
    assert Enrolment.objects.get(cohort=cohort, membership=carol).status == "waitlisted"
    services.do_cancel_enrolment(enrolment=Enrolment.objects.get(cohort=cohort, membership=bob), actor=bob.user)
    assert Enrolment.objects.get(cohort=cohort, membership=carol).status == "enrolled"  # promoted
    assert AuditEvent.objects.filter(verb="training.enrolment.assigned").count() == 3
    # a plain member is offered nobody
    assert "there is nobody you can enrol here" in login("bob").get(url).content.decode()


def test_program_admin_edits_and_deletes_cohorts_and_items(
    course: dict[str, Any], member: Any, login: Any, make_people: Any
) -> None:
    cohort: Cohort = course["cohort"]
    people = make_people(3)
    for p in people:
        services.do_enrol(cohort=cohort, membership=p, actor=p.user)
    assert Enrolment.objects.get(cohort=cohort, membership=people[2]).status == "waitlisted"
    heidi = login("heidi")
    edit = f"/o/northwind/training/cohorts/{cohort.public_id}/edit/"
    assert 'value="Test cohort"' in heidi.get(edit).content.decode()
    heidi.post(
        edit,
        {
            "title": "Renamed",
            "starts_on": str(cohort.starts_on),
            "ends_on": str(cohort.ends_on),
            "capacity": 3,
            "instructor": member("grace").pk,
            "status": "planned",
        },
    )
    cohort.refresh_from_db()
    assert cohort.title == "Renamed" and cohort.capacity == 3
    assert Enrolment.objects.get(cohort=cohort, membership=people[2]).status == "enrolled"  # more seats: promoted
    assert login("grace").get(edit).status_code == 403  # the instructor does not edit the catalogue

    q1 = course["items"][0]
    item_edit = f"/o/northwind/training/items/{q1.public_id}/edit/"
    assert "Q1" in heidi.get(item_edit).content.decode()
    heidi.post(item_edit, {"kind": "question", "prompt": "Q1 better", "choices": "a\nb\nc\nd", "correct": 4})
    q1.refresh_from_db()
    assert (q1.prompt, q1.choices, q1.correct) == ("Q1 better", ["a", "b", "c", "d"], 3)
    Card.objects.create(organization=cohort.organization, membership=people[0], item=q1, due=timezone.now())
    heidi.post(f"/o/northwind/training/items/{q1.public_id}/delete/")
    assert not ReinforcementItem.objects.filter(pk=q1.pk).exists() and not Card.objects.filter(item_id=q1.pk).exists()

    # a cohort someone attended is kept; an empty one is deleted
    session = services.do_add_session(
        cohort=cohort,
        actor=member("heidi").user,
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        place="A",
    )
    services.do_mark_attendance(session=session, membership=people[0], present=True, actor=member("grace").user)
    heidi.post(f"/o/northwind/training/cohorts/{cohort.public_id}/delete/")
    assert Cohort.objects.filter(pk=cohort.pk).exists()
    Session.objects.filter(pk=session.pk).delete()
    response = heidi.post(f"/o/northwind/training/cohorts/{cohort.public_id}/delete/")
    assert response.status_code == 302 and not Cohort.objects.filter(pk=cohort.pk).exists()
    verbs = set(AuditEvent.objects.filter(verb__startswith="training.").values_list("verb", flat=True))
    assert {
        "training.cohort.updated",
        "training.cohort.deleted",
        "training.item.updated",
        "training.item.deleted",
    } <= verbs
    assert Membership.objects.filter(pk=people[0].pk).exists()
