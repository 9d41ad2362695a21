"""curl commands: the JSON body in a heredoc, media in shell variables."""

from __future__ import annotations

import shlex

from workbench.export._literals import JSON, literal
from workbench.export._media import Blob
from workbench.export._program import DEFAULT_BASE_URL, Program


def _variable(blob: Blob) -> str:
    return blob.name.upper()


def _heredoc_body(program: Program) -> tuple[str, bool]:
    """(JSON text for the heredoc, whether the heredoc must expand shell variables)."""
    placeholders: dict[str, str] = {}

    def placeholder(blob: Blob) -> str:
        token = f"@@media-{len(placeholders)}@@"
        placeholders[token] = f"${_variable(blob)}"
        return token

    program.bind_media(placeholder, placeholder)
    body = dict(program.request)
    if program.stream:
        body["stream"] = True
    text = literal(body, JSON)
    if not placeholders:
        return text, False
    # An unquoted heredoc expands $, ` and \ : escape the JSON's own before inserting the variables.
    text = text.replace("\\", "\\\\").replace("$", "\\$").replace("`", "\\`")
    for token, variable in placeholders.items():
        text = text.replace(token, variable)
    return text, True


def curl_context(program: Program) -> dict:
    base_url = f"${{ANTHROPIC_BASE_URL:-{program.base_url or DEFAULT_BASE_URL}}}"
    headers = ['x-api-key: $ANTHROPIC_API_KEY', f"anthropic-version: {program.api_version}"]
    if program.betas:
        headers.append(f"anthropic-beta: {','.join(program.betas)}")
    assignments = []
    for blob in program.blobs:
        if blob.source == "inline":
            assignments.append(f"{_variable(blob)}={shlex.quote(blob.data)}")
        elif blob.source == "path":
            assignments.append(f"{_variable(blob)}=$(base64 < {shlex.quote(blob.path)} | tr -d '\\n')")
    uploads = [
        (_variable(blob), shlex.quote(f"file=@{blob.path};type={blob.media_type}")) for blob in program.uploads
    ]
    body, expands = _heredoc_body(program)
    return {
        "url": f'"{base_url}/v1/messages"',
        "files_url": f'"{base_url}/v1/files"',
        "headers": [f'"{header}"' for header in headers],
        "assignments": assignments,
        "uploads": uploads,
        "stream": program.stream,
        "body": body,
        "delimiter": "JSON" if expands else "'JSON'",
    }
