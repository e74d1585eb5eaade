"""Acceptance (issue 6): what a leader and her coach write never reaches the sponsor, the manager, the program
admin or the org admin — not on a page, an API response, a mail, a notification, the log, nor the database.

Unique markers are planted through the API; then dave (sponsor), frank (alice's manager), heidi (program admin),
erin (org admin) and the platform superuser (who also walks the Django admin) crawl everything they can reach:
every page linked from their navigation (two levels deep), every GET route of the URL map with the coaching
objects' ids filled in, every API GET, their mail and notifications. The shared objective must be visible to
dave, so the crawl is known to reach the data.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from trellis.admin_site import site as admin_site
from trellis.coaching.models import Commitment, Engagement, Objective
from trellis.core import services
from trellis.core.demo import PLATFORM_ADMIN
from trellis.core.models import Membership, Notification, OutboxMessage, User
from trellis.core.routes import walk

from .conftest import base

CRAWLERS = ("dave", "frank", "heidi", "erin")
SKIP_PAGES = {"logout"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href and href.startswith("/") and not href.startswith("//"):
            self.links.append(href.split("#")[0])


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


@pytest.fixture
def logged(caplog: Any) -> Iterator[Any]:
    """Capture everything logged at DEBUG, including every SQL statement with its parameters."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


@pytest.fixture
def planted(logged: Any, engagement: Engagement, api: Any) -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    markers = {
        "note": f"NOTE-{tag}-carol-private",
        "shared_note": f"SHAREDNOTE-{tag}-carol-to-alice",
        "commitment": f"COMMIT-{tag}-alice",
        "journal": f"JOURNAL-{tag}-alice",
        "objective": f"PRIVOBJ-{tag}-alice",
        "referral": f"REFERRAL-{tag}-carol",
    }
    alice, carol = api("alice"), api("carol")
    url = base(engagement)
    json = "application/json"
    created = [
        carol.post(f"{url}/notes", {"text": markers["note"]}, content_type=json),
        carol.post(f"{url}/notes", {"text": markers["shared_note"], "shared_with_coachee": True}, content_type=json),
        alice.post(f"{url}/commitments", {"text": markers["commitment"], "due_on": "2030-01-31"}, content_type=json),
        alice.post("/api/v1/orgs/northwind/coaching/journal", {"text": markers["journal"]}, content_type=json),
        alice.post(f"{url}/objectives", {"text": markers["objective"]}, content_type=json),
        alice.post(
            f"{url}/objectives",
            {"text": f"SHARED-{tag}-objective", "shared_with_sponsor": True},
            content_type=json,
        ),
        carol.post(f"{url}/referral", {"note": markers["referral"]}, content_type=json),
    ]
    for response in created:
        assert response.status_code == 201, response.content
    assert created[2].json()["text"] == markers["commitment"]
    return {**markers, "shared": f"SHARED-{tag}-objective"}


def _fill(pattern: str, values: dict[str, str]) -> str | None:
    names = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    if not set(names) <= set(values):
        return None
    url = "/" + pattern
    for name in names:
        url = re.sub(rf"<(?:\w+:)?{name}>", values[name], url)
    return url


def _crawl(
    name: str, client: Client, token_client: Client, values: dict[str, str], message_ids: list[str]
) -> dict[str, str]:
    """GET every page reachable from the navigation (two levels), every GET route with ids filled, every API
    GET. Returns {url: body}."""
    seen: dict[str, str] = {}

    def get(c: Client, url: str) -> str:
        response = c.get(url)
        body = response.content.decode("utf-8", "replace")
        seen[url] = body
        return body

    start = ["/", "/o/northwind/", "/o/globex/", "/mail/", "/orgs/"]
    frontier = list(start)
    for _depth in range(3):
        nxt = []
        for url in frontier:
            if url in seen or "logout" in url:
                continue
            body = get(client, url)
            nxt += [link for link in _links(body) if link not in seen and not link.startswith("/static/")]
        frontier = list(dict.fromkeys(nxt))[:250]
    for route in walk():
        if "GET" not in route.methods or route.name in SKIP_PAGES:
            continue
        fills = [values] + [{**values, "message_id": m} for m in message_ids]
        for fill in fills:
            url = _fill(route.pattern, fill)
            if url is not None and url not in seen:
                get(token_client if route.api else client, url)
    return seen


def _crawl_admin(engagement: Engagement) -> dict[str, str]:
    """The platform superuser: the admin (index, every changelist, the change page of every coaching row of the
    engagement), the product's pages and API as far as they let a non-member in."""
    operator = User.objects.get(email=PLATFORM_ADMIN)
    client = Client()
    client.force_login(operator, backend="trellis.core.backends.MemberBackend")
    raw = services.do_issue_token(user=operator, name="crawl")[1]
    values = {"org_slug": "northwind", "engagement_id": str(engagement.public_id)}
    seen = _crawl("superuser", client, Client(HTTP_AUTHORIZATION=f"Bearer {raw}"), values, [])
    for model in admin_site._registry:
        meta = model._meta
        urls = [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")]
        if meta.app_label == "coaching":
            rows = model._default_manager.all()[:50]
            urls += [reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[o.pk]) for o in rows]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            seen[url] = response.content.decode("utf-8", "replace")
    return seen


