"""Model text -> inert HTML.

Model output is untrusted (it can be steered by prompt injection), and JupyterLab renders fresh `text/markdown`
and `text/html` outputs without sanitizing them. So the kernel renders Markdown itself, with a CommonMark parser
whose output can contain only the tags the parser writes:

- raw HTML in the text is never passed through: it shows as escaped text;
- images never become `<img>` (rendering one fetches its URL, an exfiltration path): they show as a placeholder
  naming the alt text, linked when the URL is http(s) so the reader can open it on purpose;
- links survive only for http, https and mailto; any other target (javascript:, data:, relative) stays plain text.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

LINK_SCHEMES = ("http://", "https://", "mailto:")
_LINK_ATTRS = ' rel="noopener noreferrer nofollow" target="_blank"'


def is_safe_link(url: str) -> bool:
    return url.strip().lower().startswith(LINK_SCHEMES)


def _image_placeholder(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = html.escape("".join(child.content for child in token.children or ()) or "image", quote=False)
    src = token.attrGet("src") or ""
    label = f"[image: {alt}]"
    if src.lower().startswith(("http://", "https://")):
        return f'<a class="wb-image" href="{html.escape(src)}"{_LINK_ATTRS}>{label}</a>'
    return f'<span class="wb-image">{label}</span>'


def _link_open(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    href = html.escape(token.attrGet("href") or "")
    return f'<a href="{href}"{_LINK_ATTRS}>'


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # markdown-it calls validateLink for links and images; a rejected target is left as literal text.
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    md.add_render_rule("image", _image_placeholder)
    md.add_render_rule("link_open", _link_open)
    return md


def render_html(text: str) -> str:
    """Render untrusted Markdown to HTML that runs nothing and fetches nothing."""
    return _parser().render(text)
