"""Python programs: the official `anthropic` SDK, and plain httpx."""

from __future__ import annotations

from workbench.export._literals import PYTHON, Expr, keyword_arguments, literal
from workbench.export._media import Blob
from workbench.export._program import (
    DEFAULT_BASE_URL,
    LONG_REQUEST_TIMEOUT_SECONDS,
    SDK_API_VERSION,
    Program,
)

_STDLIB_ORDER = ("import base64", "import json", "import os", "from pathlib import Path")


def _string(text: str) -> str:
    return literal(text, PYTHON)


def _blob_lines(program: Program) -> tuple[list[str], list[str], set[str]]:
    """(inline base64 assignments, run-time file reads, stdlib imports they need)."""
    inline, reads, imports = [], [], set()
    for blob in program.blobs:
        if blob.source == "inline":
            inline.append(f"{blob.name} = {_string(blob.data)}")
        elif blob.source == "path":
            reads.append(f"{blob.name} = base64.b64encode(Path({_string(blob.path)}).read_bytes()).decode()")
            imports |= {"import base64", "from pathlib import Path"}
    if program.uploads:
        imports.add("from pathlib import Path")
    return inline, reads, imports


def _imports(names: set[str]) -> list[str]:
    return [line for line in _STDLIB_ORDER if line in names]


def sdk_context(program: Program) -> dict:
    inline, reads, imports = _blob_lines(program)
    uploads = [f"{blob.name} = client.files.upload(file=Path({_string(blob.path)}))" for blob in program.uploads]
    program.bind_media(lambda blob: Expr(blob.name), lambda blob: Expr(f"{blob.name}.id"))

    client_args: dict[str, object] = {}
    if program.base_url:
        client_args["base_url"] = Expr(f'os.environ.get("ANTHROPIC_BASE_URL", {_string(program.base_url)})')
        imports.add("import os")
    if program.api_version != SDK_API_VERSION:
        client_args["default_headers"] = {"anthropic-version": program.api_version}
    one_line = ", ".join(f"{name}={literal(value, PYTHON)}" for name, value in client_args.items())
    if len("client = anthropic.Anthropic()") + len(one_line) > PYTHON.width:
        one_line = "\n" + keyword_arguments(client_args, PYTHON) + "\n"

    known, extra = program.sdk_split()
    arguments = keyword_arguments(known, PYTHON)
    if program.betas:
        arguments += "\n" + keyword_arguments({"betas": list(program.betas)}, PYTHON)
    if extra:
        arguments += (
            f"\n    # Sent as recorded: the SDK has no keyword argument for {', '.join(extra)}.\n"
            + keyword_arguments({"extra_body": extra}, PYTHON)
        )
    if program.needs_timeout:
        arguments += (
            "\n    # The SDK refuses long non-streaming requests unless given a timeout.\n"
            + keyword_arguments({"timeout": LONG_REQUEST_TIMEOUT_SECONDS}, PYTHON)
        )
    messages = "client.beta.messages" if program.betas else "client.messages"
    return {
        "stdlib_imports": _imports(imports),
        "inline_blobs": inline,
        "client_args": one_line,
        "media_lines": reads + uploads,
        "method": f"{messages}.{'stream' if program.stream else 'create'}",
        "arguments": arguments,
        "stream": program.stream,
    }


def _httpx_upload(blob: Blob) -> str:
    file = Expr(f"({_string(blob.filename)}, Path({_string(blob.path)}).read_bytes(), {_string(blob.media_type)})")
    return (
        "upload = client.post(\n"
        '    "/v1/files",\n'
        f"    files={literal({'file': file}, PYTHON, indent=1, reserved=7)},\n"
        ")\n"
        f'{blob.name} = upload.raise_for_status().json()["id"]'
    )


def httpx_context(program: Program) -> dict:
    inline, reads, imports = _blob_lines(program)
    uploads = [_httpx_upload(blob) for blob in program.uploads]
    program.bind_media(lambda blob: Expr(blob.name), lambda blob: Expr(blob.name))
    imports.add("import os")
    if program.stream:
        imports.add("import json")

    headers: dict[str, object] = {
        "x-api-key": Expr('os.environ["ANTHROPIC_API_KEY"]'),
        "anthropic-version": program.api_version,
    }
    if program.betas:
        headers["anthropic-beta"] = ",".join(program.betas)
    body = dict(program.request)
    if program.stream:
        body["stream"] = True
    return {
        "stdlib_imports": _imports(imports),
        "inline_blobs": inline,
        "base_url": _string(program.base_url or DEFAULT_BASE_URL),
        "headers": literal(headers, PYTHON, indent=1, reserved=len("headers=,")),
        "media_lines": reads + uploads,
        "body": literal(body, PYTHON, reserved=len("body = ")),
        "stream": program.stream,
        "timeout": LONG_REQUEST_TIMEOUT_SECONDS if program.needs_timeout else 600,
    }
