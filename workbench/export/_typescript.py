"""TypeScript programs with `@anthropic-ai/sdk` (an ES module: top-level await)."""

from __future__ import annotations

from workbench.export._literals import TYPESCRIPT, Expr, literal, object_members
from workbench.export._media import Blob
from workbench.export._program import LONG_REQUEST_TIMEOUT_SECONDS, SDK_API_VERSION, Program


def _variable(blob: Blob) -> str:
    head, *rest = blob.name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _string(text: str) -> str:
    return literal(text, TYPESCRIPT)


def _constant(name: str, value: str) -> str:
    line = f"const {name} = {value};"
    return line if len(line) <= TYPESCRIPT.width else f"const {name} =\n  {value};"


def _upload(blob: Blob) -> str:
    file = (
        f"new File([fs.readFileSync({_string(blob.path)})], {_string(blob.filename)}, "
        f"{{ type: {_string(blob.media_type)} }})"
    )
    return f"const {_variable(blob)} = await client.files.upload({{\n  file: {file},\n}});"


def typescript_context(program: Program) -> dict:
    inline = [_constant(_variable(b), _string(b.data)) for b in program.blobs if b.source == "inline"]
    reads = [
        f"const {_variable(b)} = fs.readFileSync({_string(b.path)}, 'base64');"
        for b in program.blobs
        if b.source == "path"
    ]
    uploads = [_upload(blob) for blob in program.uploads]
    program.bind_media(lambda blob: Expr(_variable(blob)), lambda blob: Expr(f"{_variable(blob)}.id"))

    options: dict[str, object] = {}
    if program.base_url:
        options["baseURL"] = Expr(f"process.env.ANTHROPIC_BASE_URL ?? {_string(program.base_url)}")
    if program.api_version != SDK_API_VERSION:
        options["defaultHeaders"] = {"anthropic-version": program.api_version}
    if program.needs_timeout:
        options["timeout"] = Expr(f"{LONG_REQUEST_TIMEOUT_SECONDS} * 1000")

    known, extra = program.sdk_split()
    members = object_members(known, TYPESCRIPT)
    if program.betas:
        members += "\n" + object_members({"betas": list(program.betas)}, TYPESCRIPT)
    if extra:
        # A spread object escapes the excess-property check that would reject a field the types lack.
        members += (
            f"\n  // Sent as recorded: the SDK's types have no {', '.join(extra)}.\n"
            f"  ...{literal(extra, TYPESCRIPT, indent=1, reserved=4)},"
        )
    messages = "client.beta.messages" if program.betas else "client.messages"
    return {
        "needs_fs": bool(reads or uploads),
        "inline_blobs": inline,
        "client_options": literal(options, TYPESCRIPT, reserved=30) if options else "",
        "media_lines": reads + uploads,
        "method": f"{messages}.{'stream' if program.stream else 'create'}",
        "members": members,
        "needs_timeout": program.needs_timeout,
        "stream": program.stream,
    }
