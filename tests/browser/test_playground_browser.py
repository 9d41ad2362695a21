"""The playground in a real JupyterLab 4 driven by headless Debian Chromium: type, Run, stream, Stop.

JupyterLab runs on loopback with a random token and a private root dir; its kernels talk to a loopback
simulator. The screenshot goes to test-output/browser/ and is copied to docs/playground.png for the README.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from _lab import CHROMIUM, CHROMIUM_ARGS, start_lab

pytestmark = [
    pytest.mark.browser,
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
    page.evaluate(
        """async (index) => {
            const app = window.jupyterapp;
            const panel = app.shell.currentWidget;
            panel.content.activeCellIndex = index;
            await app.commands.execute('notebook:run-cell');
        }""",
        index,
    )


def _output_text(page) -> str:
    return page.locator(".wb-pg .wb-output").inner_text()


def test_type_run_stream_and_stop(tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from workbench.runs import Ledger
    from workbench.simulator import SimulatorServer

    OUTPUT.mkdir(parents=True, exist_ok=True)
    with SimulatorServer() as srv:
        lab = start_lab(tmp_path, _kernel_env(srv.url, tmp_path / "home"), OUTPUT / "jupyterlab.log")
        try:
            notebook = lab.write_notebook(NOTEBOOK, [SETUP])
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": 1500, "height": 1150})
                    page.set_default_timeout(TIMEOUT_MS)
                    page.goto(lab.notebook_url(NOTEBOOK))
                    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']")
                    page.evaluate("window.jupyterapp.shell.collapseLeft()")
                    _run_cell(page, 0)

                    run = page.locator(".wb-pg .wb-run-button")
                    stop = page.locator(".wb-pg .wb-stop-button")
                    expect(run).to_be_visible()
                    expect(run).to_be_disabled()  # an empty prompt cannot run, and says why
                    expect(page.locator(".wb-pg .wb-reason")).to_contain_text("Cannot run")

                    prompt = page.locator(".wb-pg .wb-text-input textarea").first
                    prompt.fill("Three facts about {{ city }}, one line each.")
                    expect(run).to_be_enabled()
                    expect(page.locator(".wb-pg .wb-counts")).to_contain_text("input tokens")

                    run.click()
                    expect(page.locator(".wb-pg .wb-output .wb-footer")).to_be_visible()
                    assert "Lisbon" in _output_text(page)  # the template variable came from the kernel
                    expect(stop).to_be_disabled()

                    srv.engine.options.deltas_per_second = 4  # slow enough to stop mid-reply
                    prompt.fill("Ten facts about {{ city }}, one paragraph each.")
                    expect(run).to_be_enabled()
                    run.click()
                    expect(page.locator(".wb-pg .wb-output")).to_contain_text("You asked")
                    expect(page.locator(".wb-pg .wb-output")).to_contain_text("streaming")
                    expect(stop).to_be_enabled()
                    stop.click()
                    expect(page.locator(".wb-pg .wb-output")).to_contain_text("interrupted")
                    expect(run).to_be_enabled()
                    expect(page.locator(".wb-pg .wb-versions option")).to_have_count(2)

                    page.locator(".wb-pg").screenshot(path=str(OUTPUT / "playground.png"))
                    page.screenshot(path=str(OUTPUT / "page.png"))
                finally:
                    browser.close()
        finally:
            lab.stop()

    sent = [r for r in srv.engine.received if r.path == "/v1/messages"]
    assert [r.json["messages"][0]["content"] for r in sent] == [
        "Three facts about Lisbon, one line each.",
        "Ten facts about Lisbon, one paragraph each.",
    ]
    runs = [r for r in Ledger(notebook).runs() if r.name == "playground"]
    assert [r.status for r in runs] == ["ok", "interrupted"]
    assert runs[1].text  # the partial reply is kept
    shutil.copyfile(OUTPUT / "playground.png", REPO / "docs" / "playground.png")
