"""A reader with no account reads an article, subscribes, confirms by the mailed link, gets the next article and
unsubscribes from the page — in a real browser, with axe-core and CSP checks on every page on the way."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, describe, run_axe, screenshot, sign_in, watch
from trellis.content import jobs, services
from trellis.content.models import Subscriber, SubscriberStatus
from trellis.core.models import Organization, OutboxMessage, User

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser
NewContext = Callable[..., "BrowserContext"]
READER = "reader@example.org"


def mailed_link(site: str, kind: str, key_prefix: str) -> str:
    message = OutboxMessage.objects.filter(to_email=READER, idempotency_key__startswith=key_prefix).latest("id")
    match = re.search(rf"https?://\S+/blog/{kind}/\S+/", message.body)
    assert match, message.body
    return site + urlparse(match.group(0)).path


def test_a_reader_subscribes_confirms_and_unsubscribes(site: str, new_context: NewContext, axe_source: str) -> None:
    watched = watch(new_context().new_page())
    page = watched.page
    axe_page = new_context(bypass_csp=True).new_page()
    failures: list[str] = []

    def check(name: str) -> None:
        screenshot(page, f"content-{name}")
        axe_page.goto(page.url)
        violations = run_axe(axe_page, axe_source)
        if violations:
            failures.append(f"{name}:\n{describe(violations)}")

    page.goto(f"{site}/blog/")
    assert page.get_by_role("heading", name="Articles", exact=True).is_visible()
    check("blog")
    page.get_by_role("link", name="Training, mentoring or coaching? How to choose").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Training, mentoring or coaching? How to choose"
    assert (
        page.locator('meta[property="og:title"]').get_attribute("content")
        == page.get_by_role("heading", level=1).inner_text()
    )
    assert page.get_by_role("link", name="Trellis chooser").get_attribute("href") == "/choose/"
    check("article")
    page.reload()  # revalidates: a 304 keeps the cached page, which must still obey the CSP
    assert page.get_by_role("heading", level=1).is_visible()

    page.get_by_label("E-mail address").fill(READER)
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    check("subscribe-sent")
    assert Subscriber.objects.get(email=READER).status == SubscriberStatus.PENDING

    page.goto(mailed_link(site, "confirm", "content:confirm:"))
    check("confirm")
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="You are subscribed").is_visible()
    assert Subscriber.objects.get(email=READER).status == SubscriberStatus.ACTIVE

    heidi = User.objects.get(email="heidi@northwind.example")
    article = services.do_create_article(
        organization=Organization.objects.get(slug="northwind"),
        actor=heidi,
        title="Coaching across time zones",
        summary="Short.",
        body="Text.",
    )
    services.do_publish_article(article=article, actor=heidi)
    jobs.mail_new_articles(timezone.now())
    page.goto(mailed_link(site, "unsubscribe", f"content:article:{article.public_id}:"))
    check("unsubscribe")
    page.get_by_role("button", name="Unsubscribe").click()
    assert page.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert Subscriber.objects.get(email=READER).status == SubscriberStatus.UNSUBSCRIBED

    assert watched.take_problems() == []
    page.goto(f"{site}/blog/confirm/not-a-real-token/")
    assert page.get_by_role("heading", name="This link does not work").is_visible()
    check("bad-link")
    assert all("status of 400" in problem for problem in watched.take_problems())  # the page's own status
    assert failures == [], "axe-core found:\n" + "\n".join(failures)


def test_choosing_tags_and_the_pages_fit_a_phone(site: str, new_context: NewContext) -> None:
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    for path in ("/blog/", "/blog/what-coaching-is-and-is-not/", "/blog/subscribe/"):
        page.goto(site + path)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} scrolls sideways on a phone: {width}"
    screenshot(page, "phone-content-subscribe")
    page.get_by_label("E-mail address").fill(READER)
    page.get_by_label("Only articles with these tags").check()
    page.get_by_label("Mentoring").check()
    page.get_by_role("button", name="Subscribe").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()


def test_a_member_subscribes_in_settings_and_heidi_writes(site: str, new_context: NewContext, axe_source: str) -> None:
    watched = watch(new_context().new_page())
    page = watched.page
    sign_in(page, site, "heidi")
    page.goto(f"{site}/settings/subscription/")
    page.get_by_label("E-mail me new articles").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("status").inner_text() == "You will get new articles by e-mail."
    assert Subscriber.objects.get(email="heidi@northwind.example").status == SubscriberStatus.ACTIVE

    page.goto(f"{site}/o/northwind/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Articles").click()
    page.get_by_role("link", name="Write an article").click()
    page.get_by_label("Title").fill("Three questions before a course")
    page.get_by_label("Summary").fill("Ask them and the course pays off.")
    page.get_by_label("Body").fill("## Why\n\nBecause *it works*.")
    page.get_by_label("Tags").fill("Training")
    page.get_by_role("button", name="Save draft").click()
    page.get_by_role("link", name="Preview").click()
    assert page.locator(".prose em").inner_text() == "it works"
    axe_page = new_context(bypass_csp=True).new_page()
    sign_in(axe_page, site, "heidi")
    axe_page.goto(page.url)
    violations = run_axe(axe_page, axe_source)
    assert violations == [], describe(violations)
    page.get_by_role("link", name="Back to the editor").click()
    page.get_by_role("button", name="Publish now").click()
    assert page.get_by_role("status").inner_text().startswith("Published.")
    page.get_by_role("link", name="see it on the blog").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Three questions before a course"
    assert watched.take_problems() == []
