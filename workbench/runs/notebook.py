"""Runs inside the .ipynb: output metadata, embedded metadata, and reading them back.

Three places carry runs in a saved notebook, all under the key ``"claude_workbench"``:

1. **Output metadata** (written by the magic with every run's final output, so saving the
   notebook saves the run): ``{"schema": 1, "run": {...}, "lineage": [summary, ...],
   "lineage_total": N, "plain_length": N}``. The run keeps its canonical request (blob refs,
   never the blob bytes), its fingerprint and response (enough to replay it in a clean clone);
   ``lineage`` lists compact summaries of the cell's earlier runs (at most ``LINEAGE_LIMIT``;
   ``lineage_total`` counts them all). The reply is not stored twice: the same output's
   ``text/plain`` shows it, so the run's long texts (content blocks' ``text`` and ``thinking``,
   and ``text`` when the run keeps one) are stored as ``{"$plain": [start, stop]}``, that slice
   of the output's ``text/plain``; ``plain_length`` is the length of the ``text/plain`` they
   index (``refer_to_plain`` writes the slices, ``runs_of_output`` reads them back). The output of
   ``%%claude --models`` / ``--repeat`` carries ``{"schema": 1, "runs": [record, ...]}`` instead: one
   record per column and step, each shaped like the above (without ``schema``), all referring to
   that output's ``text/plain``.
2. **Cell metadata** (``workbench embed``): ``{"runs": [run, ...]}`` for every journaled run of
   that cell, each request replaced by ``{"$request": "<sha256>"}``.
3. **Notebook metadata** (``workbench embed``): ``{"schema": 1, "index": [{run_id, cell_id, name,
   version, status, created_at, replayed}, ...], "requests": {sha256: canonical request},
   "blobs": {"sha256:<hex>": base64}, "runs": [...], "journal": {"offset": N, "tail": sha256}}``
   (``runs`` here holds runs whose cell is no longer in the notebook). Requests and blobs are
   stored once however many runs share them. ``journal`` marks how much of the sibling journal
   the embedded runs already hold, so readers only fold the journal's newer records.

Stored runs are compact (``Run.to_stored``): empty fields and a text the response repeats are
left out.

``read_saved_runs`` merges all three with the sibling journal (``.claude_runs/<stem>.jsonl``);
for a run found in several places the most complete record wins (journal > embedded > output
> lineage summary).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from .blobs import BlobSource, EmbeddedBlobs, blob_refs
from .errors import NotebookOpenError
from .journal import Journal, journal_path_for
from ._stored import stored_from_summary, summarize

if TYPE_CHECKING:
    from .record import Run

SCHEMA_VERSION = 1  # of the metadata layout; equal to the Run schema version

METADATA_KEY = "claude_workbench"
LINEAGE_LIMIT = 20
REQUEST_KEY = "$request"
PLAIN_KEY = "$plain"
# Shorter texts stay inline: their reference would be about as long.
_REFERRED_MIN = 64

# Not carried into notebooks: the author's absolute paths (see also _notebook_record).
_OMITTED_IN_NOTEBOOK = frozenset({"notebook_path"})
_REFERRED_FIELDS = ("text", "thinking")  # of content blocks
_INDEX_FIELDS = ("run_id", "cell_id", "name", "version", "status", "created_at", "replayed")


def _notebook_record(run: Run) -> dict[str, Any]:
    """The stored run as notebooks carry it: without the author's absolute paths (a file's path is
    kept when it is relative to the notebook's folder)."""
    record = run.to_stored(exclude=_OMITTED_IN_NOTEBOOK)
    if "media" in record:
        record["media"] = {
            digest: {k: v for k, v in origin.items() if not (k == "path" and os.path.isabs(v))}
            for digest, origin in record["media"].items()
        }
    return record


def output_metadata(run: Run, lineage: list[Run] | None = None) -> dict[str, Any]:
    """The output metadata for a run's final display: ``{"claude_workbench": {...}}``."""
    earlier = [r for r in (lineage or []) if r.run_id != run.run_id]
    return {
        METADATA_KEY: {
            "schema": SCHEMA_VERSION,
            "run": _notebook_record(run),
            "lineage": [r.summary() for r in earlier[-LINEAGE_LIMIT:]],
            "lineage_total": len(earlier),
        }
    }


