"""The run ledger: every Claude run recorded, versioned, carried in the .ipynb, comparable, replayable.

See docs/ledger.md. Public names load on first use so ``import workbench.runs`` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workbench._lazy import lazy_exports

_EXPORTS = {
    "Run": "workbench.runs.record",
    "Timings": "workbench.runs.record",
    "SCHEMA_VERSION": "workbench.runs.record",
    "fingerprint_of": "workbench.runs.record",
    "Journal": "workbench.runs.journal",
    "journal_path_for": "workbench.runs.journal",
    "BlobStore": "workbench.runs.blobs",
    "canonicalize_request": "workbench.runs.blobs",
    "restore_request": "workbench.runs.blobs",
    "Ledger": "workbench.runs.ledger",
    "select_runs": "workbench.runs.select",
    "CellIdentity": "workbench.runs.locate",
    "cell_identity": "workbench.runs.locate",
    "execute_metadata": "workbench.runs.locate",
    "notebook_path": "workbench.runs.locate",
    "output_metadata": "workbench.runs.notebook",
    "read_saved_runs": "workbench.runs.notebook",
    "runs_of_output": "workbench.runs.notebook",
    "embed": "workbench.runs.notebook",
    "METADATA_KEY": "workbench.runs.notebook",
    "render_compare": "workbench.runs.compare",
    "render_history": "workbench.runs.compare",
    "LedgerError": "workbench.runs.errors",
    "RunSelectionError": "workbench.runs.errors",
    "NotebookOpenError": "workbench.runs.errors",
}

__all__ = list(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from .blobs import BlobStore, canonicalize_request, restore_request
    from .compare import render_compare, render_history
    from .errors import LedgerError, NotebookOpenError, RunSelectionError
    from .journal import Journal, journal_path_for
    from .ledger import Ledger
    from .select import select_runs
    from .locate import CellIdentity, cell_identity, execute_metadata, notebook_path
    from .notebook import METADATA_KEY, embed, output_metadata, read_saved_runs, runs_of_output
    from .record import SCHEMA_VERSION, Run, Timings, fingerprint_of
