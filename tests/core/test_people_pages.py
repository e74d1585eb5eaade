"""People pages: the directory, member details, inviting and editing people (org admins only), the organization
switcher and notifications."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from trellis.core import services
from trellis.core.models import AuditEvent, Membership, Notification, Organization, OutboxMessage, Role, User

PEOPLE = "/o/northwind/people/"


def detail_url(m: Membership) -> str:
    return f"/o/{m.organization.slug}/people/{m.public_id}/"


def edit_form(m: Membership, **changes: Any) -> dict[str, Any]:
    """The edit form as the page would post it, with some fields changed."""
    data: dict[str, Any] = {
        "full_name": m.user.full_name,
        "title": m.title,
        "department": m.department,
        "level": m.level,
        "manager": str(m.manager.public_id) if m.manager else "",
        "languages": "; ".join(m.languages),
        "timezone": m.timezone,
        "roles": list(m.roles),
    }
    data.update(changes)
    return data


def last_audit() -> AuditEvent:
    line = AuditEvent.objects.order_by("-id").first()
    assert line is not None
    return line


# --- The directory ------------------------------------------------------------------------------------------
def test_the_directory_lists_members_with_title_department_and_manager(login, member):
    response = login("alice").get(PEOPLE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<div id="people-rows">' in html and "<h1>People</h1>" in html
    northwind_members = Membership.objects.active().filter(organization__slug="northwind").count()
    assert response.context["page"].paginator.count == northwind_members
    assert len(response.context["page"]) == 50
    names = [m.user.full_name for m in response.context["page"]]
    assert names == sorted(names)
    assert "Mallory Stone" not in html  # Globex's people are not Northwind's directory


def test_search_by_name_finds_the_person(login, member):
    response = login("alice").get(PEOPLE, {"q": "frank mey"})
    assert [m.user.full_name for m in response.context["page"]] == ["Frank Meyer"]
    html = response.content.decode()
    frank = member("frank")
    assert f'href="{detail_url(frank)}"' in html
    assert "Sales Manager" in html and "Victor Hale" in html  # title and manager in the row
    assert 'value="frank mey"' in html


def test_search_by_title_department_and_email(login):
    client = login("alice")
    assert "Grace Adeyemi" in {m.user.full_name for m in client.get(PEOPLE, {"q": "Feedback Trainer"}).context["page"]}
    by_email = client.get(PEOPLE, {"q": "erin@northwind"}).context["page"]
    assert [m.user.full_name for m in by_email] == ["Erin Walsh"]
    hr = client.get(PEOPLE, {"q": "HR"}).context["page"]
    assert {"Dave Kowalski", "Erin Walsh", "Heidi Novak"} <= {m.user.full_name for m in hr}
    nobody = client.get(PEOPLE, {"q": "zzzz-no-such-person"})
    assert "Nobody matches." in nobody.content.decode()


def test_search_never_reaches_into_another_organization(login):
    page = login("alice").get(PEOPLE, {"q": "mallory"}).context["page"]
    assert list(page) == []


def test_htmx_search_returns_only_the_rows(login):
    client = login("alice")
    response = client.get(PEOPLE, {"q": "alice"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Alice Martin" in html and "<table" in html
    assert "<html" not in html and "<h1>" not in html and 'id="people-rows"' not in html
    assert response.templates[0].name == "core/_people_rows.html"
    assert "HX-Request" in response["Vary"]  # a cache must not serve the rows as the page, or the reverse
    full = client.get(PEOPLE, {"q": "alice"})
    assert "<html" in full.content.decode() and "HX-Request" in full["Vary"]


def test_the_directory_hides_deactivated_people_unless_asked(login, member, user):
    alice = member("alice")
    services.do_deactivate_member(membership=alice, actor=user("erin"))
    client = login("erin")
    assert "Alice Martin" not in {m.user.full_name for m in client.get(PEOPLE, {"q": "alice"}).context["page"]}
    shown = client.get(PEOPLE, {"q": "alice", "inactive": "1"})
    assert "Alice Martin" in shown.content.decode() and "(deactivated)" in shown.content.decode()


def test_the_pager_keeps_the_search(login):
    response = login("erin").get(PEOPLE, {"q": "e", "inactive": "1"})
    assert response.context["page"].has_next()
    assert 'href="?q=e&amp;inactive=1&amp;page=2"' in response.content.decode()


def test_the_directory_query_count_does_not_grow_with_members(login, django_assert_max_num_queries):
    client = login("alice")
    client.get(PEOPLE)  # the first request after signing in also refreshes the session
    # session + viewer, count, one page of rows (with user and manager joined), unread notifications (+ slack)
    with django_assert_max_num_queries(8) as one:
        response = client.get(PEOPLE, {"q": "Frank Meyer"})
    assert len(response.context["page"]) == 1
    with django_assert_max_num_queries(8) as fifty:
        response = client.get(PEOPLE)
    assert len(response.context["page"]) == 50
    assert len(fifty.captured_queries) == len(one.captured_queries)


# --- Member details -----------------------------------------------------------------------------------------
def test_member_detail_shows_the_manager_and_the_reports(login, member):
    frank, alice, victor = member("frank"), member("alice"), member("victor")
    response = login("bob").get(detail_url(frank))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Frank Meyer</h1>" in html
    assert f'href="{detail_url(victor)}">Victor Hale</a>' in html  # his manager
    assert "Direct reports" in html and f'href="{detail_url(alice)}">Alice Martin</a>' in html
    assert {r.pk for r in response.context["reports"]} == set(frank.reports.active().values_list("pk", flat=True))
    assert "Europe/Berlin" in html and "frank@northwind.example" in html
    assert "Edit" not in re.findall(r'<div class="heading">.*?</div>', html, re.S)[0]  # bob is no admin
    assert "Deactivate" not in html


def test_member_detail_query_count_does_not_grow_with_reports(login, member, django_assert_max_num_queries):
    client = login("erin")
    client.get(PEOPLE)
    with django_assert_max_num_queries(10) as few:
        response = client.get(detail_url(member("frank")))
    assert len(response.context["reports"]) >= 1
    with django_assert_max_num_queries(10) as many:
        response = client.get(detail_url(member("mgr.sales.1")))
    assert len(response.context["reports"]) >= 5
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_unknown_member_id_is_404(login):
    assert login("alice").get(PEOPLE + "00000000-0000-0000-0000-000000000000/").status_code == 404


def test_the_admin_sees_edit_and_deactivate(login, member):
    alice = member("alice")
    html = login("erin").get(detail_url(alice)).content.decode()
    assert f'href="{detail_url(alice)}edit/"' in html
    assert f'action="{detail_url(alice)}deactivate/"' in html
    own = login("erin").get(detail_url(member("erin"))).content.decode()
    assert "deactivate/" not in own  # an admin does not deactivate themself from here


# --- Inviting -----------------------------------------------------------------------------------------------
def invite_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "email": "Zoe.Quist@Northwind.example",
        "full_name": "Zoe Quist",
        "title": "Account Executive",
        "department": "Sales",
        "level": 3,
        "manager": "",
        "languages": "en; sv",
        "timezone": "Europe/Stockholm",
        "roles": ["participant"],
    }
    data.update(changes)
    return data


def test_an_admin_invites_a_new_person(login, member, django_capture_on_commit_callbacks, mailoutbox):
    frank = member("frank")
    client = login("erin")
    assert "Invite someone to Northwind" in client.get(PEOPLE + "invite/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PEOPLE + "invite/", invite_form(manager=str(frank.public_id)))
    assert response.status_code == 302
    zoe = Membership.objects.select_related("user").get(
        organization__slug="northwind", user__email="zoe.quist@northwind.example"
    )
    assert response["Location"] == detail_url(zoe)
    assert zoe.user.full_name == "Zoe Quist" and not zoe.user.has_usable_password()
    assert (zoe.title, zoe.department, zoe.level, zoe.manager, zoe.languages, zoe.timezone, zoe.roles) == (
        "Account Executive", "Sales", 3, frank, ["en", "sv"], "Europe/Stockholm", ["participant"]
    )  # fmt: skip
    line = last_audit()
    assert (line.verb, line.object_id, line.actor) == (
        "member.invited",
        str(zoe.public_id),
        member("erin").user.public_id,
    )

    invitation = OutboxMessage.objects.get(recipient=zoe.user)
    assert invitation.subject == "You have been added to Northwind on Trellis"
    assert invitation.organization == zoe.organization and invitation.sent_at is not None
    assert "Erin Walsh added you to Northwind" in invitation.body
    assert [m.to for m in mailoutbox] == [["zoe.quist@northwind.example"]]
    page = client.get(response["Location"])
    assert "Zoe Quist was invited" in page.content.decode()

    # The link in the invitation carries Zoe's public id and lets her choose a password and sign in.
    path = re.search(r"https?://[^/\s]+(/password-reset/([^/\s]+)/[^/\s]+/)", invitation.body)
    assert path is not None
    assert force_str(urlsafe_base64_decode(path.group(2))) == str(zoe.user.public_id)
    newcomer = Client()
    set_password = newcomer.get(path.group(1))["Location"]
    newcomer.post(
        set_password, {"new_password1": "zoe-chooses-a-passphrase", "new_password2": "zoe-chooses-a-passphrase"}
    )
    assert (
        newcomer.post(
            "/login/", {"username": "zoe.quist@northwind.example", "password": "zoe-chooses-a-passphrase"}
        ).status_code
        == 302
    )
    assert "Welcome, Zoe" in newcomer.get("/", follow=True).content.decode()


def test_inviting_someone_who_already_has_an_account_adds_a_membership_only(
    login, user, django_capture_on_commit_callbacks
):
    mallory = user("mallory")
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = login("erin").post(PEOPLE + "invite/", invite_form(email="mallory@globex.example", full_name="M S"))
    assert response.status_code == 302
    assert User.objects.count() == users
    mallory.refresh_from_db()
    assert mallory.full_name == "Mallory Stone" and mallory.has_usable_password()
    assert set(Membership.objects.filter(user=mallory).values_list("organization__slug", flat=True)) == {
        "globex",
        "northwind",
    }
    invitation = OutboxMessage.objects.get(recipient=mallory)
    assert "Sign in with your existing account" in invitation.body and "password-reset" not in invitation.body


def test_inviting_a_current_member_is_a_form_error(login):
    count = Membership.objects.count()
    audit = AuditEvent.objects.count()
    response = login("erin").post(PEOPLE + "invite/", invite_form(email="ALICE@northwind.example"))
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == ["alice@northwind.example is already a member."]
    assert Membership.objects.count() == count and AuditEvent.objects.count() == audit


def test_invite_form_errors_create_nothing(login):
    users, outbox = User.objects.count(), OutboxMessage.objects.count()
    response = login("erin").post(
        PEOPLE + "invite/", invite_form(email="not-an-email", timezone="Mars/Olympus", level=11)
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "timezone", "level"}
    assert "is not an IANA time zone" in response.content.decode()
    assert User.objects.count() == users and OutboxMessage.objects.count() == outbox


def test_inviting_a_deactivated_member_again_reactivates_them(login, member, user):
    alice = member("alice")
    services.do_deactivate_member(membership=alice, actor=user("erin"))
    response = login("erin").post(PEOPLE + "invite/", invite_form(email="alice@northwind.example", full_name="Alice"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.is_active and alice.title == "Account Executive"


# --- Editing ------------------------------------------------------------------------------------------------
def test_an_admin_edits_title_manager_and_roles(login, member):
    alice, bob = member("alice"), member("bob")
    before = AuditEvent.objects.count()
    erin = login("erin")
    response = erin.post(
        detail_url(alice) + "edit/",
        edit_form(alice, title="Senior Account Executive", manager=str(bob.public_id), roles=["participant", "mentor"]),
    )
    assert response.status_code == 302
    assert response["Location"] == detail_url(alice)
    alice.refresh_from_db()
    assert alice.title == "Senior Account Executive"
    assert alice.manager == bob
    assert alice.roles == ["mentor", "participant"]
    new_lines = list(AuditEvent.objects.order_by("id")[before:])
    assert [e.verb for e in new_lines] == ["member.updated", "member.roles_changed"]
    assert {e.object_id for e in new_lines} == {str(alice.public_id)}
    page = erin.get(detail_url(alice)).content.decode()
    assert "Saved Alice Martin." in page and "Senior Account Executive" in page and "Bob Chen" in page


def test_the_edit_form_starts_from_the_current_values(login, member):
    alice = member("alice")
    form = login("erin").get(detail_url(alice) + "edit/").context["form"]
    assert form.initial["title"] == "Account Executive"
    assert form.initial["manager"] == member("frank").public_id
    assert form.initial["roles"] == ["participant"]
    assert alice not in form.fields["manager"].queryset  # nobody manages themself


def test_a_reporting_cycle_is_refused_and_nothing_is_saved(login, member):
    frank, alice = member("frank"), member("alice")  # alice reports to frank
    before = AuditEvent.objects.count()
    response = login("erin").post(
        detail_url(frank) + "edit/",
        edit_form(
            frank, title="Head of Sales", manager=str(alice.public_id), roles=["participant", "manager", "mentor"]
        ),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["manager"] == ["That manager would create a reporting cycle."]
    assert "reporting cycle" in response.content.decode()
    frank.refresh_from_db()
    assert frank.manager == member("victor") and frank.title == "Sales Manager"
    assert frank.roles == ["manager", "participant"]
    assert AuditEvent.objects.count() == before


def test_removing_the_last_org_admin_is_refused(login, member):
    erin = member("erin")
    before = AuditEvent.objects.count()
    response = login("erin").post(detail_url(erin) + "edit/", edit_form(erin, title="Changed", roles=["participant"]))
    assert response.status_code == 400
    assert "at least one active org admin" in response.content.decode()
    erin.refresh_from_db()
    assert Role.ORG_ADMIN in erin.roles and erin.title == "People Systems Lead"  # the title change rolled back too
    assert AuditEvent.objects.count() == before

    response = login("erin").post(detail_url(erin) + "deactivate/", follow=True)
    assert "at least one active org admin" in response.content.decode()
    erin.refresh_from_db()
    assert erin.is_active


def test_with_a_second_admin_the_first_may_step_down(login, member, user):
    services.do_set_roles(
        membership=member("heidi"), roles=["participant", "program_admin", "org_admin"], actor=user("erin")
    )
    erin = member("erin")
    response = login("erin").post(detail_url(erin) + "edit/", edit_form(erin, roles=["participant"]))
    assert response.status_code == 302
    erin.refresh_from_db()
    assert erin.roles == ["participant"]
    assert login("erin").get("/o/northwind/audit/").status_code == 403  # the table follows the roles at once


# --- Deactivating -------------------------------------------------------------------------------------------
def test_an_admin_deactivates_and_reactivates_a_member(login, member):
    alice = member("alice")
    erin = login("erin")
    alice_client = login("alice")
    assert alice_client.get("/o/northwind/").status_code == 200

    response = erin.post(detail_url(alice) + "deactivate/", follow=True)
    assert response.redirect_chain == [(detail_url(alice), 302)]
    assert "Alice Martin was deactivated." in response.content.decode()
    assert "This membership is deactivated." in response.content.decode()
    alice.refresh_from_db()
    assert not alice.is_active
    assert last_audit().verb == "member.deactivated"
    assert alice_client.get("/o/northwind/").status_code == 404  # no longer a member: the organization is gone
    assert alice_client.get(PEOPLE).status_code == 404

    response = erin.post(detail_url(alice) + "deactivate/", {"reactivate": "1"}, follow=True)
    assert "Alice Martin is active again." in response.content.decode()
    alice.refresh_from_db()
    assert alice.is_active
    assert last_audit().verb == "member.reactivated"
    assert alice_client.get("/o/northwind/").status_code == 200


def test_deactivate_is_post_only(login, member):
    alice = member("alice")
    assert login("erin").get(detail_url(alice) + "deactivate/").status_code == 405
    alice.refresh_from_db()
    assert alice.is_active


# --- Who may do what ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["alice", "frank", "heidi", "dave", "carol"])
def test_non_admins_may_not_invite_edit_or_deactivate(login, member, name):
    client = login(name)
    bob = member("bob")
    counts = (Membership.objects.count(), User.objects.count(), AuditEvent.objects.count())
    assert client.get(PEOPLE + "invite/").status_code == 403
    assert client.post(PEOPLE + "invite/", invite_form()).status_code == 403
    assert client.get(detail_url(bob) + "edit/").status_code == 403
    assert client.post(detail_url(bob) + "edit/", edit_form(bob, title="Hacked")).status_code == 403
    assert client.post(detail_url(bob) + "deactivate/").status_code == 403
    bob.refresh_from_db()
    assert bob.title == "Principal Engineer" and bob.is_active
    assert (Membership.objects.count(), User.objects.count(), AuditEvent.objects.count()) == counts
    assert "Invite someone" not in client.get(PEOPLE).content.decode()


def test_a_member_of_another_organization_gets_404_everywhere(login, member):
    client = login("mallory")
    alice = member("alice")
    urls = [
        "/o/northwind/", PEOPLE, PEOPLE + "?q=alice", PEOPLE + "invite/", PEOPLE + "import/",
        detail_url(alice), detail_url(alice) + "edit/", "/o/northwind/audit/", "/o/northwind/notifications/",
    ]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"Alice Martin" not in response.content
    for url in (PEOPLE + "invite/", detail_url(alice) + "edit/", detail_url(alice) + "deactivate/"):
        assert client.post(url, edit_form(alice, title="Hacked")).status_code == 404, url
    alice.refresh_from_db()
    assert alice.title == "Account Executive" and alice.is_active


def test_an_admin_cannot_reach_another_organizations_member(login, member):
    mallory = member("mallory")
    erin = login("erin")
    for url in (f"/o/northwind/people/{mallory.public_id}/", f"/o/northwind/people/{mallory.public_id}/edit/"):
        assert erin.get(url).status_code == 404
    assert erin.post(f"/o/northwind/people/{mallory.public_id}/deactivate/").status_code == 404
    assert erin.get(detail_url(mallory)).status_code == 404  # /o/globex/… — erin is not a member there
    mallory.refresh_from_db()
    assert mallory.is_active


# --- The organization switcher ------------------------------------------------------------------------------
def test_the_switcher_takes_carol_to_either_of_her_organizations(login):
    carol = login("carol")
    response = carol.get("/orgs/", {"to": "globex"})
    assert response.status_code == 302 and response["Location"] == "/o/globex/"
    home = carol.get("/o/globex/")
    assert home.status_code == 200 and "Globex" in home.content.decode()
    html = home.content.decode()
    assert '<select id="org-switch" name="to"' in html
    assert '<option value="globex" selected>Globex</option>' in html and '<option value="northwind">' in html
    assert carol.get("/").url == "/o/globex/"  # home remembers the organization used last
    assert carol.get("/orgs/", {"to": "northwind"})["Location"] == "/o/northwind/"


def test_the_switcher_does_not_go_to_an_organization_you_are_not_in(login):
    Organization.objects.create(slug="initech", name="Initech")
    carol = login("carol")
    for target in ("initech", "no-such-org", "//evil.example"):
        response = carol.get("/orgs/", {"to": target})
        assert response.status_code == 200, target
        assert [m.organization.slug for m in response.context["memberships"]] == ["globex", "northwind"]
    assert carol.get("/o/initech/").status_code == 404


def test_home_lets_a_member_of_several_organizations_choose(login):
    response = login("carol").get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your organizations" in html
    assert 'href="/o/globex/"' in html and 'href="/o/northwind/"' in html


def test_a_single_organization_member_sees_no_switcher(login):
    html = login("alice").get("/o/northwind/").content.decode()
    assert 'id="org-switch"' not in html and '<span class="orgname">Northwind</span>' in html


# --- Notifications ------------------------------------------------------------------------------------------
def test_notifications_are_listed_and_marked_read(login, member):
    alice, bob = member("alice"), member("bob")
    services.do_notify(membership=alice, text="Your cohort starts Monday", url="/o/northwind/", key="n:1")
    services.do_notify(membership=alice, text="Your cohort starts Monday", url="/o/northwind/", key="n:1")  # once
    services.do_notify(membership=alice, text="A new post for you", key="n:2")
    services.do_notify(membership=bob, text="Bob's own notice", key="n:3")
    client = login("alice")
    home = client.get("/o/northwind/").content.decode()
    assert '<span class="badge">2<span class="visually-hidden"> unread</span></span>' in home
    assert "Unread notifications" in home

    page = client.get("/o/northwind/notifications/")
    html = page.content.decode()
    assert html.count("Your cohort starts Monday") == 1 and "A new post for you" in html
    assert "Bob&#x27;s own notice" not in html and "own notice" not in html
    assert html.count("· new") == 2

    response = client.post("/o/northwind/notifications/")
    assert response.status_code == 302 and response["Location"] == "/o/northwind/notifications/"
    assert not Notification.objects.filter(user=alice.user, read_at__isnull=True).exists()
    assert Notification.objects.get(idempotency_key="n:3").read_at is None  # bob's stays unread
    html = client.get("/o/northwind/notifications/").content.decode()
    assert "· new" not in html and 'class="badge"' not in html


def test_notifications_are_per_organization(login, member):
    services.do_notify(membership=member("carol", "globex"), text="Globex news", key="g:1")
    carol = login("carol")
    assert "Globex news" not in carol.get("/o/northwind/notifications/").content.decode()
    assert "Globex news" in carol.get("/o/globex/notifications/").content.decode()
    carol.post("/o/northwind/notifications/")
    assert Notification.objects.get(idempotency_key="g:1").read_at is None
