"""Acceptance (issue 5): what a mentee and her mentor write in their pair — goals, agendas, logs, notes,
suggestions and decline reasons, introductions, reflections — never reaches the program admin, the org admin
or the mentee's manager: not on a page, an API response, a mail, a notification, the log, nor the database.

Unique markers are planted through the API as alice and bob; then heidi (program admin), erin (org admin) and
frank (alice's manager) crawl everything they can reach: pages linked from their navigation, every GET route of
the URL map with the pair's ids filled in, every API GET, their mail. heidi must see that the pair exists, so the
crawl is known to reach the pair page.
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

from trellis.core.models import Notification, OutboxMessage
from trellis.core.routes import walk
from trellis.mentoring.models import Goal, Meeting, Note, Pair

from .conftest import BASE, page

CRAWLERS = ("heidi", "erin", "frank")
JSON = "application/json"


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
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


@pytest.fixture
def planted(logged: Any, pair: Pair, api: Any, member: Any) -> dict[str, str]:
    tag = uuid.uuid4().hex[:10]
    m = {
        k: f"{k.upper()}-{tag}"
        for k in (
            "goal",
            "agenda",
            "log",
            "note",
            "shared_note",
            "suggestion",
            "reason",
            "why",
            "event",
            "reflection",
        )
    }
    alice, bob = api("alice"), api("bob")
    url = f"{BASE}/pairs/{pair.public_id}"

    def ok(response: Any) -> Any:
        assert response.status_code in (200, 201), response.content
        return response.json()

    ok(alice.post(f"{url}/goals", {"text": m["goal"], "tags": ["pricing"]}, content_type=JSON))
    meeting = ok(
        bob.post(
            f"{url}/meetings",
            {"starts_at": "2030-06-01T09:00:00Z", "agenda": m["agenda"], "location": "Room 1"},
            content_type=JSON,
        )
    )
    ok(alice.put(f"{BASE}/meetings/{meeting['id']}/record", {"log": m["log"]}, content_type=JSON))
    ok(bob.post(f"{url}/notes", {"text": m["note"]}, content_type=JSON))
    shared = ok(alice.post(f"{url}/notes", {"text": m["shared_note"]}, content_type=JSON))
    ok(alice.post(f"{BASE}/notes/{shared['id']}/share", {"member": str(member("bob").public_id)}, content_type=JSON))
    s = ok(bob.post(f"{url}/suggestions", {"text": m["suggestion"]}, content_type=JSON))
    ok(alice.patch(f"{BASE}/suggestions/{s['id']}", {"status": "declined", "reason": m["reason"]}, content_type=JSON))
    body = {"kind": "member", "to_member": str(member("grace").public_id), "why": m["why"]}
    ok(bob.post(f"{url}/introductions", body, content_type=JSON))
    ok(bob.post(f"{url}/introductions", {"kind": "event", "event": m["event"]}, content_type=JSON))
    ok(bob.post(f"{url}/introductions", {"kind": "email", "to_email": "x@partner.example"}, content_type=JSON))
    ok(alice.post(f"{url}/end", {}, content_type=JSON))
    ok(alice.post(f"{url}/reflections", {"text": m["reflection"]}, content_type=JSON))
    return m


def _fill(pattern: str, values: dict[str, str]) -> str | None:
    names = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    if not set(names) <= set(values):
        return None
    url = "/" + pattern
    for name in names:
        url = re.sub(rf"<(?:\w+:)?{name}>", values[name], url)
    return url


def _crawl(client: Client, token_client: Client, values: dict[str, str], message_ids: list[str]) -> dict[str, str]:
    seen: dict[str, str] = {}

    def get(c: Client, url: str) -> str:
        body = c.get(url).content.decode("utf-8", "replace")
        seen[url] = body
        return body

    frontier = ["/", "/o/northwind/", "/mail/", "/o/northwind/mentoring/mine/", page_of(values)]
    for _depth in range(3):
        nxt = []
        for url in frontier:
            if url in seen or "logout" in url:
                continue
            nxt += [link for link in _links(get(client, url)) if link not in seen and not link.startswith("/static/")]
        frontier = list(dict.fromkeys(nxt))[:250]
    for route in walk():
        if "GET" not in route.methods or route.name == "logout":
            continue
        for fill in [values] + [{**values, "message_id": mid} for mid in message_ids]:
            url = _fill(route.pattern, fill)
            if url is not None and url not in seen:
                get(token_client if route.api else client, url)
    return seen


def page_of(values: dict[str, str]) -> str:
    return f"/o/northwind/mentoring/pairs/{values['pair_id']}/"


def test_nothing_of_the_pair_reaches_admins_or_the_manager(
    planted: dict[str, str], pair: Pair, login: Any, api: Any, member: Any, logged: Any
) -> None:
    shared = Note.objects.filter(pair=pair, author=pair.mentee).order_by("-id").first()
    assert shared is not None
    values = {
        "org_slug": "northwind",
        "pair_id": str(pair.public_id),
        "goal_id": str(Goal.objects.filter(application=pair.application).order_by("-id").first().public_id),  # type: ignore[union-attr]
        "meeting_id": str(Meeting.objects.filter(pair=pair).order_by("-id").first().public_id),  # type: ignore[union-attr]
        "note_id": str(shared.public_id),
        "suggestion_id": str(pair.suggestions.order_by("-id").first().public_id),  # type: ignore[union-attr]
        "introduction_id": str(pair.introductions.order_by("-id").first().public_id),  # type: ignore[union-attr]
        "mentoring_program_id": str(pair.program.public_id),
        "application_id": str(pair.application.public_id),
        "member_id": str(member("alice").public_id),
    }
    bodies: dict[str, dict[str, str]] = {}
    for name in CRAWLERS:
        me = member(name)
        messages = [str(x) for x in OutboxMessage.objects.filter(recipient=me.user).values_list("public_id", flat=True)]
        bodies[name] = _crawl(login(name), api(name), values, messages)
    # The crawl is real: heidi sees that the pair exists, the API answers her for the pair itself.
    assert "Alice Martin" in bodies["heidi"][page_of(values)]
    assert '"status":"ended"' in bodies["heidi"][f"{BASE}/pairs/{pair.public_id}"].replace(" ", "")
    assert len(bodies["erin"]) > 20
    for name, pages in bodies.items():
        for url, body in pages.items():
            for what, marker in planted.items():
                assert marker not in body, f"{name} saw the pair's {what} at {url}"
    # …while the pair sees it all.
    alice_page = login("alice").get(page(pair)).content.decode()
    for what in ("goal", "agenda", "log", "shared_note", "suggestion", "reason", "why", "event", "reflection"):
        assert planted[what] in alice_page, what

    # Mail and notifications, for everyone (they say that, never what).
    texts = [f"{x.subject}\n{x.body}\n{x.ics}" for x in OutboxMessage.objects.all()]
    texts += list(Notification.objects.values_list("text", flat=True))
    for text in texts:
        for what, marker in planted.items():
            assert marker not in text, f"a message carries the {what}"

    # The server log (every request, every SQL statement with its parameters).
    text = "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for phase in ("setup", "call")
        for r in logged.get_records(phase)
    )
    assert "INSERT INTO" in text and "mentoring_note" in text
    for what, marker in planted.items():
        assert marker not in text, f"the log carries the {what}"

    # The raw database: ciphertext only.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from introspection)
            for row in cursor.fetchall():
                flat = " ".join(str(v) for v in row)
                for what, marker in planted.items():
                    assert marker not in flat, f"table {table} holds the {what} in clear"


@pytest.mark.parametrize("who", CRAWLERS)
def test_oversight_cannot_read_pair_content_through_the_api(who: str, pair: Pair, api: Any) -> None:
    client = api(who)
    for part in ("goals", "meetings", "suggestions", "introductions", "reflections"):
        assert client.get(f"{BASE}/pairs/{pair.public_id}/{part}").status_code in {403, 404}
    texts = {n["text"] for n in client.get(f"{BASE}/notes").json()["items"]}
    assert not any("freeze" in t or "bigger account" in t for t in texts)
