"""Shared fixtures: a loopback simulator, live kernels that talk to it, and a notebook runner.

- `simulator` (session): a `SimulatorServer` on loopback.
- `kernel_env` (session): the environment for kernels that must use that simulator (ANTHROPIC_BASE_URL,
  a test key, and a private WORKBENCH_HOME so journals land in a temp dir).
- `Kernel`: a real ipykernel driven with jupyter_client; `kernel.run(code)` returns the execute reply and every
  iopub message of that execution, so tests can count display updates.
- `run_notebook(cells, env=..., directory=...)`: build an nbformat 4.5 notebook and execute it with nbclient.
Kernels take a second or two to start: share them (module or session scope).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

TEST_KEY = "sk-ant-test"


@pytest.fixture(scope="session")
def simulator() -> Iterator[Any]:
    from workbench.simulator import SimulatorServer

    with SimulatorServer() as server:
        yield server


def simulator_env(server: Any, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "JPY_", "WORKBENCH_"))}
    env.update(ANTHROPIC_BASE_URL=server.url, ANTHROPIC_API_KEY=TEST_KEY, WORKBENCH_HOME=str(home))
    return env


@pytest.fixture(scope="session")
def kernel_env(simulator: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return simulator_env(simulator, tmp_path_factory.mktemp("workbench-home"))


@dataclass
class Execution:
    reply: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reply["content"]["status"] == "ok"

    @property
    def error(self) -> dict[str, Any] | None:
        return None if self.ok else self.reply["content"]

    def of_type(self, *kinds: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["msg_type"] in kinds]

    @property
    def stdout(self) -> str:
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == "stdout")

    @property
    def stderr(self) -> str:
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == "stderr")

    @property
    def outputs(self) -> list[dict[str, Any]]:
        """Display, update and result messages' contents, in order."""
        return [m["content"] for m in self.of_type("display_data", "update_display_data", "execute_result")]

    def final_bundle(self) -> dict[str, Any]:
        """The last display or update carrying a text/plain (a run's final render)."""
        finals = [c for c in self.outputs if "text/plain" in c["data"]]
        assert finals, f"no final output; stderr: {self.stderr!r}"
        return finals[-1]


class Kernel:
    """A live ipykernel in its own process, with `%load_ext workbench` already run."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        from jupyter_client import KernelManager

        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env, cwd=str(cwd), extra_arguments=[])
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        setup = self.run("%load_ext workbench")
        assert setup.ok, setup.error

    def run(self, code: str, *, timeout: float = 60) -> Execution:
        messages: list[dict[str, Any]] = []
        reply = self.client.execute_interactive(
            code, timeout=timeout, output_hook=messages.append, stop_on_error=False, allow_stdin=False
        )
        return Execution(reply, messages)

    def start(self, code: str) -> str:
        """Send code without waiting; collect with `collect(msg_id)`."""
        return self.client.execute(code, stop_on_error=False)

    def collect(self, msg_id: str, *, timeout: float = 60) -> Execution:
        messages: list[dict[str, Any]] = []
        while True:
            message = self.client.get_iopub_msg(timeout=timeout)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
            messages.append(message)
        reply = self.client.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.client.get_shell_msg(timeout=timeout)
        return Execution(reply, messages)

    def shutdown(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel(kernel_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kernel]:
    """A kernel on the session simulator; calls the API live (no replay) unless a test changes it."""
    live = Kernel(kernel_env, tmp_path_factory.mktemp("kernel"))
    assert live.run("%config Claude.replay = 'live'").ok
    yield live
    live.shutdown()


def make_notebook(cells: list[str]) -> Any:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.nbformat_minor = 5
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    return notebook


def execute_notebook(notebook: Any, *, env: dict[str, str], directory: Path, timeout: int = 120) -> Any:
    """Execute with nbclient in a kernel started with `env`; returns the executed notebook."""
    from jupyter_client import KernelManager
    from nbclient import NotebookClient

    manager = KernelManager(kernel_name="python3")
    client = NotebookClient(
        notebook, km=manager, timeout=timeout, allow_errors=True, resources={"metadata": {"path": str(directory)}}
    )
    # nbclient starts the kernel itself; the environment must be set on the manager's launch.
    original = manager.start_kernel

    def start_kernel(**kwargs: Any) -> Any:
        return original(**{**kwargs, "env": env})

    manager.start_kernel = start_kernel  # type: ignore[method-assign]
    client.execute()
    return notebook


@pytest.fixture
def run_notebook(kernel_env: dict[str, str], tmp_path: Path) -> Any:
    def run(cells: list[str], *, env: dict[str, str] | None = None) -> Any:
        return execute_notebook(make_notebook(cells), env=env or kernel_env, directory=tmp_path)

    return run
