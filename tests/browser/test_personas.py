"""Every persona signs in through the form and opens every page their navigation offers, in a real browser.

Each page must answer 200, log no console error, break no Content Security Policy rule, and pass axe-core
without a serious or critical violation. Also: phone layout, keyboard skip link, the organization switcher
and the people search with and without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from tests.browser.conftest import PHONE, Watched, describe, run_axe, screenshot, sign_in, watch
from trellis.core.models import Membership

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

PERSONAS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "mallory"]
DOCS = {  # (persona, page) → the README's screenshot
    ("alice", "home"): "home-alice.png",
    ("erin", "people"): "people-erin.png",
    ("erin", "member"): "member-erin.png",
}
NewContext = Callable[..., "BrowserContext"]


def slug(label: str) -> str:
    return "-".join(label.lower().split())


def links(page: Page, selector: str) -> list[tuple[str, str]]:
    """(name, absolute URL) of the links under ``selector``; names without counters ("Notifications 3")."""
    found = page.eval_on_selector_all(selector, "els => els.map(a => [a.childNodes[0].textContent.trim(), a.href])")
    return [(slug(name), href) for name, href in found]


def pages_of(page: Page, persona: str) -> list[tuple[str, str]]:
    """Every page the persona's navigation offers, starting where sign-in landed; for several organizations,
    the pages of each (named with the organization's slug)."""
    landing = page.url
    orgs = links(page, "main .cards h2 a")  # the organization chooser, for people in several organizations
    pages: list[tuple[str, str]] = [("orgs", landing)] if orgs else []
    for org, home in orgs or [("", landing)]:
        if orgs:
            page.goto(home)
        prefix = f"{org}-" if orgs else ""
        found = links(page, "nav[aria-label=Main] a") + links(page, "nav[aria-label=Account] a")
        pages += [(prefix + name, url) for name, url in found]
    if persona == "erin":  # the org admin's forms: invite, and a colleague's record and its edit page
        people = dict(pages)["people"]
        page.goto(people + "?q=Alice+Martin")
        page.get_by_role("link", name="Alice Martin").click()
        member = page.url
        pages += [("invite", people + "invite/"), ("member", member), ("member-edit", member + "edit/")]
    unique: dict[str, str] = {}  # each URL once, under its first name
    for name, url in pages:
        unique.setdefault(url, name)
    return [(name, url) for url, name in unique.items()]


def test_login_page_is_clean(site: str, new_context: NewContext, axe_source: str) -> None:
    watched = watch(new_context().new_page())
    response = watched.page.goto(f"{site}/login/")
    assert response is not None and response.status == 200
    assert watched.page.get_by_role("heading", name="Sign in to Trellis").is_visible()
    screenshot(watched.page, "login", docs="login.png")
    assert watched.take_problems() == []

    axe_page = new_context(bypass_csp=True).new_page()
    axe_page.goto(f"{site}/login/")
    violations = run_axe(axe_page, axe_source)
    assert violations == [], "axe-core found on the login page:\n" + describe(violations)


def test_wrong_password_is_refused_in_the_form(site: str, new_context: NewContext) -> None:
    page = new_context().new_page()
    page.goto(f"{site}/login/")
    page.get_by_label("E-mail").fill("alice@northwind.example")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("alert").is_visible()
    assert "/login/" in page.url


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_of_the_persona_is_clean(persona: str, site: str, new_context: NewContext, axe_source: str) -> None:
    context = new_context()
    watched = watch(context.new_page())
    sign_in(watched.page, site, persona)
    pages = pages_of(watched.page, persona)
    assert len(pages) >= 3, f"{persona}'s navigation offers too little: {pages}"
    watched.take_problems()

    # axe-core is injected as a script, which the strict CSP forbids: it runs in a context that bypasses CSP,
    # signed in with the same session. CSP and console errors are watched in the normal context above.
    axe_page = new_context(bypass_csp=True, storage_state=context.storage_state()).new_page()
    failures: list[str] = []
    for name, url in pages:
        failures += check_page(watched, name, url, persona)
        axe_page.goto(url)
        violations = run_axe(axe_page, axe_source)
        if violations:
            failures.append(f"{persona} {name} ({url}) axe-core:\n{describe(violations)}")
    if failures:
        print("\n".join(failures))
    assert failures == []


def check_page(watched: Watched, name: str, url: str, persona: str) -> list[str]:
    response = watched.page.goto(url)
    failures = []
    if response is None or response.status != 200:
        failures.append(f"{persona} {name} ({url}): HTTP {response and response.status}")
    if watched.page.locator("main h1").count() != 1:
        failures.append(f"{persona} {name} ({url}): expected one main heading")
    screenshot(watched.page, f"{persona}-{name}", docs=DOCS.get((persona, name)))
    failures += [f"{persona} {name} ({url}): {problem}" for problem in watched.take_problems()]
    return failures


@pytest.mark.parametrize("persona", ["erin", "carol"])
def test_phone_layout_has_no_horizontal_scrollbar(persona: str, site: str, new_context: NewContext) -> None:
    """Home, people and every other page of the main navigation fit a 390 px wide phone."""
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, site, persona)
    if persona == "carol":
        page.get_by_role("link", name="Northwind").click()
        page.wait_for_load_state()
    pages = links(page, "nav[aria-label=Main] a")
    assert [name for name, _ in pages][:2] == ["home", "people"]
    for name, url in pages:
        page.goto(url)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        docs = "phone-home.png" if (persona, name) == ("erin", "home") else None
        screenshot(page, f"phone-{persona}-{name}", docs=docs)
        assert width[0] <= width[1], f"{persona}'s {name} page scrolls sideways on a phone: {width}"


