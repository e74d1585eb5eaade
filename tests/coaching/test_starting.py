"""Starting an engagement through the pages: request → shortlist → chemistry calls → choice → coach's answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from tests.coaching.starting_helpers import make_coach
from trellis.coaching import starting
from trellis.coaching.models import Agreement, ChemistryCall, CoachingRequest, CoachingSettings, Engagement
from trellis.coaching.shortlist import Candidate, Need, rank
from trellis.core.models import Membership, Notification, Organization

BASE = "/o/northwind/coaching"


def _url(req: CoachingRequest, suffix: str = "") -> str:
    return f"{BASE}/requests/{req.public_id}/{suffix}"


def _future_local(days: int = 3) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat() + "T10:30"


def _open(
    login: Any, member: Any, leader: str = "priya", focus: str = "influence, pricing strategy"
) -> CoachingRequest:
    response = login("dave").post(f"{BASE}/requests/new/", {"leader": str(member(leader).public_id), "focus": focus})
    assert response.status_code == 302, response.content.decode()[:2000]
    return CoachingRequest.objects.get(leader=member(leader))


def _notified(m: Membership, text: str) -> bool:
    return Notification.objects.filter(user=m.user, organization=m.organization, text__contains=text).exists()


def test_the_whole_flow_through_pages(login: Any, member: Any, northwind: Organization) -> None:
    tomas = make_coach(northwind, "tomas", specialties=("influence", "strategy"), languages=("en", "hi"))
    dave, priya, carol = login("dave"), login("priya"), login("carol")
    form = dave.get(f"{BASE}/requests/new/").content.decode()
    assert "Leader to be coached" in form and "leadership transitions" in form  # known specialties offered as help
    req = _open(login, member)
    assert req.sponsor == member("dave") and req.focus == ["influence", "pricing strategy"]
    assert _notified(member("priya"), "A coaching request was opened for you.")

    page = priya.get(_url(req)).content.decode()
    shortlist = page.split('id="short-h"')[1]
    assert "Carol Dubois" in shortlist and "Coach Tomas" in shortlist and "Ivan Petrov" not in shortlist
    assert "Specialties matching your focus: influence" in shortlist and "Speaks en, hi like you" in shortlist
    assert shortlist.index("Coach Tomas") < shortlist.index("Carol Dubois")  # language in common with priya (hi)

    carol_m = member("carol")
    response = priya.post(_url(req, "calls/"), {"coach": str(carol_m.public_id), "starts_at": _future_local()})
    assert response.status_code == 302
    call = ChemistryCall.objects.get(request=req, coach=carol_m)
    assert call.starts_at.astimezone(ZoneInfo(member("priya").timezone)).strftime("%H:%M") == "10:30"
    assert _notified(carol_m, "A leader booked a chemistry call with you.")

    coach_page = carol.get(_url(req)).content.decode()
    assert "Priya Raman" in coach_page and "Booked" in coach_page and 'id="short-h"' not in coach_page

    priya.post(_url(req, "choose/"), {"coach": str(carol_m.public_id)})  # not held yet: refused
    req.refresh_from_db()
    assert req.status == CoachingRequest.Status.OPEN
    priya.post(_url(req, "calls/mark/"), {"call": str(call.public_id), "status": "held"})
    priya.post(_url(req, "choose/"), {"coach": str(carol_m.public_id)})
    req.refresh_from_db()
    assert req.status == CoachingRequest.Status.CHOSEN and req.chosen_coach == carol_m
    assert "You were chosen" in carol.get(_url(req)).content.decode()

    carol.post(_url(req, "respond/"), {"accept": "0"})  # carol declines: priya chooses again
    req.refresh_from_db()
    call.refresh_from_db()
    assert req.status == CoachingRequest.Status.OPEN and req.chosen_coach is None and call.status == "declined"
    assert _notified(member("priya"), "The coach you chose declined.")

    priya.post(_url(req, "calls/"), {"coach": str(tomas.public_id), "starts_at": _future_local(4)})
    call2 = ChemistryCall.objects.get(request=req, coach=tomas)
    priya.post(_url(req, "calls/mark/"), {"call": str(call2.public_id), "status": "held"})
    priya.post(_url(req, "choose/"), {"coach": str(tomas.public_id)})
    tomas_client = Client()
    tomas_client.force_login(tomas.user, backend="trellis.core.backends.MemberBackend")
    response = tomas_client.post(_url(req, "respond/"), {"accept": "1"})
    req.refresh_from_db()
    assert req.status == CoachingRequest.Status.ACCEPTED and req.engagement is not None
    assert response.status_code == 302 and response["Location"].endswith("/agreement/versions/")

    engagement = Engagement.objects.get(pk=req.engagement.pk)
    assert engagement.status == Engagement.Status.PROPOSED
    assert (engagement.coachee, engagement.coach, engagement.sponsor) == (member("priya"), tomas, member("dave"))
    v1 = Agreement.objects.get(engagement=engagement)
    terms = CoachingSettings.objects.get(organization=northwind).confidentiality_terms
    assert (v1.version, v1.sessions_budget, v1.confidentiality_terms) == (1, 12, terms)
    assert v1.starts_on == timezone.localdate() and v1.ends_on == starting.add_months(v1.starts_on, 6)
    assert "24 hours" in v1.cancellation_rules and v1.accepted_by_coach_at is not None
    assert _notified(member("priya"), "The coaching agreement is ready for you to accept.")
    assert _notified(member("dave"), "The coaching agreement is ready for you to accept.")
    for text in ("Priya", "Tomas", "influence"):  # notifications say that, never who or what
        assert not Notification.objects.filter(text__contains=text).exists()

    priya.post(f"{BASE}/engagements/{engagement.public_id}/agreement/")
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.PROPOSED  # the sponsor has not accepted yet
    dave.post(f"{BASE}/engagements/{engagement.public_id}/agreement/")
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.ACTIVE


def test_a_leader_opens_a_request_for_themself_naming_a_sponsor(login: Any, member: Any) -> None:
    alice = login("alice")
    form = alice.get(f"{BASE}/requests/new/").content.decode()
    assert "Leader to be coached" not in form and "Dave Kowalski" in form
    assert "Frank Meyer" not in form.split('name="sponsor"')[1].split("</select>")[0]  # frank is not a sponsor
    response = alice.post(f"{BASE}/requests/new/", {"sponsor": str(member("frank").public_id), "focus": ""})
    assert response.status_code == 400 and not CoachingRequest.objects.filter(leader=member("alice")).exists()
    response = alice.post(f"{BASE}/requests/new/", {"sponsor": str(member("dave").public_id), "focus": "x"})
    assert response.status_code == 302
    req = CoachingRequest.objects.get(leader=member("alice"))
    assert req.sponsor == member("dave") and req.opened_by == member("alice")
    assert _notified(member("dave"), "You were named sponsor of a coaching request.")
    again = alice.post(f"{BASE}/requests/new/", {"sponsor": str(member("dave").public_id), "focus": "y"})
    assert again.status_code == 400 and "already has an open coaching request" in again.content.decode()


def test_access_wrong_role_403_other_org_404(login: Any, member: Any, northwind: Organization) -> None:
    req = _open(login, member)
    assert login("frank").get(_url(req)).status_code == 403  # not part of it
    assert login("carol").get(_url(req)).status_code == 403  # a coach without a call on it
    assert login("heidi").get(_url(req)).status_code == 200  # program admin: logistics
    assert login("mallory").get(_url(req)).status_code == 404  # another organization
    assert login("dave").post(_url(req, "choose/"), {"coach": str(member("carol").public_id)}).status_code == 403
    assert login("dave").post(_url(req, "calls/"), {}).status_code == 403  # only the leader books
    assert login("priya").post(_url(req, "respond/"), {"accept": "1"}).status_code == 403
    assert login("heidi").post(_url(req, "withdraw/")).status_code == 403
    # a coach with a call sees the request; one who was merely booked cannot accept without being chosen
    starting.do_book_call(
        request=req, actor=member("priya"), coach=member("carol"), starts_at=timezone.now() + timedelta(days=1)
    )
    carol = login("carol")
    assert carol.get(_url(req)).status_code == 200
    assert carol.post(_url(req, "respond/"), {"accept": "1"}).status_code == 302
    req.refresh_from_db()
    assert req.status == CoachingRequest.Status.OPEN and req.engagement is None
    assert login("dave").post(_url(req, "withdraw/")).status_code == 302
    req.refresh_from_db()
    assert req.status == CoachingRequest.Status.WITHDRAWN


def test_only_offerable_coaches_with_capacity_are_shortlisted(login: Any, member: Any, northwind: Organization) -> None:
    make_coach(northwind, "lapsed", expires_in=-1)
    make_coach(northwind, "unverified", verified=False)
    make_coach(northwind, "noethics", ethics=False)
    full = make_coach(northwind, "full", capacity=1)
    Engagement.objects.create(
        organization=northwind,
        coachee=member("bob"),
        coach=full,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=30),
    )
    make_coach(northwind, "open", expires_in=None)  # a credential without expiry stays valid
    req = _open(login, member)
    names = {
        o.profile.membership.user.full_name
        for o in starting.shortlist(req, today=timezone.localdate(), now=timezone.now())
    }
    assert names == {"Carol Dubois", "Coach Open"}
    priya = login("priya")
    ivan = Membership.objects.get(organization=northwind, user__email="ivan@northwind.example")
    for coach in (ivan, full):
        response = priya.post(_url(req, "calls/"), {"coach": str(coach.public_id), "starts_at": _future_local()})
        assert response.status_code == 302
    assert not ChemistryCall.objects.filter(request=req).exists()


def test_at_most_three_chemistry_calls(login: Any, member: Any, northwind: Organization) -> None:
    coaches = [make_coach(northwind, f"c{i}") for i in range(4)]
    req = _open(login, member)
    priya = login("priya")
    for coach in coaches:
        priya.post(_url(req, "calls/"), {"coach": str(coach.public_id), "starts_at": _future_local()})
    booked = ChemistryCall.objects.filter(request=req)
    assert booked.count() == 3 and not booked.filter(coach=coaches[3]).exists()
    page = priya.get(_url(req)).content.decode()
    assert "0 left" in page and "Book a chemistry call" not in page
    priya.post(_url(req, "calls/mark/"), {"call": str(booked.get(coach=coaches[0]).public_id), "status": "cancelled"})
    priya.post(_url(req, "calls/"), {"coach": str(coaches[3].public_id), "starts_at": _future_local()})
    assert ChemistryCall.objects.filter(request=req).exclude(status="cancelled").count() == 3
    assert ChemistryCall.objects.filter(request=req, coach=coaches[3]).exists()


def test_a_call_in_the_past_is_refused(login: Any, member: Any) -> None:
    req = _open(login, member)
    past = (timezone.localdate() - timedelta(days=1)).isoformat() + "T10:00"
    login("priya").post(_url(req, "calls/"), {"coach": str(member("carol").public_id), "starts_at": past})
    assert not ChemistryCall.objects.filter(request=req).exists()


def test_shortlist_page_query_count_does_not_grow(
    login: Any, member: Any, northwind: Organization, django_assert_max_num_queries: Any
) -> None:
    req = _open(login, member)
    priya = login("priya")
    priya.get(_url(req))  # warm
    for i in range(2):
        make_coach(northwind, f"few{i}")
    with django_assert_max_num_queries(20) as few:
        assert priya.get(_url(req)).status_code == 200
    for i in range(10):
        make_coach(northwind, f"many{i}", specialties=("influence",))
    with django_assert_max_num_queries(20) as many:
        assert priya.get(_url(req)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_requests_list_scoped(login: Any, member: Any) -> None:
    req = _open(login, member)
    assert "Coaching for Priya Raman" in login("priya").get(f"{BASE}/requests/").content.decode()
    assert "Coaching for Priya Raman" in login("dave").get(f"{BASE}/requests/").content.decode()
    assert "Coaching for Priya Raman" in login("heidi").get(f"{BASE}/requests/").content.decode()
    assert "Coaching for Priya Raman" not in login("frank").get(f"{BASE}/requests/").content.decode()
    assert "Coaching for Priya Raman" not in login("carol").get(f"{BASE}/requests/").content.decode()
    assert req.status == "open"


def test_demo_has_an_open_request_with_a_call(member: Any) -> None:
    req = CoachingRequest.objects.get(leader=member("oscar"))
    assert req.status == "open" and req.sponsor == member("dave")
    assert req.calls.get().coach == member("carol")


@pytest.mark.parametrize("focus", [("influence",), ()])
def test_rank_orders_by_specialty_language_zone_and_skips_full(focus: tuple[str, ...]) -> None:
    need = Need(focus, ("en", "fr"), 1.0)
    ranked = rank(
        need,
        [
            Candidate("a", ("Influence",), ("de",), 1.0, 3, 0),
            Candidate("b", ("strategy",), ("fr",), 1.0, 3, 1),
            Candidate("c", ("strategy",), ("fr",), -5.0, 3, 1),
            Candidate("d", ("influence",), ("en",), 1.0, 2, 2),  # full
        ],
    )
    keys = [r.key for r in ranked]
    assert "d" not in keys
    assert keys == (["a", "b", "c"] if focus else ["b", "c", "a"])
    assert ranked[keys.index("c")].reasons[2] == "6 hours apart"


def test_the_flow_through_the_api(api: Any, member: Any) -> None:
    base = "/api/v1/orgs/northwind/coaching/requests"
    dave, priya, carol = api("dave"), api("priya"), api("carol")
    response = dave.post(base, {"leader": str(member("priya").public_id), "focus": ["influence"]}, "application/json")
    assert response.status_code == 201, response.content
    rid = response.json()["id"]
    assert dave.post(base, {}, "application/json").status_code == 422  # a sponsor must name the leader
    detail = priya.get(f"{base}/{rid}").json()
    carol_id = str(member("carol").public_id)
    assert [o["coach"]["id"] for o in detail["shortlist"]] == [carol_id]
    assert any(r.startswith("Specialties matching your focus") for r in detail["shortlist"][0]["reasons"])
    assert carol.get(f"{base}/{rid}").status_code == 403  # no call with her yet
    at = (timezone.now() + timedelta(days=2)).isoformat()
    call = priya.post(f"{base}/{rid}/calls", {"coach": carol_id, "starts_at": at}, "application/json")
    assert call.status_code == 201 and call.json()["status"] == "booked"
    assert carol.get(f"{base}/{rid}").json()["shortlist"] == []  # a coach sees the call, not the shortlist
    assert carol.post(f"{base}/{rid}/choose", {"coach": carol_id}, "application/json").status_code == 403
    marked = priya.post(f"{base}/{rid}/calls/mark", {"call": call.json()["id"], "status": "held"}, "application/json")
    assert marked.status_code == 200 and marked.json()["status"] == "held"
    chosen = priya.post(f"{base}/{rid}/choose", {"coach": carol_id}, "application/json")
    assert chosen.status_code == 200 and chosen.json()["status"] == "chosen"
    assert priya.post(f"{base}/{rid}/respond", {"accept": True}, "application/json").status_code == 403
    accepted = carol.post(f"{base}/{rid}/respond", {"accept": True}, "application/json")
    assert accepted.status_code == 200 and accepted.json()["engagement_id"]
    assert [r["id"] for r in priya.get(base).json()["items"]] == [rid]
    assert api("mallory").get(f"/api/v1/orgs/northwind/coaching/requests/{rid}").status_code == 404
