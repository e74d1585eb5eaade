"""Coaching pages: what each person sees, and the demo."""

from __future__ import annotations

from typing import Any

from trellis.coaching import demo
from trellis.coaching.models import CoachingSession, CoachingSettings, Commitment, Engagement, JournalEntry


def _page(engagement: Engagement) -> str:
    return f"/o/northwind/coaching/engagements/{engagement.public_id}/"


def test_the_leaders_page(engagement: Engagement, login: Any) -> None:
    response = login("alice").get(_page(engagement))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for text in (
        "Say no to extra work",  # private objective
        "Lead the Q3 enterprise renewals",  # shared objective
        "Block two hours a week",  # her commitment
        "proposed by the coach",
        "How to open the renewal conversation",  # her prep
        "Explore the pattern next time",  # the note carol shared with her
        "Who opened my coaching records",
    ):
        assert text in body, text
    assert "Flag a referral" not in body and "Save note" not in body


def test_the_coachs_pages(engagement: Engagement, login: Any, member: Any) -> None:
    carol = login("carol")
    index = carol.get("/o/northwind/coaching/").content.decode()
    assert "People I coach in Northwind" in index and "Alice Martin" in index
    globex = carol.get("/o/globex/coaching/").content.decode()
    assert "Alice Martin" not in globex
    body = carol.get(_page(engagement)).content.decode()
    assert "Save note" in body and "Flag a referral" in body and "Propose a commitment" in body
    assert "Say no to extra work" in body  # the coach sees all objectives
    assert "After session three" not in body  # never the journal
    log = login("alice").get(f"{_page(engagement)}access-log/").content.decode()
    assert "Carol Dubois" in log and "your coaching page" in log


def test_the_sponsors_logistics_view(engagement: Engagement, login: Any) -> None:
    body = login("dave").get(_page(engagement)).content.decode()
    assert "Lead the Q3 enterprise renewals" in body and "3 of 12 used" in body and "Signed by all three" in body
    for secret in ("Say no to extra work", "Block two hours", "Explore the pattern", "How to open the renewal"):
        assert secret not in body
    assert login("dave").get("/o/northwind/coaching/").content.decode().count("Alice Martin") == 1


def test_program_admin_sees_logistics_and_the_expired_coach(engagement: Engagement, login: Any) -> None:
    heidi = login("heidi")
    index = heidi.get("/o/northwind/coaching/").content.decode()
    offered = index.split("Coaches offered for new engagements")[1]
    assert "Carol Dubois" in offered and "Ivan Petrov" not in offered
    body = heidi.get(_page(engagement)).content.decode()
    assert "3 of 12 used" in body and "Lead the Q3" not in body and "Say no" not in body


def test_leader_writes_commitment_and_journal_through_pages(engagement: Engagement, login: Any) -> None:
    alice = login("alice")
    response = alice.post(
        f"{_page(engagement)}commitments/", {"text": "Call the client on Monday", "due_on": "2030-03-01"}
    )
    assert response.status_code == 302
    commitment = Commitment.objects.filter(engagement=engagement).order_by("-id").first()
    assert commitment is not None and commitment.text == "Call the client on Monday"
    response = alice.post(f"/o/northwind/coaching/commitments/{commitment.public_id}/", {"status": "done"})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == "done" and commitment.closed_at is not None
    response = alice.post("/o/northwind/coaching/journal/", {"text": "Monday went well"})
    assert response.status_code == 302
    assert JournalEntry.objects.filter(author=engagement.coachee).first().text == "Monday went well"  # type: ignore[union-attr]
    assert "Monday went well" in alice.get("/o/northwind/coaching/journal/").content.decode()
    assert "Monday went well" not in login("carol").get("/o/northwind/coaching/journal/").content.decode()
    session = CoachingSession.objects.get(engagement=engagement, status="scheduled")
    alice.post(f"{_page(engagement)}prep/", {"session": str(session.public_id), "text": "Delegation"})
    session.refresh_from_db()
    assert session.prep == "Delegation"


