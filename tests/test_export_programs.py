"""Exported programs, run for real against the loopback simulator, send the recorded request and print its reply.

Every case of tests/export_cases.py is exported to Python (official SDK), httpx, curl and TypeScript; each
program runs as a subprocess with ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL pointing at the simulator, which
records the bodies it receives. TypeScript runs under Node with `@anthropic-ai/sdk` installed from npm into
a cache directory reused across runs, and is type-checked with `tsc` once for all cases.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from export_cases import CASES, ExportCase
from workbench.export import to_code
from workbench.simulator import SimulatorServer

KEY = "sk-ant-test"
LANGS = ("python", "httpx", "curl", "typescript")
SUFFIX = {"python": ".py", "httpx": ".py", "curl": ".sh", "typescript": ".mjs"}
NODE_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "claude-workbench" / "export-node"
NODE_PACKAGES = ("@anthropic-ai/sdk", "typescript", "@types/node")


def _node_modules() -> Path | None:
    """node_modules holding the TypeScript SDK (installed once from npm), or None without Node/npm."""
    if not (shutil.which("node") and shutil.which("npm")):
        return None
    modules = NODE_CACHE / "node_modules"
    if not all((modules / name / "package.json").exists() for name in NODE_PACKAGES):
        NODE_CACHE.mkdir(parents=True, exist_ok=True)
        (NODE_CACHE / "package.json").write_text('{"private": true, "type": "module"}\n')
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *NODE_PACKAGES],
            cwd=NODE_CACHE, check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    return modules


@dataclass
class Outcome:
    case: ExportCase
    lang: str
    code: str
    returncode: int
    stdout: str
    stderr: str


def _env(base_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_API_KEY=KEY, ANTHROPIC_BASE_URL=base_url, PYTHONWARNINGS="ignore")
    return env


# Importing the official SDK costs about a second of CPU: Python programs run a batch per interpreter.
_PYTHON_RUNNER = """
import contextlib, io, json, os, runpy, sys, traceback
results = {}
for path in sys.argv[2:]:
    out = io.StringIO()
    os.chdir(os.path.dirname(path))
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(path, run_name="__main__")
        results[path] = [0, out.getvalue(), ""]
    except BaseException:
        results[path] = [1, out.getvalue(), traceback.format_exc()]
with open(sys.argv[1], "w") as f:
    json.dump(results, f)
"""
PYTHON_BATCHES = 4


def _export(case: ExportCase, lang: str, workdir: Path) -> tuple[Path, str]:
    code = to_code(
        case.request, lang=lang, api_version=case.api_version, betas=case.betas, stream=case.stream,
        base_url=case.base_url, media=case.media(str(workdir)), media_mode=case.media_mode, media_root=workdir,
    )  # fmt: skip
    path = workdir / f"export_{lang}{SUFFIX[lang]}"
    path.write_text(code)
    return path, code


def _run_python(paths: list[Path], results: Path, base_url: str) -> dict[str, list]:
    command = [sys.executable, "-c", _PYTHON_RUNNER, str(results), *map(str, paths)]
    done = subprocess.run(command, env=_env(base_url), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(results.read_text())


def _run_alone(path: Path, lang: str, base_url: str) -> list:
    command = ["sh", "-e", str(path)] if lang == "curl" else ["node", str(path)]
    done = subprocess.run(command, cwd=path.parent, env=_env(base_url), capture_output=True, text=True, timeout=60)
    return [done.returncode, done.stdout, done.stderr]


def _run_all(jobs: list[tuple[ExportCase, str, Path]], root: Path, base_url: str) -> list[Outcome]:
    exported = [(case, lang, *_export(case, lang, workdir)) for case, lang, workdir in jobs]
    python = [path for _case, lang, path, _code in exported if lang in ("python", "httpx")]
    batches = [python[i::PYTHON_BATCHES] for i in range(PYTHON_BATCHES)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        python_runs = [
            pool.submit(_run_python, batch, root / f"results-{i}.json", base_url) for i, batch in enumerate(batches)
        ]
        others = {
            path: pool.submit(_run_alone, path, lang, base_url)
            for _case, lang, path, _code in exported
            if lang not in ("python", "httpx")
        }
        results = {path: future.result() for path, future in others.items()}
        for future in python_runs:
            results.update((Path(path), result) for path, result in future.result().items())
    return [Outcome(case, lang, code, *results[path]) for case, lang, path, code in exported]


def _prepare(case: ExportCase, root: Path, node_modules: Path | None) -> Path:
    workdir = root / case.name
    for relative, data in case.files.items():
        (workdir / relative).parent.mkdir(parents=True, exist_ok=True)
        (workdir / relative).write_bytes(data)
    workdir.mkdir(parents=True, exist_ok=True)
    if node_modules is not None:
        (workdir / "node_modules").symlink_to(node_modules)
        (workdir / "package.json").write_text('{"type": "module"}\n')
    return workdir


def _reference_reply(base_url: str, case: ExportCase) -> dict:
    """The reply the simulator gives the recorded request itself, sent without streaming."""
    headers = {"x-api-key": KEY, "anthropic-version": case.api_version}
    if case.betas:
        headers["anthropic-beta"] = ",".join(case.betas)
    response = httpx.post(f"{base_url}/v1/messages", headers=headers, json=case.request, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    node_modules = _node_modules()
    langs = LANGS if node_modules is not None else LANGS[:3]
    root = tmp_path_factory.mktemp("export")
    with SimulatorServer() as server:
        references = {case.name: _reference_reply(server.url, case) for case in CASES}
        first_program_request = len(server.engine.received)
        workdirs = {case.name: _prepare(case, root, node_modules) for case in CASES}
        jobs = [(case, lang, workdirs[case.name]) for case in CASES for lang in langs]
        outcomes = _run_all(jobs, root, server.url)
        received = list(server.engine.received[first_program_request:])
    yield {
        "outcomes": {(o.case.name, o.lang): o for o in outcomes},
        "references": references,
        "received": received,
        "node_modules": node_modules,
        "root": root,
    }


def _texts(message: dict) -> list[str]:
    return [block["text"] for block in message["content"] if block["type"] == "text"]


def _printed(outcome: Outcome) -> str:
    """What the program shows as the reply's text (curl prints the raw JSON or SSE: extract the text)."""
    if outcome.lang != "curl":
        return outcome.stdout
    if outcome.case.stream:
        deltas = []
        for line in outcome.stdout.splitlines():
            if line.startswith("data: "):
                event = json.loads(line[6:])
                if event["type"] == "content_block_delta" and event["delta"]["type"] == "text_delta":
                    deltas.append(event["delta"]["text"])
        return "".join(deltas) + "\n"
    return "".join(text + "\n" for text in _texts(json.loads(outcome.stdout)))