def test_nothing_confidential_reaches_sponsor_manager_or_admins(
    planted: dict[str, str], engagement: Engagement, login: Any, api: Any, member: Any, logged: Any
) -> None:
    if True:
        commitment = Commitment.objects.filter(engagement=engagement).order_by("-id").first()
        assert commitment is not None
        values = {
            "org_slug": "northwind",
            "engagement_id": str(engagement.public_id),
            "commitment_id": str(commitment.public_id),
            "member_id": str(member("alice").public_id),
        }
        secrets = {k: v for k, v in planted.items() if k != "shared"}
        bodies: dict[str, dict[str, str]] = {}
        for name in CRAWLERS:
            me = member(name)
            messages = [
                str(m) for m in OutboxMessage.objects.filter(recipient=me.user).values_list("public_id", flat=True)
            ]
            bodies[name] = _crawl(name, login(name), api(name), values, messages)
        bodies["superuser"] = _crawl_admin(engagement)
        # An org admin's page about alice, a manager's team page, … were really fetched:
        assert any("/coaching/" in url for url in bodies["heidi"])
        assert len(bodies["dave"]) > 20
        assert sum("/admin/coaching/" in url for url in bodies["superuser"]) > 10
        for name, pages in bodies.items():
            for url, body in pages.items():
                for what, marker in secrets.items():
                    assert marker not in body, f"{name} saw alice's {what} at {url}"
        # The crawl is real: dave, the sponsor, sees the shared objective on the page and in the API.
        page = f"/o/northwind/coaching/engagements/{engagement.public_id}/"
        assert planted["shared"] in bodies["dave"][page]
        assert planted["shared"] in bodies["dave"][f"{base(engagement)}/objectives"]
        assert planted["shared"] not in bodies["frank"].get(page, "")  # the manager is not let in
        assert "Paused" in bodies["dave"][page]  # the referral shows only as a paused engagement

        # Mail and notifications, for everyone (alice included: they say that, never what).
        texts = [f"{m.subject}\n{m.body}" for m in OutboxMessage.objects.all()]
        texts += list(Notification.objects.values_list("text", flat=True))
        for text in texts:
            for what, marker in planted.items():
                assert marker not in text, f"a message carries {what}"

    # The server log (every request, every SQL statement with its parameters).
    text = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for phase in ("setup", "call")
        for r in logged.get_records(phase)
    )
    assert "INSERT INTO" in text and "coaching_sessionnote" in text  # the planting's SQL really was logged
    for what, marker in planted.items():
        if what != "shared":
            assert marker not in text, f"the log carries {what}"

    # The raw database: every text column of every table holds ciphertext, never the text.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from introspection)
            for row in cursor.fetchall():
                flat = " ".join(str(v) for v in row)
                for what, marker in planted.items():
                    assert marker not in flat, f"table {table} holds {what} in clear"
    sealed = Objective.objects.filter(engagement=engagement).values_list("text_sealed", flat=True)
    assert all(s.startswith("v1.") for s in sealed)


def test_the_coach_cannot_edit_the_leaders_commitment(engagement: Engagement, api: Any, login: Any) -> None:
    commitment = Commitment.objects.filter(engagement=engagement).first()
    assert commitment is not None
    before = commitment.text
    url = f"/api/v1/orgs/northwind/coaching/commitments/{commitment.public_id}"
    response = api("carol").patch(
        url, {"text": "carol rewrote this", "status": "done"}, content_type="application/json"
    )
    assert response.status_code in {403, 404}
    page = login("carol").post(f"/o/northwind/coaching/commitments/{commitment.public_id}/", {"text": "carol again"})
    assert page.status_code in {403, 404}
    commitment.refresh_from_db()
    assert commitment.text == before and commitment.status == Commitment.Status.OPEN
    # …and alice can:
    response = api("alice").patch(url, {"status": "done"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "done"


@pytest.mark.parametrize("who", ["dave", "frank", "heidi", "erin"])
def test_oversight_cannot_read_notes_commitments_or_referral(who: str, engagement: Engagement, api: Any) -> None:
    client = api(who)
    for part in ("notes", "commitments", "referral"):
        assert client.get(f"{base(engagement)}/{part}").status_code in {403, 404}
    # The objectives route answers the sponsor with shared ones only; the others not at all.
    response = client.get(f"{base(engagement)}/objectives")
    if who == "dave":
        assert response.status_code == 200
        assert [o["shared_with_sponsor"] for o in response.json()["items"]] == [True]
    else:
        assert response.status_code in {403, 404}


def test_membership_fixture_sanity(member: Any) -> None:
    assert isinstance(member("dave"), Membership)
