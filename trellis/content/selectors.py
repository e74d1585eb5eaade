"""Reads. Public reads see only what is published at ``now``; the editor's reads are scoped to the viewer's
organization through the access table."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from trellis.content.models import Article, Subscriber, Tag
from trellis.core.access import Subject, Viewer, allows
from trellis.core.models import Organization, User
from trellis.core.selectors import AttentionItem

# Part of every ETag: bump when the public templates change, so browsers do not keep an old rendering.
RENDER_VERSION = "1"


# --- Public ---------------------------------------------------------------------------------------------------
def published(now: datetime, *, tag: Tag | None = None) -> QuerySet[Article]:
    qs = Article.objects.published(now).select_related("organization", "author").prefetch_related("tags")
    if tag is not None:
        qs = qs.filter(tags=tag)
    return qs.order_by("-publish_at", "-id")


def for_sitemap(now: datetime) -> QuerySet[Article]:
    return Article.objects.published(now).order_by("-publish_at", "-id").only("slug", "updated_at", "publish_at")


def published_article(slug: str, now: datetime) -> Article:
    article = published(now).filter(slug=slug).first()
    if article is None:
        raise Http404("No such article.")
    return article


def tag_by_slug(slug: str) -> Tag:
    tag = Tag.objects.filter(slug=slug).first()
    if tag is None:
        raise Http404("No such tag.")
    return tag


def tags_in_use(now: datetime) -> QuerySet[Tag]:
    """Tags with at least one published article, with their counts."""
    return (
        Tag.objects.annotate(n=Count("articles", filter=Q(articles__publish_at__lte=now)))
        .filter(n__gt=0)
        .order_by("name")
    )


@dataclass(frozen=True)
class Version:
    """What a public page's content depends on, for conditional GET (ETag and Last-Modified)."""

    last_modified: datetime | None
    etag: str | None


def _etag(*parts: Any) -> str:
    return hashlib.sha256("|".join(map(str, (RENDER_VERSION, *parts))).encode()).hexdigest()[:32]


def blog_version(now: datetime, *, scope: str = "") -> Version:
    """One query: the newest edit of any article and the newest publication that is out by ``now``. An
    unpublished article counts through its edit time, so Last-Modified never goes backwards."""
    row = Article.objects.aggregate(
        edited=Max("updated_at"),
        out=Max("publish_at", filter=Q(publish_at__lte=now)),
        n=Count("id", filter=Q(publish_at__lte=now)),
    )
    stamps: list[datetime] = [t for t in (row["edited"], row["out"]) if t is not None]
    last = max(stamps) if stamps else None
    return Version(last, _etag("blog", scope, row["n"], last.isoformat() if last else ""))


def article_version(slug: str, now: datetime) -> Version:
    row = Article.objects.published(now).filter(slug=slug).values_list("updated_at", "publish_at").first()
    if row is None:
        return Version(None, None)  # the view answers 404
    updated, published_at = row
    last = max(updated, published_at or updated)
    return Version(last, _etag("article", slug, last.isoformat()))


# --- The editor (staff of the publishing organization) -------------------------------------------------------
def _load_article(org: Organization, public_id: Any) -> Article:
    try:
        return Article.objects.select_related("organization", "author").get(
            organization=org, public_id=UUID(str(public_id))
        )
    except (Article.DoesNotExist, ValueError):
        raise Http404("No such article.") from None


ARTICLE_SUBJECT = Subject("article_id", _load_article)


def articles_of(viewer: Viewer) -> QuerySet[Article]:
    """Every article of the viewer's organization, drafts included, for its editors."""
    if viewer.organization is None or not allows("article_draft", "list", viewer.relations()):
        return Article.objects.none()
    return (
        Article.objects.filter(organization=viewer.organization)
        .select_related("author")
        .prefetch_related("tags")
        .order_by("-updated_at", "-id")
    )


def drafts_attention(viewer: Viewer) -> list[AttentionItem]:
    if viewer.organization is None or not allows("article_draft", "list", viewer.relations()):
        return []
    drafts = Article.objects.filter(organization=viewer.organization, publish_at__isnull=True).count()
    if not drafts:
        return []
    return [AttentionItem("Draft articles", reverse("content_articles", args=[viewer.organization.slug]), drafts)]


# --- Subscriptions --------------------------------------------------------------------------------------------
def subscriber_by_id(public_id: UUID) -> Subscriber | None:
    return Subscriber.objects.filter(public_id=public_id).first()


def subscription_of(user: User) -> Subscriber | None:
    return Subscriber.objects.prefetch_related("tags").filter(email=user.email.lower()).first()
