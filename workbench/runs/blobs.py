"""Content-addressed storage for the large parts of a request (images, PDFs).

A request is *canonicalized* before it is journaled: every base64 ``source.data`` of a content
block (image, document, anywhere in the body, tool results included) becomes
``{"$blob": "sha256:<hex of the decoded bytes>"}`` and the bytes are written once to
``<journal_dir>/blobs/<hex>``. ``restore_request`` puts the base64 back. Re-running a prompt
with a 1 MB image a hundred times stores the image once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

BLOB_KEY = "$blob"


class BlobSource(Protocol):
    def get(self, ref: str) -> bytes | None: ...


class MissingBlobError(LookupError):
    def __init__(self, ref: str) -> None:
        super().__init__(f"blob {ref} is not in the journal's blob store nor in the notebook (run `workbench embed`)")
        self.ref = ref


def blob_ref(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class BlobStore:
    """A directory of files named by the sha256 of their content."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def path_for(self, ref: str) -> Path:
        algorithm, _, digest = ref.partition(":")
        if algorithm != "sha256" or len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a blob ref: {ref!r}")
        return self.directory / digest

    def put(self, data: bytes) -> str:
        ref = blob_ref(data)
        target = self.path_for(ref)
        if target.exists():
            return ref
        self.directory.mkdir(parents=True, exist_ok=True)
        # Write to a temporary name then rename, so a crash never leaves a truncated blob under its hash.
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return ref

    def get(self, ref: str) -> bytes | None:
        try:
            return self.path_for(ref).read_bytes()
        except (FileNotFoundError, ValueError):
            return None


class EmbeddedBlobs:
    """Blobs carried in notebook metadata: ``{ref: base64 text}``."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = mapping

    def get(self, ref: str) -> bytes | None:
        encoded = self.mapping.get(ref)
        return None if encoded is None else base64.b64decode(encoded)


def canonicalize_request(request: Any, store: BlobStore) -> Any:
    """A copy of ``request`` with every base64 block source's data moved into ``store``."""
    if isinstance(request, list):
        return [canonicalize_request(item, store) for item in request]
    if not isinstance(request, dict):
        return request
    if request.get("type") == "base64" and isinstance(request.get("data"), str):
        try:
            data = base64.b64decode(request["data"], validate=True)
        except binascii.Error:
            return request  # not media after all (a tool input, say): keep it as it is
        return {**request, "data": {BLOB_KEY: store.put(data)}}
    return {key: canonicalize_request(value, store) for key, value in request.items()}


def blob_refs(request: Any) -> set[str]:
    """Every blob ref used by a canonical request."""
    found: set[str] = set()
    stack = [request]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if BLOB_KEY in item and len(item) == 1:
                found.add(item[BLOB_KEY])
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def restore_request(request: Any, sources: BlobSource | Iterable[BlobSource]) -> Any:
    """The request as sent: blob refs replaced by base64 data. Raises MissingBlobError."""
    chain = [sources] if hasattr(sources, "get") else list(sources)  # type: ignore[arg-type]

    def lookup(ref: str) -> str:
        for source in chain:
            data = source.get(ref)
            if data is not None:
                return base64.b64encode(data).decode("ascii")
        raise MissingBlobError(ref)

    def walk(item: Any) -> Any:
        if isinstance(item, list):
            return [walk(x) for x in item]
        if not isinstance(item, dict):
            return item
        if BLOB_KEY in item and len(item) == 1:
            return lookup(item[BLOB_KEY])
        return {key: walk(value) for key, value in item.items()}

    return walk(request)
