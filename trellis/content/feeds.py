"""Atom 1.0 feeds of published articles: all of them, and one per tag (Django's syndication framework)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from trellis.content import selectors
from trellis.content.models import Article, Tag

ENTRIES = 20


class LatestArticlesFeed(Feed):  # type: ignore[type-arg]
    feed_type = Atom1Feed
    title = "Trellis — articles on training, mentoring and coaching"
    subtitle = "Short, practical articles for leaders and the people who develop them."
    author_name = "Trellis"

    def link(self) -> str:
        return reverse("blog")

    def feed_url(self) -> str:
        return reverse("blog_feed")

    def items(self) -> list[Article]:
        return list(selectors.published(timezone.now())[:ENTRIES])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_guid(self, item: Article) -> str:
        return f"urn:uuid:{item.public_id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article) -> datetime | None:
        return item.publish_at

    def item_updateddate(self, item: Article) -> datetime:
        return max(item.updated_at, item.publish_at or item.updated_at)

    def item_author_name(self, item: Article) -> str:
        author = item.author.full_name if item.author else ""
        return f"{author}, {item.organization.name}" if author else item.organization.name

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all()]


class TagFeed(LatestArticlesFeed):
    def get_object(self, request: HttpRequest, tag: str) -> Tag:  # type: ignore[override]
        return selectors.tag_by_slug(tag)

    def title(self, obj: Tag) -> str:  # type: ignore[override]
        return f"Trellis — articles tagged {obj.name}"

    def link(self, obj: Tag) -> str:  # type: ignore[override]
        return reverse("blog_tag", args=[obj.slug])

    def feed_url(self, obj: Tag) -> str:  # type: ignore[override]
        return reverse("blog_tag_feed", args=[obj.slug])

    def items(self, obj: Tag) -> list[Article]:  # type: ignore[override]
        return list(selectors.published(timezone.now(), tag=obj)[:ENTRIES])
