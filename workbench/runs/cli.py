"""``workbench runs | compare | show | embed``: the ledger of a saved notebook from a shell.

``add_commands(subparsers)`` registers the four commands; each sets ``handler`` to a function
taking the parsed arguments and returning an exit code. ``--json`` gives scripts stable output.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .compare import format_table, history_row, render_compare, standalone_page
from .errors import LedgerError
from .notebook import embed, read_saved_runs
from .select import select_runs

if TYPE_CHECKING:
    from .record import Run

_RUN_COLUMNS = ["run", "cell", "version", "created", "status", "model", "tokens", "cost", "latency", "reply"]


def add_commands(subparsers: Any) -> None:
    runs = subparsers.add_parser("runs", help="list the runs a notebook carries (and its journal's)")
    runs.add_argument("notebook", type=Path)
    runs.add_argument("--json", action="store_true", help="one JSON array of run summaries")
    runs.set_defaults(handler=runs_command)

    compare = subparsers.add_parser("compare", help="compare runs side by side in a standalone HTML page")
    compare.add_argument("notebook", type=Path)
    compare.add_argument("runs", nargs="+", metavar="RUN", help="run id (or prefix), name@N, name, vN, last, lastN")
    compare.add_argument("-o", "--output", type=Path, help="where to write the page (default: beside the journal)")
    compare.add_argument("--json", action="store_true", help="print {path, runs, text} as JSON")
    compare.set_defaults(handler=compare_command)

    show = subparsers.add_parser("show", help="a run's request and response as JSON")
    show.add_argument("notebook", type=Path)
    show.add_argument("run", metavar="RUN")
    show.add_argument("--json", action="store_true", help="the whole run record as one JSON object")
    show.add_argument("--restore-blobs", action="store_true", help="put images and PDFs back as base64")
    show.set_defaults(handler=show_command)

    embed_parser = subparsers.add_parser("embed", help="write the journal's runs into the notebook's own metadata")
    embed_parser.add_argument("notebook", type=Path)
    embed_parser.add_argument("--force", action="store_true", help="write even if a Jupyter server has it open")
    embed_parser.add_argument("--no-blobs", action="store_true", help="do not carry image/PDF bytes in the notebook")
    embed_parser.add_argument("--json", action="store_true")
    embed_parser.set_defaults(handler=embed_command)


def _load(notebook: Path):
    if not notebook.is_file():
        raise LedgerError(f"{notebook}: no such notebook")
    try:
        return read_saved_runs(notebook)
    except json.JSONDecodeError as exc:
        raise LedgerError(f"{notebook}: not a notebook (invalid JSON at line {exc.lineno})") from None


def _cell_label(cell_id: str | None) -> str:
    if cell_id is None:
        return "–"
    return cell_id if len(cell_id) <= 12 else cell_id[:11] + "…"


def runs_command(args: argparse.Namespace) -> int:
    summaries = _load(args.notebook).summaries()
    if args.json:
        json.dump(summaries, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not summaries:
        print(f"{args.notebook}: no runs recorded")
        return 0
    rows = []
    for summary in summaries:
        version, run_id, created, status, model, tokens, cost, latency, reply = history_row(summary)
        rows.append([run_id, _cell_label(summary["cell_id"]), version, created, status, model, tokens, cost, latency,
                     reply])
    print(format_table(_RUN_COLUMNS, rows))
    return 0


def compare_command(args: argparse.Namespace) -> int:
    saved = _load(args.notebook)
    runs = select_runs(saved.runs, args.runs)
    html_view, text_view = render_compare(runs)
    title = f"{args.notebook.name}: " + " vs ".join(f"{r.label} ({r.run_id[:8]})" for r in runs)
    target = args.output or _default_page_path(args.notebook, runs)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(standalone_page(title, html_view), encoding="utf-8")
    if args.json:
        json.dump({"path": str(target), "runs": [r.summary() for r in runs], "text": text_view}, sys.stdout,
                  ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print(target)
    return 0


def _default_page_path(notebook: Path, runs: list[Run]) -> Path:
    from .journal import journal_path_for

    name = f"{notebook.stem}.compare-" + "-".join(r.run_id[:8] for r in runs) + ".html"
    return journal_path_for(notebook.absolute()).parent / name


def show_command(args: argparse.Namespace) -> int:
    saved = _load(args.notebook)
    run = select_runs(saved.runs, [args.run])[0]
    request = run.request
    if args.restore_blobs and request is not None:
        from .blobs import restore_request

        request = restore_request(request, saved.blobs)
    if args.json:
        record = run.to_json()
        record["request"] = request
        json.dump(record, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"run {run.run_id}  {run.label}  {run.status}{' (replayed)' if run.replayed else ''}  "
          f"{run.model or '?'}  {run.created_at}")
    print("request:")
    print(json.dumps(request, ensure_ascii=False, indent=2) if request is not None else "(not recorded here)")
    print("response:")
    print(json.dumps(run.response, ensure_ascii=False, indent=2) if run.response is not None else "(none)")
    return 0


def embed_command(args: argparse.Namespace) -> int:
    if not args.notebook.is_file():
        raise LedgerError(f"{args.notebook}: no such notebook")
    report = embed(args.notebook, force=args.force, include_blobs=not args.no_blobs)
    if args.json:
        json.dump({"path": str(report.path), "runs": report.runs, "cells": report.cells, "orphans": report.orphans,
                   "blobs": report.blobs, "missing_blobs": report.missing_blobs}, sys.stdout)
        sys.stdout.write("\n")
        return 0
    print(f"{report.path}: embedded {report.runs} runs ({report.cells} cells, {report.orphans} without a cell), "
          f"{report.blobs} blobs")
    if report.missing_blobs:
        print(f"warning: {len(report.missing_blobs)} blobs not found; those requests cannot be replayed exactly",
              file=sys.stderr)
    return 0
