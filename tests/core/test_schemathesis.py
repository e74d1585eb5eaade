"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis over WSGI, in-process).

Every operation gets valid and invalid input as erin (Northwind's org admin, so writes are reached too). No
response may be a server error, use an undeclared status or content type, or break its declared schema.
Seeded and bounded, so the run is repeatable and quick.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import UUID

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from trellis.api import api
from trellis.core import services
from trellis.core.models import Membership
from trellis.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def same_connection() -> Iterator[None]:
    """The requests run on this thread's database connection, inside the test's transaction. Like Django's test
    client, keep the request signals from closing that connection between requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def erin_token(user) -> str:  # type: ignore[no-untyped-def]
    return services.do_issue_token(user=user("erin"), name="schemathesis")[1]


@pytest.fixture
def member_ids(db) -> list[UUID]:  # type: ignore[no-untyped-def]
    """Real member ids of both organizations, so generated requests also reach existing records."""
    return list(Membership.objects.order_by("id").values_list("public_id", flat=True))


schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = application  # requests go to the WSGI application in-process


@settings(
    max_examples=80,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@schema.parametrize()
@schema.given(
    org=st.sampled_from(["northwind", "northwind", "globex", None]), pick=st.integers(min_value=-1, max_value=999)
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(
    case: schemathesis.Case, org: str | None, pick: int, erin_token: str, member_ids: list[UUID]
) -> None:
    # Random slugs and ids only ever find nothing (404); steer most requests to real organizations and
    # members (None / -1 keep what schemathesis generated).
    params = case.path_parameters or {}
    if "org_slug" in params and org is not None:
        params["org_slug"] = org
    if "member_id" in params and pick >= 0:
        params["member_id"] = str(member_ids[pick % len(member_ids)])
    case.call_and_validate(headers={"Authorization": f"Bearer {erin_token}"}, checks=CHECKS)
