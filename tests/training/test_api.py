"""The training API: due items, answering, the catalogue and a learner's enrolments."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from trellis.core import services
from trellis.training.models import Card


def _api(user: Any) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {services.do_issue_token(user=user)[1]}"}


def _answer(client: Any, headers: dict[str, str], card_id: Any, body: dict[str, int]) -> Any:
    return client.post(
        f"/api/v1/orgs/northwind/training/reinforcement/{card_id}/answer",
        data=json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_due_items_then_a_right_answer_moves_due_later_and_a_wrong_one_sooner(
    client: Any, user: Any, member: Any, django_assert_max_num_queries: Any
) -> None:
    headers = _api(user("alice"))
    with django_assert_max_num_queries(10):
        due = client.get("/api/v1/orgs/northwind/training/reinforcement/due", **headers)
    assert due.status_code == 200
    items = due.json()["items"]
    assert len(items) == 2 and all(i["program"] == "Giving feedback (SBI)" for i in items)
    # two of alice's questions in the same FSRS state, answered one right and one wrong at the same moment
    due_card = Card.objects.get(public_id=items[0]["id"])
    right_card, wrong_card = (
        Card.objects.filter(membership=member("alice"), item__kind="question")
        .exclude(pk=due_card.pk)
        .order_by("id")[:2]
    )
    for card in (right_card, wrong_card):
        for field in ("state", "step", "stability", "difficulty", "due", "last_review"):
            setattr(card, field, getattr(due_card, field))
        card.save()
    before = due_card.due
    right = _answer(client, headers, right_card.public_id, {"choice": right_card.item.correct})
    wrong = _answer(client, headers, wrong_card.public_id, {"choice": (wrong_card.item.correct + 1) % 4})
    assert right.status_code == 200 and wrong.status_code == 200
    assert right.json()["correct"] is True and right.json()["rating"] == 3
    assert wrong.json()["correct"] is False and wrong.json()["rating"] == 1
    right_due, wrong_due = (datetime.fromisoformat(r.json()["due"]) for r in (right, wrong))
    assert right_due > wrong_due > before
    assert right_due - timezone.now() >= timedelta(days=1) > wrong_due - timezone.now()
    assert right.json()["explanation"]


def test_answer_validation_and_privacy(client: Any, user: Any, member: Any) -> None:
    card = Card.objects.filter(membership=member("alice"), item__kind="question").first()
    assert card is not None
    assert _answer(client, _api(user("alice")), card.public_id, {}).status_code == 422
    assert _answer(client, _api(user("alice")), card.public_id, {"rating": 9}).status_code == 422
    assert _answer(client, _api(user("frank")), card.public_id, {"choice": 0}).status_code == 403  # her manager
    assert _answer(client, _api(user("heidi")), card.public_id, {"choice": 0}).status_code == 403  # program admin
    foreign = client.post(
        f"/api/v1/orgs/globex/training/reinforcement/{card.public_id}/answer",
        data="{}",
        content_type="application/json",
        **_api(user("mallory")),
    )
    assert foreign.status_code == 404


def test_catalogue_and_enrolments(client: Any, user: Any, member: Any) -> None:
    programs = client.get("/api/v1/orgs/northwind/training/programs", **_api(user("alice"))).json()["items"]
    sbi = next(p for p in programs if p["title"] == "Giving feedback (SBI)")
    autumn = next(c for c in sbi["cohorts"] if c["title"] == "Autumn cohort")
    assert (autumn["capacity"], autumn["seats_taken"], autumn["waitlisted"]) == (4, 4, 2)
    alice = member("alice").public_id
    url = f"/api/v1/orgs/northwind/training/members/{alice}/enrolments"
    mine = client.get(url, **_api(user("frank"))).json()["items"]  # her manager sees the record
    assert [(e["cohort_title"], e["status"], e["sessions_attended"]) for e in mine] == [
        ("Spring cohort", "completed", 2)
    ]
    assert client.get(url, **_api(user("bob"))).status_code == 403


def test_enrol_list_sessions_and_mark_attendance_through_the_api(client: Any, user: Any, member: Any, course: Any):
    from trellis.training.models import Attendance, Enrolment, Session

    cohort = course["cohort"]
    now = timezone.now()
    session = Session.objects.create(
        organization=cohort.organization, cohort=cohort, title="Day 1", starts_at=now, ends_at=now + timedelta(hours=2)
    )
    base = f"/api/v1/orgs/northwind/training/cohorts/{cohort.public_id}"

    enrolled = client.post(f"{base}/enrolments", content_type="application/json", **_api(user("alice")))
    assert enrolled.status_code == 201 and enrolled.json()["status"] == "enrolled"
    assert Enrolment.objects.filter(cohort=cohort, membership=member("alice")).exists()

    sessions = client.get(f"{base}/sessions", **_api(user("alice")))
    assert sessions.status_code == 200
    assert [s["title"] for s in sessions.json()["items"]] == ["Day 1"] and sessions.json()["items"][0]["present"] == 0

    body = json.dumps({"session": str(session.public_id), "member": str(member("alice").public_id), "present": True})
    # alice may not mark her own attendance; grace (the cohort's instructor) may
    refused = client.post(f"{base}/attendance", data=body, content_type="application/json", **_api(user("alice")))
    assert refused.status_code == 403 and refused.json()["error"]["code"]
    marked = client.post(f"{base}/attendance", data=body, content_type="application/json", **_api(user("grace")))
    assert marked.status_code == 200 and marked.json()["present"] is True
    assert Attendance.objects.get(session=session, membership=member("alice")).present
    assert Card.objects.filter(membership=member("alice"), item__program=course["program"]).count() == 3
    assert client.get(f"{base}/sessions", **_api(user("grace"))).json()["items"][0]["present"] == 1

    # someone not enrolled cannot be marked present: a clear 422, nothing written
    stranger = json.dumps({"session": str(session.public_id), "member": str(member("bob").public_id), "present": True})
    bad = client.post(f"{base}/attendance", data=stranger, content_type="application/json", **_api(user("grace")))
    assert bad.status_code == 422 and not Attendance.objects.filter(membership=member("bob")).exists()
    # mallory (Globex) never finds Northwind's cohort
    assert client.get(f"{base}/sessions", **_api(user("mallory"))).status_code == 404


def test_the_home_page_count_equals_the_due_list(user: Any, member: Any) -> None:
    from trellis.core.access import Viewer
    from trellis.training import selectors

    for name in ("alice", "bob", "grace"):
        viewer = Viewer(user(name), member(name))
        assert selectors.due_count(viewer) == len(selectors.due_today(viewer))
    assert selectors.due_count(Viewer(user("alice"), member("alice"))) == 2
