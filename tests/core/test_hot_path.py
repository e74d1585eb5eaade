"""The pages every member opens most: their query counts are fixed, whatever the size of the organization.

Clients here sign in through the real login form, so requests take the production path (MemberBackend loads
the user with their memberships; the session is read by trellis.core.sessions)."""

from __future__ import annotations

import pytest
from django.test import Client

from trellis.core import services
from trellis.core.models import Membership, Notification, User


@pytest.fixture
def alice_client(db) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post("/login/", {"username": "alice@northwind.example", "password": "trellis-demo"})
    assert response.status_code == 302
    client.get("/o/northwind/")  # the first request after sign-in refreshes the session once
    return client


def _grow_northwind(northwind, member, n: int) -> None:  # type: ignore[no-untyped-def]
    users = User.objects.bulk_create(User(email=f"grow{i}@northwind.example", full_name=f"Grown {i}") for i in range(n))
    Membership.objects.bulk_create(Membership(organization=northwind, user=u, roles=["participant"]) for u in users)
    alice = member("alice")
    for i in range(n):
        services.do_notify(membership=alice, text=f"notice {i}", key=f"grow:{i}")


def test_home_page_queries_do_not_grow_with_the_organization(
    alice_client, northwind, member, django_assert_max_num_queries
):  # type: ignore[no-untyped-def]
    # core: session, user, memberships, organizations, unread count; product apps add their attention items
    with django_assert_max_num_queries(12) as before:
        small = alice_client.get("/o/northwind/")
    _grow_northwind(northwind, member, 300)
    with django_assert_max_num_queries(12) as after:
        big = alice_client.get("/o/northwind/")
    assert len(after.captured_queries) == len(before.captured_queries)
    assert small.status_code == big.status_code == 200
    assert b"Unread notifications" in big.content and b"300" in big.content


def test_the_viewer_is_loaded_fresh_on_every_request(alice_client, member) -> None:  # type: ignore[no-untyped-def]
    """Loading memberships with the user must never cache them: a revoked membership takes effect at once."""
    alice = member("alice")
    assert alice_client.get("/o/northwind/people/").status_code == 200
    Membership.objects.filter(pk=alice.pk).update(is_active=False)
    assert alice_client.get("/o/northwind/people/").status_code == 404


def test_unread_count_counts_only_this_member_here(alice_client, member) -> None:  # type: ignore[no-untyped-def]
    alice = member("alice")
    services.do_notify(membership=alice, text="for alice", key="hot:1")
    services.do_notify(membership=member("bob"), text="for bob", key="hot:2")
    read = services.do_notify(membership=alice, text="already read", key="hot:3")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    expected = Notification.objects.filter(user=alice.user, organization=alice.organization, read_at=None).count()
    response = alice_client.get("/o/northwind/")
    assert f'<span class="badge">{expected}<span class="visually-hidden"> unread'.encode() in response.content
