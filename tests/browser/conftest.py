"""Browser fixtures: Debian's chromium driven by Playwright against a live server.

Every journey step goes through `site.check(step)`, which proves the page is
usable as a person meets it: axe-core finds no serious or critical violation,
nothing scrolls sideways at 1280 px, nothing overflows or pushes an action
off-screen at phone width (390 px), and
screenshots are saved at phone and desktop widths to
test-artifacts/screenshots/<journey>-<step>-<width>.png.

Every free-text field a journey fills also gets a 300-character unbroken word
(`long_words_in_free_text`): whatever a member types, no page may scroll
sideways at 390 px.

The tests are marked `browser`; the root conftest skips them (with the apt
command to get chromium) when chromium is missing, and fails them in CI.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from conftest import chromium_path

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
LAUNCH_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000

# Visible actions (buttons, links styled as buttons, form controls) must sit
# inside the viewport at phone width: an action off-screen is a hidden action.
# The outermost elements sticking out past the right edge, to say what overflows.
_WIDE_ELEMENTS_JS = """
() => {
  const w = window.innerWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.right > w + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > w + 1)) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined
        ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(r.right));
    }
  }
  return out.slice(0, 8);
}
"""

_OFFSCREEN_ACTIONS_JS = """
() => {
  const w = window.innerWidth;
  const out = [];
  for (const el of document.querySelectorAll('main button, main .btn, main input, main select, main textarea')) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    if (el.type === 'hidden' || el.closest('.visually-hidden')) continue;
    if (r.left < -1 || r.right > w + 1) out.push((el.name || el.id || el.textContent || el.tagName).trim().slice(0, 60));
  }
  return out;
}
"""


# A member can type anything: a URL, a word with no spaces. Every free-text field
# a journey fills (text inputs and textareas, not emails, numbers or passwords)
# gets a 300-character unbroken word after what the journey typed, cut to the
# field's maxlength, so each page the journey then visits shows it.
LONG_WORD = "Unbroken" + "x" * 292
_FREE_TEXT_JS = """
e => {
  const tag = e.tagName.toLowerCase();
  const type = (e.getAttribute('type') || 'text').toLowerCase();
  if (tag !== 'textarea' && !(tag === 'input' && type === 'text')) return -1;
  if (e.closest('form[role=search]') || e.name === 'q' || e.dataset.exactText !== undefined) return -1;
  const max = e.maxLength;
  return max > 0 ? max : 100000;
}
"""
MIN_LONG = 25  # room for at least this much of the word, or the field keeps what was typed


def with_long_word(value: str, room: int) -> str:
    """`value` then a space and as much of LONG_WORD as the field's maxlength allows."""
    if not value or room < 0 or "@" in value:
        return value
    space = room - len(value) - 1
    if space < MIN_LONG:
        return value
    return f"{value} {LONG_WORD[:space]}"


@pytest.fixture(autouse=True)
def long_words_in_free_text(monkeypatch):
    from playwright.sync_api import Locator, Page

    original_locator_fill = Locator.fill

    def locator_fill(self, value, *args, **kwargs):
        if "/admin/" not in self.page.url:
            value = with_long_word(value, self.evaluate(_FREE_TEXT_JS))
        return original_locator_fill(self, value, *args, **kwargs)

    def page_fill(self, selector, value, *args, **kwargs):
        return locator_fill(self.locator(selector), value, *args, **kwargs)

    monkeypatch.setattr(Locator, "fill", locator_fill)
    monkeypatch.setattr(Page, "fill", page_fill)
    # The original is still reachable for a journey that needs exact text.
    monkeypatch.setattr(Locator, "fill_exactly", original_locator_fill, raising=False)


def _axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


# One browser per test module, not per session: Playwright's sync API keeps an
# asyncio loop open in the main thread while it runs, and the tests collected
# after this folder (async_to_sync, asyncio.run) must not find one there.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if not path:  # the root conftest has already skipped (or failed) the test
        pytest.skip("needs Chromium: apt-get install chromium")
    # While the browser is open, Playwright's sync API keeps an asyncio loop in
    # the main thread; Django would otherwise refuse the tests' ORM calls (they
    # are plain synchronous code, not inside that loop).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=path, headless=True, args=LAUNCH_ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def axe():
    return _axe()


