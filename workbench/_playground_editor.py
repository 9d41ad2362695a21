"""The playground's editor: model, API version, parameters, system prompt, turns, tools.

Its output is what a `%%claude` cell holds, a line of options (`PromptOptions`) and the cell text, and
`compose()` turns them into the request, so the playground and the magic cannot disagree about what is sent.
Controls follow the selected model's capabilities (GET /v1/models) and the API version.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import ipywidgets as widgets

from workbench._playground_blocks import Block, CacheToggle, MediaSources, Turn, literal_text
from workbench.prompt.options import API_VERSIONS, EFFORT_LEVELS, PromptOptions

DEFAULT = ""  # the "not sent" choice of a dropdown (None would mean "nothing selected")
SAMPLING_VERSION = "2023-06-01"  # the API version that still takes temperature, top_p and top_k
_LINE = re.compile(r"\bline (\d+)")


class FieldError(ValueError):
    """A value the editor cannot use, and the field it belongs to (one line)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def capability(info: Mapping[str, Any] | None, *path: str) -> bool | None:
    """A `{"supported": bool}` leaf of a model's capabilities; None when the backend does not say."""
    node: Any = (info or {}).get("capabilities")
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    if isinstance(node, Mapping):
        node = node.get("supported")
    return node if isinstance(node, bool) else None


def _labelled(label: str, widget: widgets.Widget, error: widgets.HTML | None = None,
              width: str = "110px") -> widgets.Box:
    caption = widgets.Label(label, layout=widgets.Layout(width=width))
    caption.add_class("wb-caption")
    row = widgets.HBox([caption, widget], layout=widgets.Layout(align_items="center"))
    return widgets.VBox([row, error]) if error is not None else row


def _error_label() -> widgets.HTML:
    label = widgets.HTML()
    label.add_class("wb-error")
    return label


@dataclass
class Composition:
    """The editor's content as a `%%claude` cell: options, cell text, and where each turn/block starts."""

    options: PromptOptions
    text: str
    lines: list[tuple[int, Any]]  # (first line, Turn or Block or "system"), in order


