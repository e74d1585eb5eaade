"""The REST API: tokens, the error shape, tenancy (another organization's data is 404), members."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from trellis.api import token_user
from trellis.core import services
from trellis.core.demo import DEMO_PASSWORD
from trellis.core.models import ApiToken, AuditEvent, Membership

API = "/api/v1"
pytestmark = pytest.mark.django_db


def bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def token(user):  # type: ignore[no-untyped-def]
    """token("erin") → a fresh raw bearer token for erin."""

    def make(name: str) -> str:
        return services.do_issue_token(user=user(name), name="test")[1]

    return make


@pytest.fixture
def api(token):  # type: ignore[no-untyped-def]
    """api("alice") → a client that sends alice's bearer token with every request."""

    def make(name: str) -> Client:
        return Client(headers=bearer(token(name)))

    return make


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    error: dict[str, Any] = body["error"]
    return error


# --- Tokens ---------------------------------------------------------------------------------------------------
def test_alice_exchanges_her_password_for_a_token_that_opens_the_api(user):
    response = Client().post(
        f"{API}/auth/token",
        {"email": "Alice@Northwind.example", "password": DEMO_PASSWORD, "name": "laptop"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    raw = response.json()["token"]
    stored = ApiToken.objects.get(public_id=response.json()["id"])
    assert stored.user == user("alice") and stored.name == "laptop"
    assert stored.key_hash == services.hash_token(raw) and raw not in stored.key_hash
    assert AuditEvent.objects.filter(verb="api_token.issued", object_id=str(stored.public_id)).exists()

    me = Client().get(f"{API}/me", headers=bearer(raw)).json()
    assert me["email"] == "alice@northwind.example" and me["full_name"] == "Alice Martin"
    assert [(m["organization"], m["roles"], m["title"]) for m in me["memberships"]] == [
        ("northwind", ["participant"], "Account Executive")
    ]


def test_wrong_password_is_401_with_the_error_body():
    response = Client().post(
        f"{API}/auth/token", {"email": "alice@northwind.example", "password": "nope"}, content_type="application/json"
    )
    error = assert_error(response, 401, "not_authenticated")
    assert error["message"] == "Wrong e-mail address or password."
    assert not ApiToken.objects.filter(user__email="alice@northwind.example").exists()


def test_token_requests_are_throttled_with_the_sign_in_form():
    client = Client()
    attempt = {"email": "bob@northwind.example", "password": "guess"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert client.post(f"{API}/auth/token", attempt, content_type="application/json").status_code in {401, 429}
    right = {"email": "bob@northwind.example", "password": DEMO_PASSWORD}
    response = client.post(f"{API}/auth/token", right, content_type="application/json")
    assert_error(response, 429, "too_many_attempts")
    assert not ApiToken.objects.filter(user__email="bob@northwind.example").exists()


def test_revoked_token_and_inactive_user_are_401(user, token):
    raw = token("alice")
    assert Client().get(f"{API}/me", headers=bearer(raw)).status_code == 200
    services.do_revoke_token(token=ApiToken.objects.get(key_hash=services.hash_token(raw)), actor=user("alice"))
    response = Client().get(f"{API}/me", headers=bearer(raw))
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")

    raw = token("bob")
    bob = user("bob")
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    assert_error(Client().get(f"{API}/me", headers=bearer(raw)), 401, "not_authenticated")
    assert_error(Client().get(f"{API}/me", headers=bearer("trl_made-up")), 401, "not_authenticated")
    assert_error(Client().get(f"{API}/me"), 401, "not_authenticated")


def test_users_list_and_revoke_only_their_own_tokens(user, token):
    alice_raw, bob_raw = token("alice"), token("bob")
    alice = Client(headers=bearer(alice_raw))
    listed = alice.get(f"{API}/auth/tokens").json()["items"]
    mine = ApiToken.objects.get(key_hash=services.hash_token(alice_raw))
    assert [t["id"] for t in listed] == [str(mine.public_id)]
    assert not any("token" in t or "key_hash" in t for t in listed)

    bobs = ApiToken.objects.get(key_hash=services.hash_token(bob_raw))
    assert_error(alice.delete(f"{API}/auth/tokens/{bobs.public_id}"), 404, "not_found")
    bobs.refresh_from_db()
    assert bobs.revoked_at is None

    assert alice.delete(f"{API}/auth/tokens/{mine.public_id}").status_code == 204
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert AuditEvent.objects.filter(verb="api_token.revoked", object_id=str(mine.public_id)).exists()
    assert_error(alice.get(f"{API}/me"), 401, "not_authenticated")


def test_token_use_is_noted_at_most_once_a_minute(user, token):
    raw = token("alice")
    stored = ApiToken.objects.get(key_hash=services.hash_token(raw))
    start = timezone.now()
    assert token_user(raw, now=start) == user("alice")
    stored.refresh_from_db()
    assert stored.last_used_at == start
    token_user(raw, now=start + timedelta(seconds=59))
    stored.refresh_from_db()
    assert stored.last_used_at == start
    token_user(raw, now=start + timedelta(seconds=61))
    stored.refresh_from_db()
    assert stored.last_used_at == start + timedelta(seconds=61)


# --- Session auth and CSRF ------------------------------------------------------------------------------------
def test_browser_session_works_and_unsafe_methods_need_the_csrf_token(user, member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user("erin"))
    assert client.get(f"{API}/me").json()["email"] == "erin@northwind.example"
    alice = member("alice")
    url = f"{API}/orgs/northwind/members/{alice.public_id}"
    response = client.patch(url, {"title": "Sneaky"}, content_type="application/json")
    assert_error(response, 403, "forbidden")
    alice.refresh_from_db()
    assert alice.title == "Account Executive"

    client.get("/o/northwind/notifications/")  # a page with a form sets the CSRF cookie
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.patch(url, {"title": "Senior AE"}, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert response.status_code == 200, response.content
    alice.refresh_from_db()
    assert alice.title == "Senior AE"


def test_bearer_requests_need_no_csrf_token(token, member):
    client = Client(enforce_csrf_checks=True, headers=bearer(token("erin")))
    alice = member("alice")
    response = client.patch(
        f"{API}/orgs/northwind/members/{alice.public_id}", {"level": 5}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["level"] == 5


# --- Organizations and tenancy ----------------------------------------------------------------------------------
def test_orgs_are_the_callers_own(api, member):
    carol = api("carol")  # an external coach serving Northwind and Globex
    assert [(o["slug"], o["roles"]) for o in carol.get(f"{API}/orgs").json()["items"]] == [
        ("globex", ["coach"]),
        ("northwind", ["coach"]),
    ]
    detail = carol.get(f"{API}/orgs/globex").json()
    assert detail == {
        "slug": "globex",
        "name": "Globex",
        "member_id": str(member("carol", "globex").public_id),
        "roles": ["coach"],
    }


def test_another_organizations_data_is_404_for_alice(api, member):
    alice = api("alice")
    mallory = member("mallory")
    for url in (
        f"{API}/orgs/globex",
        f"{API}/orgs/globex/members",
        f"{API}/orgs/globex/members/{mallory.public_id}",
        f"{API}/orgs/northwind/members/{mallory.public_id}",
        f"{API}/orgs/nowhere/members",
    ):
        assert_error(alice.get(url), 404, "not_found")


def test_org_admin_cannot_patch_another_organizations_member(api, member):
    mallory = member("mallory")
    for org in ("northwind", "globex"):
        response = api("erin").patch(
            f"{API}/orgs/{org}/members/{mallory.public_id}", {"title": "Pwned"}, content_type="application/json"
        )
        assert_error(response, 404, "not_found")
    mallory.refresh_from_db()
    assert mallory.title == "IT Director"


# --- Members ----------------------------------------------------------------------------------------------------
def test_member_detail(api, member):
    alice = member("alice")
    body = api("bob").get(f"{API}/orgs/northwind/members/{alice.public_id}").json()
    assert body["full_name"] == "Alice Martin" and body["email"] == "alice@northwind.example"
    assert body["manager"] == str(member("frank").public_id) and body["manager_name"] == "Frank Meyer"
    assert body["languages"] == ["en", "fr"] and body["timezone"] == "Europe/Paris"
    assert body["roles"] == ["participant"] and body["level"] == 4 and body["is_active"] is True


def test_pagination_walks_every_member_exactly_once(api, northwind):
    client = api("alice")
    expected = set(Membership.objects.active().filter(organization=northwind).values_list("public_id", flat=True))
    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        page = client.get(
            f"{API}/orgs/northwind/members", {"limit": 37, "cursor": cursor} if cursor else {"limit": 37}
        ).json()
        assert len(page["items"]) <= 37
        seen += [m["id"] for m in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == len(expected)
    assert {str(pk) for pk in expected} == set(seen)
    assert seen == sorted(seen)
    assert pages == -(-len(expected) // 37)


def test_member_list_queries_do_not_grow_with_the_page(api, django_assert_max_num_queries):
    client = api("alice")
    client.get(f"{API}/me")  # the token's last use is noted now, not inside the measured requests
    # token lookup, membership, page (users and managers joined)
    with django_assert_max_num_queries(4):
        small = client.get(f"{API}/orgs/northwind/members", {"limit": 2})
    with django_assert_max_num_queries(4):
        large = client.get(f"{API}/orgs/northwind/members", {"limit": 200})
    assert len(small.json()["items"]) == 2 and len(large.json()["items"]) == 200


def test_member_search(api):
    items = api("alice").get(f"{API}/orgs/northwind/members", {"q": "weiss"}).json()["items"]
    assert [m["full_name"] for m in items] == ["Hannah Weiss"]


def test_bad_query_parameters_are_422_with_fields(api):
    error = assert_error(api("alice").get(f"{API}/orgs/northwind/members", {"limit": 0, "cursor": "x"}), 422, "invalid")
    assert set(error["fields"]) == {"limit", "cursor"}


def test_non_admin_cannot_patch_a_member(api, member):
    bob = member("bob")
    response = api("alice").patch(
        f"{API}/orgs/northwind/members/{bob.public_id}", {"title": "CTO"}, content_type="application/json"
    )
    assert_error(response, 403, "forbidden")
    bob.refresh_from_db()
    assert bob.title == "Principal Engineer"


def test_admin_patches_a_member_and_it_is_audited(api, member):
    alice, bob = member("alice"), member("bob")
    erin = api("erin")
    before = AuditEvent.objects.count()
    response = erin.patch(
        f"{API}/orgs/northwind/members/{alice.public_id}",
        {
            "title": "Sales Lead",
            "level": 6,
            "manager": str(bob.public_id),
            "languages": ["en", "es"],
            "timezone": "Europe/Madrid",
            "full_name": "Alice Martin-Ruiz",
            "roles": ["participant", "mentor"],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["manager_name"] == "Bob Chen"
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert (alice.title, alice.level, alice.manager, alice.languages, alice.timezone) == (
        "Sales Lead",
        6,
        bob,
        ["en", "es"],
        "Europe/Madrid",
    )
    assert alice.user.full_name == "Alice Martin-Ruiz" and alice.roles == ["mentor", "participant"]
    lines = AuditEvent.objects.order_by("id")[before:]
    assert [(e.verb, e.object_id) for e in lines] == [
        ("member.updated", str(alice.public_id)),
        ("member.roles_changed", str(alice.public_id)),
    ]
    assert lines[0].actor == member("erin").user.public_id


def test_patch_sends_only_what_changes(api, member):
    alice = member("alice")
    response = api("erin").patch(
        f"{API}/orgs/northwind/members/{alice.public_id}", {"manager": None}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["manager"] is None
    alice.refresh_from_db()
    assert alice.manager is None and alice.title == "Account Executive" and alice.level == 4


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"level": 11}, "level"),
        ({"level": None}, "level"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"roles": ["king"]}, "roles.0"),
        ({"full_name": "   "}, "full_name"),
        ({"title": "bad\x00byte"}, "title"),
        ({"manager": "00000000-0000-0000-0000-000000000000"}, "manager"),
    ],
)
def test_bad_input_is_422_with_the_field_and_nothing_changes(api, member, patch, field):
    alice = member("alice")
    erin = api("erin")
    before = AuditEvent.objects.count()
    response = erin.patch(
        f"{API}/orgs/northwind/members/{alice.public_id}", {"title": "X", **patch}, content_type="application/json"
    )
    error = assert_error(response, 422, "invalid")
    assert field in error["fields"], error
    alice.refresh_from_db()
    assert alice.title == "Account Executive" and alice.level == 4
    assert AuditEvent.objects.count() == before


def test_manager_from_another_organization_or_a_cycle_is_refused(api, member):
    alice, frank = member("alice"), member("frank")
    client = api("erin")
    url = f"{API}/orgs/northwind/members/{frank.public_id}"
    for manager in (member("mallory"), alice):  # Globex; alice reports to frank
        error = assert_error(
            client.patch(url, {"manager": str(manager.public_id)}, content_type="application/json"), 422, "invalid"
        )
        assert list(error["fields"]) == ["manager"]
    frank.refresh_from_db()
    assert frank.manager == member("victor")


def test_profile_and_roles_are_saved_together_or_not_at_all(api, member):
    """Erin is Northwind's only org admin: dropping her own admin role fails, and takes the title with it."""
    erin, client = member("erin"), api("erin")
    before = AuditEvent.objects.count()
    response = client.patch(
        f"{API}/orgs/northwind/members/{erin.public_id}",
        {"title": "Changed", "roles": ["participant"]},
        content_type="application/json",
    )
    error = assert_error(response, 422, "invalid")
    assert list(error["fields"]) == ["roles"]
    erin.refresh_from_db()
    assert erin.title == "People Systems Lead" and "org_admin" in erin.roles
    assert AuditEvent.objects.count() == before


def test_malformed_json_is_400(api, member):
    response = api("erin").patch(
        f"{API}/orgs/northwind/members/{member('alice').public_id}", "{not json", content_type="application/json"
    )
    assert_error(response, 400, "bad_request")


# --- The schema ---------------------------------------------------------------------------------------------------
def test_every_schema_class_has_its_own_name() -> None:
    """The OpenAPI document names components by class name: two apps' ``ProgramOut`` would silently become one."""
    from ninja import Schema

    import trellis.api  # noqa: F401  (imports every app's API module)

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    ours = [c for c in subclasses(Schema) if c.__module__.startswith("trellis.")]
    names = [c.__name__ for c in ours]
    assert len(ours) > 50
    clashes = sorted({f"{c.__module__}.{c.__name__}" for c in ours if names.count(c.__name__) > 1})
    assert not clashes, clashes


def test_schema_and_docs_are_public():
    schema = Client().get(f"{API}/openapi.json").json()
    assert schema["info"]["title"] == "Trellis API"
    assert "/api/v1/orgs/{org_slug}/members" in schema["paths"]
    assert Client().get(f"{API}/docs").status_code == 200
    assert Client().get(f"{API}/").json() == {"docs": f"{API}/docs", "openapi": f"{API}/openapi.json"}
