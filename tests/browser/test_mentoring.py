"""Issue 5's pair journey in a real browser: alice, on a phone, accepts one of bob's suggestions and declines
another with a reason; bob sees both answers. Every page: no console or CSP error, axe-clean, fits 390 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import PHONE, describe, run_axe, screenshot, sign_in, watch
from trellis.mentoring import services
from trellis.mentoring.models import Pair, Suggestion

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
NewContext = Callable[..., "BrowserContext"]


def _axe(new_context: NewContext, page: Page, axe_source: str, **options: object) -> list[str]:
    axe_page = new_context(bypass_csp=True, storage_state=page.context.storage_state(), **options).new_page()
    axe_page.goto(page.url)
    violations = run_axe(axe_page, axe_source)
    return [f"{page.url}:\n{describe(violations)}"] if violations else []


def _fits(page: Page) -> list[str]:
    page.wait_for_load_state()
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return [] if scroll <= inner else [f"{page.url} is {scroll}px wide on a {inner}px phone"]


def test_alice_answers_suggestions_and_bob_sees_the_answers(
    site: str,
    new_context: NewContext,
    axe_source: str,
    django_db_blocker,  # type: ignore[no-untyped-def]
) -> None:
    with django_db_blocker.unblock():
        pair = Pair.objects.select_related("mentor__member__user", "mentee__user", "organization").get(
            mentee__user__email="alice@northwind.example", status=Pair.Status.ACTIVE
        )
        bob = pair.mentor.member
        services.do_suggest(actor=bob, pair=pair, text="Sit in on a deal desk meeting")
        services.do_suggest(actor=bob, pair=pair, text="Write a one-page pricing memo")
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    watched = watch(new_context(**phone).new_page())
    page = watched.page
    failures: list[str] = []
    sign_in(page, site, "alice")
    page.goto(f"{site}/o/northwind/mentoring/mine/")
    failures += _fits(page) + _axe(new_context, page, axe_source, **phone)
    page.get_by_role("link", name="Northwind Mentoring 2026: with Bob Chen").click()
    deal = page.locator("li", has_text="Sit in on a deal desk meeting")
    deal.get_by_role("button", name="Accept").click()
    assert page.get_by_text("Thanks, your mentor will see your answer.").is_visible()
    memo = page.locator("li", has_text="Write a one-page pricing memo")
    memo.get_by_label("Reason (optional)").fill("I wrote one last quarter.")
    memo.get_by_role("button", name="Decline").click()
    assert page.locator("li", has_text="Write a one-page pricing memo").get_by_text("Declined").is_visible()
    screenshot(page, "phone-alice-mentoring")
    failures += _fits(page) + _axe(new_context, page, axe_source, **phone)
    failures += watched.take_problems()

    with django_db_blocker.unblock():
        statuses = dict(
            (s.text, s.status) for s in Suggestion.objects.filter(pair=pair, status__in=["accepted", "declined"])
        )
        assert statuses["Sit in on a deal desk meeting"] == "accepted"
        assert statuses["Write a one-page pricing memo"] == "declined"

    mentor = watch(new_context().new_page())
    bpage = mentor.page
    sign_in(bpage, site, "bob")
    bpage.goto(f"{site}/o/northwind/mentoring/pairs/{pair.public_id}/")
    assert bpage.locator("li", has_text="Sit in on a deal desk meeting").get_by_text("Accepted").is_visible()
    declined = bpage.locator("li", has_text="Write a one-page pricing memo")
    assert declined.get_by_text("Declined").is_visible()
    assert declined.get_by_text("I wrote one last quarter.").is_visible()
    assert bpage.locator("li", has_text="Sit in on a deal desk meeting").get_by_role("button").count() == 0
    failures += _axe(new_context, bpage, axe_source)
    failures += mentor.take_problems()
    assert failures == [], "\n".join(failures)