def test_skip_link_is_the_first_tab_stop(site: str, new_context: NewContext) -> None:
    page = new_context().new_page()
    sign_in(page, site, "alice")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => [document.activeElement.className, document.activeElement.textContent]")
    assert focused == ["skip", "Skip to content"]
    box = page.locator("a.skip").bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def switch_org(page: Page, to: str, *, javascript: bool) -> None:
    with page.expect_navigation():
        page.get_by_label("Organization").select_option(label=to)
        if not javascript:  # without script the select does nothing until the button is pressed
            page.get_by_role("button", name="Switch").click()


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_carol_switches_between_organizations(javascript: bool, site: str, new_context: NewContext) -> None:
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, site, "carol")
    assert page.get_by_role("heading", name="Your organizations").is_visible()
    page.get_by_role("link", name="Northwind").click()
    assert page.url == f"{site}/o/northwind/"

    switch_org(page, "Globex", javascript=javascript)
    assert page.url == f"{site}/o/globex/"
    assert "Globex" in page.locator("main .lede").inner_text()
    assert page.get_by_label("Organization").input_value() == "globex"

    switch_org(page, "Northwind", javascript=javascript)
    assert page.url == f"{site}/o/northwind/"
    assert "Northwind" in page.locator("main .lede").inner_text()


def test_people_search_works_without_javascript(site: str, new_context: NewContext) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, site, "alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_label("Search by name").fill("Novak")
    page.get_by_role("button", name="Search").click()
    assert page.url.endswith("/o/northwind/people/?q=Novak")
    assert page.locator(".count").inner_text() == "1 person"
    assert page.locator("#people-rows tbody tr").all_inner_texts() == [
        "Heidi Novak\tLearning & Development Lead\tHR\tHannah Weiss"
    ]


def test_people_search_filters_as_you_type(site: str, new_context: NewContext) -> None:
    watched = watch(new_context().new_page())
    page = watched.page
    sign_in(page, site, "alice")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    people = page.url
    with page.expect_response(lambda r: "q=Novak" in r.url):
        page.get_by_label("Search by name").press_sequentially("Novak")
    page.locator(".count", has_text="1 person").wait_for()
    assert page.url == people, "htmx swaps the rows in place"
    assert page.locator("#people-rows tbody tr").count() == 1
    assert watched.take_problems() == []


def test_erin_invites_and_edits_a_colleague_through_the_forms(site: str, new_context: NewContext) -> None:
    watched = watch(new_context().new_page())
    page = watched.page
    sign_in(page, site, "erin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Invite someone").click()
    page.get_by_label("Email").fill("zoe.park@northwind.example")
    page.get_by_label("Full name").fill("Zoe Park")
    page.get_by_label("Title").fill("Financial Analyst")
    page.get_by_label("Department").fill("Finance")
    page.get_by_label("Mentor").check()
    page.get_by_role("button", name="Send invitation").click()

    assert page.get_by_role("heading", name="Zoe Park").is_visible()
    assert page.get_by_role("status").inner_text() == "Zoe Park was invited; an e-mail is on its way."
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Title").fill("Senior Financial Analyst")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("status").inner_text() == "Saved Zoe Park."
    facts = page.locator("dl.facts").inner_text()
    assert "Senior Financial Analyst" in facts and "Mentor, Participant" in facts
    zoe = Membership.objects.get(organization__slug="northwind", user__email="zoe.park@northwind.example")
    assert (zoe.title, sorted(zoe.roles), zoe.is_active) == (
        "Senior Financial Analyst",
        ["mentor", "participant"],
        True,
    )

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    rows = page.locator("tbody tr").all_inner_texts()
    assert [row.split("\t")[1:3] for row in rows[:2]] == [
        ["Erin Walsh", "member.updated"],
        ["Erin Walsh", "member.invited"],
    ]
    screenshot(page, "erin-audit-after-invite", docs="audit-erin.png")
    assert watched.take_problems() == []
