"""The coaching API (issue 6, item 9): exact paths, 201 with the created object, role checks, read logging."""

from __future__ import annotations

from typing import Any

from trellis.coaching.models import Commitment, Engagement, JournalEntry, Objective, Referral, SessionNote
from trellis.core.models import AuditEvent, Notification

from .conftest import base

JSON = "application/json"


def test_engagement_list_is_role_scoped_with_the_listed_fields(
    engagement: Engagement, api: Any, django_assert_max_num_queries: Any
) -> None:
    url = "/api/v1/orgs/northwind/coaching/engagements"
    client = api("alice")
    with django_assert_max_num_queries(8):
        items = client.get(url).json()["items"]
    assert [i["id"] for i in items] == [str(engagement.public_id)]
    item = items[0]
    assert set(item) == {"id", "coachee", "coach", "status", "starts_on", "ends_on", "sessions_used", "sessions_budget"}
    assert item["coachee"]["name"] == "Alice Martin" and item["coach"]["name"] == "Carol Dubois"
    assert (item["status"], item["sessions_used"], item["sessions_budget"]) == ("active", 3, 12)
    for who, sees in (
        ("carol", True),
        ("dave", True),
        ("heidi", True),
        ("frank", False),
        ("erin", False),
        ("bob", False),
    ):
        ids = [i["id"] for i in api(who).get(url).json()["items"]]
        assert (str(engagement.public_id) in ids) is sees, who
    # carol's Globex membership sees Globex's engagements only (none in the demo)
    assert api("carol").get("/api/v1/orgs/globex/coaching/engagements").json() == {"items": []}


def test_the_manager_sees_logistics_only_after_the_leader_opts_in(engagement: Engagement, api: Any, login: Any) -> None:
    page = f"/o/northwind/coaching/engagements/{engagement.public_id}/"
    assert login("frank").get(page).status_code == 403
    assert login("alice").post(f"{page}manager/", {"allowed": "1"}).status_code == 302
    engagement.refresh_from_db()
    assert engagement.manager_may_see
    body = login("frank").get(page).content.decode()
    assert "Carol Dubois" in body and "3 of 12 used" in body
    assert "Say no to extra work" not in body  # the private objective
    assert "Lead the Q3 enterprise renewals" not in body  # shared with the sponsor, not the manager
    assert api("frank").get(f"{base(engagement)}/objectives").status_code == 403


