"""The explorer page in a real headless Chromium (Debian's ``chromium``, driven by Playwright).

Starts ``innovsim explore`` on a free local port, moves a lever, runs quarters, and checks that
the map and the trajectories change and that the numbers on the page are those of
``simulate`` with the same parameters and seed — with one seed and with two (median and band
drawn, each seed's numbers those of ``simulate`` with that seed); a click on the map shows that
county's numbers; a finished sweep folder is drawn as a response surface; a lever out of range
and broken folders give a message on the page while the server stays up. Screenshots go to a
temporary folder, or to ``docs/explorer/`` (the README's pictures) with
``INNOVSIM_SCREENSHOTS=1``. Needs ``/usr/bin/chromium`` (``.ci/run`` installs it); no browser
is downloaded.
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
DOC_SHOTS = Path(__file__).resolve().parents[1] / "docs" / "explorer"
SMALL = {"firm_scale": 0.1}
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


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where screenshots go: docs/explorer/ with INNOVSIM_SCREENSHOTS=1, else a temporary folder."""
    if os.environ.get("INNOVSIM_SCREENSHOTS") == "1":
        return DOC_SHOTS
    return tmp_path_factory.mktemp("screenshots")


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


def _screenshot(page, folder: Path, name: str) -> Path:
    """Save a screenshot of the page in ``folder``, in 128 colours (kept small)."""
    from PIL import Image

    path = folder / name
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


def test_live_run_matches_simulate_and_redraws(page, shots):
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
    _screenshot(page, shots, "explorer_live.png")
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


@pytest.mark.parametrize("n_seeds", [1, 3])
def test_forty_quarters_live_run_time(page, n_seeds):
    """A live run of 40 quarters on the default region, timed from the click to the redraw.

    A run of one quarter first loads the compiled kernels into the server, so the time is that
    of the 40 quarters (and of building the runs), not of the server's first run.
    """
    _type(page, ".input-quarters", "1")
    page.click(".btn-start")
    _wait_quarter(page, 1)
    _type(page, ".input-seeds", str(n_seeds))
    _type(page, ".input-quarters", "40")
    start = time.perf_counter()
    page.click(".btn-start")
    _wait_quarter(page, 40, timeout_ms=900_000)
    wall_s = time.perf_counter() - start
    # the page's own time: from the click's arrival in the server to the last quarter
    server_s = page.inner_text(".explore-quarter").split("·")[-1].strip()
    print(
        f"\nlive run of 40 quarters with {n_seeds} seed(s) in the page: {wall_s:.1f} s "
        f"(click to redrawn page; {server_s} in the server)"
    )
    assert page.locator(".explore-map img").count() == 1


def test_two_seeds_draw_a_band_and_each_seed_is_simulate(page, shots):
    from model.explore.live import live_seeds
    from model.params.scenarios import load_scenario
    from model.runs.run import simulate

    _type(page, ".input-seed", "3")
    _type(page, ".input-seeds", "2")
    _type(page, ".input-quarters", "12")
    page.click(".btn-start")
    _wait_quarter(page, 12)
    # 6 panels, each with a band for the run with the levers and one for the baseline
    assert int(page.locator(".explore-bands").get_attribute("data-bands")) == 12
    first, second = live_seeds(3, 2)
    assert str(first) in page.inner_text(".explore-seeds")
    expected = simulate(load_scenario("tax_rebate").overrides, seed=first, steps=12)
    region = expected[(expected["county_id"] == -1) & (expected["step"] == 12)]
    value = dict(zip(region["indicator"], region["value"], strict=True))
    for name in ("high_tech_enterprises", "rd_performed_net_mcny", "invention_patent_applications"):
        cell = page.locator(
            f"table.explore-per-seed td[data-seed='{first}'][data-run=live][data-indicator={name}]"
        )
        assert float(cell.get_attribute("data-value")) == value[name], name
    base = simulate({}, seed=second, steps=12)
    base = base[(base["county_id"] == -1) & (base["step"] == 12)]
    cell = page.locator(
        f"table.explore-per-seed td[data-seed='{second}'][data-run=baseline]"
        "[data-indicator=rd_performed_net_mcny]"
    )
    assert float(cell.get_attribute("data-value")) == float(
        base.loc[base["indicator"] == "rd_performed_net_mcny", "value"].iloc[0]
    )
    _screenshot(page, shots, "explorer_seeds.png")


