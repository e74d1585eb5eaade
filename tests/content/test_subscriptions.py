"""Subscriptions: double opt-in by signed links, one mail per article per subscriber (even when the job runs
twice), RFC 8058 one-click unsubscribe, and a member's own settings page."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail as django_mail
from django.core import signing
from django.test import Client
from django.utils import timezone

from trellis.content import jobs, services, tokens
from trellis.content.models import Article, Subscriber, SubscriberStatus
from trellis.core import mail, ticks
from trellis.core.models import AuditEvent, OutboxMessage

pytestmark = pytest.mark.django_db
READER = "Reader@Example.org"


def confirmation_for(address: str) -> OutboxMessage:
    return OutboxMessage.objects.filter(
        to_email=address.lower(), idempotency_key__startswith="content:confirm:"
    ).latest("id")


def link_in(body: str, kind: str) -> str:
    match = re.search(rf"https?://\S+/blog/{kind}/\S+/", body)
    assert match, f"no {kind} link in:\n{body}"
    return urlparse(match.group(0)).path


def subscribe(client: Client, address: str, *tags: str) -> None:
    data = {"email": address, "scope": "tags" if tags else "all", "tags": list(tags)}
    response = client.post("/blog/subscribe/", data)
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode()


def confirm(client: Client, address: str) -> None:
    path = link_in(confirmation_for(address).body, "confirm")
    before = Subscriber.objects.get(email=address.lower()).confirmed_at
    page = client.get(path)
    assert page.status_code == 200 and "Confirm" in page.content.decode()
    assert Subscriber.objects.get(email=address.lower()).confirmed_at == before  # a link scanner's GET does nothing
    assert client.post(path).status_code == 200
    assert Subscriber.objects.get(email=address.lower()).status == SubscriberStatus.ACTIVE


def publish(org, author, title: str, *tags: str) -> Article:  # type: ignore[no-untyped-def]
    article = services.do_create_article(
        organization=org, actor=author, title=title, summary="New.", body="Some text.", tags=list(tags)
    )
    return services.do_publish_article(article=article, actor=author)


def article_mail(article: Article) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(idempotency_key__startswith=f"content:article:{article.public_id}:"))


def test_acceptance_subscribe_confirm_publish_mail_once_unsubscribe(
    northwind, user, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=False)
    heidi = user("heidi")
    subscribe(client, READER)
    subscribe(client, "mentee@example.org", "mentoring")
    subscribe(client, "never-confirms@example.org")

    sent = confirmation_for(READER)
    assert sent.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<https?://\S+/blog/unsubscribe/\S+/>", sent.headers["List-Unsubscribe"])
    confirm(client, READER)
    confirm(client, "mentee@example.org")

    article = publish(northwind, heidi, "Coaching in hard times", "Coaching")
    now = timezone.now()
    first, second = ticks.run(now), ticks.run(now)  # `trellis tick`, twice
    assert (first["content.mail_new_articles"], second["content.mail_new_articles"]) == (1, 0)
    messages = article_mail(article)
    assert [m.to_email for m in messages] == ["reader@example.org"]  # not the mentoring-only or unconfirmed ones
    message = messages[0]
    assert message.subject == "Coaching in hard times"
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link_in(message.body, "unsubscribe") in message.headers["List-Unsubscribe"]

    # Delivery passes the headers to the real message.
    django_mail.outbox.clear()
    assert mail.deliver(message)
    delivered = django_mail.outbox[0].message()
    assert delivered["List-Unsubscribe"] == message.headers["List-Unsubscribe"]
    assert delivered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # RFC 8058: one POST from the mail client, no cookie, no CSRF token.
    one_click = urlparse(message.headers["List-Unsubscribe"].strip("<>")).path
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(one_click, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert Subscriber.objects.get(email="reader@example.org").status == SubscriberStatus.UNSUBSCRIBED

    later = publish(northwind, heidi, "Coaching, part two", "Coaching", "Mentoring")
    assert jobs.mail_new_articles(timezone.now()) == 1
    assert [m.to_email for m in article_mail(later)] == ["mentee@example.org"]


def test_a_retried_job_never_sends_twice(northwind, user) -> None:  # type: ignore[no-untyped-def]
    services.do_set_member_subscription(user=user("alice"), subscribed=True)
    article = publish(northwind, user("heidi"), "Once only")
    assert jobs.mail_new_articles(timezone.now()) == 1
    Article.objects.filter(pk=article.pk).update(mailed_at=None)  # as if the job died before it noted the run
    assert jobs.mail_new_articles(timezone.now()) == 0
    assert len(article_mail(article)) == 1


def test_scheduled_articles_are_mailed_when_they_come_out_and_old_ones_never(northwind, user) -> None:  # type: ignore[no-untyped-def]
    services.do_set_member_subscription(user=user("alice"), subscribed=True)
    heidi = user("heidi")
    now = timezone.now()
    article = services.do_create_article(organization=northwind, actor=heidi, title="Soon", summary="s", body="b")
    services.do_publish_article(article=article, actor=heidi, at=now + timedelta(hours=2), now=now)
    assert jobs.mail_new_articles(now) == 0
    assert jobs.mail_new_articles(now + timedelta(hours=3)) == 1

    old = services.do_create_article(organization=northwind, actor=heidi, title="Old", summary="s", body="b")
    Article.objects.filter(pk=old.pk).update(publish_at=now - timedelta(days=30))
    assert jobs.mail_new_articles(now) == 0
    old.refresh_from_db()
    assert old.mailed_at is not None and article_mail(old) == []


def test_subscribing_again_never_duplicates_and_answers_the_same(client: Client) -> None:
    def answer(address: str) -> str:
        html = client.post("/blog/subscribe/", {"email": address, "scope": "all"}).content.decode()
        return re.sub(r'nonce="[^"]*"', "", html)

    first = answer(READER)
    confirm(client, READER)
    assert answer("  reader@example.ORG ") == first  # a known address looks exactly like a new one
    assert Subscriber.objects.filter(email="reader@example.org").count() == 1
    assert Subscriber.objects.get(email="reader@example.org").status == SubscriberStatus.ACTIVE


def test_confirmation_mails_are_limited_per_address(client: Client) -> None:
    for _ in range(5):
        subscribe(client, READER)
    assert OutboxMessage.objects.filter(to_email="reader@example.org").count() == services.CONFIRMATIONS_PER_HOUR


def test_a_changed_choice_applies_only_once_confirmed(client: Client) -> None:
    subscribe(client, READER)
    confirm(client, READER)
    subscribe(client, READER, "mentoring")
    subscriber = Subscriber.objects.get(email="reader@example.org")
    assert subscriber.all_tags  # an attacker who knows the address cannot change what it receives
    confirm(client, READER)
    subscriber.refresh_from_db()
    assert not subscriber.all_tags and [t.slug for t in subscriber.tags.all()] == ["mentoring"]


def test_an_expired_confirmation_link_gets_a_clear_page(client: Client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    subscribe(client, READER)
    path = link_in(confirmation_for(READER).body, "confirm")
    later = time.time() + tokens.CONFIRM_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.get(path)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert client.post(path).status_code == 400
    assert Subscriber.objects.get(email="reader@example.org").status == SubscriberStatus.PENDING


@pytest.mark.parametrize("kind", ["confirm", "unsubscribe"])
def test_altered_links_get_a_clear_page(client: Client, kind: str) -> None:
    subscribe(client, READER)
    path = link_in(confirmation_for(READER).body, kind)
    broken = path[:-3] + ("A" if path[-3] != "A" else "B") + "/"
    for method in (client.get, client.post):
        response = method(broken)
        assert response.status_code == 400
        assert "This link does not work" in response.content.decode()
    other_salt = signing.Signer(salt="something-else").sign(str(Subscriber.objects.get().public_id))
    assert client.post(f"/blog/{kind}/{other_salt}/").status_code == 400


def test_unsubscribing_from_the_page(client: Client) -> None:
    subscribe(client, READER)
    confirm(client, READER)
    path = link_in(confirmation_for(READER).body, "unsubscribe")
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE  # a link scanner's GET changes nothing
    assert "You are unsubscribed" in client.post(path).content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED
    assert "already unsubscribed" in client.get(path).content.decode()


def test_the_form_is_throttled_per_client(client: Client) -> None:
    statuses = [
        client.post("/blog/subscribe/", {"email": f"r{i}@example.org", "scope": "all"}).status_code for i in range(21)
    ]
    assert statuses[:20] == [200] * 20 and statuses[20] == 429


def test_invalid_input_is_shown_in_the_form(client: Client) -> None:
    response = client.post("/blog/subscribe/", {"email": "not-an-address", "scope": "tags"})
    assert response.status_code == 400
    assert Subscriber.objects.count() == 0


def test_addresses_never_reach_audit_lines_or_logs(client: Client, northwind, user, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    subscribe(client, READER)
    confirm(client, READER)
    publish(northwind, user("heidi"), "Logged?")
    jobs.mail_new_articles(timezone.now())
    path = link_in(confirmation_for(READER).body, "unsubscribe")
    client.post(path)
    subscriber = Subscriber.objects.get()
    verbs = list(AuditEvent.objects.filter(object_id=str(subscriber.public_id)).values_list("verb", flat=True))
    assert verbs == ["subscriber.created", "subscriber.confirmed", "subscriber.unsubscribed"]
    for row in AuditEvent.objects.values_list("verb", "object_type", "object_id"):
        assert "example.org" not in " ".join(row)
    assert "example.org" not in caplog.text.lower()
    assert "example.org" not in repr(subscriber) + str(subscriber)


# --- A member's settings ------------------------------------------------------------------------------------
def test_a_member_manages_their_subscription_in_settings(login, user) -> None:  # type: ignore[no-untyped-def]
    client = login("alice")
    page = client.get("/settings/subscription/")
    assert page.status_code == 200 and "You are not subscribed" in page.content.decode()

    response = client.post("/settings/subscription/", {"subscribed": "on", "scope": "tags", "tags": ["coaching"]})
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email="alice@northwind.example")
    assert subscriber.status == SubscriberStatus.ACTIVE and not subscriber.all_tags
    assert [t.slug for t in subscriber.tags.all()] == ["coaching"]
    assert "You are subscribed to some tags" in client.get("/settings/subscription/").content.decode()

    client.post("/settings/subscription/", {"scope": "all"})
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert Subscriber.objects.filter(email="alice@northwind.example").count() == 1


def test_settings_need_a_sign_in(client: Client) -> None:
    response = client.get("/settings/subscription/")
    assert response.status_code == 302 and "/login/" in response["Location"]
