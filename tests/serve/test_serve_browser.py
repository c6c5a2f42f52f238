"""`kemopix serve` in a real headless Chromium (Playwright on Debian's chromium package).

Clicks through creators → creator → post → image, plays an ugoira and checks its frame timing,
searches, opens the health page, and checks that a hostile post body runs nothing and loads
nothing. Screenshots of every page land in test-artifacts/screenshots/.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Iterator

import pytest
import serve_helpers
from playwright.sync_api import Browser, Page, Request, sync_playwright
from serve_helpers import (
    CHROMIUM_ARGS,
    SCREENSHOTS,
    UGOIRA_DELAYS,
    UGOIRA_ID,
    BuiltArchive,
    chromium_or_skip,
)

from kemopix.serve import ArchiveServer

archive = serve_helpers.archive  # the fixture: one archive made by the downloader per module


@pytest.fixture(scope="module")
def server(archive: BuiltArchive) -> Iterator[ArchiveServer]:
    with ArchiveServer(archive.root) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: ArchiveServer) -> Iterator[Browser]:
    # After the server: the archive is made with asyncio.run, which Playwright's loop forbids.
    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page whose every request and console error is recorded."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", self._request)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def foreign(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.origin)]


@pytest.fixture
def watched(browser: Browser, server: ArchiveServer) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield Watched(page, server.url)
    context.close()


def wait_until(page: Page, expression: str, timeout: float = 10.0) -> None:
    """Poll ``expression`` (page.wait_for_function evaluates strings, which our CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header stays on top of the picture
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_click_through_creators_creator_post_image(watched: Watched, server: ArchiveServer) -> None:
    page = watched.page
    page.goto(server.url + "/")
    assert page.title().startswith("Creators")
    shot(page, "01-creators")
    page.click("text=Demo Creator")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Demo Creator"
    assert page.locator("li.card").count() == 6
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # lazy thumbnails
    wait_until(
        page,
        "Array.from(document.querySelectorAll('li.card img'))"
        ".every(i => i.complete && i.naturalWidth > 0)",
    )
    shot(page, "02-creator")
    page.click("li.card >> text=Sketch pack")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Sketch pack"
    images = page.locator("section.media img")
    assert images.count() == 3  # every image, full size, in order
    for k in range(3):  # lazy images: bring each into view
        images.nth(k).scroll_into_view_if_needed()
    wait_until(
        page, "Array.from(document.querySelectorAll('section.media img')).every(i => i.complete)"
    )
    sizes = page.evaluate(
        "Array.from(document.querySelectorAll('section.media img')).map(i => i.naturalWidth)"
    )
    assert sizes == [300, 400, 300]  # the files themselves, not thumbnails
    assert page.locator("table.files tr").count() == 6
    assert page.locator("text=SHA-256 verified").count() == 5
    shot(page, "03-post")
    images.first.click()
    page.wait_for_load_state()
    assert page.url.startswith(server.url + "/file/")
    assert page.evaluate("document.images.length === 1 && document.images[0].naturalWidth > 0")
    shot(page, "04-image")
    page.go_back()
    page.click("a[rel=next]")  # the previous (older) post
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Hostile names"
    assert watched.foreign() == [] and watched.errors == []


def test_video_and_audio_play(
    watched: Watched, server: ArchiveServer, archive: BuiltArchive
) -> None:
    page = watched.page
    page.goto(f"{server.url}/posts/kemono/fanbox/{archive.clip_id}")
    wait_until(page, "document.querySelector('video').readyState >= 1")
    wait_until(page, "document.querySelector('audio').readyState >= 1")
    assert page.evaluate("document.querySelector('video').duration") > 0.5
    assert page.evaluate("document.querySelector('audio').duration") > 0.5
    page.evaluate("document.querySelector('video').currentTime = 0.5")  # a Range request
    wait_until(page, "document.querySelector('video').readyState >= 2")
    shot(page, "05-video-post")
    assert watched.foreign() == [] and watched.errors == []


def test_ugoira_plays_with_its_delays(watched: Watched, server: ArchiveServer) -> None:
    page = watched.page
    page.goto(f"{server.url}/posts/pixiv/illust/{UGOIRA_ID}")
    wait_until(page, "window.kemopixUgoira && window.kemopixUgoira[0]?.log.length >= 13")
    log = page.evaluate("window.kemopixUgoira[0].log")
    frames = [entry["frame"] for entry in log]
    count = len(UGOIRA_DELAYS)
    assert frames[:13] == [i % count for i in range(13)]
    times = [entry["t"] for entry in log][:13]
    shown = [b - a for a, b in itertools.pairwise(times)]
    expected = [UGOIRA_DELAYS[i % count] for i in range(12)]
    # Frame n is due at start + the delays before it. A timer woken late on a busy machine
    # shows one frame late (and the next one shorter), so single frames get a generous bound
    # and the rest is judged on medians, which one late frame a loop does not move.
    due = list(itertools.accumulate(expected, initial=0.0))
    late = [(t - times[0]) - d for t, d in zip(times, due, strict=True)]
    assert min(late) > -5 and max(late) < 1000, (shown, expected)  # never early
    # Each frame on screen for its own delay, and the 250 ms frame longer than the 100 ms ones.
    errors = [abs(s - e) for s, e in zip(shown, expected, strict=True)]
    assert statistics.median(errors) < 15, (shown, expected)
    assert statistics.median(shown[3::4]) > statistics.median(shown[0::4]) + 100, shown
    # No drift: the third loop is not later than the first (lateness does not add up).
    assert statistics.median(late[9:13]) - statistics.median(late[1:5]) < 40, (shown, expected)
    shot(page, "06-ugoira")
    page.click("figure.ugoira button")  # pause
    paused_at = page.evaluate("window.kemopixUgoira[0].log.length")
    page.wait_for_timeout(400)
    assert page.evaluate("window.kemopixUgoira[0].log.length") == paused_at
    assert watched.foreign() == [] and watched.errors == []


def test_search_page(watched: Watched, server: ArchiveServer) -> None:
    page = watched.page
    page.goto(server.url + "/")
    page.fill("header input[name=q]", "sketch")
    page.press("header input[name=q]", "Enter")
    page.wait_for_load_state()
    assert "Sketch pack" in page.locator("ul.grid").inner_text()
    page.select_option("select[name=type]", "novel")
    page.fill("form.search input[name=q]", "")
    page.click("form.search button")
    page.wait_for_load_state()
    assert page.locator("li.card").count() >= 1
    assert "type=novel" in page.url
    shot(page, "07-search")


def test_health_page(watched: Watched, server: ArchiveServer, archive: BuiltArchive) -> None:
    page = watched.page
    page.goto(server.url + "/health")
    total = page.locator("#total td.failed").inner_text()
    assert total == "1"
    assert archive.failed_name in page.locator("ul.problems").inner_text()
    shot(page, "08-health")


def test_hostile_post_runs_nothing_and_loads_nothing(
    watched: Watched, server: ArchiveServer, archive: BuiltArchive
) -> None:
    page = watched.page
    before = len(archive.canary.hits)
    page.goto(f"{server.url}/posts/kemono/fanbox/{archive.hostile_id}")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Hostile body"
    assert page.evaluate("window.__pwned") is None
    page.click("text=click me")  # its javascript: href was removed
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    remote = page.locator(f"section.content a[href='{archive.canary.url}/remote.png']")
    assert remote.count() == 1 and "remote image" in remote.inner_text()  # a link, not a load
    links = page.locator("ul.links").inner_text()
    assert "MEGA" in links and "Google Drive" in links
    shot(page, "09-hostile-post")
    assert len(archive.canary.hits) == before
    assert watched.foreign() == []
    assert watched.errors == []
