"""The editor under /o/<org>/content/: program and org admins write, preview, publish, schedule, unpublish."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from trellis.content.models import Article
from trellis.core.models import AuditEvent

pytestmark = pytest.mark.django_db
BASE = "/o/northwind/content/"
NEW = {
    "title": "Feedback that lands",
    "slug": "",
    "summary": "Three habits.",
    "body": "## One\n\nAsk *first*.",
    "tags": "Feedback, Training, feedback",
}


def test_editors_list_their_organizations_articles(login, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = login("heidi")
    with django_assert_max_num_queries(12):  # session, user+memberships, count, page, tags, shell (nav, unread)
        response = client.get(BASE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Making training stick" in html and "Draft" in html
    assert "What coaching is — and what it is not" in html and "Published" in html


def test_others_may_not_edit(login, member) -> None:  # type: ignore[no-untyped-def]
    assert login("alice").get(BASE).status_code == 403
    article = Article.objects.get(slug="making-training-stick")
    assert login("alice").get(f"{BASE}{article.public_id}/").status_code == 403
    assert login("mallory").get(f"/o/globex/content/{article.public_id}/").status_code == 404


def test_write_preview_publish_unpublish(login) -> None:  # type: ignore[no-untyped-def]
    client: Client = login("heidi")
    response = client.post(f"{BASE}new/", NEW)
    assert response.status_code == 302
    article = Article.objects.get(title="Feedback that lands")
    assert article.slug == "feedback-that-lands" and article.publish_at is None
    assert sorted(t.slug for t in article.tags.all()) == ["feedback", "training"]
    assert article.author is not None and article.author.email == "heidi@northwind.example"

    preview = client.get(f"{BASE}{article.public_id}/preview/")
    assert preview.status_code == 200
    assert "<h2>One</h2>" in preview.content.decode() and "Preview — this article is draft" in preview.content.decode()
    assert Client().get(article.get_absolute_url()).status_code == 404

    client.post(f"{BASE}{article.public_id}/publish/", {"action": "publish"})
    article.refresh_from_db()
    assert article.publish_at is not None
    assert "Ask <em>first</em>" in Client().get(article.get_absolute_url()).content.decode()

    edited = client.post(f"{BASE}{article.public_id}/", {**NEW, "slug": "new-address"})
    assert edited.status_code == 400 and "keeps its address" in edited.content.decode()

    client.post(f"{BASE}{article.public_id}/publish/", {"action": "unpublish"})
    article.refresh_from_db()
    assert article.publish_at is None
    verbs = list(AuditEvent.objects.filter(object_id=str(article.public_id)).values_list("verb", flat=True))
    assert verbs == ["article.created", "article.published", "article.unpublished"]


def test_scheduling_uses_the_editors_time_zone(login, member) -> None:  # type: ignore[no-untyped-def]
    client = login("heidi")
    client.post(f"{BASE}new/", NEW)
    article = Article.objects.get(title="Feedback that lands")
    client.post(f"{BASE}{article.public_id}/publish/", {"action": "schedule", "publish_at": "2099-03-01T09:00"})
    article.refresh_from_db()
    assert article.publish_at is not None
    zone = member("heidi").timezone
    assert article.publish_at.astimezone(ZoneInfo(zone)).hour == 9
    page = client.get(f"{BASE}{article.public_id}/").content.decode()
    assert "Scheduled" in page


def test_slugs_stay_unique_and_avoid_reserved_paths(login) -> None:  # type: ignore[no-untyped-def]
    client = login("erin")
    client.post(f"{BASE}new/", {**NEW, "title": "Subscribe"})
    client.post(f"{BASE}new/", {**NEW, "title": "Subscribe"})
    slugs = sorted(Article.objects.filter(title="Subscribe").values_list("slug", flat=True))
    assert slugs == ["subscribe-2", "subscribe-3"]
    taken = client.post(f"{BASE}new/", {**NEW, "slug": "what-coaching-is-and-is-not"})
    assert taken.status_code == 400 and "This address is taken" in taken.content.decode()


def test_drafts_need_the_editors_attention_and_the_nav_offers_articles(login) -> None:  # type: ignore[no-untyped-def]
    home = login("heidi").get("/o/northwind/").content.decode()
    assert "Draft articles" in home and f'href="{BASE}"' in home
    assert f'href="{BASE}"' not in login("alice").get("/o/northwind/").content.decode()
