"""``workbench export NOTEBOOK RUN --lang ...``: code that resends a run saved in a notebook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.export import languages, media_modes, run_to_code


def add_commands(subparsers: Any) -> None:
    export = subparsers.add_parser("export", help="code that sends the same request as a saved run")
    export.add_argument("notebook", type=Path)
    export.add_argument("run", metavar="RUN", help="run id (or prefix), name@N, name, vN, last, lastN")
    export.add_argument("--lang", choices=languages, default="python")
    export.add_argument("--stream", action="store_true", help="print the reply as it streams in")
    export.add_argument(
        "--media",
        choices=media_modes,
        default="inline",
        help="images/PDFs as base64 in the code, read from their files, or uploaded as Files API ids",
    )
    export.add_argument("-o", "--output", type=Path, help="write the code to this file instead of stdout")
    export.set_defaults(handler=export_command)


def export_command(args: argparse.Namespace) -> int:
    from workbench.runs import read_saved_runs, select_runs

    if not args.notebook.is_file():
        raise ValueError(f"{args.notebook}: no such notebook")
    saved = read_saved_runs(args.notebook)
    run = select_runs(saved.runs, [args.run])[0]
    if run.request is None:
        raise ValueError(f"run {run.run_id[:8]}: its request is not recorded in this notebook or its journal")
    code = run_to_code(
        run,
        args.lang,
        blobs=saved.blobs,
        stream=args.stream,
        media_mode=args.media,
        media_root=args.notebook.absolute().parent,
    )
    if args.output is None:
        sys.stdout.write(code)
    else:
        args.output.write_text(code, encoding="utf-8")
    return 0
