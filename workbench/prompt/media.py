"""Kernel objects -> image and document content blocks (paths, URLs, bytes, PIL images, matplotlib figures)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench._media_header import API_IMAGE_TYPES, image_size, sniff_media_type
from workbench.prompt.errors import PromptError, kind_of
from workbench.prompt.spec import MediaRef

IMAGE_TYPES = API_IMAGE_TYPES
MAX_IMAGE_BASE64 = 5 * 1024 * 1024
MAX_IMAGE_SIDE = 8000
MAX_PDF_BASE64 = 32 * 1024 * 1024  # the whole request may not exceed 32 MB

_SUPPORTED = ", ".join(IMAGE_TYPES)


@dataclass(frozen=True)
class Media:
    """A content block, and where its bytes came from (None for URLs and inline text)."""

    block: dict[str, Any]
    sha256: str | None = None
    ref: MediaRef | None = None
    size: tuple[int, int] | None = None  # pixels, for images with inline bytes


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def resolve_path(value: str | os.PathLike[str], base_dir: str | os.PathLike[str] | None) -> Path:
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = Path(base_dir if base_dir is not None else os.getcwd()) / path
    return path


def read_file(value: str | os.PathLike[str], base_dir: str | os.PathLike[str] | None, what: str) -> tuple[Path, bytes]:
    path = resolve_path(value, base_dir)
    try:
        return path, path.read_bytes()
    except FileNotFoundError:
        raise PromptError(f"{what} file not found: {os.fspath(value)}") from None
    except IsADirectoryError:
        raise PromptError(f"{what} path is a directory, not a file: {os.fspath(value)}") from None
    except OSError as exc:
        raise PromptError(f"cannot read {what} file {os.fspath(value)}: {exc.strerror or exc}") from None


def _base64_len(n: int) -> int:
    return 4 * ((n + 2) // 3)


def _is_from(value: Any, package: str) -> bool:
    module = type(value).__module__ or ""
    return module == package or module.startswith(package + ".")


def _pil_png(img: Any) -> bytes:
    if img.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        img = img.convert("RGBA" if "A" in img.mode else "RGB")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _figure_png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def _image_bytes(value: Any, base_dir: Any) -> tuple[bytes, str, str | None, str] | str:
    """The raw bytes of an image-like value with (kind, path, origin) — or its URL."""
    if isinstance(value, str) and is_url(value):
        return value
    if isinstance(value, (str, os.PathLike)):
        path, data = read_file(value, base_dir, "image")
        return data, "path", str(path), os.fspath(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value), "bytes", None, "bytes"
    if _is_from(value, "PIL") and hasattr(value, "save"):
        return _pil_png(value), "pil", None, "PIL image"
    if _is_from(value, "matplotlib") and hasattr(value, "savefig"):
        return _figure_png(value), "figure", None, "matplotlib figure"
    if _is_from(value, "IPython") and hasattr(value, "data") and hasattr(value, "url"):
        if getattr(value, "filename", None):
            path, data = read_file(value.filename, base_dir, "image")
            return data, "path", str(path), os.fspath(value.filename)
        if isinstance(value.data, bytes):
            return value.data, "ipython_image", None, "IPython Image"
        if value.url:
            return value.url
    raise PromptError(
        f"image() cannot use {kind_of(value)}; pass a path, an http(s) URL, bytes, "
        "a PIL image, a matplotlib figure or an IPython Image"
    )


def image_block(value: Any, base_dir: Any = None) -> Media:
    """An `image` content block for a path, URL, bytes, PIL image, matplotlib figure or IPython Image."""
    got = _image_bytes(value, base_dir)
    if isinstance(got, str):
        return Media(block={"type": "image", "source": {"type": "url", "url": got}})
    data, kind, path, origin = got
    media_type = sniff_media_type(data)
    if media_type not in IMAGE_TYPES:
        found = f"image type {media_type}" if media_type else "image type (unrecognized bytes)"
        raise PromptError(f"unsupported {found} in {origin} (supported: {_SUPPORTED})")
    encoded = _base64_len(len(data))
    if encoded > MAX_IMAGE_BASE64:
        raise PromptError(
            f"image too large: {encoded / 1048576:.1f} MB as base64 (the API limit is 5 MB per image): {origin}"
        )
    size = image_size(data)
    if size and max(size) > MAX_IMAGE_SIDE:
        raise PromptError(
            f"image too large: {size[0]}x{size[1]} px (the API limit is {MAX_IMAGE_SIDE} px per side): {origin}"
        )
    block = {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": base64.b64encode(data).decode("ascii")},
    }
    ref = MediaRef(kind=kind, media_type=media_type, path=path, size=len(data))
    return Media(block=block, sha256=hashlib.sha256(data).hexdigest(), ref=ref, size=size)


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and len(text) < 1024 and text.strip() == text and text != ""


def document_block(
    value: Any,
    base_dir: Any = None,
    *,
    title: str | None = None,
    context: str | None = None,
    citations: bool = False,
) -> Media:
    """A `document` block: PDF path/URL/bytes -> base64/url source; other text -> a plain-text document."""
    media = _document_source(value, base_dir)
    block = media.block
    if title is not None:
        block["title"] = str(title)
    if context is not None:
        block["context"] = str(context)
    if citations:
        block["citations"] = {"enabled": True}
    return media


def _document_source(value: Any, base_dir: Any) -> Media:
    if isinstance(value, str) and is_url(value):
        return Media(block={"type": "document", "source": {"type": "url", "url": value}})
    if isinstance(value, os.PathLike) or (
        isinstance(value, str)
        and _looks_like_path(value)
        and (value.lower().endswith(".pdf") or resolve_path(value, base_dir).is_file())
    ):
        path, data = read_file(value, base_dir, "document")
        return _document_bytes(data, "path", str(path), os.fspath(value))
    if isinstance(value, str):
        if not value.strip():
            raise PromptError("document() was given empty text")
        return Media(block={"type": "document", "source": _text_source(value)})
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _document_bytes(bytes(value), "bytes", None, "bytes")
    raise PromptError(f"document() cannot use {kind_of(value)}; pass a PDF path, an http(s) URL, PDF bytes or text")


def _text_source(text: str) -> dict[str, Any]:
    return {"type": "text", "media_type": "text/plain", "data": text}


def _document_bytes(data: bytes, kind: str, path: str | None, origin: str) -> Media:
    media_type = sniff_media_type(data)
    if media_type == "application/pdf":
        if _base64_len(len(data)) > MAX_PDF_BASE64:
            raise PromptError(
                f"PDF too large: {len(data) / 1048576:.1f} MB (the API limit is 32 MB per request): {origin}"
            )
        block = {
            "type": "document",
            "source": {"type": "base64", "media_type": media_type, "data": base64.b64encode(data).decode("ascii")},
        }
        ref = MediaRef(kind=kind, media_type=media_type, path=path, size=len(data))
        return Media(block=block, sha256=hashlib.sha256(data).hexdigest(), ref=ref)
    if media_type is not None and media_type.startswith("image/"):
        raise PromptError(f"document() got an image ({media_type}) in {origin}; use image() for images")
    if kind == "path":
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise PromptError(f"document() expects a PDF or a UTF-8 text file: {origin}") from None
        return Media(block={"type": "document", "source": _text_source(text)})
    raise PromptError("document() expects PDF bytes (starting with %PDF-); pass text as a str")


def include_text(value: Any, base_dir: Any = None) -> str:
    """The contents of a UTF-8 text file, relative to the notebook's directory."""
    if not isinstance(value, (str, os.PathLike)):
        raise PromptError(f"include() expects a file path, got {kind_of(value)}")
    _, data = read_file(value, base_dir, "include")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise PromptError(f"include() expects a UTF-8 text file: {os.fspath(value)}") from None
