"""The content API: published articles (paginated), subscribe and unsubscribe — public, throttled."""

from __future__ import annotations

import pytest
from django.test import Client

from trellis.content import tokens
from trellis.content.models import Subscriber, SubscriberStatus
from trellis.core.models import OutboxMessage

pytestmark = pytest.mark.django_db
API = "/api/v1"


def test_articles_are_listed_newest_first_a_page_at_a_time(client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(3):  # articles with author and organization, their tags
        first = client.get(f"{API}/articles?limit=2").json()
    assert [a["slug"] for a in first["items"]] == [
        "what-coaching-is-and-is-not",
        "preparing-for-your-first-mentoring-meeting",
    ]
    assert first["items"][0]["tags"] == ["coaching"] and first["items"][0]["url"].endswith(
        "/blog/what-coaching-is-and-is-not/"
    )
    rest = client.get(f"{API}/articles?limit=2&cursor={first['next_cursor']}").json()
    assert [a["slug"] for a in rest["items"]] == ["training-mentoring-or-coaching"] and rest["next_cursor"] is None
    assert "making-training-stick" not in str(first) + str(rest)  # the draft


def test_filter_by_tag_and_read_one(client: Client) -> None:
    tagged = client.get(f"{API}/articles?tag=mentoring").json()
    assert [a["slug"] for a in tagged["items"]] == [
        "preparing-for-your-first-mentoring-meeting",
        "training-mentoring-or-coaching",
    ]
    assert client.get(f"{API}/articles?tag=nope").status_code == 404
    one = client.get(f"{API}/articles/training-mentoring-or-coaching").json()
    assert one["body"].startswith("Most leaders") and '<a href="/choose/"' in one["body_html"]
    assert client.get(f"{API}/articles/making-training-stick").json()["error"]["code"] == "not_found"


def test_subscribe_and_unsubscribe(client: Client) -> None:
    response = client.post(
        f"{API}/subscriptions", {"email": "api@example.org", "tags": ["coaching"]}, "application/json"
    )
    assert response.status_code == 202
    again = client.post(f"{API}/subscriptions", {"email": "API@example.org"}, "application/json")
    assert again.json() == response.json()
    subscriber = Subscriber.objects.get(email="api@example.org")
    assert subscriber.status == SubscriberStatus.PENDING
    assert OutboxMessage.objects.filter(to_email="api@example.org").count() == 2

    token = tokens.unsubscribe_token(subscriber.public_id)
    assert client.post(f"{API}/subscriptions/unsubscribe", {"token": token}, "application/json").status_code == 204
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    bad = client.post(f"{API}/subscriptions/unsubscribe", {"token": token + "x"}, "application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"


def test_subscribe_validates_input(client: Client) -> None:
    bad = client.post(f"{API}/subscriptions", {"email": "nope"}, "application/json")
    assert bad.status_code == 422 and "email" in bad.json()["error"]["fields"]
    unknown = client.post(f"{API}/subscriptions", {"email": "a@example.org", "tags": ["zzz"]}, "application/json")
    assert unknown.status_code == 422 and "tags" in unknown.json()["error"]["fields"]
    assert Subscriber.objects.count() == 0


def test_subscribing_is_throttled(client: Client) -> None:
    codes = [
        client.post(f"{API}/subscriptions", {"email": f"t{i}@example.org"}, "application/json").status_code
        for i in range(21)
    ]
    assert codes[:20] == [202] * 20
    assert codes[20] == 429
    assert (
        client.post(f"{API}/subscriptions", {"email": "x@example.org"}, "application/json").json()["error"]["code"]
        == "too_many_requests"
    )
