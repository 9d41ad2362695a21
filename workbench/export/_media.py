"""Base64 images and PDFs in a request, and how an exported program gets them back.

Each distinct blob becomes one named variable. Where it comes from at run time depends on the mode:
"inline" (the base64 text itself, kept out of the prompt), "path" (read from its file, relative to the
notebook), or "file_id" (a Files API id, uploaded from its file at run time unless one was recorded).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import keyword
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath

MEDIA_MODES = ("inline", "path", "file_id")
# Names the programs already use (or cannot use); a file called `client` must not shadow the client.
_TAKEN_NAMES = frozenset(keyword.kwlist) | {
    "anthropic", "base64", "base_url", "block", "body", "client", "event", "fs", "headers", "httpx",
    "delta", "json", "line", "message", "os", "response", "stream", "text", "upload",
    # JavaScript reserved words and globals the TypeScript program uses
    "case", "catch", "const", "default", "delete", "do", "enum", "export", "extends", "function", "let",
    "new", "process", "static", "super", "switch", "this", "throw", "typeof", "var", "void",
}  # fmt: skip


@dataclass(frozen=True)
class Blob:
    """One distinct base64 payload of the request and where the exported program gets it."""

    name: str  # snake_case stem; each language spells it its own way
    media_type: str
    data: str  # base64, as sent
    source: str  # "inline", "path" or "file_id"
    path: str | None = None  # relative, POSIX separators; set when source is "path" or an upload
    file_id: str | None = None  # set when a recorded Files API id is reused

    @property
    def filename(self) -> str:
        return PurePosixPath(self.path).name if self.path else self.name


def _base64_sources(value: object) -> Iterator[tuple[dict, str]]:
    """(source dict, kind of the block holding it) for every base64 source, in request order."""
    if isinstance(value, dict):
        source = value.get("source")
        if (
            isinstance(source, dict)
            and source.get("type") == "base64"
            and isinstance(source.get("data"), str)
        ):
            yield source, str(value.get("type", "media"))
        for item in value.values():
            yield from _base64_sources(item)
    elif isinstance(value, list):
        for item in value:
            yield from _base64_sources(item)


def _digest(data: str) -> str:
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raw = data.encode()
    return hashlib.sha256(raw).hexdigest()


def _ref_field(ref: object, name: str) -> object:
    if isinstance(ref, Mapping):
        return ref.get(name)
    return getattr(ref, name, None)


def _portable_path(path: str, media_root: str | os.PathLike | None) -> str:
    """A path the exported program can use on another machine: relative to the notebook, else the file name."""
    if not os.path.isabs(path):
        return PurePath(path).as_posix()
    if media_root is not None:
        try:
            return PurePath(os.path.relpath(path, os.path.abspath(media_root))).as_posix()
        except ValueError:  # on another drive (Windows): no relative path exists
            pass
    return PurePath(path).name


def _stem(path: str | None, kind: str) -> str:
    if path:
        stem = re.sub(r"\W+", "_", PurePosixPath(path).name.lower()).strip("_")
        if stem:
            return stem if not stem[0].isdigit() else f"{kind}_{stem}"
    return kind


def extract(
    request: dict,
    media: Mapping[str, object] | None,
    mode: str,
    media_root: str | os.PathLike | None = None,
) -> tuple[dict, list[Blob], list[tuple[dict, Blob]]]:
    """A copy of `request`, its distinct blobs in order, and each base64 source dict of the copy with its blob."""
    request = copy.deepcopy(request)
    blobs: dict[str, Blob] = {}
    sources: list[tuple[dict, Blob]] = []
    used_names = set(_TAKEN_NAMES)
    for source, kind in _base64_sources(request):
        key = _digest(source["data"])
        if key not in blobs:
            ref = (media or {}).get(key) or (media or {}).get(f"sha256:{key}")
            blobs[key] = _blob(source, kind, ref, mode, media_root, used_names)
        sources.append((source, blobs[key]))
    return request, list(blobs.values()), sources


def _blob(
    source: dict,
    kind: str,
    ref: object,
    mode: str,
    media_root: str | os.PathLike | None,
    used_names: set[str],
) -> Blob:
    recorded_path = _ref_field(ref, "path") if ref is not None else None
    path = _portable_path(str(recorded_path), media_root) if recorded_path else None
    file_id = _ref_field(ref, "file_id") if ref is not None else None
    if mode == "file_id" and (file_id or path):
        how = "file_id"
    elif mode == "path" and path:
        how = "path"
    else:  # nothing to read at run time: the bytes travel with the program
        how = "inline"
    name = base = _stem(path, kind)
    counter = 2
    while name in used_names:
        name, counter = f"{base}_{counter}", counter + 1
    used_names.add(name)
    return Blob(
        name=name,
        media_type=str(source.get("media_type", "application/octet-stream")),
        data=source["data"],
        source=how,
        path=path,
        file_id=str(file_id) if file_id and how == "file_id" else None,
    )
