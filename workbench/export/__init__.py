"""Code that sends exactly the same Messages API request as a run or a composed prompt.

    to_code(request, lang="python")                      # the official anthropic SDK
    to_code(request, lang="httpx", stream=True)          # plain httpx, reading the SSE stream
    to_code(request, lang="curl", media=spec.media, media_mode="path")
    to_code(request, lang="typescript", api_version="2026-10-21")
    run_to_code(run, "python")                           # a recorded Run (its blob refs restored)

Every program reads the key from ANTHROPIC_API_KEY and honours ANTHROPIC_BASE_URL; the key itself is never
written. A run recorded under a version other than the SDKs' default pins `anthropic-version`, and body
fields the SDKs no longer type (temperature, top_p, top_k under 2023-06-01) go through `extra_body`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from workbench.export._curl import curl_context
from workbench.export._media import MEDIA_MODES
from workbench.export._program import Program, build
from workbench.export._python import httpx_context, sdk_context
from workbench.export._typescript import typescript_context

if TYPE_CHECKING:
    import jinja2

__all__ = ["ExportError", "languages", "media_modes", "run_to_code", "spec_to_code", "to_code"]

_CONTEXTS: dict[str, Callable[[Program], dict]] = {
    "python": sdk_context,
    "httpx": httpx_context,
    "curl": curl_context,
    "typescript": typescript_context,
}
languages = tuple(_CONTEXTS)
media_modes = MEDIA_MODES


class ExportError(ValueError):
    """A request or an option that cannot be exported (one line)."""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is source code, not HTML
    )


def to_code(
    request: dict,
    *,
    lang: str,
    api_version: str = "2023-06-01",
    betas: Sequence[str] = (),
    stream: bool = False,
    base_url: str | None = None,
    media: Mapping[str, object] | None = None,
    media_mode: str = "inline",
    media_root: str | os.PathLike | None = None,
) -> str:
    """Source code in `lang` that sends `request` (a Messages API body) and prints the reply's text.

    `media` maps the sha256 of each image/PDF's bytes to where it came from (a `MediaRef` or a dict with
    `path`, optionally `file_id`); `media_mode` says how the program gets them: "inline" (base64 in a
    variable), "path" (read from the file at run time, relative to `media_root`, the notebook's folder),
    or "file_id" (uploaded with the Files API at run time, or a recorded file id). Blobs with no file
    to read stay inline. `stream` (or `"stream": true` in the request) prints the text as it arrives.
    """
    if lang not in languages:
        raise ExportError(f"unknown language {lang!r}: choose one of {', '.join(languages)}")
    if media_mode not in media_modes:
        raise ExportError(f"unknown media mode {media_mode!r}: choose one of {', '.join(media_modes)}")
    if not isinstance(request, dict) or not {"model", "messages"} <= request.keys():
        raise ExportError("a Messages API request needs at least `model` and `messages`")
    if _has_blob_refs(request):
        raise ExportError("the request still holds blob refs: restore them first (run_to_code(run, lang, blobs=...))")
    if isinstance(betas, str):
        betas = [name.strip() for name in betas.split(",") if name.strip()]
    program = build(
        request,
        api_version=api_version,
        betas=tuple(betas),
        stream=stream,
        base_url=base_url,
        media=media,
        media_mode=media_mode,
        media_root=media_root,
    )
    return _environment().get_template(f"{lang}.j2").render(_CONTEXTS[lang](program))


def _has_blob_refs(value: object) -> bool:
    if isinstance(value, dict):
        return value.keys() == {"$blob"} or any(_has_blob_refs(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_blob_refs(item) for item in value)
    return False


def _backend_base_url(backend: str | None) -> str | None:
    if backend and backend.startswith(("http://", "https://")):
        return backend
    return None  # "anthropic", the embedded "simulator", or unknown: the default endpoint


def run_to_code(run: Any, lang: str, *, blobs: Any = None, **options: Any) -> str:
    """`to_code` for a recorded `Run`: its request, API version, betas, base URL and where its images and
    PDFs came from (`run.media`, so `media_mode="path"` reads their files); `options` override them.

    `blobs` restores the request's `{"$blob": "sha256:..."}` refs: a blob source of the ledger (anything
    with `.get(ref) -> bytes | None`, such as `BlobStore`), a list of them, or a callable `ref -> bytes`.
    """
    request = run.request or {}
    if blobs is not None:
        from workbench.runs.blobs import MissingBlobError, restore_request

        if callable(blobs) and not hasattr(blobs, "get"):
            blobs = SimpleNamespace(get=blobs)
        try:
            request = restore_request(request, blobs)
        except MissingBlobError as exc:
            raise ExportError(str(exc)) from None
    notebook = getattr(run, "notebook_path", None)
    defaults: dict[str, Any] = {
        "api_version": run.api_version,
        "betas": tuple(run.betas or ()),
        "base_url": _backend_base_url(getattr(run, "backend", None)),
        "media": getattr(run, "media", None) or None,
        "media_root": Path(notebook).parent if notebook else None,
    }
    return to_code(request, lang=lang, **{**defaults, **options})


def spec_to_code(spec: Any, lang: str, **options: Any) -> str:
    """`to_code` for a composed `PromptSpec` (its request, API version, betas and media)."""
    defaults = {"api_version": spec.api_version, "betas": tuple(spec.betas), "media": spec.media}
    return to_code(spec.request, lang=lang, **{**defaults, **options})