def test_a_click_on_the_map_shows_that_countys_numbers(page):
    from model.explore.map_click import MapPicture, cell_centre_km
    from model.sim.region import load_region

    _type(page, ".input-seeds", "1")
    _type(page, ".input-quarters", "1")
    page.click(".btn-start")
    _wait_quarter(page, 1)
    region = load_region("jiaxing-huzhou")
    geometry = page.locator(".explore-map-geometry")
    axes = [float(v) for v in geometry.get_attribute("data-axes").split(",")]
    lims = [float(v) for v in geometry.get_attribute("data-lims-km").split(",")]
    picture = MapPicture(b"", tuple(axes), tuple(lims[:2]), tuple(lims[2:]))
    image = page.locator(".explore-map-image")
    box = image.bounding_box()
    for county in (3, 9):
        rows, cols = (region.county_of_cell == county).nonzero()
        x_frac, y_frac = picture.fraction_of(
            *cell_centre_km(region, rows[len(rows) // 2], cols[len(cols) // 2])
        )
        image.click(position={"x": x_frac * box["width"], "y": y_frac * box["height"]})
        page.locator(f".explore-county.county-{county}").wait_for(timeout=60_000)
        assert region.counties[county].name_en in page.inner_text("body")


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    """12 runs of the public API: a lever on 2 values x an uncertainty on 3, 2 seeds, 8 quarters."""
    from model import Experiment, Outputs, SerialExecutor, Values, run_experiment

    out = tmp_path_factory.mktemp("sweep") / "grid"
    experiment = Experiment(
        name="explore_grid",
        levers={"voucher_budget_mcny_per_q": Values([0.0, 20.0])},
        uncertainties={"platform_service_strength": Values([0.3, 0.6, 0.9])},
        replications=2,
        steps=8,
        base_seed=3,
        outputs=Outputs(indicators=("high_tech_enterprises", "rd_spending_mcny")),
    )
    run_experiment(experiment, out, executor=SerialExecutor(), progress=False)
    return out


def test_a_sweep_folder_is_drawn_as_a_response_surface(page, sweep_folder, tmp_path, shots):
    page.get_by_text("Sweep results").click()
    _type(page, ".input-sweep", str(tmp_path))
    page.click(".btn-load-sweep")
    error = page.locator(".sweep-error")
    error.wait_for(timeout=60_000)
    assert "manifest.json: missing" in error.inner_text()
    _type(page, ".input-sweep", str(sweep_folder))
    page.click(".btn-load-sweep")
    info = page.locator(".sweep-surface-info")
    info.wait_for(state="attached", timeout=60_000)
    assert info.get_attribute("data-runs") == "12"
    assert info.get_attribute("data-factors") == "voucher_budget_mcny_per_q"
    assert page.locator(".sweep-surface img").count() == 1
    factors = page.locator("table.sweep-factors tr[data-factor]")
    assert factors.count() == 2
    assert "12 of 12 runs finished" in page.inner_text(".sweep-status")
    # a second factor turns the scatter into a heat map
    page.click(".select-second-factor")
    page.locator(".v-menu__content .v-list-item", has_text="platform_service_strength").click()
    page.wait_for_function(
        "() => { const e = document.querySelector('.sweep-surface-info');"
        " return e && e.dataset.factors.includes(','); }",
        timeout=60_000,
    )
    assert (
        info.get_attribute("data-factors") == "voucher_budget_mcny_per_q,platform_service_strength"
    )
    # another outcome: R&D spending, on which the vouchers act within the 8 quarters
    page.click(".select-outcome")
    page.locator(".v-menu__content .v-list-item", has_text="rd_spending_mcny").click()
    page.wait_for_function(
        "() => { const e = document.querySelector('.sweep-surface-info');"
        " return e && e.dataset.outcome === 'rd_spending_mcny'; }",
        timeout=60_000,
    )
    assert "Traceback" not in page.inner_text("body")
    _screenshot(page, shots, "explorer_sweep.png")


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


def test_broken_results_folder_is_a_message(page, tmp_path, shots):
    (tmp_path / "results.parquet").write_text("not parquet")
    page.get_by_text("Comparison results").click()
    _type(page, ".input-folder", str(tmp_path))
    page.click(".btn-load")
    error = page.locator(".folder-error")
    error.wait_for(timeout=60_000)
    assert "results.parquet" in error.inner_text()
    assert "Traceback" not in page.inner_text("body")
    _screenshot(page, shots, "explorer_folder_error.png")
