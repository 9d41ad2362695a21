"""The playground's message turns and their content blocks, written out in the `%%claude` cell language.

The editor never builds a request body itself: turns and blocks become cell text (`%user` sections, plain text,
`{{ image(x) }}`, `{{ document(x) }}`, `{{ cache("1h") }}`) which `workbench.prompt.compose` turns into the
request, exactly as for a `%%claude` cell. The same text is what "to cell" inserts.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping

import ipywidgets as widgets

SECTION_LINE = re.compile(r"[ \t]*%(system|user|assistant)[ \t]*")
MEDIA_KINDS = {"image": "image", "pdf": "document"}
_EXPRESSION = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*|\[[0-9]+\])*")


def literal_text(text: str) -> str:
    """Text as cell content: a line that reads like a section marker stays text (jinja prints it back)."""
    return "\n".join(
        "{{ %s }}" % json.dumps(line) if SECTION_LINE.fullmatch(line) else line for line in text.split("\n")
    )


def source_expression(source: str, namespace: Mapping[str, Any]) -> str:
    """A media source as a template argument: a kernel variable by name, anything else as a path or URL."""
    source = source.strip()
    head = re.split(r"[.\[]", source, maxsplit=1)[0]
    if _EXPRESSION.fullmatch(source) and head in namespace:
        return source
    return json.dumps(source)


class MediaSources:
    """Kernel variables that can feed an image or PDF block, and uploads kept as kernel variables.

    An upload becomes a variable (`upload_chart_png`) in the namespace, so the composed prompt, its export and
    the inserted `%%claude` cell all name the same object.
    """

    _IMAGE_TYPES = ("PIL.", "matplotlib.figure", "IPython.core.display")
    _SUFFIXES = {"image": (".png", ".jpg", ".jpeg", ".gif", ".webp"), "pdf": (".pdf",)}

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace

    def choices(self, kind: str) -> list[str]:
        names = []
        for name, value in list(self.namespace.items()):
            if name.startswith("_"):
                continue
            module = type(value).__module__
            if isinstance(value, (bytes, bytearray)):
                names.append(name)
            elif isinstance(value, str) and value.lower().endswith(self._SUFFIXES[kind]) and len(value) < 500:
                names.append(name)
            elif kind == "image" and module.startswith(self._IMAGE_TYPES):
                names.append(name)
        return sorted(names)

    def store(self, filename: str, data: bytes) -> str:
        name = "upload_" + (re.sub(r"\W+", "_", filename).strip("_").lower() or "file")
        self.namespace[name] = data
        return name


def cache_mark(ttl: str) -> str:
    return '{{ cache("1h") }}' if ttl == "1h" else "{{ cache() }}"


class CacheToggle:
    """A cache breakpoint after a block, with its lifetime."""

    def __init__(self, on_change: Callable[..., None]) -> None:
        self.enabled = widgets.Checkbox(value=False, description="cache", indent=False,
                                        layout=widgets.Layout(width="70px"))
        self.ttl = widgets.Dropdown(options=["5m", "1h"], value="5m", layout=widgets.Layout(width="64px"),
                                    disabled=True)
        self.enabled.observe(self._toggled, names="value")
        self.ttl.observe(on_change, names="value")
        self.enabled.observe(on_change, names="value")
        self.box = widgets.HBox([self.enabled, self.ttl], layout=widgets.Layout(align_items="center"))
        self.box.add_class("wb-cache")

    def _toggled(self, change: dict[str, Any]) -> None:
        self.ttl.disabled = not change["new"]

    def set(self, cache_control: Mapping[str, Any] | None) -> None:
        self.enabled.value = bool(cache_control)
        self.ttl.value = (cache_control or {}).get("ttl", "5m") if cache_control else "5m"

    def mark(self) -> str:
        return cache_mark(self.ttl.value) if self.enabled.value else ""


class Block:
    """One content block of a turn: text, an image or a PDF (from a kernel variable, a path, a URL or an upload)."""

    def __init__(self, kind: str, turn: Turn, on_change: Callable[..., None]) -> None:
        self.kind = kind
        self.turn = turn
        self.cache = CacheToggle(on_change)
        self.remove = widgets.Button(icon="times", tooltip="remove this block", layout=widgets.Layout(width="32px"))
        self.error = widgets.HTML()
        self.error.add_class("wb-error")
        if kind == "text":
            self.text = widgets.Textarea(placeholder="text; {{ name }} inserts a kernel variable",
                                         rows=3, layout=widgets.Layout(width="100%"))
            self.text.add_class("wb-text-input")
            self.text.observe(on_change, names="value")
            body: widgets.Widget = self.text
        else:
            what = "image" if kind == "image" else "PDF"
            self.source = widgets.Combobox(placeholder=f"{what}: a kernel variable, a path or a URL",
                                           ensure_option=False, layout=widgets.Layout(flex="1 1 auto"))
            self.source.observe(on_change, names="value")
            accept = "image/png,image/jpeg,image/gif,image/webp" if kind == "image" else "application/pdf"
            self.upload = widgets.FileUpload(accept=accept, multiple=False, description="upload",
                                             layout=widgets.Layout(width="96px"))
            body = widgets.HBox([widgets.Label(f"{what}:"), self.source, self.upload],
                                layout=widgets.Layout(width="100%"))
        controls = widgets.HBox([self.cache.box, self.remove], layout=widgets.Layout(align_items="center"))
        self.box = widgets.VBox([body, widgets.HBox([self.error, controls],
                                                    layout=widgets.Layout(justify_content="space-between"))])
        self.box.add_class("wb-block")
        self.box.add_class(f"wb-block-{kind}")

    def cell_text(self, namespace: Mapping[str, Any]) -> str:
        if self.kind == "text":
            content = literal_text(self.text.value.strip("\n"))
            if not content.strip():
                return ""
        else:
            if not self.source.value.strip():
                return ""
            content = "{{ %s(%s) }}" % (MEDIA_KINDS[self.kind], source_expression(self.source.value, namespace))
        return content + self.cache.mark()


class Turn:
    """A user or assistant turn: its role and its blocks; a final assistant turn is a prefill."""

    def __init__(self, role: str, on_change: Callable[..., None], on_move: Callable[[Turn, int], None],
                 on_remove: Callable[[Turn], None], media: MediaSources) -> None:
        self._on_change = on_change
        self._media = media
        self.blocks: list[Block] = []
        self.role = widgets.Dropdown(options=["user", "assistant"], value=role, layout=widgets.Layout(width="110px"))
        self.role.observe(on_change, names="value")
        self.note = widgets.HTML()
        self.error = widgets.HTML()
        self.error.add_class("wb-error")
        buttons = []
        for icon, tip, action in (("arrow-up", "move up", lambda _: on_move(self, -1)),
                                  ("arrow-down", "move down", lambda _: on_move(self, 1)),
                                  ("trash", "remove this turn", lambda _: on_remove(self))):
            button = widgets.Button(icon=icon, tooltip=tip, layout=widgets.Layout(width="32px"))
            button.on_click(action)
            buttons.append(button)
        self.up, self.down, self.delete = buttons
        adders = []
        for kind, label in (("text", "+ text"), ("image", "+ image"), ("pdf", "+ PDF")):
            button = widgets.Button(description=label, layout=widgets.Layout(width="84px"))
            button.add_class(f"wb-add-{kind}")
            button.on_click(lambda _, kind=kind: self.add_block(kind))
            adders.append(button)
        self.add_image, self.add_pdf = adders[1], adders[2]
        self.blocks_box = widgets.VBox()
        header = widgets.HBox([self.role, self.note, widgets.HBox(buttons)],
                              layout=widgets.Layout(justify_content="space-between", align_items="center"))
        self.box = widgets.VBox([header, self.blocks_box, widgets.HBox(adders), self.error])
        self.box.add_class("wb-turn")

    def add_block(self, kind: str) -> Block:
        block = Block(kind, self, self._on_change)
        block.remove.on_click(lambda _: self.remove_block(block))
        if kind != "text":
            block.source.options = self._media.choices(kind)
            block.upload.observe(lambda change: self._uploaded(block, change["new"]), names="value")
        self.blocks.append(block)
        self.blocks_box.children = [b.box for b in self.blocks]
        self._on_change()
        return block

    def remove_block(self, block: Block) -> None:
        self.blocks.remove(block)
        self.blocks_box.children = [b.box for b in self.blocks]
        self._on_change()

    def _uploaded(self, block: Block, files: Any) -> None:
        if files:
            upload = files[0]
            block.source.value = self._media.store(upload["name"], bytes(upload["content"]))

    def cell_parts(self, namespace: Mapping[str, Any]) -> list[tuple[Block, str]]:
        """Each non-empty block with its cell text."""
        return [(b, text) for b in self.blocks if (text := b.cell_text(namespace))]