def test_objective_share_toggle(engagement: Engagement, login: Any) -> None:
    objective = engagement.objectives.get(shared_with_sponsor=False)
    login("alice").post(f"{_page(engagement)}objectives/share/", {"objective": str(objective.public_id), "shared": "1"})
    objective.refresh_from_db()
    assert objective.shared_with_sponsor
    assert "Say no to extra work" in login("dave").get(_page(engagement)).content.decode()


def test_org_admin_sets_support_resources(login: Any, northwind: Any) -> None:
    response = login("erin").post(
        "/o/northwind/coaching/settings/", {"support_resources": "Call 111", "confidentiality_terms": "Logistics only"}
    )
    assert response.status_code == 302
    assert CoachingSettings.objects.get(organization=northwind).support_resources == "Call 111"
    assert login("heidi").get("/o/northwind/coaching/settings/").status_code == 403


def test_home_shows_the_proposed_commitment(login: Any) -> None:
    body = login("alice").get("/o/northwind/").content.decode()
    assert "Commitments your coach proposed" in body


def test_demo_is_idempotent(db: None) -> None:
    assert demo.load() == {"coaching engagements": 0, "coaches": 0}


def test_list_pages_keep_their_query_count(
    engagement: Engagement, login: Any, django_assert_max_num_queries: Any
) -> None:
    heidi, carol = login("heidi"), login("carol")
    heidi.get("/o/northwind/coaching/")  # warm the session
    with django_assert_max_num_queries(20):
        assert heidi.get("/o/northwind/coaching/").status_code == 200
    carol.get("/o/northwind/")
    with django_assert_max_num_queries(30):
        assert carol.get(_page(engagement)).status_code == 200


def test_three_way_agreement_starts_the_engagement(login: Any, member: Any, northwind: Any) -> None:
    from datetime import date

    eng = Engagement.objects.create(
        organization=northwind,
        coachee=member("bob"),
        coach=member("carol"),
        sponsor=member("dave"),
        starts_on=date(2030, 1, 1),
        ends_on=date(2030, 6, 30),
    )
    url = f"{_page(eng)}agreement/"
    assert "Accept the agreement" in login("bob").get(_page(eng)).content.decode()
    assert login("heidi").post(url).status_code == 403  # the program admin is no party to it
    for who in ("bob", "carol"):
        assert login(who).post(url).status_code == 302
        eng.refresh_from_db()
        assert eng.status == Engagement.Status.PROPOSED
    assert "Accept the agreement" not in login("bob").get(_page(eng)).content.decode()
    assert login("dave").post(url).status_code == 302
    eng.refresh_from_db()
    agreement = eng.agreements.get()
    assert agreement.signed and eng.status == Engagement.Status.ACTIVE


def test_program_admin_verifies_a_credential_and_the_coach_is_offered(login: Any, member: Any) -> None:
    from datetime import date

    from trellis.coaching.models import CoachProfile, Credential, EthicsAcknowledgement

    bob = member("bob")
    profile = CoachProfile.objects.create(organization=bob.organization, membership=bob)
    EthicsAcknowledgement.objects.create(organization=bob.organization, coach=profile, version="ICF 2025")
    credential = Credential.objects.create(
        organization=bob.organization, coach=profile, body="emcc", level="Practitioner", issued_on=date(2024, 1, 1)
    )
    index = login("heidi").get("/o/northwind/coaching/").content.decode()
    assert "Credentials to verify" in index and "Bob Chen" in index.split("Coaches offered")[1].split("Credentials")[1]
    assert (
        login("dave")
        .post("/o/northwind/coaching/credentials/verify/", {"credential": str(credential.public_id)})
        .status_code
        == 403
    )
    response = login("heidi").post(
        "/o/northwind/coaching/credentials/verify/", {"credential": str(credential.public_id)}
    )
    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.verified_by == member("heidi") and credential.verified_at is not None
    offered = login("heidi").get("/o/northwind/coaching/").content.decode().split("Coaches offered")[1]
    assert "Bob Chen" in offered.split("</ul>")[0]