def _expected_output(case: ExportCase, reply: dict) -> str:
    texts = _texts(reply)
    return "".join(texts) + "\n" if case.stream else "".join(text + "\n" for text in texts)


def _with_file_sources(value: object) -> object:
    """The body with every base64 source replaced by a Files API reference (ids compared separately)."""
    if isinstance(value, dict):
        if value.get("type") in ("base64", "file") and ("data" in value or "file_id" in value):
            return {"type": "file", "file_id": "<uploaded>"}
        return {key: _with_file_sources(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_file_sources(item) for item in value]
    return value


def _expected_body(case: ExportCase) -> dict:
    body = copy.deepcopy(case.request)
    if case.stream:
        body["stream"] = True
    return _with_file_sources(body) if case.media_mode == "file_id" else body


def _sent_body(request, case: ExportCase) -> dict:
    body = request.json
    return _with_file_sources(body) if case.media_mode == "file_id" else body


def _header(request, name: str) -> str | None:
    for key, value in request.headers.items():
        if key.lower() == name:
            return value
    return None


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_program_prints_the_reply(session, case, lang):
    outcome = session["outcomes"].get((case.name, lang))
    if outcome is None:
        pytest.skip("Node.js and npm are needed to run TypeScript exports")
    assert outcome.returncode == 0, f"{lang} program failed:\n{outcome.stderr}\n--- code ---\n{outcome.code}"
    if case.media_mode == "file_id":  # a file reference is not the recorded body: another reply is fair
        assert _printed(outcome).strip()
    else:
        assert _printed(outcome) == _expected_output(case, session["references"][case.name])


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_program_sends_the_recorded_request(session, case):
    programs = sum(1 for (name, _lang) in session["outcomes"] if name == case.name)
    expected = _expected_body(case)
    matching = [
        request
        for request in session["received"]
        if request.path == "/v1/messages" and _sent_body(request, case) == expected
    ]
    assert len(matching) == programs, json.dumps(expected, indent=1)[:2000]
    for request in matching:
        assert _header(request, "anthropic-version") == case.api_version
        betas = _header(request, "anthropic-beta")
        assert (tuple(betas.split(",")) if betas else ()) == case.betas
    if case.media_mode == "file_id":
        uploads = [r for r in session["received"] if r.path == "/v1/files"]
        assert len(uploads) >= programs * len(case.files)


def test_typescript_exports_type_check(session, tmp_path):
    node_modules = session["node_modules"]
    if node_modules is None:
        pytest.skip("Node.js and npm are needed to type-check TypeScript exports")
    for (name, lang), outcome in session["outcomes"].items():
        if lang == "typescript":
            (tmp_path / f"{name}.ts").write_text(outcome.code)
    (tmp_path / "node_modules").symlink_to(node_modules)
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    (tmp_path / "tsconfig.json").write_text(
        json.dumps(
            {
                "compilerOptions": {
                    "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext",
                    "strict": True, "noEmit": True, "types": ["node"], "skipLibCheck": True,
                },
                "include": ["*.ts"],
            }
        )
    )  # fmt: skip
    done = subprocess.run(
        ["node", str(node_modules / "typescript" / "bin" / "tsc"), "-p", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