class Site:
    """One browser tab on the live server, with the checks every journey step runs."""

    def __init__(self, page, base_url: str, journey: str, axe):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.journey = journey
        self.axe = axe
        self.server_errors: list[str] = []
        self.page_errors: list[str] = []
        page.on("response", self._on_response)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on("console", self._on_console)

    def _on_console(self, message):
        # A blocked script or style is a broken page for the person using it.
        # Django's own admin JavaScript (bundled jQuery) trips the inline-style
        # rule harmlessly; pages we write must not.
        if message.type == "error" and "Content Security Policy" in message.text and "/admin/" not in self.page.url:
            self.page_errors.append(f"{self.page.url}: {message.text}")

    def _on_response(self, response):
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def go(self, path: str):
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 400, f"{path} answered {response and response.status}"
        return response

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def login(self, user) -> None:
        """Sign in by session cookie (the sign-in form has its own journey)."""
        from django.test import Client

        client = Client()
        client.force_login(user, backend="mentorship.security.ModelBackend")
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                                        "url": self.base_url}])

    def logout(self) -> None:
        self.page.context.clear_cookies()

    # --- the checks ---------------------------------------------------------
    def assert_accessible(self, step: str) -> None:
        results = self.axe.run(self.page)
        bad = [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]
        lines = [
            f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:5]}" for v in bad
        ]
        assert not bad, f"axe on {self.journey}/{step} ({self.path()}):\n" + "\n".join(lines)

    def assert_fits_phone(self, step: str) -> None:
        fits = self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert fits, (
            f"{self.journey}/{step} ({self.path()}) scrolls sideways at 390 px: scrollWidth "
            f"{self.page.evaluate('document.documentElement.scrollWidth')}; "
            f"sticking out: {self.page.evaluate(_WIDE_ELEMENTS_JS)}"
        )
        offscreen = self.page.evaluate(_OFFSCREEN_ACTIONS_JS)
        assert not offscreen, f"{self.journey}/{step} ({self.path()}) hides actions at 390 px: {offscreen}"

    def screenshot(self, step: str, width: int) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9-]+", "-", f"{self.journey}-{step}".lower()).strip("-")
        target = SCREENSHOTS / f"{name}-{width}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def assert_fits_desktop(self, step: str) -> None:
        wide = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, (f"{self.journey}/{step} ({self.path()}) scrolls sideways at 1280 px by {wide} px; "
                           f"sticking out: {self.page.evaluate(_WIDE_ELEMENTS_JS)}")

    def check(self, step: str, axe_at_both_widths: bool = False) -> None:
        """Accessibility, no sideways scrolling and screenshots at both widths for the page as it is now.

        axe runs at the tab's own width; `axe_at_both_widths` runs it at 1280 and at 390 px
        (the role homes and the match page, whose layout changes most between the two).
        """
        self.page.wait_for_load_state("load")
        assert not self.server_errors, f"server errors: {self.server_errors}"
        original = self.page.viewport_size
        try:
            self.page.set_viewport_size(DESKTOP)
            self.screenshot(step, DESKTOP["width"])
            if axe_at_both_widths:
                self.assert_accessible(f"{step} at 1280 px")
            self.assert_fits_desktop(step)
            self.page.set_viewport_size(PHONE)
            self.screenshot(step, PHONE["width"])  # first, so a failure below can be looked at
            if axe_at_both_widths:
                self.assert_accessible(f"{step} at 390 px")
            self.assert_fits_phone(step)
        finally:
            self.page.set_viewport_size(original)
        if not axe_at_both_widths:
            self.assert_accessible(step)

    # --- small conveniences -------------------------------------------------
    def field_error(self, field_id: str) -> str:
        """The error message shown next to a field, as a screen reader meets it.

        The field must be marked invalid and point at its message with
        aria-describedby; the message must be visible and sit just below (or
        beside) the field. Returns the message text.
        """
        field = self.page.locator(f"#{field_id}")
        assert field.get_attribute("aria-invalid") == "true", f"#{field_id} is not marked invalid"
        ids = (field.get_attribute("aria-describedby") or "").split()
        errors = [self.page.locator(f"[id='{i}']") for i in ids]
        errors = [e for e in errors if e.count() and "feedback" in (e.get_attribute("class") or "") + i_class(e)]
        assert errors, f"#{field_id} does not point at an error message (aria-describedby={ids})"
        message = errors[0]
        assert message.is_visible(), f"the error for #{field_id} is not visible"
        f_box, m_box = field.bounding_box(), message.bounding_box()
        assert 0 <= m_box["y"] - (f_box["y"] + f_box["height"]) < 80 or abs(m_box["y"] - f_box["y"]) < 40, (
            f"the error for #{field_id} is not next to the field"
        )
        return message.inner_text()


def i_class(locator) -> str:
    """Classes of the element and its first child (crispy wraps the message in a span)."""
    return locator.evaluate("e => e.className + ' ' + (e.firstElementChild ? e.firstElementChild.className : '')")


def _new_page(browser, viewport):
    context = browser.new_context(viewport=viewport, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A fresh tab (own cookies) at desktop width, 1280 px."""
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A fresh tab (own cookies) at phone width, 390 px."""
    context, page = _new_page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def site(request, page, live_server, transactional_db, axe):
    """The live site in a desktop tab; the journey name is the test's name without `test_`."""
    journey = request.node.name.removeprefix("test_").split("[")[0]
    s = Site(page, live_server.url, journey, axe)
    yield s
    assert not s.server_errors, f"server errors: {s.server_errors}"
    assert not s.page_errors, f"JavaScript or CSP errors: {s.page_errors}"


@pytest.fixture
def phone_site(request, phone_page, live_server, transactional_db, axe):
    """The live site in a phone-width tab."""
    journey = request.node.name.removeprefix("test_").split("[")[0]
    s = Site(phone_page, live_server.url, journey, axe)
    yield s
    assert not s.server_errors, f"server errors: {s.server_errors}"
    assert not s.page_errors, f"JavaScript or CSP errors: {s.page_errors}"