class Editor:
    def __init__(self, *, models: list[dict[str, Any]], model: str, namespace: dict[str, Any],
                 api_version: str, max_tokens: int, models_error: str | None = None) -> None:
        self.namespace = namespace
        self.media = MediaSources(namespace)
        self.models = {info["id"]: info for info in models}
        self._listeners: list[Callable[[], None]] = []
        self._quiet = 0
        self.errors: dict[str, widgets.HTML] = {}

        def error(field: str) -> widgets.HTML:
            self.errors[field] = _error_label()
            return self.errors[field]

        options = [(f"{info.get('display_name') or info['id']}  ·  {info['id']}", info["id"]) for info in models]
        ids = [value for _, value in options]
        if model not in ids:
            # The magic's default may be an alias ("claude-haiku-4-5") of a dated id the API lists.
            model = next((i for i in ids if i.startswith(model)), None) or model
            if model not in ids:
                options.append((model, model))
        self.model = widgets.Dropdown(options=options, value=model, layout=widgets.Layout(width="100%"))
        self.model.add_class("wb-model")
        self.models_error = models_error
        error("model").value = _escape(models_error) if models_error else ""
        self.api_version = widgets.ToggleButtons(options=list(API_VERSIONS), value=api_version,
                                                 style={"button_width": "110px"})
        self.max_tokens = widgets.IntText(value=max_tokens, layout=widgets.Layout(width="120px"))
        self.thinking = widgets.Dropdown(layout=widgets.Layout(width="130px"))
        self.budget = widgets.IntText(value=2048, description="budget", layout=widgets.Layout(width="170px"),
                                      style={"description_width": "50px"})
        self.effort = widgets.Dropdown(layout=widgets.Layout(width="130px"))
        self.temperature = widgets.Text(placeholder="default", layout=widgets.Layout(width="90px"))
        self.top_p = widgets.Text(placeholder="default", layout=widgets.Layout(width="90px"))
        self.top_k = widgets.Text(placeholder="default", layout=widgets.Layout(width="90px"))
        self.stop = widgets.Textarea(placeholder="one stop sequence per line", rows=1,
                                     layout=widgets.Layout(width="100%"))
        self.system = widgets.Textarea(placeholder="system prompt (optional)", rows=2,
                                       layout=widgets.Layout(width="100%"))
        self.system.add_class("wb-system")
        self.system_cache = CacheToggle(self._changed)
        self.functions = widgets.SelectMultiple(options=[], rows=3, layout=widgets.Layout(flex="1 1 auto"))
        self.rescan = widgets.Button(icon="refresh", tooltip="look for new functions and media in the kernel",
                                     layout=widgets.Layout(width="36px"))
        self.rescan.on_click(lambda _: self.refresh_namespace())
        self.tools_json = widgets.Textarea(placeholder='tools as JSON: [{"name": ..., "input_schema": {...}}]',
                                           rows=2, layout=widgets.Layout(width="100%"))
        self.tool_choice = widgets.Dropdown(layout=widgets.Layout(width="160px"))
        self.tools_cache = CacheToggle(self._changed)
        self.turns: list[Turn] = []
        self.turns_box = widgets.VBox()
        self.turns_box.add_class("wb-turns")
        self.add_turn_button = widgets.Button(description="+ turn", tooltip="add a message turn",
                                              layout=widgets.Layout(width="90px"))
        self.add_turn_button.add_class("wb-add-turn")
        self.add_turn_button.on_click(lambda _: self.add_turn())
        self.general_error = error("general")

        # Dependent controls first, so a change is checked once they follow it.
        self.model.observe(lambda _: self._follow_model(), names="value")
        self.api_version.observe(lambda _: self._follow_model(), names="value")
        self.thinking.observe(lambda _: self._follow_model(), names="value")
        self.functions.observe(lambda _: self._tool_choices(), names="value")
        self.tools_json.observe(lambda _: self._tool_choices(), names="value")
        for widget in (self.model, self.api_version, self.max_tokens, self.thinking, self.budget, self.effort,
                       self.temperature, self.top_p, self.top_k, self.stop, self.system, self.functions,
                       self.tools_json, self.tool_choice):
            widget.observe(self._changed, names="value")

        self.sampling = widgets.HBox([
            _labelled("temperature", self.temperature), _labelled("top_p", self.top_p, width="48px"),
            _labelled("top_k", self.top_k, width="48px"),
        ])
        self.sampling_box = widgets.VBox([self.sampling, error("sampling")])
        self.thinking_row = widgets.HBox([self.thinking, self.budget])
        self.thinking_box = _labelled("thinking", self.thinking_row, error("thinking"))
        self.effort_box = _labelled("effort", self.effort, error("effort"))
        self.box = widgets.VBox([
            _section("Model"),
            _labelled("model", self.model, self.errors["model"]),
            _labelled("API version", self.api_version),
            _labelled("max tokens", self.max_tokens, error("max_tokens")),
            self.thinking_box,
            self.effort_box,
            self.sampling_box,
            _labelled("stop", self.stop, error("stop")),
            _section("System"),
            self.system,
            widgets.HBox([error("system"), self.system_cache.box], layout=widgets.Layout(justify_content="space-between")),
            _section("Messages"),
            self.turns_box,
            widgets.HBox([self.add_turn_button]),
            _section("Tools"),
            _labelled("functions", widgets.HBox([self.functions, self.rescan], layout=widgets.Layout(flex="1 1 auto"))),
            self.tools_json,
            widgets.HBox([_labelled("tool choice", self.tool_choice), self.tools_cache.box],
                         layout=widgets.Layout(justify_content="space-between")),
            error("tools"),
            self.general_error,
        ])
        self.box.add_class("wb-editor")
        with self.quiet():
            self.refresh_namespace()
            self._follow_model()
            self._tool_choices()
            self.add_turn("user").add_block("text")

    # -- change notification -----------------------------------------------------------------------

    def on_change(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def _changed(self, *_: Any) -> None:
        if self._quiet:
            return
        for callback in self._listeners:
            callback()

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Make several changes as one: listeners are not told (the caller tells them once, after)."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    # -- controls that follow the model and the namespace ------------------------------------------

    def model_info(self) -> dict[str, Any] | None:
        return self.models.get(self.model.value)

    def _follow_model(self) -> None:
        info = self.model_info()
        thinking = [("default", DEFAULT)]
        for label, value, kind in (("off", "off", "disabled"), ("adaptive", "adaptive", "adaptive"),
                                   ("budget", "budget", "enabled")):
            if capability(info, "thinking", "types", kind) is not False:
                thinking.append((label, value))
        _set_options(self.thinking, thinking)
        self.budget.layout.display = None if self.thinking.value == "budget" else "none"
        self.thinking_box.layout.display = None if capability(info, "thinking") is not False else "none"
        effort = capability(info, "effort")
        levels = [level for level in EFFORT_LEVELS if capability(info, "effort", level) is not False]
        _set_options(self.effort, [("default", DEFAULT), *((level, level) for level in levels)])
        self.effort_box.layout.display = "none" if effort is False else None
        self.sampling_box.layout.display = None if self.api_version.value == SAMPLING_VERSION else "none"
        images = capability(info, "image_input") is not False
        pdfs = capability(info, "pdf_input") is not False
        for turn in self.turns:
            turn.add_image.layout.display = None if images else "none"
            turn.add_pdf.layout.display = None if pdfs else "none"

    def refresh_namespace(self) -> None:
        """Offer the namespace's current functions as tools and its media objects as block sources."""
        functions = sorted(name for name, value in list(self.namespace.items())
                           if not name.startswith("_") and self._is_tool_function(value))
        chosen = tuple(name for name in self.functions.value if name in functions)
        self.functions.options = functions
        self.functions.value = chosen
        for turn in self.turns:
            for block in turn.blocks:
                if block.kind != "text":
                    block.source.options = self.media.choices(block.kind)

    def _is_tool_function(self, value: Any) -> bool:
        """Documented functions defined in the notebook itself (not everything imported into it)."""
        import inspect

        home = self.namespace.get("__name__", "__main__")
        return inspect.isfunction(value) and bool(value.__doc__) and value.__module__ == home

    def _tool_choices(self) -> None:
        try:
            names = [tool.get("name", "?") for tool in self._json_tools()]
        except FieldError:
            names = []
        names = [*self.functions.value, *names]
        _set_options(self.tool_choice, [("default", DEFAULT), ("auto", "auto"), ("any", "any"), ("none", "none"),
                                        *((f"tool: {name}", name) for name in names)])

    # -- turns -------------------------------------------------------------------------------------

    def add_turn(self, role: str | None = None) -> Turn:
        if role is None:
            role = "assistant" if self.turns and self.turns[-1].role.value == "user" else "user"
        turn = Turn(role, self._changed, self.move_turn, self.remove_turn, self.media)
        turn.role.observe(lambda _: self._label_turns(), names="value")
        self.turns.append(turn)
        self._show_turns()
        self._follow_model()
        if not self._quiet:  # a new turn from the button starts with a text block; `load` fills its own
            turn.add_block("text")
        self._changed()
        return turn

    def move_turn(self, turn: Turn, step: int) -> None:
        index = self.turns.index(turn)
        target = index + step
        if 0 <= target < len(self.turns):
            self.turns[index], self.turns[target] = self.turns[target], self.turns[index]
            self._show_turns()
            self._changed()

    def remove_turn(self, turn: Turn) -> None:
        self.turns.remove(turn)
        self._show_turns()
        self._changed()

    def _show_turns(self) -> None:
        self.turns_box.children = [turn.box for turn in self.turns]
        self._label_turns()

    def _label_turns(self) -> None:
        for index, turn in enumerate(self.turns):
            last = index == len(self.turns) - 1
            prefill = last and turn.role.value == "assistant" and index > 0
            turn.note.value = '<span class="wb-note">prefill: the reply continues this text</span>' if prefill else ""

    # -- reading the editor ------------------------------------------------------------------------

    def _number(self, widget: widgets.Text, field: str, name: str, kind: type) -> Any:
        text = widget.value.strip()
        if not text:
            return None
        try:
            return kind(text)
        except ValueError:
            raise FieldError(field, f"{name}: {text!r} is not {'an integer' if kind is int else 'a number'}") from None

    def _json_tools(self) -> list[dict[str, Any]]:
        text = self.tools_json.value.strip()
        if not text:
            return []
        try:
            tools = json.loads(text)
        except json.JSONDecodeError as exc:
            raise FieldError("tools", f"tools JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
        tools = [tools] if isinstance(tools, dict) else tools
        if not isinstance(tools, list) or not all(isinstance(t, dict) for t in tools):
            raise FieldError("tools", "tools JSON: expected a tool object or a list of tool objects")
        return tools

    def _thinking(self) -> Any:
        mode = self.thinking.value
        return self.budget.value if mode == "budget" else (mode or None)

    def composition(self) -> Composition:
        """The editor as a `%%claude` cell; raises FieldError for values that are not even well-formed."""
        sampling = self.api_version.value == SAMPLING_VERSION
        if self.tools_cache.enabled.value and not (self.functions.value or self.tools_json.value.strip()):
            raise FieldError("tools", "cache on tools: no tools are offered")
        options = PromptOptions(
            model=self.model.value,
            max_tokens=self.max_tokens.value,
            temperature=self._number(self.temperature, "sampling", "temperature", float) if sampling else None,
            top_p=self._number(self.top_p, "sampling", "top_p", float) if sampling else None,
            top_k=self._number(self.top_k, "sampling", "top_k", int) if sampling else None,
            stop_sequences=[line for line in self.stop.value.split("\n") if line] or None,
            thinking=self._thinking(),
            effort=self.effort.value or None,
            api_version=self.api_version.value,
            cache="tools" if self.tools_cache.enabled.value else None,
            cache_ttl=self.tools_cache.ttl.value,
            tools=[*self.functions.value, *self._json_tools()],
            tool_choice=self.tool_choice.value or None,
        )
        lines: list[tuple[int, Any]] = []
        out: list[str] = []

        def emit(text: str, owner: Any) -> None:
            lines.append((sum(part.count("\n") + 1 for part in out) + 1, owner))
            out.append(text)

        system = literal_text(self.system.value.strip("\n"))
        if system.strip():
            emit("%system", "system")
            out.append(system + self.system_cache.mark())
        for turn in self.turns:
            emit(f"%{turn.role.value}", turn)
            for block, text in turn.cell_parts(self.namespace):
                emit(text, block)
                out.append("")  # blocks are paragraphs apart
        return Composition(options, "\n".join(out).rstrip("\n") + "\n", lines)

    def compose(self, base_dir: Any = None) -> Any:
        """The PromptSpec, through the same `compose()` as a `%%claude` cell."""
        from workbench.prompt import compose

        composition = self.composition()
        return compose(composition.options, composition.text, self.namespace, base_dir=base_dir,
                       model_info=self.model_info())

    def magic_line(self, name: str | None = None) -> str:
        """The `%%claude` line with the editor's options (the magic's own option names)."""
        options = self.composition().options
        args = ["%%claude", "-m", options.model, "--max-tokens", str(options.max_tokens),
                "--api-version", options.api_version]
        for flag, value in (("--temperature", options.temperature), ("--top-p", options.top_p),
                            ("--top-k", options.top_k), ("--thinking", options.thinking),
                            ("--effort", options.effort), ("--tool-choice", options.tool_choice),
                            ("--cache", options.cache)):
            if value is not None:
                args += [flag, str(value)]
        if options.cache:
            args += ["--cache-ttl", options.cache_ttl]
        for stop in options.stop_sequences or ():
            args += ["--stop", stop]
        names = [t if isinstance(t, str) else f"tool_{t.get('name', 'tool')}" for t in options.tools]
        if names:
            args += ["--tools", ",".join(names)]
        if name:
            args += ["-n", name]
        return " ".join(shlex.quote(a) if a != "%%claude" else a for a in args)

    def magic_cell(self, name: str | None = None) -> str:
        """An equivalent `%%claude` cell. Tools typed as JSON become `tool_<name>` variables it refers to."""
        for tool in self._json_tools():
            self.namespace[f"tool_{tool.get('name', 'tool')}"] = tool
        return f"{self.magic_line(name)}\n{self.composition().text}"

    # -- errors next to the fields -----------------------------------------------------------------

    def clear_errors(self) -> None:
        for field, label in self.errors.items():
            label.value = _escape(self.models_error) if field == "model" and self.models_error else ""
        for turn in self.turns:
            turn.error.value = ""
            for block in turn.blocks:
                block.error.value = ""

    def show_error(self, error: Exception, composition: Composition | None = None) -> widgets.HTML:
        """Put a one-line message next to the field it is about; returns the label used."""
        message = str(error)
        label = self.errors.get(getattr(error, "field", ""), None) or self._label_for(message, composition)
        label.value = _escape(message)
        return label

    def _label_for(self, message: str, composition: Composition | None) -> widgets.HTML:
        found = _LINE.search(message)
        if found and composition is not None:
            line = int(found.group(1))
            owner = None
            for start, candidate in composition.lines:
                if start <= line:
                    owner = candidate
            if isinstance(owner, Block):
                return owner.error
            if isinstance(owner, Turn):
                return owner.error
            if owner == "system":
                return self.errors["system"]
        lowered = message.lower()
        for keys, field in ((("temperature", "top_p", "top_k"), "sampling"), (("budget", "thinking"), "thinking"),
                            (("max_tokens", "max tokens"), "max_tokens"), (("effort",), "effort"),
                            (("tool",), "tools"), (("stop_sequence", "stop sequence"), "stop"),
                            (("system",), "system"), (("not found", "unknown model"), "model")):
            if any(key in lowered for key in keys):
                return self.errors[field]
        if self.turns and any(key in lowered for key in ("message", "prompt", "prefill", "image", "document",
                                                         "cache", "empty")):
            return self.turns[-1].error
        return self.general_error

    # -- loading a recorded request ----------------------------------------------------------------

    def load(self, request: Mapping[str, Any], api_version: str) -> None:
        """Show a recorded request (a version from the ledger) in the editor."""
        with self.quiet():
            if request.get("model") not in [value for _, value in self.model.options]:
                self.model.options = [*self.model.options, (request["model"], request["model"])]
            self.model.value = request.get("model")
            self.api_version.value = api_version if api_version in API_VERSIONS else self.api_version.value
            self.max_tokens.value = int(request.get("max_tokens") or self.max_tokens.value)
            self.temperature.value = _text(request.get("temperature"))
            self.top_p.value = _text(request.get("top_p"))
            self.top_k.value = _text(request.get("top_k"))
            self.stop.value = "\n".join(request.get("stop_sequences") or [])
            thinking = request.get("thinking") or {}
            self._follow_model()
            kind = {"enabled": "budget", "disabled": "off", "adaptive": "adaptive"}.get(thinking.get("type"))
            if kind in [value for _, value in self.thinking.options]:
                self.thinking.value = kind
            if kind == "budget":
                self.budget.value = int(thinking.get("budget_tokens") or 1024)
            effort = (request.get("output_config") or {}).get("effort")
            if effort in [value for _, value in self.effort.options]:
                self.effort.value = effort
            system = request.get("system") or ""
            blocks = [{"type": "text", "text": system}] if isinstance(system, str) else list(system)
            self.system.value = "\n\n".join(b.get("text", "") for b in blocks)
            self.system_cache.set(next((b.get("cache_control") for b in blocks if b.get("cache_control")), None))
            self._load_tools(request.get("tools") or [], request.get("tool_choice"))
            self.turns = []
            for message in request.get("messages") or []:
                turn = self.add_turn(message.get("role", "user"))
                content = message.get("content")
                for item in [{"type": "text", "text": content}] if isinstance(content, str) else content or []:
                    self._load_block(turn, item)
            self._follow_model()
        self._changed()

    def _load_tools(self, tools: list[dict[str, Any]], choice: Mapping[str, Any] | None) -> None:
        from workbench.prompt import tool_from_function

        picked, typed = [], []
        for tool in tools:
            fn = self.namespace.get(tool.get("name"))
            plain = {k: v for k, v in tool.items() if k != "cache_control"}
            if self._is_tool_function(fn) and _same_tool(tool_from_function(fn), plain):
                picked.append(tool["name"])
            else:
                typed.append(plain)
        self.refresh_namespace()
        self.functions.value = tuple(name for name in picked if name in self.functions.options)
        self.tools_json.value = json.dumps(typed, indent=2) if typed else ""
        self.tools_cache.set(tools[-1].get("cache_control") if tools else None)
        self._tool_choices()
        choice = choice or {}
        value = choice.get("name") if choice.get("type") == "tool" else choice.get("type")
        if value in [v for _, v in self.tool_choice.options]:
            self.tool_choice.value = value

    def _load_block(self, turn: Turn, item: Mapping[str, Any]) -> None:
        kind = item.get("type")
        if kind == "text":
            block = turn.add_block("text")
            block.text.value = item.get("text", "")
        elif kind in ("image", "document"):
            block = turn.add_block("image" if kind == "image" else "pdf")
            block.source.value = self._media_source(item.get("source") or {}, kind)
        else:
            block = turn.add_block("text")
            block.text.value = json.dumps(item)
            block.error.value = _escape(f"a {kind} block is shown as JSON: the editor cannot compose it")
        block.cache.set(item.get("cache_control"))

    def _media_source(self, source: Mapping[str, Any], kind: str) -> str:
        import base64
        import hashlib

        if source.get("type") == "url":
            return str(source.get("url"))
        data = source.get("data")
        if source.get("type") == "base64" and isinstance(data, str):
            raw = base64.b64decode(data)
            extension = "pdf" if kind == "document" else (source.get("media_type") or "image/png").split("/")[-1]
            return self.media.store(f"{hashlib.sha256(raw).hexdigest()[:8]}.{extension}", raw)
        return json.dumps(dict(source))


def _section(title: str) -> widgets.HTML:
    return widgets.HTML(f"<div class='wb-section'>{title}</div>")


def _set_options(dropdown: widgets.Dropdown, options: list[tuple[str, Any]]) -> None:
    current = dropdown.value
    if list(dropdown.options) != options:
        dropdown.options = options
    values = [value for _, value in options]
    dropdown.value = current if current in values else values[0]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _escape(text: str) -> str:
    import html

    return f'<span class="wb-error-text">{html.escape(text)}</span>'




def _same_tool(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)
