"""Training pages: learner, instructor, manager, program admin — content and database state, not only status."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone
from django.utils.html import escape

from trellis.training.models import Attendance, Card, Cohort, Enrolment, Program, Review


def test_learner_home_lists_enrolments_and_todays_items(login: Any, django_assert_max_num_queries: Any) -> None:
    client = login("alice")
    with django_assert_max_num_queries(20):
        page = client.get("/o/northwind/training/").content.decode()
    assert "Giving feedback (SBI)" in page and "Spring cohort" in page and "Completed" in page
    assert "Practise 2 items now" in page


def test_alice_answers_her_due_item_on_one_screen(login: Any, member: Any) -> None:
    client = login("alice")
    page = client.get("/o/northwind/training/review/").content.decode()
    card_id = re.search(r"/training/review/([0-9a-f-]{36})/", page).group(1)  # type: ignore[union-attr]
    card = Card.objects.select_related("item").get(public_id=card_id, membership=member("alice"))
    assert escape(card.item.prompt) in page and card.due <= timezone.now()
    before = card.due
    field = "choice" if card.item.kind == "question" else "rating"
    value = card.item.correct if field == "choice" else 3
    answered = client.post(f"/o/northwind/training/review/{card.public_id}/", {field: value}, follow=True)
    assert answered.redirect_chain == [(f"/o/northwind/training/review/{card.public_id}/", 302)]
    card.refresh_from_db()
    assert card.due > before
    text = answered.content.decode()
    assert "You will see it again on" in text
    assert Review.objects.filter(card=card).order_by("-at").first().rating == 3  # type: ignore[union-attr]


def test_someone_elses_card_cannot_be_answered(login: Any, member: Any) -> None:
    card = Card.objects.filter(membership=member("alice")).first()
    assert card is not None
    response = login("bob").post(f"/o/northwind/training/review/{card.public_id}/", {"choice": 0})
    assert response.status_code == 403
    assert login("mallory").post(f"/o/globex/training/review/{card.public_id}/", {"choice": 0}).status_code == 404


def test_pause_hides_todays_items(login: Any, member: Any) -> None:
    client = login("alice")
    client.post("/o/northwind/training/pause/", {"paused": "1"})
    assert not Card.objects.filter(membership=member("alice"), paused=False).exists()
    page = client.get("/o/northwind/training/").content.decode()
    assert "Your reinforcement is paused" in page and "Resume reinforcement" in page
    assert "All done for today" in client.get("/o/northwind/training/review/").content.decode()


def test_retention_chart_and_its_table(login: Any) -> None:
    page = login("alice").get("/o/northwind/training/retention/").content.decode()
    assert "<svg" in page and 'role="img"' in page and '<title id="chart-title">' in page
    assert "Predicted recall, in numbers" in page and "In 90 days" in page
    assert "without reinforcement" in page.lower()


def test_enrol_in_the_upcoming_cohort_lands_on_the_waitlist(login: Any, member: Any, sbi: Program) -> None:
    autumn = Cohort.objects.get(program=sbi, title="Autumn cohort")
    client = login("alice")
    client.post(f"/o/northwind/training/cohorts/{autumn.public_id}/enrol/")
    enrolment = Enrolment.objects.get(cohort=autumn, membership=member("alice"))
    assert enrolment.status == "waitlisted" and enrolment.waitlist_position == 3
    page = client.get(f"/o/northwind/training/programs/{sbi.public_id}/").content.decode()
    assert "Waitlisted (number 3)" in page


def test_grace_marks_attendance(login: Any, member: Any, sbi: Program) -> None:
    spring = Cohort.objects.get(program=sbi, title="Spring cohort")
    session = spring.sessions.first()
    assert session is not None
    client = login("grace")
    page = client.get(f"/o/northwind/training/cohorts/{spring.public_id}/").content.decode()
    assert session.checkin_code in page and "Alice Martin" in page
    everyone = [str(e.membership.public_id) for e in spring.enrolments.select_related("membership")]
    alice = str(member("alice").public_id)
    client.post(
        f"/o/northwind/training/cohorts/{spring.public_id}/",
        {"session": str(session.public_id), "present": [p for p in everyone if p != alice]},
    )
    assert Attendance.objects.get(session=session, membership=member("alice")).present is False
    # bob is not her instructor nor a program admin
    assert login("bob").get(f"/o/northwind/training/cohorts/{spring.public_id}/").status_code == 403


def test_manager_sees_reports_enrolments_never_answers(login: Any, member: Any) -> None:
    page = login("frank").get("/o/northwind/training/team/").content.decode()
    assert "Alice Martin" in page and "Giving feedback (SBI)" in page and "Completed" in page
    alice = member("alice")
    record = login("frank").get(f"/o/northwind/training/people/{alice.public_id}/")
    assert record.status_code == 200 and "Spring cohort" in record.content.decode()
    card = Card.objects.filter(membership=alice).first()
    assert card is not None
    assert login("frank").post(f"/o/northwind/training/review/{card.public_id}/", {"choice": 0}).status_code == 403
    assert login("bob").get(f"/o/northwind/training/people/{alice.public_id}/").status_code == 403


def test_program_admin_creates_program_cohort_and_item(login: Any, member: Any) -> None:
    client = login("heidi")
    client.post(
        "/o/northwind/training/programs/new/",
        {
            "title": "Delegation",
            "topic": "Leadership",
            "objectives": "x",
            "cost": "1000",
            "digest_size": 2,
            "mastery_days": 90,
        },
    )
    program = Program.objects.get(title="Delegation")
    response = client.post(
        f"/o/northwind/training/programs/{program.public_id}/cohorts/new/",
        {
            "title": "May",
            "starts_on": "2030-05-01",
            "ends_on": "2030-05-02",
            "capacity": 10,
            "instructor": member("grace").pk,
            "status": "planned",
        },
    )
    assert response.status_code == 302
    assert program.cohorts.get().instructor == member("grace")
    client.post(
        f"/o/northwind/training/programs/{program.public_id}/items/new/",
        {"kind": "question", "prompt": "Who decides?", "choices": "You\nThem", "correct": 2, "explanation": "e"},
    )
    item = program.items.get()
    assert (item.choices, item.correct) == (["You", "Them"], 1)
    assert login("alice").get("/o/northwind/training/programs/new/").status_code == 403


def test_program_report_suppresses_small_groups_and_exports_csv(login: Any, sbi: Program) -> None:
    client = login("heidi")
    page = client.get(f"/o/northwind/training/programs/{sbi.public_id}/report/").content.decode()
    assert "Spring cohort" in page and "%" in page  # 8 attendees: shown
    assert "fewer than 5" in page  # the upcoming cohort has no attendees yet
    assert "4.5 (16)" in page and "48% (8)" in page and "81% (8)" in page  # demo L1, L2 before and after
    csv = client.get(f"/o/northwind/training/programs/{sbi.public_id}/report/?format=csv").content.decode()
    lines = csv.strip().splitlines()
    assert lines[0].startswith("cohort,starts_on,enrolled,attended,completed,recall_now,cost_per_participant")
    header = lines[0].split(",")
    spring = dict(zip(header, next(line for line in lines if line.startswith("Spring cohort")).split(","), strict=True))
    assert spring["cost_per_participant"] == "600.00"  # 4800 / 8 attendees
    assert (spring["l1_mean"], spring["l2_pre_mean"], spring["l2_post_mean"]) == ("4.50", "0.479", "0.812")
    assert {"l1_mean", "l2_pre_mean", "l2_post_mean", "l3_yes", "l3_not_observed"} <= set(header)
    assert login("alice").get(f"/o/northwind/training/programs/{sbi.public_id}/report/").status_code == 403
