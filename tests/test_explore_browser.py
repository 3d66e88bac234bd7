"""The explorer page in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Starts ``innovsim explore`` on a free local port, moves a lever, runs quarters, and checks that
the map and the trajectories change and that the numbers on the page are those of
``simulate`` with the same parameters and seed; a lever out of range and a broken results
folder give a message on the page while the server stays up. Screenshots go to
``docs/explorer/``. Needs ``/usr/bin/chromium`` (``.ci/run`` installs it); no browser is
downloaded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[1] / "docs" / "explorer"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.slow,
    # skipped on a machine without chromium, never in CI (.ci/run installs it; CI=true there)
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="needs Debian's chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def server():
    from model.explore.server import free_port

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "model.cli", "explore", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the explorer did not start: {proc.stdout.read()}")
        time.sleep(0.5)
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture()
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1700})
        page.goto(server)
        page.wait_for_selector(".btn-start", timeout=120_000)
        yield page
        browser.close()


def _screenshot(page, name: str) -> Path:
    """Save a screenshot of the page under docs/explorer/, in 128 colours (kept small)."""
    from PIL import Image

    path = SHOTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(colors=128).save(path, optimize=True)
    return path


def _type(page, css: str, text: str) -> None:
    field = page.locator(f"{css} input")
    field.fill(text)
    field.press("Enter")


def _wait_quarter(page, q: int, timeout_ms: int = 300_000) -> None:
    page.wait_for_function(
        "q => { const e = document.querySelector('.explore-quarter');"
        " return e && e.innerText.startsWith('Quarter ' + q + ' ') "
        "&& !document.querySelector('.explore-progress'); }",
        arg=q,
        timeout=timeout_ms,
    )


def _shown(page, run: str, name: str) -> float:
    return float(
        page.locator(
            f"table.explore-values td[data-run={run}][data-indicator={name}]"
        ).get_attribute("data-value")
    )


def test_live_run_matches_simulate_and_redraws(page):
    from model.params.scenarios import load_scenario
    from model.runs.run import simulate

    _type(page, ".input-rebate_reinvest_share", "0.5")
    _type(page, ".input-seed", "3")
    _type(page, ".input-quarters", "4")
    page.click(".btn-start")
    _wait_quarter(page, 4)
    map_before = page.locator(".explore-map img").get_attribute("src")
    plot_before = page.locator(".explore-trajectories img").get_attribute("src")
    page.click(".btn-continue")
    _wait_quarter(page, 8)
    _screenshot(page, "explorer_live.png")
    assert page.locator(".explore-map img").get_attribute("src") != map_before
    assert page.locator(".explore-trajectories img").get_attribute("src") != plot_before

    overrides = {**load_scenario("tax_rebate").overrides, "rebate_reinvest_share": 0.5}
    expected = simulate(overrides, seed=3, steps=8)
    region = expected[(expected["county_id"] == -1) & (expected["step"] == 8)]
    value = dict(zip(region["indicator"], region["value"], strict=True))
    for name in ("high_tech_enterprises", "rd_performed_net_mcny", "invention_patent_applications"):
        assert _shown(page, "live", name) == value[name], name
    baseline = simulate({}, seed=3, steps=8)
    base = baseline[(baseline["county_id"] == -1) & (baseline["step"] == 8)]
    assert _shown(page, "baseline", "rd_performed_net_mcny") == float(
        base.loc[base["indicator"] == "rd_performed_net_mcny", "value"].iloc[0]
    )


def test_forty_quarters_live_run_time(page):
    """A live run of 40 quarters on the default region, timed from the click to the redraw."""
    _type(page, ".input-quarters", "40")
    start = time.perf_counter()
    page.click(".btn-start")
    _wait_quarter(page, 40, timeout_ms=600_000)
    wall_s = time.perf_counter() - start
    print(f"\nlive run of 40 quarters in the page: {wall_s:.1f} s")
    assert page.locator(".explore-map img").count() == 1


def test_lever_out_of_range_is_a_message_and_the_page_stays_up(page):
    _type(page, ".input-tax_rebate_share", "5")
    page.click(".btn-start")
    error = page.locator(".explore-error")
    error.wait_for(timeout=60_000)
    assert "tax_rebate_share" in error.inner_text() and "out of range" in error.inner_text()
    assert "Traceback" not in page.inner_text("body")
    _type(page, ".input-tax_rebate_share", "1")
    _type(page, ".input-quarters", "1")
    page.click(".btn-start")
    _wait_quarter(page, 1)


def test_broken_results_folder_is_a_message(page, tmp_path):
    (tmp_path / "results.parquet").write_text("not parquet")
    page.get_by_text("Comparison results").click()
    _type(page, ".input-folder", str(tmp_path))
    page.click(".btn-load")
    error = page.locator(".folder-error")
    error.wait_for(timeout=60_000)
    assert "results.parquet" in error.inner_text()
    assert "Traceback" not in page.inner_text("body")
    _screenshot(page, "explorer_folder_error.png")
