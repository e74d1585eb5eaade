"""The content hub: articles an organization publishes on the public blog, their tags, and e-mail subscribers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from django.db import models
from django.urls import reverse
from django.utils.timezone import now

from trellis.core.models import Organization, User


class Tag(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=60)

    class Meta:
        ordering: ClassVar[list[str]] = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog_tag", args=[self.slug])


class ArticleState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    PUBLISHED = "published", "Published"


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self, at: datetime) -> ArticleQuerySet:
        return self.filter(publish_at__lte=at)


class Article(models.Model):
    """A short article, written in Markdown. No ``publish_at`` is a draft; a future one is scheduled."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="articles")
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True, help_text="The address on the blog: /blog/<slug>/.")
    summary = models.CharField(max_length=300, help_text="One or two sentences; shown in lists, feeds and links.")
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False, help_text="The body rendered and sanitized when saved.")
    reading_minutes = models.PositiveSmallIntegerField(default=1)
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    publish_at = models.DateTimeField(null=True, blank=True, help_text="Empty while a draft.")
    mailed_at = models.DateTimeField(null=True, blank=True, help_text="When subscribers were sent this article.")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-publish_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["publish_at"]),
            models.Index(fields=["organization", "updated_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog_article", args=[self.slug])

    def state(self, at: datetime) -> ArticleState:
        if self.publish_at is None:
            return ArticleState.DRAFT
        return ArticleState.SCHEDULED if self.publish_at > at else ArticleState.PUBLISHED


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    ACTIVE = "active", "Subscribed"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed"


class Subscriber(models.Model):
    """Someone who asked for new articles by e-mail. The address is personal data: it appears in the outbox
    (to send) and nowhere else — logs and audit lines name the subscriber by ``public_id`` only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    status = models.CharField(max_length=20, choices=SubscriberStatus.choices, default=SubscriberStatus.PENDING)
    all_tags = models.BooleanField(default=True, help_text="Every new article, or only those with chosen tags.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="subscribers")
    created_at = models.DateTimeField(default=now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return str(self.public_id)  # never the address: reprs end up in logs

    def __repr__(self) -> str:
        return f"<Subscriber {self.public_id} {self.status}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)
