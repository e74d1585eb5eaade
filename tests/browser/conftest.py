"""Browser fixtures: one headless Debian chromium per session, driven by Playwright against ``live_server``.

``live_server`` tests run on a transactional database that is flushed after every test, so each test loads
the demo data again (``demo.load()`` is idempotent and quick on an empty database).

Without chromium the tests skip, or fail when ``TRELLIS_REQUIRE_BROWSER=1`` (CI sets it). Playwright never
downloads a browser here: it launches the system's ``chromium``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from trellis.core import demo

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

# Playwright's sync API runs an event loop in this thread; Django would refuse ORM calls (demo.load()).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "tests" / "screenshots"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _unavailable(reason: str) -> None:
    """Fail loudly where a browser is required (CI), skip with the reason elsewhere."""
    if os.environ.get("TRELLIS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TRELLIS_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("Debian chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        _unavailable(f"axe-core is missing at {AXE_JS.relative_to(ROOT)} (run `npm ci`)")
    return AXE_JS.read_text()


@pytest.fixture
def site(live_server, django_db_blocker) -> str:  # type: ignore[no-untyped-def]
    """The live server's base URL, with the demo data loaded."""
    with django_db_blocker.unblock():
        demo.load_all()
    return str(live_server.url)


@dataclass
class Watched:
    """A page with everything the browser complained about: console errors, CSP reports, script errors."""

    page: Page
    problems: list[str] = field(default_factory=list)

    def take_problems(self) -> list[str]:
        found, self.problems[:] = list(self.problems), []
        return found


def watch(page: Page) -> Watched:
    watched = Watched(page)

    def on_console(message: Any) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            where = message.location.get("url", "")
            watched.problems.append(f"console {message.type}: {message.text} {where}".rstrip())

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.problems.append(f"page error: {error}"))

    def on_request_failed(request: Any) -> None:
        # A request the browser itself cancels because the page moved on (a favicon still loading when a form
        # is submitted) is not a failure of the page; anything else is.
        if request.failure == "net::ERR_ABORTED" and request.resource_type not in {"document", "script", "stylesheet"}:
            return
        watched.problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", on_request_failed)
    return watched


def email_of(persona: str) -> str:
    return f"{persona}@globex.example" if persona == "mallory" else f"{persona}@northwind.example"


def sign_in(page: Page, base: str, persona: str) -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail").fill(email_of(persona))
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/login/" not in page.url, f"{persona} could not sign in: {page.url}"


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """new_context(**options) → a fresh browser context, closed after the test."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (WCAG 2.x A and AA rules and best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
        }"""
    )
    return [v for v in result if v["impact"] in {"serious", "critical"}]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']}) at {', '.join(v['targets'])}" for v in violations
    )


def screenshot(page: Page, name: str, *, docs: str | None = None) -> None:
    """Save tests/screenshots/<name>.png (full page, for review). With TRELLIS_DOCS_SCREENSHOTS=1 also save
    the viewport as docs/screenshots/<docs> for the README (opt-in: dates in the pages change every run)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    if docs and os.environ.get("TRELLIS_DOCS_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=DOCS_SCREENSHOTS / docs)
