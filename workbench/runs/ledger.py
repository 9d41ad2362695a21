"""The ledger of one notebook (or kernel): records runs, answers lineage and replay questions.

The magic's side of a run::

    ledger = Ledger(notebook_path, session_id=kernel_id)
    run = ledger.start(spec, cell=cell_identity(...), backend=client.backend, execution_count=n)
    for delta in stream.text_stream:
        text += delta
        ledger.progress(run, text)                      # journaled at most every progress_interval s
    ledger.finish(run, status="ok", response=message, timings=stream.timings)
    metadata = output_metadata(run, ledger.lineage(run))

Replay: ``ledger.find_replay(spec.fingerprint())`` returns the most recent ok run with that
fingerprint (journal + the notebook file's saved runs); ``ledger.replay(found, spec, ...)``
records the new run, marked replayed, cost 0.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .blobs import BlobSource, canonicalize_request
from .journal import Journal, journal_path_for
from .locate import CellIdentity
from .record import Run, Timings, fingerprint_of, now_iso, reply_text

_KEY_PATTERN = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")
_UNSET: Any = object()


def group_key(name: str | None, cell: CellIdentity | None, fingerprint: str) -> str:
    if name:
        return f"name:{name}"
    if cell is not None and cell.cell_id and cell.persistent:
        return f"cell:{cell.cell_id}"
    return f"prompt:{fingerprint[:16]}"


def one_line(error: BaseException | str) -> str:
    text = str(error).strip() or type(error).__name__
    line = text.splitlines()[0]
    if isinstance(error, BaseException) and type(error).__name__ not in line:
        line = f"{type(error).__name__}: {line}"
    return _KEY_PATTERN.sub("sk-ant-…", line)


class Ledger:
    def __init__(self, notebook_path: str | os.PathLike[str] | None = None, *, session_id: str | None = None,
                 journal_path: str | os.PathLike[str] | None = None, progress_interval: float = 1.0) -> None:
        self.notebook_path = Path(notebook_path).absolute() if notebook_path else None
        self.journal = Journal(journal_path or journal_path_for(self.notebook_path, session_id))
        self.progress_interval = progress_interval
        self._journal_runs: dict[str, Run] | None = None
        self._file_runs: dict[str, Run] = {}
        self._merged: dict[str, Run] | None = None  # file runs overlaid with journal runs
        self._groups: dict[str | None, list[Run]] = {}
        self._file_blobs: list[BlobSource] = []
        self._file_stamp: tuple[float, int] | None = None
        self._progress: dict[str, tuple[float, int]] = {}

    def __repr__(self) -> str:
        return f"Ledger(notebook_path={str(self.notebook_path)!r}, journal={str(self.journal.path)!r})"

    # -- recording ---------------------------------------------------------------------------

    def start(self, spec: Any = None, *, request: dict | None = None, api_version: str | None = None,
              betas: Sequence[str] = (), name: str | None = None, cell: CellIdentity | None = None,
              backend: str | None = None, execution_count: int | None = None, kernel_id: str | None = None,
              fingerprint: str | None = None) -> Run:
        """Journal a run that is about to be sent. ``spec`` is a PromptSpec (or pass request & co)."""
        run = self._new_run(spec, request=request, api_version=api_version, betas=betas, name=name, cell=cell,
                            backend=backend, execution_count=execution_count, kernel_id=kernel_id,
                            fingerprint=fingerprint)
        self.journal.start(run)
        self._remember(run)
        return run

    def progress(self, run: Run, text: str, *, force: bool = False) -> None:
        """Record the reply text so far; written to disk at most every ``progress_interval`` seconds."""
        run.text = text
        last_time, written = self._progress.get(run.run_id, (float("-inf"), 0))
        now = time.monotonic()
        if len(text) == written or (not force and now - last_time < self.progress_interval):
            return
        start = written if len(text) >= written else 0
        self.journal.progress(run.run_id, start, text[start:])
        self._progress[run.run_id] = (now, len(text))

    def finish(self, run: Run, *, status: str = "ok", response: Any = None, text: str | None = None,
               error: BaseException | str | None = None, usage: dict | None = None, cost: Any = _UNSET,
               timings: Any = None, stop_reason: str | None = None, model: str | None = None) -> Run:
        """Journal the outcome (also for errors and interrupts, with the text that arrived)."""
        message = _as_json(response)
        if message is not None:
            run.response = message
            run.text = text if text is not None else reply_text(message)
            run.stop_reason = stop_reason or message.get("stop_reason")
            run.model = message.get("model") or run.model
            run.usage = usage or message.get("usage") or {}
        else:
            if text is not None:
                run.text = text
            run.stop_reason = stop_reason
            run.usage = usage or run.usage
        if model:
            run.model = model
        run.status = status  # type: ignore[assignment]
        run.error = one_line(error) if error is not None else None
        run.timings = _timings(timings) if timings is not None else run.timings
        run.cost = _cost(run.model, run.usage) if cost is _UNSET else _total(cost)
        run.finished_at = now_iso()
        self._progress.pop(run.run_id, None)
        self.journal.finish(run)
        self._remember(run)
        return run

    # -- replay ------------------------------------------------------------------------------

    def find_replay(self, fingerprint: str) -> Run | None:
        """The most recent ok run with this fingerprint and a recorded response, or None."""
        best: Run | None = None
        for run in self._index().values():
            if run.fingerprint == fingerprint and run.status == "ok" and run.response is not None:
                if best is None or run.created_at >= best.created_at:
                    best = run
        return best

    def replay(self, source: Run, spec: Any = None, *, name: str | None = None, cell: CellIdentity | None = None,
               backend: str | None = None, execution_count: int | None = None,
               kernel_id: str | None = None) -> Run:
        """Record a new run served from ``source``: same response, replayed=True, cost 0."""
        run = self._new_run(spec, request=None if spec is not None else source.request,
                            api_version=source.api_version, betas=source.betas, name=name, cell=cell,
                            backend=backend or source.backend, execution_count=execution_count,
                            kernel_id=kernel_id, fingerprint=source.fingerprint)
        run.replayed = True
        run.media = run.media or dict(source.media)
        run.replayed_from = source.replayed_from or source.run_id
        run.model = source.model or run.model
        run.response, run.text, run.usage = source.response, source.text, dict(source.usage)
        run.stop_reason, run.status, run.cost = source.stop_reason, "ok", 0.0
        run.timings = Timings(total=0.0)
        run.finished_at = run.created_at
        self.journal.start(run)
        self.journal.finish(run)
        self._remember(run)
        return run

    # -- reading -----------------------------------------------------------------------------

    def runs(self) -> list[Run]:
        """Every known run (journal, then the notebook file's saved runs), oldest first."""
        return sorted(self._index().values(), key=lambda r: r.created_at)

    def get(self, run_id: str) -> Run | None:
        return self._index().get(run_id)

    def lineage(self, run: Run) -> list[Run]:
        """The runs of ``run``'s group up to and including it, oldest first."""
        history = self.history(run.group)
        ids = [r.run_id for r in history]
        return history[: ids.index(run.run_id) + 1] if run.run_id in ids else history

    def history(self, group: str | None) -> list[Run]:
        self._index()
        return sorted(self._groups.get(group, []), key=lambda r: r.created_at)

    def blob_sources(self) -> list[BlobSource]:
        self._refresh_file()
        return [self.journal.blobs, *self._file_blobs]

    # -- internals ---------------------------------------------------------------------------

    def _new_run(self, spec: Any, *, request: dict | None, api_version: str | None, betas: Sequence[str],
                 name: str | None, cell: CellIdentity | None, backend: str | None, execution_count: int | None,
                 kernel_id: str | None, fingerprint: str | None) -> Run:
        media: dict[str, dict[str, str]] = {}
        if spec is not None:
            request, api_version, betas = spec.request, spec.api_version, tuple(spec.betas)
            name = name or getattr(spec, "name", None)
            fingerprint = fingerprint or spec.fingerprint()
            media = media_origins(getattr(spec, "media", None) or {}, self.notebook_path)
        if request is None:
            raise ValueError("a run needs a request (a PromptSpec or request=...)")
        fingerprint = fingerprint or fingerprint_of(request, api_version, tuple(betas))
        group = group_key(name, cell, fingerprint)
        earlier = self.history(group)
        same_prompt = [r.version for r in earlier if r.fingerprint == fingerprint]
        version = same_prompt[-1] if same_prompt else max((r.version for r in earlier), default=0) + 1
        return Run(
            notebook_path=str(self.notebook_path) if self.notebook_path else None,
            cell_id=cell.cell_id if cell else None,
            name=name,
            group=group,
            version=version,
            parent_id=earlier[-1].run_id if earlier else None,
            execution_count=execution_count,
            kernel_id=kernel_id,
            backend=backend,
            api_version=api_version,
            betas=list(betas),
            model=request.get("model"),
            request=canonicalize_request(request, self.journal.blobs),
            media=media,
            fingerprint=fingerprint,
        )

    def _journal(self) -> dict[str, Run]:
        if self._journal_runs is None:
            self._journal_runs = {run.run_id: run for run in self.journal.runs()}
        return self._journal_runs

    def _index(self) -> dict[str, Run]:
        self._refresh_file()
        if self._merged is None:
            self._merged = {**self._file_runs, **self._journal()}
            self._groups = {}
            for run in self._merged.values():
                self._groups.setdefault(run.group, []).append(run)
        return self._merged

    def _remember(self, run: Run) -> None:
        self._journal()[run.run_id] = run
        index = self._index()
        if run.run_id not in index:
            self._groups.setdefault(run.group, []).append(run)
        elif index[run.run_id] is not run:
            group = self._groups.setdefault(run.group, [])
            group[:] = [r for r in group if r.run_id != run.run_id] + [run]
        index[run.run_id] = run

    def _refresh_file(self) -> None:
        if self.notebook_path is None:
            return
        try:
            stat = self.notebook_path.stat()
        except OSError:
            return
        stamp = (stat.st_mtime, stat.st_size)
        if stamp == self._file_stamp:
            return
        from .notebook import read_saved_runs

        saved = read_saved_runs(self.notebook_path, journal=False)
        self._file_runs = {run.run_id: run for run in saved.runs}
        self._merged = None
        self._file_blobs = saved.blobs
        self._file_stamp = stamp


def media_origins(media: Mapping[str, Any], notebook: Path | None) -> dict[str, dict[str, str]]:
    """``Run.media`` from a PromptSpec's ``media`` (sha256 hex -> MediaRef): kind, media type and file path.

    A file inside the notebook's folder is recorded relative to it, so the record (and code exported from
    it) reads the file wherever the notebook's folder is copied.
    """
    folder = notebook.parent if notebook is not None else None
    origins: dict[str, dict[str, str]] = {}
    for digest, ref in media.items():
        origin = {"kind": str(ref.kind), "media_type": str(ref.media_type)}
        if ref.path:
            path = Path(os.path.normpath(ref.path))
            inside = folder is not None and path.is_absolute() and path.is_relative_to(folder)
            origin["path"] = path.relative_to(folder).as_posix() if inside and folder else str(path)
        origins[digest] = origin
    return origins


def _as_json(response: Any) -> dict[str, Any] | None:
    if response is None:
        return None
    if hasattr(response, "model_dump"):
        return response.model_dump(mode="json")
    return dict(response)


def _timings(value: Any) -> Timings:
    if isinstance(value, Timings):
        return value
    if isinstance(value, dict):
        return Timings.model_validate(value)
    started = getattr(value, "started", None)

    def since(attr: str) -> float | None:
        moment = getattr(value, attr, None)
        return None if moment is None or started is None else round(moment - started, 6)

    return Timings(first_byte=since("first_byte"), first_delta=since("first_delta"), total=since("finished"))


def _total(cost: Any) -> float | None:
    if cost is None:
        return None
    return float(getattr(cost, "total", cost))


def _cost(model: str | None, usage: dict[str, Any]) -> float | None:
    if not model or not usage:
        return None
    try:
        from workbench.pricing import cost
    except ImportError:
        return None
    return _total(cost(model, usage))
