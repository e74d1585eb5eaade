"""Versions of the three-way agreement: a change of terms needs everyone's acceptance again; the engagement
starts only when the latest version is accepted by all three; the sponsor never sees private objectives."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client

from tests.coaching.starting_helpers import accepted_request, engagement_of, make_coach
from trellis.coaching import services, starting
from trellis.coaching.models import Agreement, Engagement
from trellis.core.models import AuditEvent, Notification, Organization


def _urls(e: Engagement) -> tuple[str, str, str]:
    base = f"/o/northwind/coaching/engagements/{e.public_id}"
    return f"{base}/agreement/versions/", f"{base}/agreement/change/", f"{base}/agreement/"


def _terms(e: Engagement, **over: Any) -> dict[str, Any]:
    data = {
        "starts_on": e.starts_on.isoformat(),
        "ends_on": e.ends_on.isoformat(),
        "sessions_budget": e.sessions_budget,
        "cancellation_rules": starting.DEFAULT_CANCELLATION_RULES,
    }
    return {**data, **over}


def _client(m: Any) -> Client:
    client = Client()
    client.force_login(m.user, backend="trellis.core.backends.MemberBackend")
    return client


def _new(member: Any, northwind: Organization) -> Engagement:
    coach = make_coach(northwind, "tomas", specialties=("influence",))
    return engagement_of(accepted_request(member("priya"), member("dave"), coach))


def test_engagement_active_only_when_latest_version_accepted_by_all_three(
    login: Any, member: Any, northwind: Organization
) -> None:
    e = _new(member, northwind)
    page, change, accept = _urls(e)
    priya, dave, tomas = login("priya"), login("dave"), _client(e.coach)
    assert priya.post(accept).status_code == 302  # v1: coach (on accepting) and leader
    # the coach changes the dates before the sponsor accepted: version 2, the leader's acceptance is gone
    later = e.starts_on + timedelta(days=14)
    response = tomas.post(change, _terms(e, starts_on=later.isoformat()))
    assert response.status_code == 302
    v2 = Agreement.objects.get(engagement=e, version=2)
    assert v2.changed == ["dates"] and v2.accepted_by_coach_at and not v2.accepted_by_coachee_at
    assert Notification.objects.filter(
        user=member("priya").user, text="The coaching agreement changed. Please review and accept the new version."
    ).exists()
    dave.post(accept)
    e.refresh_from_db()
    assert e.status == Engagement.Status.PROPOSED  # sponsor and coach: not yet the leader
    priya.post(accept)
    e.refresh_from_db()
    assert e.status == Engagement.Status.ACTIVE and e.starts_on == later  # the accepted terms apply
    body = priya.get(page).content.decode()
    assert "Version 2 (latest) — accepted by all three" in body and "Version 1 — waiting for acceptance" in body
    assert "changed: dates" in body and "Coach Tomas" in body


def test_a_change_to_a_running_engagement_needs_everyone_again(
    login: Any, member: Any, northwind: Organization
) -> None:
    e = _new(member, northwind)
    page, change, accept = _urls(e)
    priya, dave = login("priya"), login("dave")
    priya.post(accept)
    dave.post(accept)
    e.refresh_from_db()
    assert e.status == Engagement.Status.ACTIVE and e.sessions_budget == 12
    assert dave.post(change, _terms(e, sessions_budget=10)).status_code == 302
    v = starting.latest(e)
    assert v is not None and v.version == 2 and not v.signed and v.accepted_by_sponsor_at is not None
    e.refresh_from_db()
    assert e.status == Engagement.Status.ACTIVE and e.sessions_budget == 12  # runs on the accepted version
    assert "Accept version 2" in priya.get(page).content.decode()
    priya.post(accept)
    _client(e.coach).post(accept)
    e.refresh_from_db()
    assert e.sessions_budget == 10
    assert "Accept version" not in priya.get(page).content.decode()


def test_objectives_are_terms_and_the_sponsor_sees_only_shared_ones(
    login: Any, member: Any, northwind: Organization
) -> None:
    e = _new(member, northwind)
    page, _, accept = _urls(e)
    for who in ("priya", "dave"):
        login(who).post(accept)
    e.refresh_from_db()
    assert e.status == Engagement.Status.ACTIVE
    priya = login("priya")
    base = f"/o/northwind/coaching/engagements/{e.public_id}"
    priya.post(f"{base}/objectives/", {"text": "SHARED-GOAL-7781 grow the pricing team", "shared_with_sponsor": "on"})
    priya.post(f"{base}/objectives/", {"text": "PRIVATE-GOAL-7781 stop dreading Mondays"})
    latest = starting.latest(e)
    assert latest is not None and latest.version == 2  # one new version, amended while only the leader accepted
    assert latest.changed == ["objectives"] and latest.accepted_by_coachee_at and not latest.signed
    assert latest.objective_links.count() == 2
    sponsor_page = login("dave").get(page).content.decode()
    assert "SHARED-GOAL-7781" in sponsor_page and "PRIVATE-GOAL-7781" not in sponsor_page
    assert "private" not in sponsor_page.split("Version 2")[1].split("Version 1")[0].lower()  # not even a count
    coach_page = _client(e.coach).get(page).content.decode()
    assert "SHARED-GOAL-7781" in coach_page and "PRIVATE-GOAL-7781" in coach_page
    assert "Accept version 2" in coach_page
    reads = set(AuditEvent.objects.filter(object_id=str(e.public_id)).values_list("verb", flat=True))
    assert {"coaching.shared_objectives.read", "coaching.objectives.read"} <= reads
    # sharing or making private is a change too; the earlier versions keep what they covered
    objective = next(o for o in e.objectives.all() if o.text.startswith("PRIVATE"))
    services.do_share_objective(objective=objective, actor=member("priya").user, shared=True)
    latest = starting.latest(e)
    assert latest is not None and latest.version == 2  # still only the leader had accepted version 2
    assert latest.objective_links.filter(shared_with_sponsor=True).count() == 2


def test_bad_changes_and_who_may_propose(login: Any, member: Any, northwind: Organization) -> None:
    e = _new(member, northwind)
    page, change, _ = _urls(e)
    priya = login("priya")
    bad = priya.post(change, _terms(e, ends_on=(e.starts_on - timedelta(days=1)).isoformat()))
    assert bad.status_code == 400 and "The end comes after the start." in bad.content.decode()
    same = priya.post(change, _terms(e))
    assert same.status_code == 400 and "Nothing changed." in same.content.decode()
    assert "refresh_confidentiality" not in priya.get(page).content.decode()  # the sponsor's switch
    assert "refresh_confidentiality" in login("dave").get(page).content.decode()
    assert Agreement.objects.filter(engagement=e).count() == 1
    assert login("heidi").get(page).status_code == 200  # program admin: logistics
    assert login("heidi").post(change, _terms(e, sessions_budget=3)).status_code == 403
    assert login("frank").get(page).status_code == 403
    assert login("mallory").get(page).status_code == 404


def test_the_demo_agreement_has_terms(login: Any, engagement: Engagement) -> None:
    page, _, _ = _urls(engagement)
    body = login("dave").get(page).content.decode()
    assert "Version 1 (latest) — accepted by all three" in body and "24 hours" in body
    assert "Lead the Q3 enterprise renewals" in body and "Say no to extra work" not in body
