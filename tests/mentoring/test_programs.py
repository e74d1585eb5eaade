"""Programs, invitations, mentor profiles and applications through the pages; what the program admin, org admin
and manager see (never goal text); access (403/404)."""

from __future__ import annotations

from datetime import date

import pytest

from trellis.core.models import Membership, OutboxMessage, Role
from trellis.mentoring import services
from trellis.mentoring.demo import PROGRAM_NAME
from trellis.mentoring.models import Application, Invitation, MatchRun, MentorProfile, Pair, Program

ORG = "/o/northwind/mentoring"
MARKER = "ZEBRA-GOAL-7731"


@pytest.fixture
def program(northwind) -> Program:  # type: ignore[no-untyped-def]
    return Program.objects.get(organization=northwind, name=PROGRAM_NAME)


@pytest.fixture
def open_program(member) -> Program:  # type: ignore[no-untyped-def]
    return services.do_create_program(
        actor=member("heidi"),
        name="Spring mentoring",
        starts_on=date(2030, 3, 1),
        ends_on=date(2030, 9, 1),
        joining="application",
        matching="both",
    )


def test_program_admin_creates_edits_and_closes_a_program(login, northwind) -> None:  # type: ignore[no-untyped-def]
    heidi = login("heidi")
    assert heidi.get(f"{ORG}/programs/new/").status_code == 200
    r = heidi.post(
        f"{ORG}/programs/new/",
        {
            "name": "Women in tech",
            "description": "",
            "starts_on": "2030-01-01",
            "ends_on": "2029-01-01",
            "joining": "invitation",
            "matching": "admin",
            "chemistry_weeks": 3,
            "at_risk_weeks": 4,
            "rules": "",
        },
    )
    assert r.status_code == 200 and "cannot end before it starts" in r.content.decode()
    r = heidi.post(
        f"{ORG}/programs/new/",
        {
            "name": "Women in tech",
            "starts_on": "2030-01-01",
            "ends_on": "2030-06-01",
            "joining": "invitation",
            "matching": "admin",
            "chemistry_weeks": 3,
            "at_risk_weeks": 4,
        },
    )
    assert r.status_code == 302
    program = Program.objects.get(organization=northwind, name="Women in tech")
    assert program.chemistry_weeks == 3 and program.status == Program.Status.OPEN
    assert heidi.get(r["Location"]).status_code == 200
    r = heidi.post(f"{ORG}/programs/{program.public_id}/status/", {"status": "closed"})
    program.refresh_from_db()
    assert program.status == Program.Status.CLOSED


def test_members_cannot_create_or_manage(login, program) -> None:  # type: ignore[no-untyped-def]
    alice = login("alice")
    assert alice.get(f"{ORG}/programs/new/").status_code == 403
    assert alice.get(f"{ORG}/programs/{program.public_id}/edit/").status_code == 403
    assert alice.get(f"{ORG}/programs/{program.public_id}/dashboard/").status_code == 403
    assert login("mallory").get(f"/o/globex/mentoring/programs/{program.public_id}/").status_code == 404


def test_invitation_only_program_lists_only_for_invited(login, member, open_program) -> None:  # type: ignore[no-untyped-def]
    open_program.joining = Program.Joining.INVITATION
    open_program.save()
    grace = login("grace")
    assert "Spring mentoring" not in grace.get(f"{ORG}/").content.decode()
    services.do_invite(actor=member("heidi"), program=open_program, member=member("grace"), invited_as="mentee")
    assert "Spring mentoring" in grace.get(f"{ORG}/").content.decode()
    r = grace.post(f"{ORG}/programs/{open_program.public_id}/apply/", {"text": "Learn to lead", "tags": "leadership"})
    assert r.status_code == 302
    # someone not invited is refused with a clear error
    r = login("dave").post(f"{ORG}/programs/{open_program.public_id}/apply/", {"text": "x", "tags": "y"})
    assert "by invitation only" in r.content.decode()


def test_external_mentor_gets_a_mentor_only_membership_and_a_password_link(login, northwind, open_program) -> None:  # type: ignore[no-untyped-def]
    heidi = login("heidi")
    r = heidi.post(
        f"{ORG}/programs/{open_program.public_id}/invite-mentor/",
        {"full_name": "Olga Outside", "email": "olga@outside.example", "expertise": "pricing, sales", "capacity": 2},
    )
    assert r.status_code == 302
    m = Membership.objects.select_related("user").get(organization=northwind, user__email="olga@outside.example")
    assert m.roles == [Role.MENTOR]
    assert not m.user.has_usable_password()
    profile = MentorProfile.objects.get(program=open_program, member=m)
    assert profile.expertise == ["pricing", "sales"] and profile.capacity == 2
    assert Invitation.objects.filter(program=open_program, member=m, invited_as="mentor").exists()
    mail = OutboxMessage.objects.filter(to_email="olga@outside.example").latest("id")
    assert "/reset/" in mail.body or "password" in mail.body.lower()


def test_mentor_offers_themself_and_edits(login, member, open_program) -> None:  # type: ignore[no-untyped-def]
    bob = login("bob")
    url = f"{ORG}/programs/{open_program.public_id}/mentor/"
    assert bob.get(url).status_code == 200
    r = bob.post(url, {"expertise": "Architecture, pricing", "capacity": 3, "bio": "Hi", "is_active": "on"})
    assert r.status_code == 302
    profile = MentorProfile.objects.get(program=open_program, member=member("bob"))
    assert profile.expertise == ["architecture", "pricing"] and profile.capacity == 3
    bob.post(url, {"expertise": "architecture", "capacity": 1, "is_active": "on"})
    profile.refresh_from_db()
    assert profile.capacity == 1
    assert login("alice").get(url).status_code == 403  # no mentor role


