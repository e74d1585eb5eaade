from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from trellis.core import services
from trellis.mentoring.models import Pair


@pytest.fixture
def pair(member) -> Pair:  # type: ignore[no-untyped-def]
    """The demo pair: bob mentors alice in Northwind Mentoring 2026 (active, ~6 weeks)."""
    return Pair.objects.select_related("organization", "program", "mentee__user", "mentor__member__user").get(
        mentee=member("alice"), mentor__member=member("bob"), status=Pair.Status.ACTIVE
    )


@pytest.fixture
def api(user) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    """api("alice") → a client that sends alice's bearer token."""

    def make(name: str) -> Client:
        raw = services.do_issue_token(user=user(name), name="mentoring test")[1]
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


BASE = "/api/v1/orgs/northwind/mentoring"


def page(pair: Pair) -> str:
    return f"/o/northwind/mentoring/pairs/{pair.public_id}/"
