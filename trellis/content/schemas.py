"""The shapes the content API reads and writes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Field, Schema
from pydantic import AfterValidator, StringConstraints

from trellis.content import tokens
from trellis.content.models import Article
from trellis.core.schemas import _storable

TagSlug = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=r"^[-a-zA-Z0-9_]+$")]


class ArticleSummaryOut(Schema):
    id: UUID
    slug: str
    title: str
    summary: str
    url: str = Field(description="The article's page on the blog.")
    author: str | None
    organization: str = Field(description="The publishing organization's name.")
    tags: list[str] = Field(description="Tag slugs.")
    published_at: datetime
    updated_at: datetime
    reading_minutes: int


class ArticleOut(ArticleSummaryOut):
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="The body rendered and sanitized.")


class ArticlePageOut(Schema):
    items: list[ArticleSummaryOut]
    next_cursor: UUID | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ArticleListQuery(Schema):
    limit: int = Field(20, ge=1, le=100)
    cursor: UUID | None = Field(None, description="The `next_cursor` of the previous page.")
    tag: TagSlug | None = Field(None, description="Only articles with this tag (a slug).")


class SubscribeIn(Schema):
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254), AfterValidator(_storable)
    ]
    tags: Annotated[list[TagSlug], Field(max_length=50)] | None = Field(
        None, description="Tag slugs to receive; null or absent for every new article."
    )


class SubscribeOut(Schema):
    detail: str = Field(description="The same answer whether or not the address was subscribed already.")


class UnsubscribeIn(Schema):
    token: Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_storable)] = Field(
        description="The token of an unsubscribe link (the last part of its path)."
    )


def article_summary(article: Article) -> ArticleSummaryOut:
    assert article.publish_at is not None
    return ArticleSummaryOut(**_common(article))


def article_out(article: Article) -> ArticleOut:
    return ArticleOut(**_common(article), body=article.body, body_html=article.body_html)


def _common(article: Article) -> dict[str, Any]:
    return {
        "id": article.public_id,
        "slug": article.slug,
        "title": article.title,
        "summary": article.summary,
        "url": tokens.absolute(article.get_absolute_url()),
        "author": article.author.full_name if article.author else None,
        "organization": article.organization.name,
        "tags": [t.slug for t in article.tags.all()],
        "published_at": article.publish_at,
        "updated_at": article.updated_at,
        "reading_minutes": article.reading_minutes,
    }
