"""Shared builders for the ledger tests (no tests here)."""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
from pathlib import Path
from typing import Any

import nbformat

from workbench.runs.cli import add_commands

MODEL = "claude-haiku-4-5"


def message(text: str, *, input_tokens: int = 12, output_tokens: int = 7, stop_reason: str = "end_turn",
            **usage: int) -> dict[str, Any]:
    return {
        "id": "msg_test", "type": "message", "role": "assistant", "model": MODEL,
        "content": [{"type": "text", "text": text}], "stop_reason": stop_reason, "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens, **usage},
    }


def request(prompt: str, *, system: str | None = None, image: bytes | None = None, **params: Any) -> dict[str, Any]:
    content: Any = prompt
    if image is not None:
        data = base64.b64encode(image).decode("ascii")
        content = [{"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}},
                   {"type": "text", "text": prompt}]
    body: dict[str, Any] = {"model": MODEL, "max_tokens": 256, "messages": [{"role": "user", "content": content}]}
    if system is not None:
        body["system"] = system
    body.update(params)
    return body


def make_notebook(path: Path, sources: list[str], *, minor: int = 5) -> list[str]:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    if minor < 5:
        notebook.nbformat_minor = minor
        for cell in notebook.cells:
            del cell["id"]
    nbformat.write(notebook, path)
    return [cell.get("id") for cell in notebook.cells]


def attach_output(path: Path, cell_index: int, metadata: dict[str, Any], text: str) -> None:
    """What the magic's final display leaves in a saved notebook."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells[cell_index].outputs = [
        nbformat.v4.new_output("display_data", data={"text/plain": text}, metadata=metadata)
    ]
    nbformat.write(notebook, path)


def run_cli(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="workbench")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = args.handler(args)
    return code, out.getvalue()


def journal_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
