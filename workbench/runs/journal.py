"""The journal: an append-only JSONL file that never loses a paid-for run.

Location (``journal_path_for``):

- beside the notebook: ``<notebook_dir>/.claude_runs/<notebook_stem>.jsonl``
- notebook path unknown: ``$WORKBENCH_HOME/journal/<kernel-or-session-id>.jsonl``, where
  ``WORKBENCH_HOME`` defaults to ``$XDG_DATA_HOME/claude-workbench`` (``~/.local/share/claude-workbench``)

Blobs live in ``<journal_dir>/blobs/<sha256>``.

One JSON object per line, each written with a single ``write``, flushed and fsync'd, under an
advisory lock so two kernels on one notebook interleave whole lines:

- ``{"event": "start", "at": ..., "run": {...the whole Run...}}`` when the request is sent
- ``{"event": "progress", "at": ..., "run_id": ..., "text_from": N, "text": "..."}`` while it
  streams: the text that arrived since offset N of the reply text
- ``{"event": "finish", "at": ..., "run": {...}}`` at the end, whatever the outcome (ok, error,
  interrupted): ``run_id`` and the fields that change after the start (status, response, text,
  error, usage, cost, timings, stop_reason, model, finished_at)

A reader folds the events per ``run_id``; a run with no ``finish`` keeps status "partial" and the
text that arrived. A torn last line (the process died mid-write) is skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .blobs import BlobStore
from ._stored import now_iso

if TYPE_CHECKING:
    from .record import Run

JOURNAL_DIRNAME = ".claude_runs"

try:
    import fcntl
except ImportError:  # Windows: appends of one write() are still whole lines in practice
    fcntl = None  # type: ignore[assignment]


# Fields a finish record leaves out: they cannot change after the start record.
_SET_AT_START = frozenset({
    "request", "media", "notebook_path", "cell_id", "name", "group", "version", "parent_id", "execution_count", "kernel_id",
    "created_at", "backend", "api_version", "betas", "fingerprint", "replayed", "replayed_from", "schema_version",
})


def workbench_home() -> Path:
    explicit = os.environ.get("WORKBENCH_HOME")
    if explicit:
        return Path(explicit).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(data_home) / "claude-workbench"


def journal_path_for(notebook_path: str | os.PathLike[str] | None, session_id: str | None = None) -> Path:
    """Where the journal of a notebook (or of a kernel with no known notebook) lives."""
    if notebook_path:
        notebook = Path(notebook_path).expanduser().absolute()
        return notebook.parent / JOURNAL_DIRNAME / f"{notebook.stem}.jsonl"
    return workbench_home() / "journal" / f"{session_id or 'default'}.jsonl"


class Journal:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.blobs = BlobStore(self.path.parent / "blobs")

    def start(self, run: Run) -> None:
        self._append({"event": "start", "at": now_iso(), "run": run.to_stored()})

    def progress(self, run_id: str, text_from: int, text: str) -> None:
        self._append({"event": "progress", "at": now_iso(), "run_id": run_id, "text_from": text_from, "text": text})

    def finish(self, run: Run) -> None:
        self._append({"event": "finish", "at": now_iso(), "run": run.to_stored(exclude=_SET_AT_START)})

    def _append(self, record: dict[str, Any]) -> None:
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            _heal_torn_tail(fd)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def runs(self) -> list[Run]:
        from .record import Run

        return [Run.model_validate(state) for state in self.states().values()]

    def states(self, offset: int = 0) -> dict[str, dict[str, Any]]:
        """Stored run data per run_id, folded from the records at and after byte ``offset``."""
        return fold(record for _, record in read_records(self.path, offset))

    def checkpoint(self) -> int:
        """The byte offset before which every run is finished: what a reader may skip once embedded."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return 0
        open_runs: dict[str, int] = {}
        for position, record in read_records(self.path):
            if position >= size:
                break
            run_id = (record.get("run") or {}).get("run_id", "")
            if record.get("event") == "start":
                open_runs[run_id] = position
            elif record.get("event") == "finish":
                open_runs.pop(run_id, None)
        return min(open_runs.values(), default=size)


def _heal_torn_tail(fd: int) -> None:
    """Start on a fresh line if a previous writer died mid-line, so its fragment stays isolated."""
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")


def read_records(path: str | os.PathLike[str], offset: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    """(byte offset, record) for every whole line from ``offset`` on."""
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return
    with f:
        f.seek(offset)
        position = offset
        for raw in f:
            start, position = position, position + len(raw)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                continue  # a torn line: the writer died before finishing it
            if isinstance(record, dict):
                yield start, record


def fold(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The latest stored data of each run, in start order."""
    states: dict[str, dict[str, Any]] = {}
    for record in records:
        event = record.get("event")
        if event == "start":
            run = record.get("run") or {}
            if "run_id" in run:
                states[run["run_id"]] = dict(run)
        elif event == "progress":
            state = states.get(record.get("run_id", ""))
            if state is not None and state.get("status") == "partial":
                text = state.get("text") or ""
                offset = record.get("text_from", len(text))
                state["text"] = text[:offset] + (record.get("text") or "")
        elif event == "finish":
            run = record.get("run") or {}
            state = states.setdefault(run.get("run_id", ""), {})
            state.update(run)
            if "text" not in run:
                state.pop("text", None)  # the response holds it
    states.pop("", None)
    return states
