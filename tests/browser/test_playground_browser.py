"""The playground in a real JupyterLab 4 driven by headless Debian Chromium: type, Run, stream, Stop.

JupyterLab runs on loopback with a random token and a private root dir; its kernels talk to a loopback
simulator. The screenshot goes to test-output/browser/; with WORKBENCH_UPDATE_SCREENSHOT=1 it also replaces
docs/playground.png, the README's picture (a normal test run leaves tracked files alone).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from _lab import CHROMIUM, CHROMIUM_ARGS, start_lab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(150),  # a wedged browser or server fails the test instead of the whole session
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"),
]

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "test-output" / "browser"
NOTEBOOK = "playground.ipynb"
TIMEOUT_MS = 30_000

SETUP = """\
import workbench
city = "Lisbon"
pg = workbench.playground()
pg"""


def _kernel_env(simulator_url: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "JPY_", "WORKBENCH_"))}
    env.update(ANTHROPIC_BASE_URL=simulator_url, ANTHROPIC_API_KEY="sk-ant-test", WORKBENCH_HOME=str(home))
    return env


def _run_cell(page, index: int) -> None:
    """Run one cell once the notebook and its kernel are ready (not awaiting the run, so the page stays free)."""
    page.wait_for_function(
        """async () => {
            const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            if (!panel || !panel.sessionContext) return false;
            await panel.context.ready;
            await panel.sessionContext.ready;
            const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
            return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
        }"""
    )
    page.evaluate(
        """(index) => {
            const app = window.jupyterapp;
            const panel = app.shell.currentWidget;
            panel.content.activeCellIndex = index;
            app.commands.execute('notebook:run-cell');
        }""",
        index,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A simulator, a JupyterLab server whose kernels use it (also serving Notebook 7), and Chromium."""
    from playwright.sync_api import sync_playwright

    from workbench.simulator import SimulatorServer

    OUTPUT.mkdir(parents=True, exist_ok=True)
    tmp = tmp_path_factory.mktemp("lab")
    with SimulatorServer() as srv:
        lab = start_lab(tmp, _kernel_env(srv.url, tmp / "home"), OUTPUT / "jupyterlab.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    yield srv, lab, browser
                finally:
                    browser.close()
        finally:
            lab.stop()


def test_lab_type_run_stream_and_stop(served) -> None:
    from playwright.sync_api import expect

    from workbench.runs import Ledger

    srv, lab, browser = served
    notebook = lab.write_notebook(NOTEBOOK, [SETUP, "pg.to_cell()"])
    page = browser.new_page(viewport={"width": 1500, "height": 1150})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(lab.notebook_url(NOTEBOOK))
    page.wait_for_selector(".jp-Notebook")
    page.evaluate("window.jupyterapp.shell.collapseLeft()")
    _run_cell(page, 0)

    run = page.locator(".wb-pg .wb-run-button")
    stop = page.locator(".wb-pg .wb-stop-button")
    output = page.locator(".wb-pg .wb-output")
    expect(run).to_be_visible()
    expect(run).to_be_disabled()  # an empty prompt cannot run, and says why
    expect(page.locator(".wb-pg .wb-reason")).to_contain_text("Cannot run")

    prompt = page.locator(".wb-pg .wb-text-input textarea").first
    prompt.fill("Three facts about {{ city }}, one line each.")
    expect(run).to_be_enabled()
    expect(page.locator(".wb-pg .wb-counts")).to_contain_text("input tokens")

    run.click()
    expect(page.locator(".wb-pg .wb-output .wb-footer")).to_be_visible()
    expect(output).to_contain_text("Lisbon")  # the template variable came from the kernel
    expect(stop).to_be_disabled()

    srv.engine.options.deltas_per_second = 4  # slow enough to stop mid-reply
    try:
        prompt.fill("Ten facts about {{ city }}, one paragraph each.")
        expect(run).to_be_enabled()
        run.click()
        expect(output).to_contain_text("streaming")  # the new run has replaced the old reply
        expect(output).to_contain_text("You asked")
        expect(output).to_contain_text("streaming")
        expect(stop).to_be_enabled()
        stop.click()
        expect(output).to_contain_text("interrupted")
    finally:
        srv.engine.options.deltas_per_second = None
    expect(run).to_be_enabled()
    expect(page.locator(".wb-pg .wb-versions option")).to_have_count(2)

    page.locator(".wb-pg").screenshot(path=str(OUTPUT / "playground.png"))
    page.screenshot(path=str(OUTPUT / "lab.png"))

    # "to cell": run from a cell, the equivalent %%claude cell appears below it and sends the same request.
    _run_cell(page, 1)
    inserted = page.locator(".jp-Notebook .jp-Cell").nth(2)
    expect(inserted).to_contain_text("%%claude -m claude-haiku-4-5-20251001")
    _run_cell(page, 2)
    expect(inserted.locator(".wb-footer")).to_be_visible()
    page.close()

    sent = [r.json for r in srv.engine.received if r.path == "/v1/messages"]
    assert [body["messages"][0]["content"] for body in sent[-3:-1]] == [
        "Three facts about Lisbon, one line each.",
        "Ten facts about Lisbon, one paragraph each.",
    ]
    assert sent[-1] == sent[-2]  # the magic cell and the playground send the same body
    runs = [r for r in Ledger(notebook).runs() if r.name == "playground"]
    assert [r.status for r in runs] == ["ok", "interrupted", "ok"]  # the last one from the %%claude cell
    assert runs[1].text  # the partial reply is kept
    assert runs[2].cell_id and not runs[1].cell_id
    if os.environ.get("WORKBENCH_UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(OUTPUT / "playground.png", REPO / "docs" / "playground.png")


def test_notebook7_runs_the_playground(served) -> None:
    from playwright.sync_api import expect

    srv, lab, browser = served
    lab.write_notebook("nb7.ipynb", [SETUP])
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{lab.url}/notebooks/nb7.ipynb?token={lab.token}")
    page.wait_for_selector(".jp-Notebook")
    _run_cell(page, 0)
    prompt = page.locator(".wb-pg .wb-text-input textarea").first
    prompt.fill("Hello from Notebook 7 about {{ city }}")
    expect(page.locator(".wb-pg .wb-counts")).to_contain_text("input tokens")
    page.locator(".wb-pg .wb-run-button").click()
    expect(page.locator(".wb-pg .wb-output .wb-footer")).to_be_visible()
    expect(page.locator(".wb-pg .wb-output")).to_contain_text("Notebook 7 about Lisbon")
    page.screenshot(path=str(OUTPUT / "notebook7.png"))
    page.close()
