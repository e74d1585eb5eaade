"""The content API: published articles, subscribing and unsubscribing. All public (no account), like the blog;
subscribing is throttled per client address and, for confirmation mails, per address."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.errors import HttpError

from trellis.content import selectors, services, tokens
from trellis.content.schemas import (
    ArticleListQuery,
    ArticleOut,
    ArticlePageOut,
    SubscribeIn,
    SubscribeOut,
    UnsubscribeIn,
    article_out,
    article_summary,
)
from trellis.content.throttling import SubscriptionThrottle
from trellis.core.access import api_rule
from trellis.core.schemas import ErrorOut

router = Router(tags=["content"])


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    return dict.fromkeys(statuses, ErrorOut)


@router.get("/articles", auth=None, response={200: ArticlePageOut, **errors(404, 422)}, summary="Published articles")
@api_rule("article", "view")
def list_articles(request: HttpRequest, params: Query[ArticleListQuery]) -> ArticlePageOut:
    """Newest first; pass the page's `next_cursor` as `cursor` to get the next one. An unknown tag is 404."""
    now = timezone.now()
    tag = selectors.tag_by_slug(params.tag) if params.tag else None
    articles = selectors.published(now, tag=tag)
    if params.cursor is not None:
        after = articles.filter(public_id=params.cursor).values_list("publish_at", "id").first()
        if after is None:
            articles = articles.none()
        else:
            at, pk = after
            articles = articles.filter(publish_at__lte=at).exclude(publish_at=at, id__gte=pk)
    page = list(articles[: params.limit + 1])
    more = len(page) > params.limit
    page = page[: params.limit]
    return ArticlePageOut(items=[article_summary(a) for a in page], next_cursor=page[-1].public_id if more else None)


@router.get(
    "/articles/{article_slug}", auth=None, response={200: ArticleOut, **errors(404, 422)}, summary="One article"
)
@api_rule("article", "view")
def get_article(request: HttpRequest, article_slug: str) -> ArticleOut:
    return article_out(selectors.published_article(article_slug, timezone.now()))


@router.post(
    "/subscriptions",
    auth=None,
    throttle=[SubscriptionThrottle()],
    response={202: SubscribeOut, **errors(400, 422, 429)},
    summary="Subscribe an e-mail address to new articles",
)
@api_rule("subscription", "create")
def subscribe(request: HttpRequest, payload: SubscribeIn) -> Status:
    """Mails a confirmation link (double opt-in); nothing is sent until it is followed. Asking again never makes
    a second subscription. The answer is the same for a new address, a subscribed one and a throttled mailbox."""
    services.do_subscribe(email=payload.email, tags=payload.tags)
    return Status(202, SubscribeOut(detail="If the address can receive mail, a confirmation link is on its way."))


@router.post(
    "/subscriptions/unsubscribe",
    auth=None,
    throttle=[SubscriptionThrottle()],
    response={204: None, **errors(400, 422, 429)},
    summary="Unsubscribe with the token of an unsubscribe link",
)
@api_rule("subscription", "delete")
def unsubscribe(request: HttpRequest, payload: UnsubscribeIn) -> Status:
    try:
        subscriber = selectors.subscriber_by_id(tokens.read_unsubscribe_token(payload.token))
    except tokens.BadLink:
        subscriber = None
    if subscriber is None:
        raise HttpError(400, "This unsubscribe link is not valid.")
    services.do_unsubscribe(subscriber=subscriber)
    return Status(204, None)
