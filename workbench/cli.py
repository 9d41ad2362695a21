"""The `workbench` command: a simulator to point code at, and the run ledger of saved notebooks.

    workbench simulate --port 0          serve the offline Messages API on loopback
    workbench runs NOTEBOOK              list the runs a notebook carries
    workbench show NOTEBOOK RUN          a run's request and response as JSON
    workbench compare NOTEBOOK A B       side-by-side comparison as a standalone HTML page
    workbench embed NOTEBOOK             write the journal's runs into the notebook's metadata
    workbench export NOTEBOOK RUN        code that sends the same request (--lang python|httpx|curl|typescript)

Each feature registers its own subcommands; this module only assembles them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _simulate(args: argparse.Namespace) -> int:
    from workbench.simulator.server import main as simulate

    return simulate(args.simulator_args) or 0


# The simulator parses its own options (so `workbench simulate --help` shows them); everything
# after the word `simulate` is handed over untouched.
_PASS_THROUGH = {"simulate"}


def build_parser() -> argparse.ArgumentParser:
    from workbench import __version__
    from workbench.export.cli import add_commands as add_export_commands
    from workbench.runs.cli import add_commands as add_ledger_commands

    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"claude-workbench {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    simulate = commands.add_parser(
        "simulate", help="serve the offline Messages API simulator on loopback", add_help=False
    )
    simulate.set_defaults(handler=_simulate)

    add_ledger_commands(commands)
    add_export_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if args.command in _PASS_THROUGH:
        args.simulator_args = rest
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return args.handler(args) or 0
    except KeyboardInterrupt:
        return 130
    except (ValueError, OSError) as exc:
        # User mistakes (bad run id, missing file, open notebook) are one line, not a traceback.
        print(f"workbench: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
