"""Pages of the content hub. The blog (public, T0), the subscription pages (public, token-authenticated), a
member's subscription settings, and the editor under /o/<org>/content/. Thin: rule → selector/service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import condition, require_GET, require_http_methods, require_POST

from trellis.content import selectors, services, throttling, tokens
from trellis.content.feeds import LatestArticlesFeed, TagFeed
from trellis.content.forms import (
    ArticleForm,
    ScheduleForm,
    SubscribeForm,
    SubscriptionSettingsForm,
    article_initial,
    settings_initial,
)
from trellis.content.models import Article, SubscriberStatus
from trellis.content.selectors import ARTICLE_SUBJECT
from trellis.core.access import rule, subject_of, viewer_of
from trellis.core.forms import add_errors

PAGE_SIZE = 20


def _now() -> datetime:
    return timezone.now()


# --- Conditional GET ----------------------------------------------------------------------------------------
# Anonymous readers get ETag and Last-Modified, and revalidate every time (Cache-Control: no-cache), so a
# repeat visit or a feed reader's poll costs one aggregate query and a 304. Signed-in visitors see their own
# header (name, sign-out form), so their pages are always rendered in full.
Versioner = Callable[..., selectors.Version]


def _version(request: HttpRequest, versioner: Versioner, kwargs: dict[str, Any]) -> selectors.Version | None:
    if request.user.is_authenticated:
        return None
    if not hasattr(request, "_content_version"):
        request._content_version = versioner(_now(), **kwargs)  # type: ignore[attr-defined]
    version: selectors.Version = request._content_version  # type: ignore[attr-defined]
    return version


def conditional(versioner: Versioner) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
        version = _version(request, versioner, kwargs)
        return version.etag if version else None

    def last_modified(request: HttpRequest, *args: Any, **kwargs: Any) -> datetime | None:
        version = _version(request, versioner, kwargs)
        return version.last_modified if version else None

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        checked = condition(etag_func=etag, last_modified_func=last_modified)(view)

        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = checked(request, *args, **kwargs)
            patch_cache_control(response, no_cache=True)
            return response

        return wrapped

    return decorate


def _blog(now: datetime, **kwargs: Any) -> selectors.Version:
    return selectors.blog_version(now, scope=str(kwargs.get("tag", "")))


def _article(now: datetime, *, article_slug: str) -> selectors.Version:
    return selectors.article_version(article_slug, now)


# --- The public blog -----------------------------------------------------------------------------------------
def _list_page(request: HttpRequest, *, tag_slug: str | None) -> HttpResponse:
    now = _now()
    tag = selectors.tag_by_slug(tag_slug) if tag_slug else None
    page = Paginator(selectors.published(now, tag=tag), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "tag": tag,
        "tags": selectors.tags_in_use(now),
        "feed_url": reverse("blog_tag_feed", args=[tag.slug]) if tag else reverse("blog_feed"),
    }
    return render(request, "content/blog.html", context)


@rule("article", "view")
@require_GET
@conditional(_blog)
def blog(request: HttpRequest) -> HttpResponse:
    return _list_page(request, tag_slug=None)


@rule("article", "view")
@require_GET
@conditional(_blog)
def blog_tag(request: HttpRequest, tag: str) -> HttpResponse:
    return _list_page(request, tag_slug=tag)


@rule("article", "view")
@require_GET
@conditional(_article)
def blog_article(request: HttpRequest, article_slug: str) -> HttpResponse:
    article = selectors.published_article(article_slug, _now())
    return render(request, "content/article.html", {"article": article, "canonical": request.build_absolute_uri()})


blog_feed = rule("article", "view")(require_GET(conditional(_blog)(LatestArticlesFeed())))
blog_tag_feed = rule("article", "view")(require_GET(conditional(_blog)(TagFeed())))


class ArticleSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "monthly"

    def items(self) -> Any:
        return selectors.for_sitemap(_now())

    def lastmod(self, item: Article) -> datetime:
        return max(item.updated_at, item.publish_at or item.updated_at)


class BlogSitemap(Sitemap):  # type: ignore[type-arg]
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["blog"]

    def location(self, item: str) -> str:
        return reverse(item)


SITEMAPS: dict[str, Any] = {"blog": BlogSitemap(), "articles": ArticleSitemap()}


@rule("article", "view")
@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    return sitemap_view(request, sitemaps=SITEMAPS)


# --- Subscribing (public; the links authenticate by their signature) ----------------------------------------
def _throttled(request: HttpRequest) -> HttpResponse:
    return render(request, "content/throttled.html", status=429)


def _bad_link(request: HttpRequest, error: tokens.BadLink) -> HttpResponse:
    return render(request, "content/bad_link.html", {"expired": error.expired}, status=400)


# CSRF protects a signed-in user's actions; this form acts for no one — at most it mails a confirmation link to
# the address typed, which anyone could ask for directly. Exempt, the blog pages carry no per-visitor token and
# stay cacheable. Abuse is limited per client address and per mailbox (see services.do_subscribe).
@rule("subscription", "create")
@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None, initial={"email": request.GET.get("email", "")[:254]})
    if request.method == "POST":
        if not throttling.allowed(request):
            return _throttled(request)
        if form.is_valid():
            try:
                services.do_subscribe(email=form.cleaned_data["email"], tags=form.chosen_tags())
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                # The same answer whether or not the address was subscribed already: it reveals nothing.
                return render(request, "content/subscribe_sent.html")
    return render(request, "content/subscribe.html", {"form": form}, status=400 if form.errors else 200)


@rule("subscription", "create")
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button, POST confirms: mail scanners that fetch every link must not subscribe anyone."""
    try:
        confirmation = tokens.read_confirm_token(token)
    except tokens.BadLink as exc:
        return _bad_link(request, exc)
    subscriber = selectors.subscriber_by_id(confirmation.subscriber)
    if subscriber is None:
        return _bad_link(request, tokens.BadLink())
    if request.method == "POST":
        try:
            services.do_confirm_subscription(subscriber=subscriber, tags=confirmation.tags)
        except ValidationError:
            return _bad_link(request, tokens.BadLink())
        return render(request, "content/confirmed.html", {"subscriber": subscriber})
    return render(request, "content/confirm.html", {"tags": confirmation.tags})


# RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to this URL without a page or a cookie, so there
# is no CSRF token to check; the signed token in the URL is the authentication.
@rule("subscription", "delete")
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        public_id = tokens.read_unsubscribe_token(token)
    except tokens.BadLink as exc:
        return _bad_link(request, exc)
    subscriber = selectors.subscriber_by_id(public_id)
    if subscriber is None:
        return _bad_link(request, tokens.BadLink())
    if request.method == "POST":
        services.do_unsubscribe(subscriber=subscriber)
        return render(request, "content/unsubscribed.html")
    done = subscriber.status == SubscriberStatus.UNSUBSCRIBED
    return render(request, "content/unsubscribe.html", {"done": done})


# --- A member's own subscription ---------------------------------------------------------------------------
@rule("account", "update")
@require_http_methods(["GET", "POST"])
def subscription_settings(request: HttpRequest) -> HttpResponse:
    user = viewer_of(request).user
    assert user is not None
    subscriber = selectors.subscription_of(user)
    form = SubscriptionSettingsForm(request.POST or None, initial=settings_initial(subscriber))
    if request.method == "POST" and form.is_valid():
        subscribed = form.cleaned_data["subscribed"]
        services.do_set_member_subscription(user=user, subscribed=subscribed, tags=form.chosen_tags())
        messages.success(request, "You will get new articles by e-mail." if subscribed else "You are unsubscribed.")
        return redirect("subscription_settings")
    context = {"form": form, "subscriber": subscriber}
    return render(request, "content/settings.html", context, status=400 if form.errors else 200)


# --- The editor ------------------------------------------------------------------------------------------------
@rule("article_draft", "list")
@require_GET
def articles(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    page = Paginator(selectors.articles_of(viewer), 50).get_page(request.GET.get("page"))
    now = _now()
    rows = [(article, article.state(now)) for article in page]
    return render(request, "content/articles.html", {"page": page, "rows": rows})


@rule("article_draft", "create")
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest, org_slug: str) -> HttpResponse:
    viewer = viewer_of(request)
    assert viewer.organization is not None and viewer.user is not None
    form = ArticleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.do_create_article(
                organization=viewer.organization, actor=viewer.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Draft saved. Preview it, then publish when it is ready.")
            return redirect("content_article_edit", org_slug=org_slug, article_id=article.public_id)
    return render(request, "content/article_form.html", {"form": form}, status=400 if form.errors else 200)


@rule("article_draft", "update", subject=ARTICLE_SUBJECT)
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, org_slug: str, article_id: UUID) -> HttpResponse:
    viewer = viewer_of(request)
    article: Article = subject_of(request)
    assert viewer.user is not None and viewer.membership is not None
    form = ArticleForm(request.POST or None, initial=article_initial(article))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_article(article=article, actor=viewer.user, **form.cleaned_data)
        except ValidationError as exc:
            article.refresh_from_db()
            add_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("content_article_edit", org_slug=org_slug, article_id=article.public_id)
    context = {
        "form": form,
        "article": article,
        "state": article.state(_now()),
        "schedule": ScheduleForm(timezone=viewer.membership.timezone),
    }
    return render(request, "content/article_form.html", context, status=400 if form.errors else 200)


@rule("article_draft", "view", subject=ARTICLE_SUBJECT)
@require_GET
def article_preview(request: HttpRequest, org_slug: str, article_id: UUID) -> HttpResponse:
    article: Article = subject_of(request)
    return render(
        request, "content/article.html", {"article": article, "preview": True, "state": article.state(_now())}
    )


@rule("article_draft", "publish", subject=ARTICLE_SUBJECT)
@require_POST
def article_publish(request: HttpRequest, org_slug: str, article_id: UUID) -> HttpResponse:
    viewer = viewer_of(request)
    article: Article = subject_of(request)
    assert viewer.user is not None and viewer.membership is not None
    action = request.POST.get("action", "publish")
    try:
        if action == "unpublish":
            services.do_unpublish_article(article=article, actor=viewer.user)
            messages.success(request, "The article is a draft again; it has left the blog and the feeds.")
        elif action == "schedule":
            form = ScheduleForm(request.POST, timezone=viewer.membership.timezone)
            if not form.is_valid():
                messages.error(request, "Give a date and time to publish at.")
            else:
                services.do_publish_article(article=article, actor=viewer.user, at=form.cleaned_data["publish_at"])
                messages.success(request, "Scheduled. Subscribers get it when it is out.")
        else:
            services.do_publish_article(article=article, actor=viewer.user)
            messages.success(request, "Published. Subscribers get it by e-mail within minutes.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("content_article_edit", org_slug=org_slug, article_id=article.public_id)
