"""Issue 6's acceptance journey in a real browser: alice writes a commitment and a journal entry on a phone;
carol, her coach, cannot edit the commitment. Every page: no console or CSP error, axe-clean, fits 390 px."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import PHONE, describe, run_axe, screenshot, sign_in, watch
from trellis.coaching.models import Commitment, Engagement, JournalEntry

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
    page.wait_for_load_state()  # a click may have started a navigation: measure the page it leads to
    scroll, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return [] if scroll <= inner else [f"{page.url} is {scroll}px wide on a {inner}px phone"]


def test_alice_writes_a_commitment_and_a_journal_entry_and_carol_cannot_edit_it(
    site: str,
    new_context: NewContext,
    axe_source: str,
    django_db_blocker,  # type: ignore[no-untyped-def]
) -> None:
    phone = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
    watched = watch(new_context(**phone).new_page())
    page = watched.page
    failures: list[str] = []
    sign_in(page, site, "alice")
    page.goto(f"{site}/o/northwind/coaching/")
    page.get_by_role("link", name="Alice Martin with Carol Dubois").click()
    page.get_by_role("textbox", name="Commitment").fill("Ask for the budget owner's name in every first call")
    page.get_by_label("Due on").fill("2030-05-01")
    page.get_by_role("button", name="Add commitment").click()
    assert page.get_by_text("Commitment added.").is_visible()
    assert page.get_by_text("Ask for the budget owner's name in every first call").is_visible()
    screenshot(page, "phone-alice-coaching")
    failures += _fits(page) + _axe(new_context, page, axe_source, **phone)

    page.get_by_role("link", name="My journal").first.click()
    page.get_by_label("New entry").fill("Felt nervous before the call, but asked anyway.")
    page.get_by_role("button", name="Save entry").click()
    assert page.get_by_text("Saved in your journal.").is_visible()
    assert page.get_by_text("Felt nervous before the call, but asked anyway.").is_visible()
    screenshot(page, "phone-alice-coaching-journal")
    failures += _fits(page) + _axe(new_context, page, axe_source, **phone)

    page.goto(f"{site}/o/northwind/coaching/")
    page.get_by_role("link", name="Alice Martin with Carol Dubois").click()
    page.get_by_role("link", name="Who opened my coaching records").click()
    failures += _fits(page) + _axe(new_context, page, axe_source, **phone)
    failures += watched.take_problems()

    with django_db_blocker.unblock():
        commitment = Commitment.objects.filter(engagement__coachee__user__email="alice@northwind.example").latest("id")
        assert commitment.text == "Ask for the budget owner's name in every first call"
        assert str(commitment.due_on) == "2030-05-01"
        entry = JournalEntry.objects.filter(author__user__email="alice@northwind.example").latest("id")
        assert entry.text == "Felt nervous before the call, but asked anyway."
        engagement = Engagement.objects.get(coachee=commitment.engagement.coachee)

    coach = watch(new_context().new_page())
    cpage = coach.page
    sign_in(cpage, site, "carol")
    cpage.goto(f"{site}/o/northwind/coaching/engagements/{engagement.public_id}/")
    assert cpage.get_by_text("Ask for the budget owner's name in every first call").is_visible()
    assert cpage.get_by_role("link", name="Edit").count() == 0  # no way to edit the leader's commitments
    failures += _axe(new_context, cpage, axe_source)
    failures += coach.take_problems()
    response = cpage.goto(f"{site}/o/northwind/coaching/commitments/{commitment.public_id}/")
    assert response is not None and response.status in {403, 404}
    with django_db_blocker.unblock():
        commitment.refresh_from_db()
        assert commitment.text == "Ask for the budget owner's name in every first call"
    assert failures == [], "\n".join(failures)
