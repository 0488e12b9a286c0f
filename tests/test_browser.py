"""End to end in a real browser: `streamlit run app.py` on 127.0.0.1, driven through Debian's
Chromium with Playwright. An investigator archives a clip from a local web server, tags it,
then opens every page; any exception or error box fails the test. A screenshot of each page
is saved (to $WORKBENCH_SCREENSHOTS when set, as for docs/screenshots, else to the test's tmp).

Needs /usr/bin/chromium (Debian's ``chromium`` package; ``.ci/run`` installs it). Never
``playwright install``: it downloads browsers and fails offline.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from workbench.demo import load_demo

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
PAGES = {"home": "", "archive": "Archive", "library": "Library", "video": "Video?id={video}",
         "duplicates": "Duplicates", "search": "Search", "events": "Events", "map": "Map"}

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("the browser test needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def streamlit_app(home, ws):
    """The UI on a demo catalogue, served by `streamlit run` on 127.0.0.1."""
    load_demo(ws)
    port = free_port()
    env = {**os.environ, "WORKBENCH_HOME": str(home), "WORKBENCH_USER": "tester"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"streamlit did not start: {proc.stdout.read()}") from None
            time.sleep(0.3)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM),
                                     args=["--headless", "--no-sandbox", "--disable-gpu",
                                           "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        page.set_default_timeout(120_000)
        page.page_errors = []
        page.on("pageerror", lambda exc: page.page_errors.append(str(exc)))
        yield page
        browser.close()


SETTLED = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.dataset.testScriptState === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]');
}"""


def settle(page) -> None:
    """Wait until the script run is over and every element is drawn (no skeletons, nothing stale)."""
    page.wait_for_timeout(300)
    page.wait_for_function(SETTLED, timeout=120_000)
    page.wait_for_timeout(700)


def problems(page) -> list[str]:
    """Exceptions, error boxes, script errors, and Python objects written out by mistake."""
    boxes = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").all_inner_texts()
    leaked = ["a Python object is shown"] if "DeltaGenerator(" in page.locator("body").inner_text() else []
    return boxes + page.page_errors + leaked


def test_archive_tag_and_every_page_in_the_browser(streamlit_app, browser_page, server, clip, tmp_path):
    page = browser_page
    shots = Path(os.environ.get("WORKBENCH_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    server.add_file("/watch/clip.mp4", clip)

    # Archive a clip from the local web server.
    page.goto(f"{streamlit_app}/Archive")
    settle(page)
    page.get_by_label("Links, one per line, or a whole post").fill(server.url("/watch/clip.mp4"))
    page.get_by_role("button", name="Archive", exact=True).click()
    page.get_by_text("Done: 1 items").wait_for()
    settle(page)
    page.screenshot(path=str(shots / "archive-done.png"))
    assert not problems(page), problems(page)
    link = page.get_by_role("link", name="Open #5")
    link.wait_for()

    # Tag it: find the place in Arabic, use it, set the status, save.
    link.click()
    settle(page)
    assert page.locator("h1").first.inner_text() == "clip"  # the title yt-dlp read from the server
    page.get_by_label("Find a place (any spelling, Latin or Arabic)").fill("داريا")
    page.keyboard.press("Enter")
    settle(page)
    page.get_by_role("button", name="Daraya").first.click()
    settle(page)
    assert page.get_by_label("Place", exact=True).input_value() == "Daraya"
    page.get_by_role("button", name="Add tag").click()
    page.get_by_text("saved as version 1 by tester").wait_for()
    settle(page)
    page.screenshot(path=str(shots / "video-tagged.png"))
    assert not problems(page), problems(page)

    # Within the same session: to the library by the sidebar, and back to the video by its card.
    page.get_by_test_id("stSidebarNav").get_by_text("Library", exact=True).click()
    settle(page)
    page.get_by_role("link", name="#5 clip").click()
    settle(page)
    assert page.get_by_label("Place", exact=True).input_value() == "Daraya"  # the saved tag, not blank widgets
    assert page.get_by_label("Latitude").first.input_value().startswith("33.4")

    # Every page, opened directly by its URL; a screenshot of each.
    for name, path in PAGES.items():
        page.goto(f"{streamlit_app}/{path.format(video=5)}")
        settle(page)
        page.screenshot(path=str(shots / f"{name}.png"))
        assert not problems(page), (name, problems(page))
    assert (shots / "map.png").stat().st_size > 10_000
