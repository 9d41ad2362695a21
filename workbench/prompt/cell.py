"""The `%%claude` cell language: role sections, a final prefill, and templated content blocks.

    %system
    You are terse.
    %user
    Summarize {{ include("notes.txt") }} {{ cache() }}
    What changed since {{ version }}?
    %assistant
    Here is the summary:

A section line is exactly `%system`, `%user` or `%assistant` (trailing spaces allowed); nothing else in the
text is syntax except jinja2's `{{ }}`, `{% %}` and `{# #}`, so XML tags, Markdown, `---` and `{}` stay literal.
A cell without section lines is one user turn; consecutive sections of one role merge; a final `%assistant`
section is a prefill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Mapping

from workbench.prompt.errors import PromptError
from workbench.prompt.media import Media
from workbench.prompt.spec import MediaRef
from workbench.prompt.template import CacheMark, Section, Token, render

if TYPE_CHECKING:
    from workbench.prompt.options import PromptOptions
    from workbench.prompt.spec import PromptSpec


@dataclass
class CellContent:
    """What a cell says: system text blocks, user/assistant messages (content as block lists), and media."""

    system: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    first_line: int = 1  # where the first message's section starts, for error messages
    media: dict[str, MediaRef] = field(default_factory=dict)
    image_sides: list[int] = field(default_factory=list)  # the longest side of each inlined image, in px


def cache_control(ttl: str) -> dict[str, str]:
    return {"type": "ephemeral", "ttl": "1h"} if ttl == "1h" else {"type": "ephemeral"}


def read_cell(cell_text: str, namespace: Mapping[str, Any], *, base_dir: Any = None) -> CellContent:
    """Render the cell and split it into system blocks and messages."""
    sections = _sections(render(cell_text, namespace, base_dir=base_dir))
    content = CellContent()
    for position, (section, tokens) in enumerate(sections):
        blocks = _blocks(section, tokens, content)
        if not blocks:
            if section.role == "assistant" and position == len(sections) - 1:
                continue  # an empty final %assistant section asks for nothing
            raise PromptError(f"empty %{section.role} section (line {section.line})")
        if section.role == "system":
            content.system.extend(blocks)
        elif content.messages and content.messages[-1]["role"] == section.role:
            content.messages[-1]["content"].extend(blocks)
        else:
            if not content.messages:
                content.first_line = section.line
            content.messages.append({"role": section.role, "content": blocks})
    if content.messages and content.messages[-1]["role"] == "assistant":
        _strip_prefill(content.messages[-1])
    return content


def _strip_prefill(message: dict[str, Any]) -> None:
    """The API rejects a prefill that ends in whitespace."""
    last = message["content"][-1]
    if last.get("type") == "text":
        last["text"] = last["text"].rstrip()


def _sections(tokens: list[Token]) -> list[tuple[Section, list[Token]]]:
    sections: list[tuple[Section, list[Token]]] = []
    for token in tokens:
        if isinstance(token, Section):
            sections.append((token, []))
        elif sections:
            sections[-1][1].append(token)
        elif not (isinstance(token, str) and not token.strip()):
            # text before any section line (or a cell without them) is the user's turn
            sections.append((Section("user", 1), [token]))
    return sections


def _blocks(section: Section, tokens: list[Token], content: CellContent) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    pending: list[str] = []

    def flush() -> None:
        text = "".join(pending).strip()
        pending.clear()
        if text:
            blocks.append({"type": "text", "text": text})

    for token in tokens:
        if isinstance(token, str):
            pending.append(token)
        elif isinstance(token, Media):
            helper = "image" if token.block["type"] == "image" else "document"
            if section.role != "user":
                raise PromptError(
                    f"{helper}() can only be used in %user sections (found in %{section.role} at line {section.line})"
                )
            flush()
            blocks.append(dict(token.block))
            if token.sha256 and token.ref:
                content.media[token.sha256] = token.ref
            if token.size:
                content.image_sides.append(max(token.size))
        elif isinstance(token, CacheMark):
            flush()
            if not blocks:
                raise PromptError(
                    f"cache() must follow some content in its section (%{section.role} at line {section.line})"
                )
            blocks[-1]["cache_control"] = cache_control(token.ttl)
    flush()
    return blocks


def parse_cell(
    line_options: PromptOptions | Mapping[str, Any],
    cell_text: str,
    namespace: Mapping[str, Any],
    *,
    base_dir: Any = None,
    model_info: Any = None,
) -> PromptSpec:
    """The `%%claude` front door: options from the magic line plus the cell's text -> a checked PromptSpec."""
    from workbench.prompt.compose import compose

    return compose(line_options, cell_text, namespace, base_dir=base_dir, model_info=model_info)
