"""Ledger at scale: prints figures, asserts nothing.

1. A notebook (100 cells) and its journal holding 10,000 runs, embedded into the notebook too:
   how long `workbench runs NOTEBOOK` takes (in process, and as a fresh `python -m workbench`).
2. An unchanged 50 KB prompt with a 1 MB image run 100 times in one cell: how much the .ipynb grows
   (output metadata only, then with `workbench embed`), against the budget "replies + 2 KB per run".
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from workbench.runs import Ledger, embed, output_metadata
from workbench.runs.cli import add_commands
from workbench.runs.locate import CellIdentity

MODEL = "claude-haiku-4-5"
WORDS = "the a cat sat on mat and then wrote some careful prose about tides moons ledgers notebooks".split()


def prose(rng: random.Random, chars: int) -> str:
    out, size = [], 0
    while size < chars:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def message(text: str, input_tokens: int) -> dict:
    return {"id": "msg_bench", "type": "message", "role": "assistant", "model": MODEL,
            "content": [{"type": "text", "text": text}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": input_tokens, "output_tokens": len(text) // 4}}


def write_notebook(path: Path, sources: list[str]) -> list[str]:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(notebook, path)
    return [c["id"] for c in notebook.cells]


def save_final_outputs(path: Path, finals: dict[int, dict]) -> None:
    notebook = nbformat.read(path, as_version=4)
    for index, (metadata, text) in finals.items():
        notebook.cells[index].outputs = [
            nbformat.v4.new_output("display_data", data={"text/plain": text}, metadata=metadata)]
    nbformat.write(notebook, path)


def time_runs_command(path: Path) -> tuple[float, float, int]:
    """Best of three: (wall seconds, CPU seconds, rows listed)."""
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["runs", str(path)])
    best = (float("inf"), float("inf"), 0)
    for _ in range(3):
        out = io.StringIO()
        wall, cpu = time.perf_counter(), time.process_time()
        with contextlib.redirect_stdout(out):
            args.handler(args)
        measured = (time.perf_counter() - wall, time.process_time() - cpu, len(out.getvalue().splitlines()) - 2)
        best = min(best, measured)
    return best


def time_fresh_process(path: Path) -> tuple[float, float, str]:
    """Best of three runs of `python -m workbench runs`: (wall, CPU of the child, error or "")."""
    best = (float("inf"), float("inf"), "")
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "workbench", "runs", str(path)], capture_output=True, text=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if result.returncode != 0:
            return wall, cpu, result.stderr.strip().splitlines()[-1]
        best = min(best, (wall, cpu, ""))
    return best


def ten_thousand_runs(workdir: Path) -> None:
    rng = random.Random(1)
    path = workdir / "big.ipynb"
    cells = write_notebook(path, [f"%%claude\nQuestion {i}" for i in range(100)])
    ledger = Ledger(path, progress_interval=0)
    finals = {}
    started = time.perf_counter()
    for i in range(10_000):
        index = i % 100
        cell = CellIdentity(cells[index], persistent=True, source="frontend")
        body = {"model": MODEL, "max_tokens": 512,
                "messages": [{"role": "user", "content": f"Question {index}, take {i // 300}: " + prose(rng, 300)}]}
        run = ledger.start(request=body, api_version="2023-06-01", cell=cell, backend="simulator")
        reply = prose(rng, 400)
        ledger.progress(run, reply[:200])
        ledger.finish(run, response=message(reply, 90), cost=0.0004)
        finals[index] = (output_metadata(run, ledger.lineage(run)), reply)
    recorded = time.perf_counter() - started
    save_final_outputs(path, finals)
    journal = ledger.journal.path
    print(f"10,000 runs recorded in {recorded:.1f} s ({recorded / 10_000 * 1000:.2f} ms per run incl. 3 fsync'd records)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times suffer from other load; CPU times less)")
    wall, cpu, listed = time_runs_command(path)
    print(f"before embed: notebook {path.stat().st_size / 1e6:.1f} MB (last output per cell), journal "
          f"{journal.stat().st_size / 1e6:.1f} MB: workbench runs (in process, best of 3) {wall:.3f} s wall, "
          f"{cpu:.3f} s CPU for {listed:,} runs")
    embed(path, force=True)
    print(f"after workbench embed: notebook {path.stat().st_size / 1e6:.1f} MB (+ every run), journal unchanged")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times suffer from other load; CPU times less)")
    wall, cpu, listed = time_runs_command(path)
    print(f"workbench runs (in process, best of 3): {wall:.3f} s wall, {cpu:.3f} s CPU for {listed:,} runs")
    wall, cpu, error = time_fresh_process(path)
    if error:
        print(f"workbench runs (fresh process): failed: {error}")
    else:
        print(f"workbench runs (fresh `python -m workbench`, best of 3, startup included): {wall:.3f} s wall, "
              f"{cpu:.3f} s CPU")


def hundred_reruns(workdir: Path) -> None:
    rng = random.Random(2)
    path = workdir / "rerun.ipynb"
    (cell_id,) = write_notebook(path, ["%%claude -n describe\n{{ image(photo) }}\n{{ notes }}"])
    cell = CellIdentity(cell_id, persistent=True, source="frontend")
    import base64

    image = base64.b64encode(os.urandom(1_000_000)).decode("ascii")
    body = {"model": MODEL, "max_tokens": 1024, "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": image}},
        {"type": "text", "text": prose(rng, 50_000)}]}]}
    ledger = Ledger(path)
    sizes, embedded_sizes, replies = [], [], []
    for i in range(100):
        run = ledger.start(request=body, api_version="2023-06-01", name="describe", cell=cell, backend="simulator")
        reply = prose(rng, rng.randint(500, 2000))
        replies.append(len(reply.encode()))
        ledger.finish(run, response=message(reply, 14_000), cost=0.02)
        save_final_outputs(path, {0: (output_metadata(run, ledger.lineage(run)), reply)})
        sizes.append(path.stat().st_size)
        if i in (0, 99):
            copy = workdir / f"rerun-embedded-{i}.ipynb"
            copy.write_bytes(path.read_bytes())
            # embed reads the journal beside the notebook; point it at this one
            (workdir / ".claude_runs" / f"{copy.stem}.jsonl").write_bytes(ledger.journal.path.read_bytes())
            embed(copy, force=True)
            embedded_sizes.append(copy.stat().st_size)
    blobs = list((workdir / ".claude_runs" / "blobs").iterdir())
    budget = sum(replies[1:]) + 2048 * 99
    growth = sizes[-1] - sizes[0]
    embedded_growth = embedded_sizes[1] - embedded_sizes[0]
    print(f"100 runs of a 50 KB prompt + 1 MB image: {len(blobs)} blob file(s) in the journal's blob store, "
          f"journal {ledger.journal.path.stat().st_size / 1e6:.2f} MB")
    print(f"  .ipynb with output metadata: {sizes[0]:,} B after run 1, {sizes[-1]:,} B after run 100: "
          f"growth {growth:,} B")
    print(f"  .ipynb after workbench embed: {embedded_sizes[0]:,} B after run 1, {embedded_sizes[1]:,} B after run 100: "
          f"growth {embedded_growth:,} B")
    print(f"  budget (replies of runs 2-100 = {sum(replies[1:]):,} B, + 2 KB x 99 runs): {budget:,} B -> "
          f"output metadata {'within' if growth <= budget else 'OVER'}, "
          f"embed {'within' if embedded_growth <= budget else 'OVER'} "
          f"({(embedded_growth - sum(replies[1:])) / 99:,.0f} B per run besides the reply)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        ten_thousand_runs(workdir)
        hundred_reruns(workdir)


if __name__ == "__main__":
    main()
