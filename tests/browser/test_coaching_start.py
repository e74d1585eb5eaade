"""Starting an engagement in a real browser, on a phone: dave opens a coaching request for alice; alice books a
chemistry call with carol from her shortlist, marks it held and chooses carol; carol accepts. Every page: no
console or CSP error, axe-clean, fits 390 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import PHONE, describe, run_axe, screenshot, sign_in, watch
from trellis.coaching.models import CoachingRequest, Engagement

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


def test_alice_books_a_chemistry_call_and_chooses_carol(
    site: str,
    new_context: NewContext,
    axe_source: str,
    django_db_blocker,  # type: ignore[no-untyped-def]
) -> None:
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    failures: list[str] = []

    sponsor = watch(new_context(**phone).new_page())
    sign_in(sponsor.page, site, "dave")
    sponsor.page.goto(f"{site}/o/northwind/coaching/requests/new/")
    sponsor.page.get_by_label("Leader to be coached").select_option(label="Alice Martin — Account Executive")
    sponsor.page.get_by_label("Focus").fill("influence, decision-making")
    sponsor.page.get_by_role("button", name="Open the request").click()
    assert sponsor.page.get_by_text("Coaching request opened.").is_visible()
    failures += _fits(sponsor.page) + _axe(new_context, sponsor.page, axe_source, **phone)
    failures += sponsor.take_problems()

    leader = watch(new_context(**phone).new_page())
    page = leader.page
    sign_in(page, site, "alice")
    page.goto(f"{site}/o/northwind/coaching/requests/")
    page.get_by_role("link", name="Coaching for Alice Martin").click()
    assert page.get_by_text("Specialties matching your focus: influence").is_visible()
    failures += _fits(page) + _axe(new_context, page, axe_source, **phone)
    page.get_by_label("Proposed time for a call with Carol Dubois").fill("2030-05-02T10:30")
    page.get_by_role("button", name="Book a chemistry call").first.click()
    assert page.get_by_text("Chemistry call booked with Carol Dubois.").is_visible()
    page.get_by_role("button", name="Mark held (call with Carol Dubois)").click()
    page.get_by_role("button", name="Choose Carol Dubois").click()
    assert page.get_by_text("You chose Carol Dubois.").is_visible()
    screenshot(page, "phone-alice-coaching-request")
    failures += _fits(page) + _axe(new_context, page, axe_source, **phone)
    failures += leader.take_problems()

    with django_db_blocker.unblock():
        req = CoachingRequest.objects.get(leader__user__email="alice@northwind.example")
        assert req.status == CoachingRequest.Status.CHOSEN

    coach = watch(new_context().new_page())
    sign_in(coach.page, site, "carol")
    coach.page.goto(f"{site}/o/northwind/coaching/requests/{req.public_id}/")
    coach.page.get_by_role("button", name="Accept", exact=True).click()
    assert coach.page.get_by_text("Version 1 (latest)").is_visible()
    failures += _axe(new_context, coach.page, axe_source) + coach.take_problems()

    with django_db_blocker.unblock():
        req.refresh_from_db()
        assert req.engagement is not None
        assert Engagement.objects.get(pk=req.engagement.pk).status == Engagement.Status.PROPOSED
    assert not failures, "\n".join(failures)
