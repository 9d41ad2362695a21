"""Where a run comes from: the notebook file and the cell, as far as the kernel can tell.

Notebook path, first found wins:

1. an explicit setting (argument), or ``$WORKBENCH_NOTEBOOK``
2. ``$JPY_SESSION_NAME`` (Jupyter Server >= 2 sessions: JupyterLab, Notebook 7; absolute; stale
   after a rename until the kernel restarts)
3. ``__vsc_ipynb_file__`` in the user namespace (kernels started by VS Code)
4. ``__session__`` in the user namespace (ipykernel's copy of JPY_SESSION_NAME)
5. the path inside a ``vscode-notebook-cell:`` cell id
6. unknown: None (the journal then goes under ``$WORKBENCH_HOME`` keyed by kernel id)

Cell identity: Lab and Notebook 7 send the nbformat cell id as ``cellId`` in the execute
request's metadata; VS Code sends a session-scoped ``vscode-notebook-cell:`` URI; nbclient and
papermill send nothing. When nothing usable is sent but the notebook file is known, the cell is
found in the file by its source (what nbclient and papermill execute is the file on disk).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

VSCODE_CELL_SCHEME = "vscode-notebook-cell"
_NBFORMAT_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


def notebook_path(user_ns: dict[str, Any] | None = None, *, explicit: str | os.PathLike[str] | None = None,
                  cell_id: str | None = None) -> Path | None:
    """The absolute path of the executing notebook, or None when it cannot be learned."""
    namespace = user_ns or {}
    candidates = [
        explicit,
        os.environ.get("WORKBENCH_NOTEBOOK"),
        os.environ.get("JPY_SESSION_NAME"),
        namespace.get("__vsc_ipynb_file__"),
        namespace.get("__session__"),
        _vscode_cell_path(cell_id),
    ]
    for candidate in candidates:
        if candidate and str(candidate).endswith(".ipynb"):
            return Path(candidate).expanduser().absolute()
    return None


def _vscode_cell_path(cell_id: str | None) -> str | None:
    if not cell_id or not cell_id.startswith(VSCODE_CELL_SCHEME + ":"):
        return None
    return unquote(urlparse(cell_id).path) or None


def execute_metadata(shell: Any = None) -> dict[str, Any]:
    """The metadata of the execute request being handled (call synchronously, at magic start)."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return {}
        shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return {}
    parent = kernel.get_parent() or {}
    metadata = parent.get("metadata") or {}
    return metadata if isinstance(metadata, dict) else {}


@dataclass(frozen=True)
class CellIdentity:
    """``cell_id`` is what to record; ``persistent`` says whether it survives reopening the notebook."""

    cell_id: str | None
    persistent: bool
    source: str  # "frontend", "vscode", "file" or "none"


def cell_identity(metadata: dict[str, Any] | None, *, notebook: str | os.PathLike[str] | None = None,
                  cell_source: str | None = None) -> CellIdentity:
    """Identify the executing cell from execute-request metadata, else from the notebook file.

    ``cell_source`` is the cell's full text (for ``%%claude`` cells: ``"%%claude " + line + "\\n" + cell``);
    it is matched against the code cells of ``notebook`` when the frontend sent no usable id.
    """
    raw = (metadata or {}).get("cellId")
    if isinstance(raw, str) and raw.startswith(VSCODE_CELL_SCHEME + ":"):
        found = _find_in_file(notebook, cell_source)
        return found or CellIdentity(raw, persistent=False, source="vscode")
    if isinstance(raw, str) and _NBFORMAT_ID.match(raw):
        return CellIdentity(raw, persistent=_file_keeps_ids(notebook), source="frontend")
    return _find_in_file(notebook, cell_source) or CellIdentity(None, persistent=False, source="none")


def _load(notebook: str | os.PathLike[str] | None) -> dict[str, Any] | None:
    if not notebook:
        return None
    try:
        with open(notebook, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _file_keeps_ids(notebook: str | os.PathLike[str] | None) -> bool:
    """nbformat 4.4 files get fresh random ids on every load in Lab; unknown files are trusted."""
    data = _load(notebook)
    if data is None:
        return True
    return (data.get("nbformat", 0), data.get("nbformat_minor", 0)) >= (4, 5)


def _find_in_file(notebook: str | os.PathLike[str] | None, cell_source: str | None) -> CellIdentity | None:
    if not cell_source:
        return None
    data = _load(notebook)
    if data is None:
        return None
    wanted = _normalized(cell_source)
    matches = []
    for cell in data.get("cells", []):
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(source)
        if cell.get("cell_type") == "code" and _normalized(source) == wanted and cell.get("id"):
            matches.append(cell["id"])
    if len(matches) != 1:
        return None
    return CellIdentity(matches[0], persistent=(data.get("nbformat", 0), data.get("nbformat_minor", 0)) >= (4, 5),
                        source="file")


def _normalized(source: str) -> str:
    """Source compared without trailing spaces (``%%claude `` + an empty line is ``%%claude``)."""
    return "\n".join(line.rstrip() for line in source.strip().splitlines())
