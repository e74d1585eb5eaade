"""The public blog: list, tag and article pages, conditional GET, Open Graph, Atom feeds and the sitemap."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone

from trellis.content import services
from trellis.content.models import Article

ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(northwind, user) -> Article:  # type: ignore[no-untyped-def]
    return services.do_create_article(
        organization=northwind,
        actor=user("heidi"),
        title="Secret draft",
        summary="Not out yet.",
        body="Hidden *body*.",
        tags=["Coaching"],
    )


def test_the_blog_lists_published_articles_newest_first_without_drafts(
    client: Client, draft: Article, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(6):  # version, page count, page, tags prefetch, tags in use (+ session)
        response = client.get("/blog/")
    assert response.status_code == 200
    html = response.content.decode()
    titles = ["What coaching is — and what it is not", "Preparing for your first mentoring meeting"]
    assert html.index(titles[0]) < html.index(titles[1])
    assert "Training, mentoring or coaching? How to choose" in html
    assert "Secret draft" not in html and "Making training stick" not in html
    assert 'type="application/atom+xml"' in html and 'property="og:title"' in html


def test_an_article_page_renders_markdown_safely_with_open_graph(client: Client) -> None:
    response = client.get("/blog/training-mentoring-or-coaching/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="/choose/" rel="noopener noreferrer">Trellis chooser</a>' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:url" content="http://testserver/blog/training-mentoring-or-coaching/">' in html
    assert '<meta property="article:tag" content="Coaching">' in html
    assert "Heidi Novak, Northwind" in html and "min read" in html


def test_script_in_markdown_never_reaches_the_page(client: Client, northwind, user) -> None:  # type: ignore[no-untyped-def]
    article = services.do_create_article(
        organization=northwind,
        actor=user("heidi"),
        title="Tricky",
        summary="x",
        body="<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    services.do_publish_article(article=article, actor=user("heidi"))
    html = client.get(f"/blog/{article.slug}/").content.decode()
    body = html.split('<div class="prose">')[1].split("</div>")[0]
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;" in body  # shown as text, harmless


def test_drafts_and_scheduled_articles_are_not_found(client: Client, draft: Article, user) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/blog/{draft.slug}/").status_code == 404
    services.do_publish_article(article=draft, actor=user("heidi"), at=timezone.now() + timedelta(days=1))
    assert client.get(f"/blog/{draft.slug}/").status_code == 404
    assert draft.slug not in client.get("/blog/feed.atom").content.decode()


def test_conditional_get_answers_304_until_something_changes(client: Client, draft: Article, user) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/blog/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert "no-cache" in first["Cache-Control"]
    again = client.get("/blog/", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/blog/", headers={"if-modified-since": modified}).status_code == 304

    services.do_publish_article(article=draft, actor=user("heidi"))
    changed = client.get("/blog/", headers={"if-none-match": etag})
    assert changed.status_code == 200 and "Secret draft" in changed.content.decode()

    page = client.get("/blog/what-coaching-is-and-is-not/")
    assert client.get(page.wsgi_request.path, headers={"if-none-match": page["ETag"]}).status_code == 304


def test_signed_in_readers_always_get_the_full_page(login) -> None:  # type: ignore[no-untyped-def]
    client = login("alice")
    first = client.get("/blog/")
    assert "ETag" not in first
    assert client.get("/blog/", headers={"if-modified-since": "Wed, 01 Jan 2100 00:00:00 GMT"}).status_code == 200


def test_tag_pages_list_only_their_articles(client: Client) -> None:
    html = client.get("/blog/tags/mentoring/").content.decode()
    assert "Preparing for your first mentoring meeting" in html
    assert "What coaching is" not in html
    assert client.get("/blog/tags/no-such-tag/").status_code == 404


def _parse_atom(body: bytes) -> ET.Element:
    root = ET.fromstring(body)  # noqa: S314 (our own response)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.find(f"{ATOM}author/{ATOM}name") is not None or all(
        e.find(f"{ATOM}author") is not None for e in root.findall(f"{ATOM}entry")
    )
    return root


def test_the_atom_feed_is_valid_and_its_links_resolve(client: Client) -> None:
    response = client.get("/blog/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = _parse_atom(response.content)
    self_link = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link and self_link[0].get("href") == "http://testserver/blog/feed.atom"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 3
    for entry in entries:
        for required in ("id", "title", "updated", "summary"):
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert entry.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "What coaching is — and what it is not"
    href = next(link.get("href") for link in first.findall(f"{ATOM}link") if link.get("rel") == "alternate")
    page = client.get(urlparse(href).path)
    assert page.status_code == 200 and "What coaching is" in page.content.decode()


def test_a_tag_feed_holds_only_that_tag(client: Client) -> None:
    root = _parse_atom(client.get("/blog/tags/coaching/feed.atom").content)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == ["What coaching is — and what it is not", "Training, mentoring or coaching? How to choose"]
    assert client.get("/blog/tags/nothing/feed.atom").status_code == 404


def test_the_sitemap_lists_the_blog_and_each_published_article(client: Client, draft: Article) -> None:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # noqa: S314 (our own response)
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert "http://testserver/blog/" in locs
    assert "http://testserver/blog/what-coaching-is-and-is-not/" in locs
    assert not any(draft.slug in (loc or "") for loc in locs)


def test_reading_time_and_rendering_are_stored_on_save(northwind, user) -> None:  # type: ignore[no-untyped-def]
    article = services.do_create_article(
        organization=northwind, actor=user("heidi"), title="Long", summary="x", body="# Top\n\n" + "word " * 900
    )
    assert article.reading_minutes == 5
    assert article.body_html.startswith("<h2>Top</h2>")
