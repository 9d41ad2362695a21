"""Checks that rendered model output is inert: shared by the renderer tests and the kernel tests."""

from __future__ import annotations

from html.parser import HTMLParser


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html_text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html_text)
    return parser.tags


def assert_inert(html_text: str) -> None:
    assert "<script" not in html_text.lower()
    for tag, attrs in tags_of(html_text):
        assert tag not in ("script", "img", "iframe", "object", "embed", "style", "link", "svg"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        href = (attrs.get("href") or "").lower()
        if href:
            assert href.startswith(("http://", "https://", "mailto:")), href
        assert "src" not in attrs