def test_leader_writes_objectives_commitments_and_journal(engagement: Engagement, api: Any) -> None:
    alice = api("alice")
    response = alice.post(
        f"{base(engagement)}/objectives", {"text": "Be heard in QBRs", "shared_with_sponsor": True}, content_type=JSON
    )
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Be heard in QBRs" and body["shared_with_sponsor"] is True
    assert Objective.objects.get(public_id=body["id"]).text == "Be heard in QBRs"

    response = alice.post(
        f"{base(engagement)}/commitments", {"text": "Prepare QBR deck", "due_on": "2030-02-01"}, content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()["due_on"] == "2030-02-01" and response.json()["accepted"] is True
    listed = alice.get(f"{base(engagement)}/commitments").json()["items"]
    assert "Prepare QBR deck" in [c["text"] for c in listed]

    response = alice.post("/api/v1/orgs/northwind/coaching/journal", {"text": "Felt calmer today"}, content_type=JSON)
    assert response.status_code == 201
    assert JournalEntry.objects.get(public_id=response.json()["id"]).text == "Felt calmer today"
    assert "Felt calmer today" in [
        e["text"] for e in alice.get("/api/v1/orgs/northwind/coaching/journal").json()["items"]
    ]
    # the journal is only ever the viewer's own: carol's list does not hold alice's entry
    assert "Felt calmer today" not in api("carol").get("/api/v1/orgs/northwind/coaching/journal").content.decode()

    # empty text is a 422 naming the field
    response = alice.post(f"{base(engagement)}/commitments", {}, content_type=JSON)
    assert response.status_code == 422 and "text" in response.json()["error"]["fields"]


def test_wrong_roles_get_403(engagement: Engagement, api: Any) -> None:
    carol, alice, dave = api("carol"), api("alice"), api("dave")
    assert carol.post(f"{base(engagement)}/objectives", {"text": "x"}, content_type=JSON).status_code == 403
    assert carol.post(f"{base(engagement)}/commitments", {"text": "x"}, content_type=JSON).status_code == 403
    assert alice.post(f"{base(engagement)}/notes", {"text": "x"}, content_type=JSON).status_code == 403
    assert alice.post(f"{base(engagement)}/referral", {"note": "x"}, content_type=JSON).status_code == 403
    assert dave.post(f"{base(engagement)}/notes", {"text": "x"}, content_type=JSON).status_code == 403
    assert alice.get(f"{base(engagement)}/referral").status_code == 403
    # another organization's engagement is never found
    assert api("carol").get(f"/api/v1/orgs/globex/coaching/engagements/{engagement.public_id}/notes").status_code == 404
    assert SessionNote.objects.filter(engagement=engagement).count() == 1  # the demo's


def test_notes_coach_sees_all_leader_only_shared(engagement: Engagement, api: Any) -> None:
    carol, alice = api("carol"), api("alice")
    private = carol.post(f"{base(engagement)}/notes", {"text": "private thought"}, content_type=JSON)
    shared = carol.post(
        f"{base(engagement)}/notes", {"text": "for alice", "shared_with_coachee": True}, content_type=JSON
    )
    assert private.status_code == shared.status_code == 201
    coach_view = [n["text"] for n in carol.get(f"{base(engagement)}/notes").json()["items"]]
    leader_view = [n["text"] for n in alice.get(f"{base(engagement)}/notes").json()["items"]]
    assert {"private thought", "for alice"} <= set(coach_view)
    assert "for alice" in leader_view and "private thought" not in leader_view
    notice = Notification.objects.filter(user=alice_user(engagement)).order_by("-id").first()
    assert notice is not None and "for alice" not in notice.text


def alice_user(engagement: Engagement) -> Any:
    return engagement.coachee.user


def test_coach_proposes_leader_accepts(engagement: Engagement, api: Any) -> None:
    from django.test import Client

    carol = api("carol")
    # the coach proposes through the page (the API has no propose route)
    client = Client()
    client.force_login(engagement.coach.user)
    response = client.post(
        f"/o/northwind/coaching/engagements/{engagement.public_id}/commitments/propose/", {"text": "Walk at lunch"}
    )
    assert response.status_code == 302
    proposed = Commitment.objects.filter(engagement=engagement, proposed_by_coach=True).order_by("-id").first()
    assert proposed is not None and proposed.text == "Walk at lunch" and proposed.accepted_at is None
    url = f"/api/v1/orgs/northwind/coaching/commitments/{proposed.public_id}"
    assert carol.patch(url, {"accept": True}, content_type=JSON).status_code == 403
    response = api("alice").patch(url, {"accept": True, "text": "Walk at lunch, twice a week"}, content_type=JSON)
    assert response.status_code == 200
    proposed.refresh_from_db()
    assert proposed.accepted_at is not None and proposed.text == "Walk at lunch, twice a week"


def test_referral_pauses_and_the_sponsor_sees_only_paused(engagement: Engagement, api: Any, login: Any) -> None:
    response = api("carol").post(f"{base(engagement)}/referral", {"note": "signs of burnout"}, content_type=JSON)
    assert response.status_code == 201 and response.json()["note"] == "signs of burnout"
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.PAUSED
    assert Referral.objects.get(engagement=engagement).note == "signs of burnout"
    [listed] = api("dave").get("/api/v1/orgs/northwind/coaching/engagements").json()["items"]
    assert listed["status"] == "paused"
    dave_page = login("dave").get(f"/o/northwind/coaching/engagements/{engagement.public_id}/").content.decode()
    assert "Paused" in dave_page and "burnout" not in dave_page and "Referral" not in dave_page
    alice_page = login("alice").get(f"/o/northwind/coaching/engagements/{engagement.public_id}/").content.decode()
    assert "Employee Assistance Programme" in alice_page and "burnout" not in alice_page
    # the coach resumes
    assert login("carol").post(f"/o/northwind/coaching/engagements/{engagement.public_id}/resume/").status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.ACTIVE
    assert Referral.objects.get(engagement=engagement).resolved_at is not None


def test_reads_by_others_are_logged_and_shown_to_the_leader(engagement: Engagement, api: Any, login: Any) -> None:
    before = AuditEvent.objects.filter(object_id=str(engagement.public_id), verb__endswith=".read").count()
    api("alice").get(f"{base(engagement)}/commitments")  # the leader's own reads are not logged
    assert AuditEvent.objects.filter(object_id=str(engagement.public_id), verb__endswith=".read").count() == before
    api("carol").get(f"{base(engagement)}/commitments")
    api("dave").get(f"{base(engagement)}/objectives")
    verbs = list(
        AuditEvent.objects.filter(object_id=str(engagement.public_id), verb__endswith=".read")
        .order_by("-id")
        .values_list("verb", flat=True)[:2]
    )
    assert verbs == ["coaching.shared_objectives.read", "coaching.commitments.read"]
    page = login("alice").get(f"/o/northwind/coaching/engagements/{engagement.public_id}/access-log/")
    body = page.content.decode()
    assert "Carol Dubois" in body and "commitments" in body and "Dave Kowalski" in body and "shared objectives" in body
    assert (
        login("carol").get(f"/o/northwind/coaching/engagements/{engagement.public_id}/access-log/").status_code == 403
    )
