"""Errors the ledger raises for bad user input: one line each."""

from __future__ import annotations


class LedgerError(ValueError):
    """Base of the ledger's user-facing errors."""


class RunSelectionError(LedgerError):
    """A selector (run id, name@N, vN, lastN) that matches no run, or too many."""


class NotebookOpenError(LedgerError):
    """The notebook is open in a running Jupyter server; writing it now would race the editor."""
