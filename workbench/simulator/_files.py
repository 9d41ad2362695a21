"""The Files API store: multipart uploads, metadata, cursor-paged listing, expiry, deletion."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from typing import Any

from workbench.simulator._errors import SimError, invalid
from workbench.simulator._pages import Query, page_limit
from workbench.simulator.clock import rfc3339

MIN_EXPIRY, MAX_EXPIRY = 3600, 7_776_000


@dataclass
class StoredFile:
    meta: dict[str, Any]
    data: bytes
    expires: float | None

    def alive(self, now: float) -> bool:
        return self.expires is None or self.expires > now


class FileStore:
    def __init__(self) -> None:
        self._files: dict[str, StoredFile] = {}

    def upload(self, body: bytes, content_type: str, file_id: str, now: float) -> dict[str, Any]:
        parts = _multipart(body, content_type)
        if "file" not in parts:
            raise invalid("file: Field required")
        headers, data = parts["file"]
        filename = (headers.get("filename") or "").replace("\\", "/").rsplit("/", 1)[-1] or "unnamed"
        mime = headers.get("content-type") or ""
        if not mime or mime == "application/octet-stream":
            mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        expires = None
        if "expires_in_seconds" in parts:
            raw = parts["expires_in_seconds"][1].decode("utf-8", "replace").strip()
            seconds = int(raw) if raw.isdigit() else -1
            if not MIN_EXPIRY <= seconds <= MAX_EXPIRY:
                raise invalid(f"expires_in_seconds: Input should be between {MIN_EXPIRY} and {MAX_EXPIRY}")
            expires = now + seconds
        meta = {
            "id": file_id,
            "type": "file",
            "filename": filename,
            "mime_type": mime,
            "size_bytes": len(data),
            "created_at": rfc3339(now),
            "downloadable": False,
            "expires_at": rfc3339(expires) if expires is not None else None,
        }
        self._files[file_id] = StoredFile(meta, data, expires)
        return meta

    def lookup(self, file_id: str, now: float) -> tuple[str, bytes] | None:
        """(mime type, bytes) of a live file, for content blocks that name it."""
        found = self._files.get(file_id)
        return (found.meta["mime_type"], found.data) if found and found.alive(now) else None

    def find(self, file_id: str, now: float) -> StoredFile:
        found = self._files.get(file_id)
        if found is None:
            raise SimError(404, f"File not found: {file_id}")
        if not found.alive(now):
            raise SimError(404, f"File expired: {file_id}", error_code="file_expired")
        return found

    def delete(self, file_id: str, now: float) -> dict[str, Any]:
        self.find(file_id, now)
        del self._files[file_id]
        return {"id": file_id, "type": "file_deleted"}

    def content(self, file_id: str, now: float) -> StoredFile:
        found = self.find(file_id, now)
        if not found.meta["downloadable"]:
            raise invalid(f"File {file_id} is not downloadable", error_code="file_not_downloadable")
        return found

    def page(self, query: Query, now: float) -> dict[str, Any]:
        """A cursor page, newest first: `limit` and `page`, or `ids[]` for exactly those files."""
        alive = [f.meta for f in reversed(self._files.values()) if f.alive(now)]
        ids = query.get("ids[]") or query.get("ids")
        if ids:
            return {"data": [m for m in alive if m["id"] in ids], "next_page": None}
        limit = page_limit(query)
        start = 0
        cursor = (query.get("page") or [None])[0]
        if cursor:
            after = cursor.removeprefix("page_")
            start = next((i + 1 for i, m in enumerate(alive) if m["id"] == after), len(alive))
        page = alive[start : start + limit]
        more = start + limit < len(alive)
        return {"data": page, "next_page": f"page_{page[-1]['id']}" if more and page else None}


def _multipart(body: bytes, content_type: str) -> dict[str, tuple[dict[str, str], bytes]]:
    """Form parts by name: ({"filename", "content-type"}, bytes)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or match is None:
        raise invalid("content-type: expected multipart/form-data with a boundary")
    parts: dict[str, tuple[dict[str, str], bytes]] = {}
    for chunk in body.split(b"--" + match.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        info: dict[str, str] = {}
        name = None
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            if key.lower() == "content-disposition":
                name_match = re.search(r'\bname="([^"]*)"', value)
                file_match = re.search(r'filename="([^"]*)"', value)
                name = name_match.group(1) if name_match else None
                if file_match:
                    info["filename"] = file_match.group(1)
            elif key.lower() == "content-type":
                info["content-type"] = value.strip()
        if name:
            parts[name] = (info, data)
    return parts
