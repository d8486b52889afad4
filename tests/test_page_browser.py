"""The talk page end to end in real headless Chromium, its microphone fed from a real recording.

Chromium's fake capture device plays the WAV into getUserMedia, the page's AudioWorklet sends it
over the WebSocket, the real models answer, and the page plays the reply. Screenshots at phone
(390×844) and desktop (1280×800) sizes are kept in tests/artifacts/ to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from page_harness import CHROMIUM, launch_chromium, page_server, shared_models  # noqa: F401 (fixture)
from speechkit import build, lj

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")


def browser_clip(path: Path) -> Path:
    """Room noise while the opening line plays, then two sentences of LJ Speech with a 0.6 s pause."""
    return build([6.0, lj("LJ001-0006"), 0.6, lj("LJ001-0008"), 45.0]).write(path)


def test_page_hears_a_recording_and_plays_the_reply(shared_models, tmp_path):
    from playwright.sync_api import sync_playwright

    from dialogue.store import Store

    ARTIFACTS.mkdir(exist_ok=True)
    clip = browser_clip(tmp_path / "clip.wav")
    db = tmp_path / "data" / "stillpoint.db"
    with page_server(shared_models, db) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright, clip)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(base + "/")
            assert page.get_by_role("button", name="Start", exact=True).is_visible()
            page.screenshot(path=str(ARTIFACTS / "page-390x844-start.png"))
            page.get_by_role("button", name="Start", exact=True).click()

            # The person's words, with the pause they made, appear in the live region.
            said = page.locator("#transcript li.you", has_text="surpassed")
            said.wait_for(timeout=120_000)
            text = said.inner_text()
            assert "typography" in text.lower() and "surpassed" in text.lower(), text
            assert page.locator("#transcript li.you .pause").count() >= 1, text
            assert page.locator("#transcript").get_attribute("aria-live") == "polite"

            # A reply arrives after the turn, plays to the end, and its words are shown as spoken.
            page.wait_for_function(
                "() => { const t = window.stillpoint; const turn = t.events.find(e => e.type === 'user.turn');"
                " return turn && t.replies.some(r => r.receivedAt > turn.at) && t.played.length >= 2; }",
                timeout=120_000,
            )
            page.locator("#transcript li.companion").last.wait_for(timeout=10_000)
            assert page.evaluate("window.stillpoint.errors.length") == 0
            page.screenshot(path=str(ARTIFACTS / "page-390x844-talking.png"), full_page=False)
            page.set_viewport_size({"width": 1280, "height": 800})
            page.screenshot(path=str(ARTIFACTS / "page-1280x800-talking.png"))
            session_id = page.evaluate("window.stillpoint.events.find(e => e.type === 'ready').session_id")
            page.get_by_role("button", name="End", exact=True).click()
        finally:
            browser.close()

    store = Store(db)
    turns = store.turns(session_id)
    store.close()
    user = [t for t in turns if t.speaker == "user"]
    assert any("surpassed" in t.text.lower() for t in user), turns
    assert any(t.speaker == "companion" and t.start_s > user[0].end_s for t in turns), turns


def test_page_is_calm_and_usable_by_thumb_keyboard_and_screen_reader(tmp_path):
    """Before anyone presses Start: no sound, nothing from the network, one-thumb layout at 390 px,
    a sensible Tab order, and names for everything a screen reader announces."""
    from playwright.sync_api import sync_playwright

    with page_server(None, tmp_path / "db.sqlite") as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.add_init_script("""
                window.__audioContexts = 0;
                const Real = window.AudioContext;
                window.AudioContext = function (...args) { window.__audioContexts++; return new Real(...args); };
            """)
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(base + "/")
            page.wait_for_load_state("networkidle")
            assert requests and all(url.startswith(base) for url in requests), requests
            assert page.evaluate("window.__audioContexts") == 0 and page.locator("audio[autoplay]").count() == 0

            assert page.evaluate("document.scrollingElement.scrollWidth") <= 390  # nothing wider than the phone
            start = page.get_by_role("button", name="Start", exact=True).bounding_box()
            assert start["height"] >= 48 and start["y"] > 844 / 2 and start["width"] >= 300  # big, in reach of a thumb
            links = page.locator("#always-help-links a")
            links.first.wait_for()
            assert links.first.get_attribute("href").startswith("tel:")  # the crisis lines are there before Start

            order = []
            for _ in range(8):
                page.keyboard.press("Tab")
                order.append(page.evaluate("(() => { const e = document.activeElement;"
                                           " return e.id || e.getAttribute('href') || e.value || e.tagName; })()"))
            assert order[:3] == ["#talk", "help-link", "/history/"], order  # skip link, crisis lines, sessions
            assert "talk" in order and order.index("talk") > order.index("/history/"), order

            tree = page.locator("body").aria_snapshot()
            for expected in ('button "Start"', 'radio "Talk"', 'radio "Breathe"', 'radio "Journal"',
                             'checkbox "Push to talk"', 'link "Crisis lines"', 'link "Your sessions"'):
                assert expected in tree, tree
            assert page.locator("#transcript").get_attribute("aria-live") == "polite"
            assert page.locator("#status").get_attribute("role") == "status"
        finally:
            browser.close()