def test_apply_shortlist_preferences_withdraw(login, member, program) -> None:  # type: ignore[no-untyped-def]
    program.status = Program.Status.OPEN
    program.save()
    dave = login("dave")
    r = dave.post(f"{ORG}/programs/{program.public_id}/apply/", {"text": "", "tags": ""})
    assert r.status_code == 200  # the form refuses a missing goal
    r = dave.post(
        f"{ORG}/programs/{program.public_id}/apply/",
        {"text": f"Learn pricing {MARKER}", "tags": "pricing, negotiation"},
    )
    assert r.status_code == 302
    app = Application.objects.get(program=program, mentee=member("dave"))
    page = dave.get(r["Location"]).content.decode()
    assert "% fit" in page and "of your goal tags match" in page and MARKER in page
    assert "different department" in page or "same department" in page
    from django.utils import timezone

    from trellis.mentoring import matchmaking

    fits = matchmaking.shortlist(app, at=timezone.now())
    assert fits and all(f.profile.member.level > member("dave").level for f in fits)
    choice = str(fits[0].profile.public_id)
    r = dave.post(f"{ORG}/applications/{app.public_id}/preferences/", {"choice_1": choice})
    assert list(app.ranked.values_list("mentor__public_id", flat=True)) == [fits[0].profile.public_id]
    assert "your 1st choice" in dave.get(f"{ORG}/applications/{app.public_id}/").content.decode()
    # someone else's application: 403; another organization: 404
    assert login("alice").get(f"{ORG}/applications/{app.public_id}/").status_code == 403
    assert login("heidi").get(f"{ORG}/applications/{app.public_id}/").status_code == 403
    dave.post(f"{ORG}/applications/{app.public_id}/withdraw/")
    app.refresh_from_db()
    assert app.status == Application.Status.WITHDRAWN


def test_run_page_progress_proposal_swap_publish(login, member, program) -> None:  # type: ignore[no-untyped-def]
    heidi = login("heidi")
    r = heidi.post(f"{ORG}/programs/{program.public_id}/runs/", {"objective": "participation"})
    assert r.status_code == 302
    run = MatchRun.objects.filter(program=program).latest("created_at")
    page = heidi.get(r["Location"]).content.decode()
    assert "Proposed pairs" in page and "Publish" in page
    # while working, the page shows a progress bar with htmx polling and a meta refresh
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.RUNNING, progress=0.4)
    page = heidi.get(r["Location"]).content.decode()
    assert "<progress" in page and 'http-equiv="refresh"' in page and "hx-get" in page and "40%" in page
    partial = heidi.get(r["Location"], headers={"HX-Request": "true"})
    assert "<progress" in partial.content.decode() and "<html" not in partial.content.decode()
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.READY, progress=1.0)
    assert heidi.get(r["Location"], headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    r = heidi.post(f"{ORG}/runs/{run.public_id}/publish/")
    assert r.status_code == 302
    assert Pair.objects.filter(program=program, status="proposed").count() == run.matched
    assert login("alice").get(f"{ORG}/runs/{run.public_id}/").status_code == 403


def test_mentor_accepts_on_the_pair_page(login, member, program) -> None:  # type: ignore[no-untyped-def]
    run = services.do_start_run(actor=member("heidi"), program=program)
    pair = next(p for p in services.do_publish(actor=member("heidi"), run=run))
    mentor_key = pair.mentor.member.user.email.split("@")[0]
    client = login(mentor_key)
    page = client.get(f"{ORG}/pairs/{pair.public_id}/").content.decode()
    assert "Accept" in page and "Decline" in page
    assert client.post(f"{ORG}/pairs/{pair.public_id}/respond/", {"answer": "accept"}).status_code == 302
    pair.refresh_from_db()
    assert pair.status == Pair.Status.ACTIVE
    # the mentee cannot answer for the mentor
    mentee_key = pair.mentee.user.email.split("@")[0]
    assert login(mentee_key).post(f"{ORG}/pairs/{pair.public_id}/respond/", {"answer": "decline"}).status_code == 403


def test_oversight_never_sees_goal_text(login, member, program, api) -> None:  # type: ignore[no-untyped-def]
    """Plant a marker in a goal through the API, run and publish matching, then crawl every program-side page
    and API read as heidi (program admin), erin (org admin) and the mentee's manager."""
    program.status = Program.Status.OPEN
    program.save()
    grace = member("grace")  # HR, level 5, managed by heidi
    r = api("grace").post(
        f"/api/v1/orgs/northwind/mentoring/programs/{program.public_id}/applications",
        {"goals": [{"text": f"Secret {MARKER}", "tags": ["people-management"]}]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    app = Application.objects.get(program=program, mentee=grace)
    run = services.do_start_run(actor=member("heidi"), program=program)
    services.do_publish(actor=member("heidi"), run=run)
    urls = [
        f"{ORG}/",
        f"{ORG}/programs/{program.public_id}/",
        f"{ORG}/programs/{program.public_id}/dashboard/",
        f"{ORG}/runs/{run.public_id}/",
        f"{ORG}/applications/{app.public_id}/",
        f"/api/v1/orgs/northwind/mentoring/runs/{run.public_id}",
        f"/api/v1/orgs/northwind/mentoring/programs/{program.public_id}",
        f"/api/v1/orgs/northwind/mentoring/programs/{program.public_id}/mentors",
        f"/api/v1/orgs/northwind/mentoring/applications/{app.public_id}",
        "/o/northwind/notifications/",
    ]
    for who in ("heidi", "erin", "frank"):
        client = login(who)
        for url in urls:
            body = client.get(url).content.decode()
            assert MARKER not in body, f"{who} saw goal text at {url}"
    assert MARKER in login("grace").get(f"{ORG}/applications/{app.public_id}/").content.decode()
