"""The chooser in a real browser: the questionnaire as one form without JavaScript and step by step with it,
the result and its explanation (axe-clean, no CSP errors, fits a phone), and the development-request journey."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import PHONE, describe, run_axe, screenshot, sign_in, watch

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
NewContext = Callable[..., "BrowserContext"]

# (question, answer) per step; numbers are filled, radio groups are checked.
STEPS = [
    [
        (
            "What kind of need is it?",
            "A defined, teachable skill or body of knowledge (e.g. giving feedback, budgeting)",
        ),
        ("How many people share this same need?", "40"),
        ("Would the same content serve everyone with this need?", "Yes"),
    ],
    [
        ("Do they want to find their own answers, or hear an experienced person's?", "4"),
        ("Can they state specific goals now?", "Yes"),
        ("Are personal life goals part of it?", "No"),
        ("Do they want introductions to people, networks or events?", "No"),
    ],
    [
        ("How private is the subject?", "Low — fine to discuss openly"),
        ("Are there signs that professional mental-health support may be needed?", "No"),
    ],
    [
        ("Is a more senior person with the relevant experience available, inside or outside?", "Yes"),
        ("How many months are available?", "3"),
        ("Budget per person (optional)", "500"),
    ],
]


def answer(page: Page, step: list[tuple[str, str]]) -> None:
    for question, value in step:
        group = page.get_by_role("group", name=question)
        if group.count():
            group.get_by_label(value, exact=True).check()
        else:
            page.get_by_label(question).fill(value)


def assert_clean(page: Page, axe_page: Page, axe_source: str, what: str) -> None:
    axe_page.goto(page.url)
    violations = run_axe(axe_page, axe_source)
    assert violations == [], f"axe-core found on {what}:\n" + describe(violations)


def check_result(page: Page) -> None:
    assert page.get_by_role("heading", level=1).inner_text() == "Recommendation: Training"
    ranking = page.locator("ol.ranking h3").all_inner_texts()
    assert ranking[0].startswith("Training") and len(ranking) == 4
    assert page.get_by_text("Reinforce: practice and feedback").is_visible()


def test_questionnaire_without_javascript_is_one_form(site: str, new_context: NewContext, axe_source: str) -> None:
    watched = watch(new_context(java_script_enabled=False).new_page())
    page = watched.page
    page.goto(f"{site}/choose/")
    assert page.locator("#chooser-form section.step").count() == 4  # every question on one page
    for step in STEPS:
        answer(page, step)
    with page.expect_navigation():
        page.get_by_role("button", name="See the recommendation").click()
    assert "/choose/result/?" in page.url
    check_result(page)
    screenshot(page, "chooser-result-no-js")
    with page.expect_navigation():
        page.get_by_role("link", name="See how each answer moved each score").click()
    assert page.locator("svg.bars").count() == 4
    assert watched.take_problems() == []
    axe_page = new_context(bypass_csp=True).new_page()
    for url in (f"{site}/choose/", page.url):
        axe_page.goto(url)
        violations = run_axe(axe_page, axe_source)
        assert violations == [], f"axe-core found on {url}:\n" + describe(violations)


def test_questionnaire_with_javascript_goes_step_by_step(site: str, new_context: NewContext, axe_source: str) -> None:
    watched = watch(new_context().new_page())
    page = watched.page
    page.goto(f"{site}/choose/")
    page.get_by_text("Step 1 of 4").wait_for()
    assert page.url == f"{site}/choose/"
    page.get_by_role("button", name="Next").click()  # nothing answered: the step stays, with errors
    page.locator(".error").first.wait_for()
    assert page.get_by_text("Step 1 of 4").is_visible()
    for number, step in enumerate(STEPS, start=1):
        page.get_by_text(f"Step {number} of 4").wait_for()
        answer(page, step)
        if number < len(STEPS):
            page.get_by_role("button", name="Next").click()
            page.get_by_text(f"Step {number + 1} of 4").wait_for()
            assert page.evaluate("() => document.activeElement.id") == "step-title"
    page.get_by_role("button", name="Back").click()
    page.get_by_text("Step 3 of 4").wait_for()
    assert (
        page.get_by_role("group", name="How private is the subject?")
        .get_by_label("Low — fine to discuss openly")
        .is_checked()
    )
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Step 4 of 4").wait_for()
    assert page.get_by_label("How many months are available?").input_value() == "3"
    screenshot(page, "chooser-step-js")
    with page.expect_navigation():
        page.get_by_role("button", name="See the recommendation").click()
    check_result(page)
    assert watched.take_problems() == []
    axe_page = new_context(bypass_csp=True).new_page()
    axe_page.goto(f"{site}/choose/")
    axe_page.get_by_text("Step 1 of 4").wait_for()
    violations = run_axe(axe_page, axe_source)
    assert violations == [], "axe-core found on step 1:\n" + describe(violations)


def test_result_and_explanation_fit_a_phone(site: str, new_context: NewContext) -> None:
    page = new_context(viewport=PHONE).new_page()
    query = (
        "people_with_need=1&need_kind=self_leadership&content_is_standard=no&wants_advice=1&goals_are_clear=yes"
        "&confidentiality=high&includes_personal_goals=yes&expert_available=yes&wants_introductions=no"
        "&months_available=9&budget_per_person=&distress_signals=no"
    )
    for path in ("result", "explain"):
        page.goto(f"{site}/choose/{path}/?{query}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"/choose/{path}/ is {width}px wide on a phone"
    screenshot(page, "phone-chooser-explain")


def test_alice_saves_a_need_and_dave_agrees_the_next_step(site: str, new_context: NewContext, axe_source: str) -> None:
    watched = watch(new_context().new_page())
    page = watched.page
    sign_in(page, site, "alice")
    page.goto(f"{site}/choose/")
    page.get_by_text("Step 1 of 4").wait_for()
    for number, step in enumerate(STEPS, start=1):
        answer(page, step)
        if number < len(STEPS):
            page.get_by_role("button", name="Next").click()
            page.get_by_text(f"Step {number + 1} of 4").wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="See the recommendation").click()
    page.get_by_label("A short title for this need").fill("Give better feedback")
    with page.expect_navigation():
        page.get_by_role("button", name="Save as a development request in Northwind").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Give better feedback"
    page.get_by_label("Share with").select_option(label="Frank Meyer — Sales Manager")
    with page.expect_navigation():
        page.get_by_role("button", name="Share").click()
    assert page.get_by_text("Shared with Frank Meyer.").is_visible()
    screenshot(page, "alice-development-request")
    assert watched.take_problems() == []
    axe_page = new_context(bypass_csp=True).new_page()
    sign_in(axe_page, site, "alice")
    assert_clean(page, axe_page, axe_source, "alice's development request")

    sponsor = watch(new_context().new_page())
    sign_in(sponsor.page, site, "dave")
    sponsor.page.get_by_role("navigation", name="Main").get_by_role("link", name="Development").click()
    with sponsor.page.expect_navigation():
        sponsor.page.get_by_role("link", name="Leading with confidence after my promotion").click()
    assert sponsor.page.get_by_text("coaching modules are coming soon").is_visible()
    with sponsor.page.expect_navigation():
        sponsor.page.get_by_role("button", name="Propose a coaching engagement").click()
    assert sponsor.page.get_by_text("Next step agreed: Coaching.").is_visible()
    assert sponsor.take_problems() == []
