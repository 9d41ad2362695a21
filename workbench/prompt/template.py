"""Render cell text with jinja2 over the notebook namespace, keeping role sections and helper blocks apart.

Helpers (`image()`, `document()`, `cache()`) and the `%system`/`%user`/`%assistant` lines become private
sentinels in the rendered text, so any template construct can surround them; splitting the output on the
sentinels gives a flat token stream that `cell.py` turns into content blocks.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Union

from workbench.prompt.errors import PromptError
from workbench.prompt.media import Media, document_block, image_block, include_text
from workbench.prompt.options import CACHE_TTLS

_SECTION_LINE = re.compile(r"%(system|user|assistant)[ \t]*(\r?\n|\r)?")
_JINJA_SYNTAX = ("{{", "{%", "{#")
_TEMPLATE_FILE = "<template>"


@dataclass(frozen=True)
class Section:
    """A `%system` / `%user` / `%assistant` line, at a 1-based line of the cell."""

    role: str
    line: int


@dataclass(frozen=True)
class CacheMark:
    """`{{ cache() }}`: the content before it ends a cached prefix."""

    ttl: str


Token = Union[str, Section, Media, CacheMark]


def render(cell_text: str, namespace: Mapping[str, Any], *, base_dir: Any = None) -> list[Token]:
    """Cell text -> text, Section, Media and CacheMark tokens, in order."""
    # A per-render nonce keeps sentinels unforgeable by text that comes from variables or included files.
    nonce = str(secrets.randbelow(10**12)).zfill(12)  # digits survive case-changing filters
    items: list[Section | Media | CacheMark] = []

    def emit(item: Section | Media | CacheMark) -> str:
        items.append(item)
        return f"\ue000{nonce}:{len(items) - 1}\ue001"

    lines = []
    for number, line in enumerate(cell_text.splitlines(keepends=True), start=1):
        match = _SECTION_LINE.fullmatch(line)
        lines.append(emit(Section(match.group(1), number)) + "\n" if match else line)
    source = "".join(lines)

    if any(marker in source for marker in _JINJA_SYNTAX):
        source = _render_jinja(source, namespace, _helpers(emit, base_dir))

    tokens: list[Token] = []
    for index, piece in enumerate(re.split(f"\ue000{nonce}:(\\d+)\ue001", source)):
        if index % 2:
            tokens.append(items[int(piece)])
        elif nonce in piece:
            raise PromptError(
                "a template filter changed the output of image(), document() or cache(); call them outside filters"
            )
        elif piece:
            tokens.append(piece)
    return tokens


def _helpers(emit: Any, base_dir: Any) -> dict[str, Any]:
    def check_argument(helper: str, value: Any) -> None:
        if getattr(value, "_workbench_helper", None) is not None:
            raise PromptError(
                f"{helper}() was given the {value._workbench_helper}() helper itself: a notebook variable named "
                f"'{value._workbench_helper}' is hidden by the helper in templates; rename the variable"
            )

    def image(value: Any) -> str:
        check_argument("image", value)
        return emit(image_block(value, base_dir))

    def document(value: Any, title: str | None = None, citations: bool = False, context: str | None = None) -> str:
        check_argument("document", value)
        return emit(document_block(value, base_dir, title=title, citations=citations, context=context))

    def include(path: Any) -> str:
        check_argument("include", path)
        return include_text(path, base_dir)

    def cache(ttl: str = "5m") -> str:
        if ttl not in CACHE_TTLS:
            raise PromptError(f'cache() ttl must be "5m" or "1h", got {ttl!r}')
        return emit(CacheMark(ttl))

    helpers = {"image": image, "document": document, "include": include, "cache": cache}
    for name, fn in helpers.items():
        fn._workbench_helper = name  # type: ignore[attr-defined]
    return helpers


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render_jinja(source: str, namespace: Mapping[str, Any], helpers: dict[str, Any]) -> str:
    import jinja2
    from jinja2.sandbox import SecurityError

    env = _environment()
    try:
        template = env.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        raise PromptError(f"template syntax error (line {exc.lineno}): {exc.message}") from None
    try:
        return template.render({**namespace, **helpers})
    except PromptError as exc:
        raise PromptError(f"{exc}{_at_line(exc)}") from None
    except jinja2.UndefinedError as exc:
        match = re.fullmatch(r"'(.+)' is undefined", str(exc.message))
        if match:
            raise PromptError(f"undefined name '{match.group(1)}' in the template{_at_line(exc)}") from None
        raise PromptError(f"undefined value in the template{_at_line(exc)}: {exc.message}") from None
    except SecurityError as exc:
        raise PromptError(f"unsafe operation in the template{_at_line(exc)}: {exc}") from None
    except jinja2.TemplateError as exc:
        raise PromptError(f"template error{_at_line(exc)}: {exc}") from None
    except Exception as exc:  # code the template calls belongs to the user; report it like a template mistake
        raise PromptError(f"error in the template{_at_line(exc)}: {type(exc).__name__}: {exc}") from None


def _at_line(exc: BaseException) -> str:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" (line {line})" if line is not None else ""
