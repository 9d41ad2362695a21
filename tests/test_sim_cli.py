"""`python -m workbench.simulator` and `workbench simulate` print their URL and serve the API."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from workbench.simulator import SimulatorServer
from workbench.simulator.server import main

COMMANDS = {
    "python -m workbench.simulator": [sys.executable, "-m", "workbench.simulator"],
    "workbench simulate --": [sys.executable, "-m", "workbench", "simulate", "--"],
    "workbench simulate": [sys.executable, "-m", "workbench", "simulate"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_prints_url_and_serves(command):
    process = subprocess.Popen(
        [*COMMANDS[command], "--port", "0", "--fail", "529", "--retry-after", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        headers = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
        body = {"model": "claude-haiku-4-5", "max_tokens": 20, "messages": [{"role": "user", "content": "Hi"}]}
        assert httpx.post(f"{url}/v1/messages", json=body, headers=headers).status_code == 529  # --fail 529
        reply = httpx.post(f"{url}/v1/messages", json=body, headers=headers)
        assert reply.status_code == 200 and reply.json()["type"] == "message"
        assert httpx.get(f"{url}/v1/models", headers=headers).json()["data"]
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "Traceback" not in stderr
    assert "POST /v1/messages" not in stderr  # quiet: no per-request log lines


def test_bad_flag_is_one_line(capsys):
    with pytest.raises(SystemExit):
        main(["--port", "not-a-port"])
    assert "invalid int value" in capsys.readouterr().err


def test_port_in_use_is_one_line(capsys):
    with SimulatorServer() as srv:
        port = int(srv.url.rsplit(":", 1)[1])
        assert main(["--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"workbench simulate: cannot listen on 127.0.0.1:{port}: ") and err.count("\n") == 1
