from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from trellis.coaching.models import Engagement
from trellis.core import services


@pytest.fixture
def engagement(member) -> Engagement:  # type: ignore[no-untyped-def]
    """The demo engagement: carol coaches alice, dave sponsors."""
    return Engagement.objects.select_related("organization").get(coachee=member("alice"), coach=member("carol"))


@pytest.fixture
def api(user) -> Callable[[str], Client]:  # type: ignore[no-untyped-def]
    """api("alice") → a client that sends alice's bearer token."""

    def make(name: str) -> Client:
        raw = services.do_issue_token(user=user(name), name="coaching test")[1]
        return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    return make


def base(engagement: Engagement) -> str:
    return f"/api/v1/orgs/{engagement.organization.slug}/coaching/engagements/{engagement.public_id}"
