"""Running an engagement through its pages (no JavaScript): sessions with .ics invites and the budget, the question
bank, three-way reviews with shared objectives only, satisfaction hidden under five, closing, credential evidence
and the reminder jobs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from icalendar import Calendar

from trellis.coaching import jobs, running, running_jobs
from trellis.coaching.models import (
    CoachingQuestion,
    CoachingSession,
    Commitment,
    Credential,
    Engagement,
    ReviewResponse,
    SatisfactionRating,
)
from trellis.core.models import Membership, Notification, OutboxMessage

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _page(e: Engagement) -> str:
    return f"/o/northwind/coaching/engagements/{e.public_id}/"


def _local(days: int, hour: int = 10) -> str:
    return (timezone.localdate() + timedelta(days=days)).strftime(f"%Y-%m-%dT{hour:02d}:00")


def _mails(session: CoachingSession) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(idempotency_key__startswith=f"coaching-ics:{session.public_id}"))


# --- Sessions --------------------------------------------------------------------------------------------------
def test_the_coach_schedules_in_their_zone_and_both_get_a_real_invite(engagement: Engagement, login: Any) -> None:
    Membership.objects.filter(pk=engagement.coach_id).update(timezone="Europe/Paris")
    response = login("carol").post(f"{_page(engagement)}sessions/", {"starts_at": _local(9, 10), "minutes": "90"})
    assert response.status_code == 302
    session = CoachingSession.objects.filter(engagement=engagement).order_by("-id").first()
    assert session is not None and session.status == "scheduled" and session.minutes == 90
    day = timezone.localdate() + timedelta(days=9)
    expected = datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Europe/Paris"))
    assert session.starts_at == expected  # typed in Paris time, stored as that instant (UTC)
    mails = _mails(session)
    assert {m.recipient.email for m in mails} == {"alice@northwind.example", "carol@northwind.example"}  # type: ignore[union-attr]
    cal = Calendar.from_ical(mails[0].ics)
    event = cal.walk("VEVENT")[0]
    assert str(cal["method"]) == "REQUEST"
    assert str(event["summary"]) == "Coaching session: Alice Martin and Carol Dubois"
    assert event.decoded("dtstart") == expected and event.decoded("dtend") == expected + timedelta(minutes=90)
    assert "DESCRIPTION" not in mails[0].ics and "LOCATION" not in mails[0].ics
    assert len(event.get("attendee")) == 2
    for who in ("alice", "carol"):
        assert Notification.objects.filter(
            user__email=f"{who}@northwind.example", text="A coaching session was scheduled."
        ).exists()
    # times in each person's own zone in the mail body
    carol_mail = next(m for m in mails if m.to_email.startswith("carol"))
    assert "10:00 (Europe/Paris)" in carol_mail.body


def test_invites_and_mails_carry_no_confidential_text(engagement: Engagement, login: Any) -> None:
    login("carol").post(f"{_page(engagement)}sessions/", {"starts_at": _local(5), "minutes": "60"})
    session = CoachingSession.objects.filter(engagement=engagement).order_by("-id").first()
    assert session is not None
    session.prep = "MARKER-PREP-42 my secret focus"
    session.save()
    login("alice").post(
        f"{_page(engagement)}sessions/change/", {"session": str(session.public_id), "starts_at": _local(6)}
    )
    login("alice").post(f"{_page(engagement)}sessions/change/", {"session": str(session.public_id), "cancel": "1"})
    everything = " ".join(m.subject + m.body + m.ics for m in _mails(session))
    everything += " ".join(Notification.objects.values_list("text", flat=True))
    for secret in ("MARKER-PREP-42", "Say no to extra work", "Lead the Q3", "Explore the pattern", "Block two hours"):
        assert secret not in everything


def test_reschedule_sends_an_update_and_cancel_a_cancel(engagement: Engagement, login: Any) -> None:
    alice = login("alice")
    assert alice.post(f"{_page(engagement)}sessions/", {"starts_at": _local(4), "minutes": "60"}).status_code == 302
    session = CoachingSession.objects.filter(engagement=engagement).order_by("-id").first()
    assert session is not None
    alice.post(f"{_page(engagement)}sessions/change/", {"session": str(session.public_id), "starts_at": _local(8)})
    session.refresh_from_db()
    assert session.sequence == 1 and session.status == "scheduled"
    update = [m for m in _mails(session) if m.idempotency_key.endswith(":1")]
    assert len(update) == 2 and all("SEQUENCE:1" in m.ics and "METHOD:REQUEST" in m.ics for m in update)
    assert all(m.subject == "Updated: coaching session" for m in update)
    alice.post(f"{_page(engagement)}sessions/change/", {"session": str(session.public_id), "cancel": "1"})
    session.refresh_from_db()
    assert session.status == "cancelled" and session.sequence == 2
    cancels = [m for m in _mails(session) if m.idempotency_key.endswith(":cancel")]
    assert len(cancels) == 2 and all("METHOD:CANCEL" in m.ics and "STATUS:CANCELLED" in m.ics for m in cancels)


def test_a_session_over_budget_is_refused(engagement: Engagement, login: Any) -> None:
    Engagement.objects.filter(pk=engagement.pk).update(sessions_budget=4)  # 3 held + 1 booked
    before = CoachingSession.objects.filter(engagement=engagement).count()
    response = login("carol").post(
        f"{_page(engagement)}sessions/", {"starts_at": _local(3), "minutes": "60"}, follow=True
    )
    assert "All 4 sessions of the budget are held or booked" in response.content.decode()
    assert CoachingSession.objects.filter(engagement=engagement).count() == before
    # cancelling the booked one frees its place
    booked = CoachingSession.objects.get(engagement=engagement, status="scheduled")
    login("carol").post(f"{_page(engagement)}sessions/mark/", {"session": str(booked.public_id), "status": "cancelled"})
    assert login("carol").post(f"{_page(engagement)}sessions/", {"starts_at": _local(3)}).status_code == 302
    assert CoachingSession.objects.filter(engagement=engagement).count() == before + 1


def test_the_coach_marks_sessions_and_the_clock_shows(engagement: Engagement, login: Any) -> None:
    body = login("carol").get(_page(engagement)).content.decode()
    assert "3 of 12 used · 1 booked · 8 left to schedule" in body and "days left" in body
    held = CoachingSession.objects.filter(engagement=engagement, status="held").first()
    assert held is not None
    url = f"{_page(engagement)}sessions/mark/"
    assert login("carol").post(url, {"session": str(held.public_id), "status": "no_show"}).status_code == 302
    held.refresh_from_db()
    assert held.status == "no_show"
    future = CoachingSession.objects.get(engagement=engagement, status="scheduled")
    login("carol").post(url, {"session": str(future.public_id), "status": "held"})
    future.refresh_from_db()
    assert future.status == "scheduled"  # not before its time
    assert login("alice").post(url, {"session": str(held.public_id), "status": "held"}).status_code == 403
    assert "3 of 12 used" in login("dave").get(_page(engagement)).content.decode()


def test_session_routes_refuse_the_wrong_people(engagement: Engagement, login: Any) -> None:
    data = {"starts_at": _local(3), "minutes": "60"}
    for who in ("dave", "heidi", "frank", "erin"):
        assert login(who).post(f"{_page(engagement)}sessions/", data).status_code == 403, who
    assert (
        login("mallory").post(f"/o/northwind/coaching/engagements/{engagement.public_id}/sessions/", data).status_code
        == 404
    )
    globex = login("carol").post(f"/o/globex/coaching/engagements/{engagement.public_id}/sessions/", data)
    assert globex.status_code == 404  # carol's Globex membership never finds a Northwind engagement


# --- Question bank ---------------------------------------------------------------------------------------------
def test_question_bank_on_the_coachs_page_filters_without_js(engagement: Engagement, login: Any) -> None:
    assert CoachingQuestion.objects.filter(organization__isnull=True).count() >= 20
    body = login("carol").get(_page(engagement)).content.decode()
    assert "Question bank" in body and "What would you like to have by the end of our session?" in body
    assert "leadership behaviours does this goal stretch" in body  # the organization's (demo)
    filtered = login("carol").get(_page(engagement), {"model": "oskar", "stage": "scaling"}).content.decode()
    assert "where are you now on a scale from 0 to 10" in filtered.lower()
    assert "What would you like to have by the end" not in filtered
    for who in ("alice", "dave", "heidi"):
        assert "Question bank" not in login(who).get(_page(engagement)).content.decode()


def test_admins_add_org_questions_and_coaches_their_own(login: Any) -> None:
    r = login("heidi").post(
        "/o/northwind/coaching/questions/organization/",
        {"model": "grow", "stage": "reality", "text": "What does your team see that you don't?"},
    )
    assert r.status_code == 302
    assert (
        login("carol")
        .post(
            "/o/northwind/coaching/questions/mine/",
            {"model": "clear", "stage": "listen", "text": "What else is there?"},
        )
        .status_code
        == 302
    )
    carol = login("carol").get("/o/northwind/coaching/questions/").content.decode()
    assert "What does your team see" in carol and "What else is there?" in carol
    ivan = login("ivan").get("/o/northwind/coaching/questions/").content.decode()
    assert "What does your team see" in ivan and "What else is there?" not in ivan  # not carol's own
    bad = login("carol").post(
        "/o/northwind/coaching/questions/mine/", {"model": "grow", "stage": "listen", "text": "x"}
    )
    assert bad.status_code == 302 and not CoachingQuestion.objects.filter(text="x").exists()
    assert login("alice").post("/o/northwind/coaching/questions/mine/", {}).status_code == 403
    assert login("carol").post("/o/northwind/coaching/questions/organization/", {}).status_code == 403
    assert login("alice").get("/o/northwind/coaching/questions/").status_code == 403


# --- Reviews and satisfaction ----------------------------------------------------------------------------------
def _review(e: Engagement) -> str:
    return f"{_page(e)}review/"


def test_the_review_shows_only_shared_objectives_to_all_three(engagement: Engagement, login: Any) -> None:
    session = CoachingSession.objects.get(engagement=engagement, status="scheduled")
    session.prep = "MARKER-PREP"
    session.save()
    for who in ("alice", "carol", "dave"):
        body = login(who).get(_review(engagement)).content.decode()
        assert "Lead the Q3 enterprise renewals" in body, who
        assert "Good momentum" in body and "Happy with the pace" in body  # the demo mid-point answers
        for secret in (
            "Say no to extra work",
            "Block two hours",
            "Explore the pattern",
            "MARKER-PREP",
            "After session",
        ):
            assert secret not in body, (who, secret)
    assert login("frank").get(_review(engagement)).status_code == 403
    assert login("heidi").get(_review(engagement)).status_code == 403
    assert login("mallory").get(_review(engagement)).status_code == 404


def test_each_party_records_the_review_and_the_leader_rates(engagement: Engagement, login: Any) -> None:
    r = login("alice").post(f"{_review(engagement)}record/", {"kind": "midpoint", "answer": "Useful so far"})
    assert r.status_code == 302
    response = ReviewResponse.objects.get(engagement=engagement, kind="midpoint", party="coachee")
    assert response.reviewed_at is not None and response.answer == "Useful so far"
    assert "Useful so far" in login("dave").get(_review(engagement)).content.decode()
    assert login("alice").post(f"{_review(engagement)}rate/", {"kind": "midpoint", "rating": "4"}).status_code == 302
    assert SatisfactionRating.objects.get(engagement=engagement, kind="midpoint").rating == 4
    assert login("dave").post(f"{_review(engagement)}rate/", {"kind": "midpoint", "rating": "1"}).status_code == 403
    assert login("carol").post(f"{_review(engagement)}rate/", {"kind": "midpoint", "rating": "1"}).status_code == 403
    assert "Save my rating" not in login("dave").get(_review(engagement)).content.decode()
    assert login("heidi").post(f"{_review(engagement)}record/", {"kind": "final"}).status_code == 403


def _rated_engagements(n: int, member: Any, northwind: Any, rating: int) -> None:
    leaders = (
        Membership.objects.filter(organization=northwind, coaching_as_coachee__isnull=True)
        .exclude(pk__in=[member("carol").pk, member("dave").pk])
        .order_by("id")[:n]
    )
    for leader in leaders:
        e = Engagement.objects.create(
            organization=northwind,
            coachee=leader,
            coach=member("carol"),
            sponsor=member("dave"),
            status="active",
            starts_on=date(2030, 1, 1),
            ends_on=date(2030, 6, 30),
        )
        SatisfactionRating.objects.create(organization=northwind, engagement=e, kind="final", rating=rating)


def test_satisfaction_is_hidden_under_five(login: Any, member: Any, northwind: Any) -> None:
    _rated_engagements(4, member, northwind, 5)
    for who in ("heidi", "dave"):
        body = login(who).get("/o/northwind/coaching/").content.decode()
        assert "fewer than 5 — hidden" in body and "5.0" not in body, who
    _rated_engagements(1, member, northwind, 2)  # a fifth leader
    body = login("heidi").get("/o/northwind/coaching/").content.decode()
    assert "4.4" in body  # (4 × 5 + 2) / 5
    assert "Satisfaction" not in login("alice").get("/o/northwind/coaching/").content.decode()
    assert "Satisfaction" not in login("carol").get("/o/northwind/coaching/").content.decode()


# --- Closing ---------------------------------------------------------------------------------------------------
def test_sponsor_closes_early_commitments_stay_and_followups_stop(engagement: Engagement, login: Any) -> None:
    close = f"{_page(engagement)}close/"
    assert login("alice").post(close, {"reason": "other"}).status_code == 403
    assert login("heidi").post(close, {"reason": "other"}).status_code == 403
    login("dave").post(close, {"reason": "completed"})  # the final review is not recorded: refused
    engagement.refresh_from_db()
    assert engagement.status == "active"
    open_before = Commitment.objects.filter(engagement=engagement, status="open").count()
    assert login("dave").post(close, {"reason": "role_change"}).status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "closed" and engagement.close_reason == "role_change" and engagement.closed_at
    assert Commitment.objects.filter(engagement=engagement, status="open").count() == open_before
    booked = CoachingSession.objects.get(engagement=engagement, starts_at__gt=timezone.now())
    assert booked.status == "cancelled" and all("METHOD:CANCEL" in m.ics for m in _mails(booked))
    Commitment.objects.filter(engagement=engagement).update(accepted_at=timezone.now() - timedelta(days=30))
    assert (
        jobs.follow_up_commitments(timezone.now()) == 0
        or not Notification.objects.filter(idempotency_key__contains="followup", user=engagement.coachee.user).exists()
    )
    body = login("dave").get(_page(engagement)).content.decode()
    assert "The leader changed role or left" in body and "Schedule a session" not in body
    # the leader still owns and closes her commitments
    c = Commitment.objects.filter(engagement=engagement, status="open").first()
    assert c is not None
    login("alice").post(f"/o/northwind/coaching/commitments/{c.public_id}/", {"status": "done"})
    c.refresh_from_db()
    assert c.status == "done"


def test_completed_after_the_final_review(engagement: Engagement, login: Any, member: Any) -> None:
    for who in ("alice", "carol", "dave"):
        running.do_record_review(engagement=engagement, member=member(who), kind="final")
    assert login("carol").post(f"{_page(engagement)}close/", {"reason": "completed"}).status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "closed" and engagement.close_reason == "completed"


# --- Credentials -----------------------------------------------------------------------------------------------
@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_coach_adds_a_credential_with_evidence_served_only_by_rule(login: Any, media: Any, member: Any) -> None:
    upload = SimpleUploadedFile("carol-certificate.pdf", PDF, content_type="application/pdf")
    r = login("carol").post(
        "/o/northwind/coaching/credentials/mine/",
        {
            "body": "icf",
            "level": "MCC",
            "credential_id": "ICF-MCC-1",
            "issued_on": "2026-01-01",
            "expires_on": "2029-01-01",
            "evidence": upload,
        },
    )
    assert r.status_code == 302
    credential = Credential.objects.get(credential_id="ICF-MCC-1")
    assert credential.verified_at is None and credential.evidence_type == "application/pdf"
    assert "carol" not in credential.evidence.name and credential.evidence.name.endswith(".pdf")
    assert (media / credential.evidence.name).read_bytes() == PDF
    url = f"/o/northwind/coaching/credentials/{credential.public_id}/evidence/"
    for who in ("carol", "heidi"):
        got = login(who).get(url)
        assert got.status_code == 200 and b"".join(got.streaming_content) == PDF, who  # type: ignore[attr-defined]
        assert got["Content-Type"] == "application/pdf" and "no-store" in got["Cache-Control"]
    for who in ("dave", "frank", "alice", "erin"):
        assert login(who).get(url).status_code == 403, who
    assert login("mallory").get(f"/o/globex/coaching/credentials/{credential.public_id}/evidence/").status_code == 404
    heidi = login("heidi").get("/o/northwind/coaching/").content.decode()
    assert "ICF-MCC-1" in heidi and url in heidi  # waits for verification, with its evidence
    dave = login("dave").get("/o/northwind/coaching/").content.decode()
    assert url not in dave


def test_evidence_is_validated_by_content_and_size(login: Any, media: Any, member: Any) -> None:
    credential = Credential.objects.filter(coach__membership=member("carol")).first()
    assert credential is not None
    url = f"/o/northwind/coaching/credentials/{credential.public_id}/evidence/upload/"
    fake = SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    page = login("carol").post(url, {"evidence": fake}, follow=True).content.decode()
    assert "Upload a PDF, PNG or JPEG file." in page
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    page = login("carol").post(url, {"evidence": big}, follow=True).content.decode()
    assert "larger than 5 MB" in page
    credential.refresh_from_db()
    assert not credential.evidence
    ok = SimpleUploadedFile("ok.png", PNG, content_type="image/png")
    login("carol").post(url, {"evidence": ok})
    credential.refresh_from_db()
    assert credential.evidence_type == "image/png" and credential.evidence.name.endswith(".png")
    assert login("heidi").post(url, {"evidence": SimpleUploadedFile("x.png", PNG)}).status_code == 403
    bad = login("carol").post(
        "/o/northwind/coaching/credentials/mine/",
        {"body": "icf", "level": "PCC", "issued_on": "2026-01-01", "evidence": SimpleUploadedFile("a.txt", b"hello")},
    )
    assert bad.status_code == 400 and "Upload a PDF, PNG or JPEG file." in bad.content.decode()
    assert login("alice").get("/o/northwind/coaching/credentials/mine/").status_code == 403


def test_expiry_reminder_is_sent_once_60_days_ahead(member: Any) -> None:
    carol = member("carol")
    credential = Credential.objects.filter(coach__membership=carol).first()
    assert credential is not None
    now = timezone.now()
    Credential.objects.filter(pk=credential.pk).update(expires_on=now.date() + timedelta(days=61))
    assert running_jobs.remind_expiring_credentials(now) == 0
    Credential.objects.filter(pk=credential.pk).update(expires_on=now.date() + timedelta(days=60))
    assert running_jobs.remind_expiring_credentials(now) == 1
    assert running_jobs.remind_expiring_credentials(now) == 0  # idempotent
    assert running_jobs.remind_expiring_credentials(now + timedelta(days=1)) == 0
    key = f"coaching:credential-expiry:{credential.public_id}"
    assert Notification.objects.get(idempotency_key=key).user == carol.user
    assert OutboxMessage.objects.get(idempotency_key=f"{key}:mail").recipient == carol.user


def test_a_renewed_credential_silences_the_reminder(member: Any) -> None:
    carol = member("carol")
    old = Credential.objects.filter(coach__membership=carol).first()
    assert old is not None
    now = timezone.now()
    Credential.objects.filter(pk=old.pk).update(expires_on=now.date() + timedelta(days=20))
    running.do_add_credential(
        coach=carol, body=old.body, level="PCC", issued_on=now.date(), expires_on=now.date() + timedelta(days=1000)
    )
    assert running_jobs.remind_expiring_credentials(now) == 0


def test_review_due_reminders_go_once_to_who_has_not_reviewed(engagement: Engagement) -> None:
    midpoint = running.review_dates(engagement)["midpoint"]
    at = datetime(midpoint.year, midpoint.month, midpoint.day, 12, tzinfo=ZoneInfo("UTC"))
    Engagement.objects.exclude(pk=engagement.pk).update(status="closed")
    assert running_jobs.remind_reviews_due(at - timedelta(days=1)) == 0
    assert running_jobs.remind_reviews_due(at) == 1  # carol and dave recorded it in the demo; alice has not
    assert running_jobs.remind_reviews_due(at + timedelta(hours=1)) == 0
    assert Notification.objects.filter(
        idempotency_key=f"coaching:review-due:{engagement.public_id}:midpoint:coachee"
    ).exists()


# --- API -------------------------------------------------------------------------------------------------------
def test_sessions_api_list_create_mark(engagement: Engagement, api: Any) -> None:
    from tests.coaching.conftest import base

    url = f"{base(engagement)}/sessions"
    listed = api("dave").get(url)
    assert listed.status_code == 200
    data = listed.json()
    assert data["sessions_used"] == 3 and data["sessions_budget"] == 12 and len(data["items"]) == 4
    assert "prep" not in listed.content.decode() and "How to open the renewal" not in listed.content.decode()
    when = (timezone.now() + timedelta(days=5)).replace(microsecond=0).isoformat()
    created = api("carol").post(url, {"starts_at": when, "minutes": 45}, content_type="application/json")
    assert created.status_code == 201 and created.json()["minutes"] == 45
    assert api("dave").post(url, {"starts_at": when}, content_type="application/json").status_code == 403
    assert api("mallory").get(url.replace("/northwind/", "/globex/")).status_code == 404
    assert api("carol").post(url, {}, content_type="application/json").status_code == 422
    held = CoachingSession.objects.filter(engagement=engagement, status="held").first()
    assert held is not None
    body = {"session": str(held.public_id), "status": "no_show"}
    assert api("alice").post(f"{url}/mark", body, content_type="application/json").status_code == 403
    marked = api("carol").post(f"{url}/mark", body, content_type="application/json")
    assert marked.status_code == 200 and marked.json()["status"] == "no_show"
    Engagement.objects.filter(pk=engagement.pk).update(sessions_budget=5)
    refused = api("alice").post(url, {"starts_at": when}, content_type="application/json")
    assert refused.status_code == 422 and "budget" in refused.content.decode()