def refer_to_plain(metadata: dict[str, Any], plain: str) -> dict[str, Any]:
    """``metadata`` (from ``output_metadata``) with the run's texts found in ``plain`` replaced by slices of it.

    ``plain`` must be the ``text/plain`` of the output that carries the metadata. A text is only
    replaced by a slice that equals it, so whatever ``plain`` looks like the run reads back whole.
    """
    carried = metadata.get(METADATA_KEY)
    if not isinstance(carried, dict) or not isinstance(carried.get("run"), dict):
        return metadata
    cursor = 0  # the texts appear in order: look after the last one first

    def refer(value: Any) -> Any:
        nonlocal cursor
        if not isinstance(value, str) or len(value) < _REFERRED_MIN:
            return value
        start = plain.find(value, cursor)
        if start < 0:
            start = plain.find(value)
        if start < 0:
            return value
        cursor = start + len(value)
        return {PLAIN_KEY: [start, cursor]}

    run = _map_texts(carried["run"], refer)
    if run == carried["run"]:
        return metadata
    return {**metadata, METADATA_KEY: {**carried, "run": run, "plain_length": len(plain)}}


def runs_of_output(output: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored runs a saved output carries, in order, their texts taken back from the output's text/plain.

    A run's final output carries one run (``"run"``); the output of ``%%claude --models`` / ``--repeat``
    carries one record per column and step (``"runs"``), each shaped like a single run's metadata and
    referring to the same text/plain. If that text/plain is not the one the slices were taken from
    (missing, or changed since), the runs come back without their texts and responses: known, listed,
    but not replayable.
    """
    return [record["run"] for record in _carried_records(output)]


def run_of_output(output: dict[str, Any]) -> dict[str, Any] | None:
    """The last run a saved output carries (its only one, unless it shows columns), or None."""
    runs = runs_of_output(output)
    return runs[-1] if runs else None


def _carried_records(output: dict[str, Any]) -> list[dict[str, Any]]:
    """Each run record an output's metadata carries (with its lineage), the run's texts restored."""
    carried = (output.get("metadata") or {}).get(METADATA_KEY)
    if not isinstance(carried, dict):
        return []
    records = carried.get("runs") if isinstance(carried.get("runs"), list) else [carried]
    plain = (output.get("data") or {}).get("text/plain")
    if isinstance(plain, list):  # nbformat's multiline form, as json.load leaves it
        plain = "".join(plain)
    return [
        {**record, "run": _restored(record, plain)}
        for record in records
        if isinstance(record, dict) and isinstance(record.get("run"), dict)
    ]


def _restored(record: dict[str, Any], plain: Any) -> dict[str, Any]:
    run = record["run"]
    if "plain_length" not in record:
        return run
    if not isinstance(plain, str) or len(plain) != record["plain_length"]:
        return {k: v for k, v in run.items() if k not in ("text", "response")}

    def restore(value: Any) -> Any:
        if isinstance(value, dict) and PLAIN_KEY in value:
            start, stop = value[PLAIN_KEY]
            return plain[start:stop]
        return value

    return _map_texts(run, restore)


def _map_texts(run: dict[str, Any], change: Callable[[Any], Any]) -> dict[str, Any]:
    """A copy of stored run JSON with ``change`` applied to its text and its content blocks' text and thinking."""
    changed = dict(run)
    if "text" in changed:
        changed["text"] = change(changed["text"])
    response = changed.get("response")
    if isinstance(response, dict) and isinstance(response.get("content"), list):
        content = [
            {**block, **{key: change(block[key]) for key in _REFERRED_FIELDS if key in block}}
            if isinstance(block, dict) else block
            for block in response["content"]
        ]
        changed["response"] = {**response, "content": content}
    return changed


@dataclass
class SavedRuns:
    """What a saved notebook knows: ``records`` (stored run JSON, oldest first) and where blobs are."""

    records: list[dict[str, Any]]
    blobs: list[BlobSource] = field(default_factory=list)
    journal_path: Path | None = None

    @functools.cached_property
    def runs(self) -> list[Run]:
        from .record import Run

        return [Run.model_validate(record) for record in self.records]

    def summaries(self) -> list[dict[str, Any]]:
        """Listing data without building Run objects (fast for thousands of runs)."""
        return [summarize(record) for record in self.records]


def read_saved_runs(path: str | os.PathLike[str], *, journal: bool = True) -> SavedRuns:
    """Every run a saved notebook knows about (and its sibling journal's, unless journal=False)."""
    notebook_file = Path(path)
    with open(notebook_file, encoding="utf-8") as f:
        notebook = json.load(f)
    summaries: dict[str, dict[str, Any]] = {}
    outputs: dict[str, dict[str, Any]] = {}
    embedded: dict[str, dict[str, Any]] = {}
    top = (notebook.get("metadata") or {}).get(METADATA_KEY) or {}
    requests = top.get("requests") or {}

    def take_embedded(records: list[dict[str, Any]]) -> None:
        for record in records:
            request = record.get("request")
            if isinstance(request, dict) and REQUEST_KEY in request:
                record = {**record, "request": requests.get(request[REQUEST_KEY])}
            embedded[record["run_id"]] = record

    for cell in notebook.get("cells") or []:
        take_embedded(((cell.get("metadata") or {}).get(METADATA_KEY) or {}).get("runs") or [])
        for output in cell.get("outputs") or []:
            for record in _carried_records(output):
                for summary in record.get("lineage") or []:
                    summaries[summary["run_id"]] = stored_from_summary(summary)
                outputs[record["run"]["run_id"]] = record["run"]
    take_embedded(top.get("runs") or [])

    layers = [summaries, outputs, embedded]
    blobs: list[BlobSource] = [EmbeddedBlobs(top.get("blobs") or {})]
    journal_file = None
    if journal:
        journal_file = journal_path_for(notebook_file)
        sibling = Journal(journal_file)
        layers.append(sibling.states(_embedded_offset(sibling, top)))
        blobs.insert(0, sibling.blobs)
    merged: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for run_id, data in layer.items():
            known = merged.get(run_id)
            if known is None:
                merged[run_id] = data
                continue
            merged[run_id] = {**known, **data}
            if "text" not in data and "response" in data:
                merged[run_id].pop("text", None)  # an earlier layer's text (a preview) yields to the response's
    records = sorted(merged.values(), key=lambda data: data.get("created_at") or "")
    return SavedRuns(records, blobs, journal_file)


def _journal_mark(journal: Journal, offset: int) -> dict[str, Any]:
    return {"offset": offset, "tail": _tail_digest(journal.path, offset)}


def _embedded_offset(journal: Journal, top: dict[str, Any]) -> int:
    """Where to start folding the journal: after what the notebook already embeds, if it is that journal."""
    mark = top.get("journal") or {}
    offset = mark.get("offset") or 0
    if offset and _tail_digest(journal.path, offset) == mark.get("tail"):
        return offset
    return 0


def _tail_digest(path: Path, offset: int) -> str | None:
    """Identifies a journal prefix by its last (up to) 4 KB."""
    try:
        with open(path, "rb") as f:
            start = max(0, offset - 4096)
            f.seek(start)
            chunk = f.read(offset - start)
    except OSError:
        return None
    return hashlib.sha256(chunk).hexdigest() if len(chunk) == offset - start else None


# -- embed ------------------------------------------------------------------------------------


@dataclass
class EmbedReport:
    path: Path
    runs: int
    cells: int
    orphans: int
    blobs: int
    missing_blobs: list[str]


def embed(path: str | os.PathLike[str], *, force: bool = False, include_blobs: bool = True) -> EmbedReport:
    """Write every run known for a notebook into its own metadata (cells + notebook level).

    Refuses a notebook open in a running Jupyter server unless ``force``: the editor's next save
    would overwrite (or race with) this write.
    """
    import nbformat

    notebook_file = Path(path).absolute()
    if not force:
        servers = open_in_jupyter(notebook_file)
        if servers:
            raise NotebookOpenError(
                f"{notebook_file.name} is open in a running Jupyter server ({servers[0]}); "
                "close it there first, or pass --force"
            )
    journal = Journal(journal_path_for(notebook_file))
    offset = journal.checkpoint()
    saved = read_saved_runs(notebook_file)
    notebook = nbformat.read(notebook_file, as_version=4)
    cell_ids = {cell.get("id") for cell in notebook.cells}
    requests: dict[str, Any] = {}
    refs: set[str] = set()
    per_cell: dict[str, list[dict[str, Any]]] = {}
    orphans: list[dict[str, Any]] = []
    for run in saved.runs:
        record = _notebook_record(run)
        if run.request is not None:
            key = hashlib.sha256(json.dumps(run.request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
            requests[key] = run.request
            refs |= blob_refs(run.request)
            record["request"] = {REQUEST_KEY: key}
        if run.cell_id in cell_ids:
            per_cell.setdefault(run.cell_id, []).append(record)  # type: ignore[arg-type]
        else:
            orphans.append(record)
    for cell in notebook.cells:
        if cell.get("id") in per_cell:
            cell.metadata[METADATA_KEY] = {"runs": per_cell[cell["id"]]}
        else:
            cell.metadata.pop(METADATA_KEY, None)
    blobs, missing = _gather_blobs(refs, saved.blobs) if include_blobs else ({}, [])
    notebook.metadata[METADATA_KEY] = {
        "schema": SCHEMA_VERSION,
        "index": [{k: v for k, v in run.summary().items() if k in _INDEX_FIELDS} for run in saved.runs],
        "requests": requests,
        "blobs": blobs,
        "runs": orphans,
        "journal": _journal_mark(journal, offset),
    }
    nbformat.validate(notebook)
    _write_atomically(notebook_file, nbformat.writes(notebook))
    return EmbedReport(notebook_file, len(saved.runs), len(per_cell), len(orphans), len(blobs), missing)


def _gather_blobs(refs: set[str], sources: list[BlobSource]) -> tuple[dict[str, str], list[str]]:
    import base64

    found: dict[str, str] = {}
    missing: list[str] = []
    for ref in sorted(refs):
        data = next((d for d in (s.get(ref) for s in sources) if d is not None), None)
        if data is None:
            missing.append(ref)
        else:
            found[ref] = base64.b64encode(data).decode("ascii")
    return found, missing


def _write_atomically(target: Path, text: str) -> None:
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)


# -- is it open? --------------------------------------------------------------------------------


def open_in_jupyter(path: str | os.PathLike[str], *, timeout: float = 2.0) -> list[str]:
    """URLs of running Jupyter servers that have a session on this notebook (empty if none or unknown)."""
    try:
        from jupyter_core.paths import jupyter_runtime_dir
    except ImportError:
        return []
    import httpx

    target = Path(path).resolve()
    found = []
    for info in _server_infos(Path(jupyter_runtime_dir())):
        url = info.get("url", "")
        root = Path(info.get("root_dir") or info.get("notebook_dir") or "/")
        headers = {"Authorization": f"token {info['token']}"} if info.get("token") else {}
        try:
            response = httpx.get(url.rstrip("/") + "/api/sessions", headers=headers, timeout=timeout)
            sessions = response.json() if response.status_code == 200 else []
        except (httpx.HTTPError, ValueError):
            continue  # a stale runtime file: that server is gone
        for session in sessions if isinstance(sessions, list) else []:
            session_path = session.get("path") or (session.get("notebook") or {}).get("path")
            if session_path and (root / session_path).resolve() == target:
                found.append(url)
                break
    return found


def _server_infos(runtime_dir: Path) -> list[dict[str, Any]]:
    infos = []
    for file in sorted(runtime_dir.glob("jpserver-*.json")) + sorted(runtime_dir.glob("nbserver-*.json")):
        try:
            infos.append(json.loads(file.read_text()))
        except (OSError, ValueError):
            continue
    return infos
