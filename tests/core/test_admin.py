"""The platform admin (/admin/): superusers only, view-only, and it never shows sealed text."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from trellis.admin_site import site, visible_fields
from trellis.core.demo import DEMO_PASSWORD, PLATFORM_ADMIN
from trellis.core.models import Membership, User
from trellis.core.vault import SealedTextField

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client: Client) -> Client:
    user = User.objects.get(email=PLATFORM_ADMIN)
    client.force_login(user, backend="trellis.core.backends.MemberBackend")
    return client


def _plant(member: Any) -> str:
    """A unique marker in one sealed field of every model that has one (rows made by the demo)."""
    marker = f"ADMIN-MARKER-{uuid.uuid4().hex}"
    planted = 0
    for model in site._registry:
        sealed = [f for f in model._meta.get_fields() if isinstance(f, SealedTextField)]
        if not sealed:
            continue
        obj = model._default_manager.first()
        if obj is None:
            continue
        for f in sealed:
            setattr(obj, f.name, marker)
        obj.save()
        planted += 1
    assert planted >= 5, "the demo should hold sealed rows of several models, or the crawl proves nothing"
    return marker


def test_the_demo_operator_signs_in_and_lands_in_the_admin(client: Client) -> None:
    response = client.post(reverse("login"), {"username": PLATFORM_ADMIN, "password": DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert b"platform admin" in response.content


def test_admin_never_shows_sealed_text(operator: Client, member: Any) -> None:
    marker = _plant(member)
    pages = [reverse("admin:index")]
    for model in site._registry:
        meta = model._meta
        pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        obj = model._default_manager.first()
        if obj is not None:
            pages.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
    assert len(pages) > 40
    for url in pages:
        response = operator.get(url)
        assert response.status_code == 200, url
        assert marker.encode() not in response.content, url
        # the sealed blob is not shown either: nothing to copy out and decrypt elsewhere
        assert re.search(rb"v1\.[0-9a-f]{8}\.", response.content) is None, url


def test_sealed_fields_are_never_among_the_visible_ones() -> None:
    for model in site._registry:
        for name in visible_fields(model):
            assert not isinstance(model._meta.get_field(name), SealedTextField), f"{model.__name__}.{name}"


def test_the_admin_is_view_only(operator: Client) -> None:
    member = Membership.objects.first()
    assert member is not None
    before = list(member.roles)
    change = reverse("admin:core_membership_change", args=[member.pk])
    assert operator.post(change, {"roles": '["org_admin"]'}).status_code == 403
    assert operator.get(reverse("admin:core_membership_add")).status_code == 403
    assert operator.get(reverse("admin:core_membership_delete", args=[member.pk])).status_code == 403
    member.refresh_from_db()
    assert member.roles == before


@pytest.mark.parametrize("who", ["erin", "heidi", "alice"])
def test_members_even_org_admins_are_refused(who: str, login: Any) -> None:
    client = login(who)
    assert client.get(reverse("admin:index")).status_code == 403
    assert client.get(reverse("admin:core_user_changelist")).status_code == 403


def test_anonymous_visitors_go_to_the_one_sign_in_page(client: Client) -> None:
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
