"""The run record: one call to Claude, as the ledger keeps it.

Schema version 1 (``Run.schema_version``). Every field is JSON; unknown fields written by a
newer workbench are kept when a record is read back (``extra="allow"``).

Identity and lineage
    ``run_id``          uuid4 hex, unique per run (a replay is a new run)
    ``notebook_path``   absolute path of the notebook, or None when it could not be learned
    ``cell_id``         the cell id sent by the frontend in the execute request (raw: an nbformat
                        id, a ``vscode-notebook-cell:`` URI, or None under nbclient/papermill)
    ``name``            the run name given on the magic line (``%%claude -n summarize``), or None
    ``group``           the lineage key: ``name:<name>``, else ``cell:<cell_id>`` for a persistent
                        cell id, else ``prompt:<fingerprint prefix>``
    ``version``         1-based prompt version within the group: the same canonical request keeps
                        its version number, a changed request gets the next one
    ``parent_id``       the group's latest run when this one started (None for the first)
    ``execution_count`` / ``kernel_id``  where it ran

Time
    ``created_at`` / ``finished_at``  ISO 8601 UTC strings
    ``timings``          seconds from sending the request: ``first_byte``, ``first_delta``, ``total``

The call
    ``backend``          "simulator", "anthropic", or the base URL used
    ``api_version``      the ``anthropic-version`` header; ``betas`` the ``anthropic-beta`` values
    ``request``          the canonical Messages body: base64 ``data`` of images and PDFs replaced by
                         ``{"$blob": "sha256:<hex>"}`` (bytes stored once, see ``blobs.py``)
    ``media``            where each image/PDF of the request came from, by the sha256 hex of its bytes:
                         ``{"kind": "path" | "bytes" | "pil" | "figure" | "ipython_image", "media_type",
                         "path"}``, the path (files only) relative to the notebook's folder when the file
                         is inside it, else absolute (absolute paths are never written into notebooks);
                         exporters read the files at run time instead of inlining base64
    ``fingerprint``      sha256 hex of the canonical request + api_version + betas; equal
                         fingerprints may be replayed from the ledger
    ``model``

The outcome
    ``status``           "ok" | "error" | "interrupted" | "partial" (started, never finished:
                         the kernel died or the stream ended early)
    ``response``         the Message JSON, or None
    ``text``             the reply's text (the text that arrived, when the run failed)
    ``error``            one line, or None
    ``stop_reason``, ``usage`` (the API's usage object), ``cost`` (USD; None = price unknown)
    ``replayed``         True when served from the ledger (cost 0); ``replayed_from`` the run it copies
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ._stored import is_empty, label_of, now_iso, reply_text, restore_text, stored_from_summary, summarize

SCHEMA_VERSION = 1

Status = Literal["ok", "error", "interrupted", "partial"]


def new_run_id() -> str:
    return uuid.uuid4().hex


def fingerprint_of(request: dict, api_version: str | None, betas: tuple[str, ...] | list[str] = ()) -> str:
    """sha256 of the request + api_version + betas as canonical JSON (sorted keys, no spaces)."""
    payload = {"request": request, "api_version": api_version, "betas": sorted(betas)}
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class Timings(BaseModel):
    model_config = ConfigDict(extra="allow")

    first_byte: float | None = None
    first_delta: float | None = None
    total: float | None = None


class Run(BaseModel):
    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    run_id: str = Field(default_factory=new_run_id)
    notebook_path: str | None = None
    cell_id: str | None = None
    name: str | None = None
    group: str | None = None
    version: int = 1
    parent_id: str | None = None
    execution_count: int | None = None
    kernel_id: str | None = None
    created_at: str = Field(default_factory=now_iso)
    finished_at: str | None = None
    backend: str | None = None
    api_version: str | None = None
    betas: list[str] = Field(default_factory=list)
    model: str | None = None
    request: dict[str, Any] | None = None
    media: dict[str, dict[str, str]] = Field(default_factory=dict)
    fingerprint: str | None = None
    status: Status = "partial"
    response: dict[str, Any] | None = None
    text: str = ""
    error: str | None = None
    stop_reason: str | None = None
    usage: dict[str, Any] = Field(default_factory=dict)
    cost: float | None = None
    timings: Timings = Field(default_factory=Timings)
    replayed: bool = False
    replayed_from: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _text_from_response(cls, data: Any) -> Any:
        # Stored runs leave out a text the response repeats (see to_stored).
        return restore_text(data) if isinstance(data, dict) else data

    @property
    def label(self) -> str:
        """Short human handle: ``summarize@2`` for named runs, ``v2`` for a cell's runs."""
        return label_of(self.name, self.version)

    @property
    def input_tokens(self) -> int:
        return int(self.usage.get("input_tokens") or 0)

    @property
    def output_tokens(self) -> int:
        return int(self.usage.get("output_tokens") or 0)

    def summary(self) -> dict[str, Any]:
        """The compact form used for lineage and listings (no request, no response)."""
        return summarize(self.model_dump(mode="json", exclude={"request", "response"}))

    @classmethod
    def from_summary(cls, summary: dict[str, Any]) -> Run:
        """A partial Run rebuilt from ``summary()`` (request and response unknown)."""
        return cls.model_validate(stored_from_summary(summary))

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_stored(self, *, exclude: set[str] | frozenset[str] = frozenset()) -> dict[str, Any]:
        """The compact JSON kept in journals and notebooks.

        Empty values (None, [], {}, False) are left out since they are the defaults, and the text
        is left out when the response holds exactly that text (validation puts it back).
        """
        data = self.model_dump(mode="json", exclude=set(exclude))
        if "timings" in data:
            data["timings"] = {k: v for k, v in data["timings"].items() if v is not None}
        if self.response is not None and self.text == reply_text(self.response):
            del data["text"]
        return {k: v for k, v in data.items() if k == "text" or not is_empty(v)}

    def to_code(self, lang: str = "python", **options: Any) -> str:
        """Code that sends this run's request again (``workbench.export.run_to_code``).

        Pass ``blobs=`` (a BlobStore, or a list of blob sources) to put images and PDFs back.
        """
        from workbench.export import run_to_code

        return run_to_code(self, lang, **options)
