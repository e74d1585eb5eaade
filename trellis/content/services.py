"""Every write in the content hub: keyword-only ``do_*`` functions that validate, write and audit in one
transaction. Audit lines name articles and subscribers by public id — never a title, body or address."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from trellis.content import rendering, tokens
from trellis.content.models import Article, Subscriber, SubscriberStatus, Tag
from trellis.core import audit, mail
from trellis.core.models import Organization, OutboxMessage, User

# Paths under /blog/ that an article slug may not take.
RESERVED_SLUGS = frozenset({"subscribe", "confirm", "unsubscribe", "tags", "feed", "feed-atom"})
CONFIRMATIONS_PER_HOUR = 3  # confirmation mails to one address; counted in the outbox, so it holds across servers
MAIL_WINDOW = timedelta(days=7)  # an article not mailed within a week of publishing is old news: not mailed


# --- Articles -----------------------------------------------------------------------------------------------
def _unique_slug(wanted: str, title: str, exclude: Article | None) -> str:
    base = slugify(wanted or title)[:110].strip("-") or "article"
    taken = Article.objects.filter(slug__startswith=base)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    used = set(taken.values_list("slug", flat=True)) | RESERVED_SLUGS
    if wanted and slugify(wanted) in used:
        raise ValidationError({"slug": "This address is taken (or reserved for the blog itself); choose another."})
    slug, n = base, 2
    while slug in used:
        slug, n = f"{base}-{n}", n + 1
    return slug


def parse_tags(names: Sequence[str]) -> list[tuple[str, str]]:
    """(slug, name) for each distinct tag name; at most 8."""
    found: dict[str, str] = {}
    for name in names:
        name = " ".join(name.split())[:60]
        if name and slugify(name):
            found.setdefault(slugify(name)[:60], name)
    if len(found) > 8:
        raise ValidationError({"tags": "Use at most 8 tags."})
    return list(found.items())


def _set_tags(article: Article, names: Sequence[str]) -> None:
    tags = []
    for slug, name in parse_tags(names):
        tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
        tags.append(tag)
    article.tags.set(tags)


def _fill(article: Article, *, title: str, summary: str, body: str) -> None:
    article.title = title.strip()
    article.summary = " ".join(summary.split())
    article.body = body
    article.body_html = rendering.render_markdown(body)
    article.reading_minutes = rendering.reading_minutes(body)


@transaction.atomic
def do_create_article(
    *,
    organization: Organization,
    actor: User,
    title: str,
    summary: str,
    body: str,
    tags: Sequence[str] = (),
    slug: str = "",
    now: datetime | None = None,
) -> Article:
    """A new draft, written by ``actor`` for ``organization``."""
    now = now or timezone.now()
    article = Article(organization=organization, author=actor, created_at=now, updated_at=now)
    _fill(article, title=title, summary=summary, body=body)
    article.slug = _unique_slug(slug, title, None)
    article.full_clean(exclude=["body_html"])
    article.save()
    _set_tags(article, tags)
    audit.record(actor=actor, verb="article.created", obj=article, organization=organization, now=now)
    return article


@transaction.atomic
def do_update_article(
    *,
    article: Article,
    actor: User,
    title: str,
    summary: str,
    body: str,
    tags: Sequence[str],
    slug: str = "",
    now: datetime | None = None,
) -> Article:
    """Edit an article. Once it has been published its address stays (links to it exist)."""
    now = now or timezone.now()
    wanted = slugify(slug) if slug else article.slug
    if wanted != article.slug:
        if article.publish_at is not None and article.publish_at <= now:
            raise ValidationError({"slug": "A published article keeps its address."})
        article.slug = _unique_slug(wanted, title, article)
    _fill(article, title=title, summary=summary, body=body)
    article.updated_at = now
    article.full_clean(exclude=["body_html"])
    article.save()
    _set_tags(article, tags)
    audit.record(actor=actor, verb="article.updated", obj=article, organization=article.organization, now=now)
    return article


@transaction.atomic
def do_publish_article(
    *, article: Article, actor: User, at: datetime | None = None, now: datetime | None = None
) -> Article:
    """Publish now (``at`` empty or past) or schedule for ``at``. Subscribers get it once it is out."""
    now = now or timezone.now()
    when = max(at, now) if at is not None else now
    if article.publish_at is not None and article.publish_at <= now:
        raise ValidationError("This article is already published.")
    article.publish_at = when
    article.updated_at = now
    article.save(update_fields=["publish_at", "updated_at"])
    verb = "article.scheduled" if when > now else "article.published"
    audit.record(actor=actor, verb=verb, obj=article, organization=article.organization, now=now)
    if when <= now:
        from trellis.content.jobs import mail_new_articles_task

        transaction.on_commit(lambda: mail_new_articles_task.enqueue())
    return article


@transaction.atomic
def do_unpublish_article(*, article: Article, actor: User, now: datetime | None = None) -> Article:
    """Back to draft (it leaves the blog and the feeds; subscribers who were mailed keep their mail)."""
    now = now or timezone.now()
    if article.publish_at is None:
        return article
    article.publish_at = None
    article.updated_at = now
    article.save(update_fields=["publish_at", "updated_at"])
    audit.record(actor=actor, verb="article.unpublished", obj=article, organization=article.organization, now=now)
    return article


# --- Mailing new articles -----------------------------------------------------------------------------------
def recipients(article: Article) -> list[Subscriber]:
    """Confirmed subscribers who want this article: everything, or one of its tags."""
    wanted = Q(all_tags=True) | Q(tags__in=article.tags.all())
    return list(Subscriber.objects.filter(status=SubscriberStatus.ACTIVE).filter(wanted).distinct().order_by("id"))


@transaction.atomic
def do_mail_article(*, article: Article, now: datetime) -> int:
    """Queue the article for every confirmed subscriber who wants it, once: the outbox key is
    (article, subscriber), so a retried or concurrent run finds each message already there. Returns how many
    messages were new."""
    article = (
        Article.objects.select_for_update(of=("self",)).select_related("organization", "author").get(pk=article.pk)
    )
    if article.mailed_at is not None or article.publish_at is None or article.publish_at > now:
        return 0
    queued = 0
    if article.publish_at >= now - MAIL_WINDOW:
        link = tokens.absolute(article.get_absolute_url())
        for subscriber in recipients(article):
            body = render_to_string(
                "content/email/article.txt",
                {"article": article, "link": link, "unsubscribe": tokens.unsubscribe_url(subscriber.public_id)},
            )
            _, created = mail.queue(
                to=subscriber.email,
                subject=article.title,
                body=body,
                key=f"content:article:{article.public_id}:{subscriber.public_id}",
                headers=tokens.list_headers(subscriber.public_id),
            )
            queued += created
    article.mailed_at = now
    article.save(update_fields=["mailed_at"])
    audit.record(actor=None, verb="article.mailed", obj=article, organization=article.organization, now=now)
    return queued


# --- Subscriptions ------------------------------------------------------------------------------------------
def _normalized_email(email: str) -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid e-mail address."}) from None
    return email


def _tag_slugs(tags: Sequence[str] | None) -> list[str] | None:
    if tags is None:
        return None
    wanted = sorted(set(tags))
    known = set(Tag.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise ValidationError({"tags": f"Unknown tag: {', '.join(unknown)[:200]}."})
    if not wanted:
        raise ValidationError({"tags": "Choose at least one tag, or subscribe to every article."})
    return wanted


@transaction.atomic
def do_subscribe(*, email: str, tags: Sequence[str] | None = None, now: datetime | None = None) -> Subscriber:
    """Ask for new articles (``tags`` None: all of them). Nothing changes until the address confirms by the
    link we mail it (double opt-in); asking again never makes a second subscriber. The caller's answer must be
    the same whether or not the address was known, so this says nothing about who subscribes."""
    now = now or timezone.now()
    address = _normalized_email(email)
    wanted = _tag_slugs(tags)
    subscriber, created = Subscriber.objects.get_or_create(email=address, defaults={"created_at": now})
    if created:
        audit.record(actor=None, verb="subscriber.created", obj=subscriber, now=now)
    prefix = f"content:confirm:{subscriber.public_id}:"
    recent = OutboxMessage.objects.filter(
        idempotency_key__startswith=prefix, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= CONFIRMATIONS_PER_HOUR:
        return subscriber
    tag_names = list(Tag.objects.filter(slug__in=wanted).values_list("name", flat=True)) if wanted else None
    body = render_to_string(
        "content/email/confirm.txt",
        {
            "link": tokens.confirm_url(subscriber.public_id, wanted),
            "unsubscribe": tokens.unsubscribe_url(subscriber.public_id),
            "tags": tag_names,
            "active": subscriber.status == SubscriberStatus.ACTIVE,
            "days": tokens.CONFIRM_MAX_AGE.days,
        },
    )
    mail.queue(
        to=address,
        subject="Confirm your subscription to Trellis articles",
        body=body,
        key=f"{prefix}{now:%Y%m%d%H%M%S%f}",
        headers=tokens.list_headers(subscriber.public_id),
    )
    return subscriber


def _apply(subscriber: Subscriber, tags: Sequence[str] | None, now: datetime) -> None:
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.confirmed_at = now
    subscriber.unsubscribed_at = None
    subscriber.all_tags = tags is None
    subscriber.save()
    subscriber.tags.set(Tag.objects.filter(slug__in=tags or []))


@transaction.atomic
def do_confirm_subscription(
    *, subscriber: Subscriber, tags: Sequence[str] | None, now: datetime | None = None
) -> Subscriber:
    """The address followed its confirmation link: it is subscribed, to the tags the link carries."""
    now = now or timezone.now()
    _apply(subscriber, tags, now)
    audit.record(actor=None, verb="subscriber.confirmed", obj=subscriber, now=now)
    return subscriber


@transaction.atomic
def do_unsubscribe(*, subscriber: Subscriber, actor: User | None = None, now: datetime | None = None) -> bool:
    """Stop all mail to this subscriber. True if that changed anything."""
    now = now or timezone.now()
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return False
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = now
    subscriber.save(update_fields=["status", "unsubscribed_at"])
    audit.record(actor=actor, verb="subscriber.unsubscribed", obj=subscriber, now=now)
    return True


@transaction.atomic
def do_set_member_subscription(
    *, user: User, subscribed: bool, tags: Sequence[str] | None = None, now: datetime | None = None
) -> Subscriber | None:
    """A signed-in member subscribes their account's address (already proven: they signed in with it), changes
    their tags, or unsubscribes — no confirmation mail needed."""
    now = now or timezone.now()
    subscriber = Subscriber.objects.filter(email=user.email.lower()).first()
    if not subscribed:
        if subscriber is not None:
            do_unsubscribe(subscriber=subscriber, actor=user, now=now)
        return subscriber
    wanted = _tag_slugs(tags)
    if subscriber is None:
        subscriber = Subscriber.objects.create(email=user.email, created_at=now)
    _apply(subscriber, wanted, now)
    audit.record(actor=user, verb="subscriber.settings_changed", obj=subscriber, now=now)
    return subscriber
