"""The widget playground: compose a prompt, run it, compare its versions, export it (`workbench.playground()`).

    pg = workbench.playground()      # or: %claude playground
    pg                               # shows it (JupyterLab 4, Notebook 7)

Nothing here is a second code path: the editor writes a `%%claude` cell (options + cell text) that
`workbench.prompt.compose` turns into the request, Run goes through `workbench.pipeline.run_prompt` into the
same ledger as the magic, replies are drawn by the magic's renderer, and code comes from `workbench.export`.
Where no widget frontend exists (terminal IPython, plain Python) `playground()` prints one line and returns None.
"""

from __future__ import annotations

import html
import sys
import threading
import types
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench._playground_editor import Editor
from workbench._playground_history import CELL, Export, History
from workbench._playground_run import Runner, WidgetView

__all__ = ["Playground", "playground", "NO_WIDGETS_MESSAGE"]

NO_WIDGETS_MESSAGE = (
    "The workbench playground needs a Jupyter frontend with widgets (JupyterLab 4 or Notebook 7); "
    "here, use %%claude cells or workbench.Client."
)
COUNT_DELAY = 0.5  # seconds of quiet typing before the request is counted

_STYLE = """<style>
.wb-pg{border:1px solid #d0d7de;border-radius:8px;padding:10px 12px;background:var(--jp-layout-color1,#fff);
  font-size:13px}
.wb-pg .wb-title{font-size:15px;font-weight:600}
.wb-pg .wb-section{font-weight:600;font-size:11px;letter-spacing:.06em;text-transform:uppercase;color:#57606a;
  border-bottom:1px solid #eaeef2;margin:10px 0 4px 0;padding-bottom:2px}
.wb-pg .wb-caption{color:#57606a}
.wb-pg .wb-turn{border-left:3px solid #8250df;padding:2px 0 4px 8px;margin:4px 0;background:#fbfaff}
.wb-pg .wb-block{margin:2px 0}
.wb-pg .wb-error-text{color:#cf222e;font-size:12px}
.wb-pg .wb-note{color:#57606a;font-size:12px}
.wb-pg .wb-output{border:1px solid #d0d7de;border-radius:6px;min-height:180px;max-height:520px;overflow:auto;
  padding:6px 10px;margin:6px 0;background:var(--jp-layout-color0,#fff)}
.wb-pg .wb-footer-bar{border-top:1px solid #eaeef2;margin-top:8px;padding-top:6px;font-size:12px;color:#24292f}
.wb-pg .wb-left{padding-right:12px;border-right:1px solid #eaeef2}
.wb-pg .wb-right{padding-left:12px}
.wb-pg .wb-code textarea{font-family:var(--jp-code-font-family,monospace);font-size:12px}
.wb-pg .wb-compare-view{overflow:auto;max-width:100%}
</style>"""


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _claude_magics(shell: Any) -> Any:
    """The `%%claude` magic's instance (loading the extension if needed): its backend, ledger and defaults."""
    if shell is None:
        return None
    registry = shell.magics_manager.registry
    if "Claude" not in registry:
        shell.extension_manager.load_extension("workbench")
    return registry.get("Claude")


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


class Playground:
    """The app. Widgets are attributes (`editor`, `run_button`, `stop_button`, `output`, `history`, `export`).

    name: the run name that groups this playground's versions in the ledger (as `%%claude -n NAME` does).
    backend, ledger: default to the `%%claude` magic's (so both see the same runs); namespace: the kernel's.
    model, api_version, max_tokens: starting values (default: the magic's settings).
    base_dir: where relative image/PDF paths start (default: the notebook's folder).
    count_delay: seconds of quiet after an edit before the request's tokens are counted.
    `run()`, `stop()`, `wait()`, `restore(run)`, `code(language)` and `to_cell()` do what the buttons do.
    """

    def __init__(self, *, name: str = "playground", backend: Any = None, ledger: Any = None,
                 namespace: dict[str, Any] | None = None, model: str | None = None, api_version: str | None = None,
                 max_tokens: int | None = None, base_dir: str | Path | None = None,
                 count_delay: float = COUNT_DELAY) -> None:
        from workbench.magics import DEFAULT_MODEL
        from workbench.prompt.options import DEFAULT_API_VERSION

        shell = _shell() if (backend is None or ledger is None or namespace is None) else None
        magics = _claude_magics(shell) if shell is not None else None
        if backend is None:
            from workbench.pipeline import Backend

            backend = magics.backend if magics is not None else Backend()
        if ledger is None:
            from workbench.runs import Ledger
            from workbench.runs.locate import notebook_path

            notebook = notebook_path(shell.user_ns if shell is not None else None)
            ledger = magics.ledger(notebook) if magics is not None else Ledger(notebook)
        if namespace is None:
            namespace = shell.user_ns if shell is not None else {}
        self.name = name
        self.backend = backend
        self.ledger = ledger
        self.namespace = namespace
        self.base_dir = Path(base_dir) if base_dir else (
            ledger.notebook_path.parent if getattr(ledger, "notebook_path", None) else Path.cwd())
        self.count_delay = count_delay
        self.runner = Runner()
        self.spec: Any = None  # the last valid composition
        self.invalid_reason: str | None = None  # why Run is disabled, when it is
        self.last_run: Any = None
        self._count_timer: threading.Timer | None = None
        self._count_serial = 0
        self._counts: dict[str, Any] = {}

        models, models_error = self._models()
        self.editor = Editor(
            models=models,
            model=model or (magics.model if magics is not None else DEFAULT_MODEL),
            namespace=namespace,
            api_version=api_version or (magics.api_version if magics is not None else DEFAULT_API_VERSION),
            max_tokens=max_tokens or (magics.max_tokens if magics is not None else 1024),
            models_error=models_error,
        )
        self.run_button = widgets.Button(description="Run", icon="play", button_style="primary")
        self.run_button.add_class("wb-run-button")
        self.stop_button = widgets.Button(description="Stop", icon="stop", button_style="danger", disabled=True)
        self.stop_button.add_class("wb-stop-button")
        self.replay = widgets.Checkbox(value=False, indent=False, description="reuse recorded answers",
                                       tooltip="an identical prompt already answered is replayed from the ledger "
                                               "for free instead of calling the API")
        self.reason = widgets.HTML()
        self.reason.add_class("wb-reason")
        self.status = widgets.HTML()
        self.status.add_class("wb-status-line")
        self.output = widgets.Output(layout=widgets.Layout(width="100%"))
        self.output.add_class("wb-output")
        self.counts = widgets.HTML()
        self.counts.add_class("wb-counts")
        self.history = History(ledger, name, self.restore)
        self.export = Export(self.code)
        self.run_button.on_click(lambda _: self.run())
        self.stop_button.on_click(lambda _: self.stop())
        self.editor.on_change(self._edited)

        tabs = widgets.Tab(children=[self.history.box, self.export.box])
        tabs.set_title(0, "Versions")
        tabs.set_title(1, "Export")
        # Side by side when there is room; in a narrow notebook the output column wraps below the editor.
        left = widgets.VBox([self.editor.box], layout=widgets.Layout(flex="1 1 44%", min_width="440px"))
        left.add_class("wb-left")
        right = widgets.VBox([
            widgets.HBox([self.run_button, self.stop_button, self.replay], layout=widgets.Layout(align_items="center")),
            self.reason,
            self.output,
            self.status,
            tabs,
        ], layout=widgets.Layout(flex="1 1 54%", min_width="440px"))
        right.add_class("wb-right")
        title = widgets.HTML(f"{_STYLE}<div class='wb-title'>Claude playground · <code>{html.escape(name)}</code></div>")
        footer = widgets.HBox([self.counts], layout=widgets.Layout(width="100%"))
        footer.add_class("wb-footer-bar")
        self.widget = widgets.VBox([title, widgets.HBox([left, right], layout=widgets.Layout(width="100%", flex_flow="row wrap")), footer])
        self.widget.add_class("wb-pg")
        self.history.refresh()
        self.refresh()

    def __repr__(self) -> str:
        return f"Playground(name={self.name!r}, backend={self.backend_name!r})"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        # Frontends without widgets (nbconvert, some editors) show text/plain: say what is missing.
        return {**self.widget._repr_mimebundle_(**kwargs), "text/plain": f"{self!r}: {NO_WIDGETS_MESSAGE}"}

    @property
    def backend_name(self) -> str:
        try:
            return self.backend.name
        except Exception:  # the name is informative only; a broken backend shows up when it is used
            return "unknown backend"

    def _models(self) -> tuple[list[dict[str, Any]], str | None]:
        from workbench.prompt.options import DEFAULT_API_VERSION

        try:
            listed = self.backend.client(DEFAULT_API_VERSION).models.list()
            return [m.model_dump(mode="json") for m in listed], None
        except Exception as exc:  # the editor still works with the default model; say why the list is missing
            return [], f"could not list models: {_one_line(exc)}"

    # -- live feedback -----------------------------------------------------------------------------

    def _edited(self) -> None:
        self.refresh(count=False)
        self._schedule_count()

    def refresh(self, *, count: bool = True) -> Any:
        """Check the composition now: field messages, the Run button's state, and (count=True) the token count."""
        self.editor.clear_errors()
        composition = None
        try:
            composition = self.editor.composition()
            spec = self.editor.compose(self.base_dir)
        except ValueError as exc:  # FieldError, PromptError: one line, shown next to its field
            self.spec = None
            self.editor.show_error(exc, composition)
            self._set_reason(str(exc))
            self.counts.value = self._footer(None)
            return None
        self.spec = spec
        self._set_reason(None)
        if count:
            self._cancel_count()
            self._count(spec, self._count_serial)
        return spec

    def _set_reason(self, reason: str | None) -> None:
        self.invalid_reason = reason
        running = self.runner.running
        self.run_button.disabled = running or reason is not None
        self.run_button.tooltip = f"cannot run: {reason}" if reason else "send the request"
        self.reason.value = (f"<span class='wb-error-text'>Cannot run: {html.escape(reason)}</span>"
                             if reason and not running else "")

    def _cancel_count(self) -> None:
        self._count_serial += 1
        if self._count_timer is not None:
            self._count_timer.cancel()
            self._count_timer = None

    def _schedule_count(self) -> None:
        self._cancel_count()
        if self.spec is None:
            return
        spec, serial = self.spec, self._count_serial
        if spec.fingerprint() not in self._counts:
            self.counts.value = self._footer("counting")
        self._count_timer = threading.Timer(self.count_delay, self._count, args=(spec, serial))
        self._count_timer.daemon = True
        self._count_timer.start()

    def _count(self, spec: Any, serial: int) -> None:
        from workbench.pipeline import dry_run

        key = spec.fingerprint()
        result = self._counts.get(key)
        if result is None:
            try:
                result = dry_run(spec, self.backend)
            except Exception as exc:  # the count is advisory: show why it is missing, keep editing
                result = _one_line(exc)
            if not isinstance(result, str):
                self._counts[key] = result
        if serial == self._count_serial:
            self.counts.value = self._footer(result)

    def _footer(self, counted: Any) -> str:
        from workbench.display.footer import backend_badge
        from workbench.pricing import cost, format_usd

        parts = []
        if counted == "counting":
            parts.append("<span class='wb-note'>counting tokens…</span>")
        elif isinstance(counted, str):
            parts.append(f"<span class='wb-error-text'>token count unavailable: {html.escape(counted)}</span>")
        elif counted is not None:
            model = counted.request["model"]
            max_tokens = counted.request.get("max_tokens", 0)
            input_cost = cost(model, {"input_tokens": counted.input_tokens, "output_tokens": 0})
            parts.append(f"<b>{counted.input_tokens:,}</b> input tokens")
            parts.append(f"input {format_usd(input_cost.total if input_cost else None)}")
            ceiling = format_usd(counted.estimate.total) if counted.estimate else "price unknown"
            parts.append(f"at most {ceiling} with {max_tokens:,} output tokens")
        else:
            parts.append("<span class='wb-note'>no token count while the request is invalid</span>")
        parts.append(f"API {html.escape(self.editor.api_version.value)}")
        return " · ".join(parts) + f" &nbsp; {backend_badge(self.backend_name)}"

    # -- running -----------------------------------------------------------------------------------

    def run(self) -> None:
        """What the Run button does: start the run in the background and return at once."""
        spec = self.refresh(count=False)
        if spec is None or self.runner.running:
            return
        from workbench.pipeline import Recording, run_prompt

        self.output.outputs = ()
        self.status.value = "<span class='wb-note'>running…</span>"
        self.run_button.disabled = True
        self.stop_button.disabled = False
        replay = "auto" if self.replay.value else "live"
        recording = Recording(ledger=self.ledger)

        def work(stop: Any) -> Any:
            return run_prompt(spec, backend=self.backend, view=WidgetView(self.output), recording=recording,
                              replay=replay, name=self.name, stop=stop)

        self.runner.start(work, self._finished)

    def _finished(self, run: Any, error: BaseException | None) -> None:
        self.stop_button.disabled = True
        if run is not None:
            self.last_run = run
            self.status.value = f"<span class='wb-note'>{html.escape(run.label)}: {html.escape(run.status)}</span>"
        if error is not None:
            self.status.value = f"<span class='wb-error-text'>{html.escape(_one_line(error))}</span>"
        try:
            self.history.refresh(select=run.run_id if run is not None else None)
        finally:
            self.refresh(count=False)

    def stop(self) -> None:
        """What the Stop button does: the reply ends now (or at the next stream event) and is kept as interrupted."""
        self.runner.stop()
        self.status.value = "<span class='wb-note'>stopping…</span>"

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the current run ends (for scripts and tests); returns its Run."""
        self.runner.wait(timeout)
        return self.last_run if not self.runner.running else None

    # -- versions and export -----------------------------------------------------------------------

    def restore(self, run: Any) -> None:
        """Load a recorded version into the editor."""
        from workbench.runs import restore_request

        request = restore_request(run.request or {}, self.ledger.blob_sources())
        self.editor.load(request, run.api_version or self.editor.api_version.value)

    def code(self, language: str, source: str = "editor") -> str:
        """Code for the editor's composition (source="editor") or the selected version (source="version")."""
        from workbench.export import run_to_code, spec_to_code

        if source == "version":
            selected = self.history.selected()
            if len(selected) != 1:
                raise ValueError("select exactly one version in the Versions tab")
            (run,) = selected
            if language == CELL:
                self.restore(run)
                return self.editor.magic_cell(self.name)
            return run_to_code(run, language, blobs=lambda ref: _blob(self.ledger, ref))
        if language == CELL:
            self.editor.composition()  # a malformed field stops here with its own message
            return self.editor.magic_cell(self.name)
        spec = self.refresh(count=False)
        if spec is None:
            raise ValueError(f"the request is not valid yet: {self.invalid_reason}")
        return spec_to_code(spec, language, media_root=self.base_dir)

    def to_cell(self) -> str:
        """Insert the equivalent `%%claude` cell below the cell that calls this (Lab 4, Notebook 7).

        Only a cell's execution can add a cell: from a widget click the request would attach to whatever cell
        runs next, so the Export tab shows the cell text instead.
        """
        cell = self.editor.magic_cell(self.name)
        shell = _shell()
        if shell is not None:
            shell.set_next_input(cell, replace=False)
        return cell


def _blob(ledger: Any, ref: str) -> bytes | None:
    for source in ledger.blob_sources():
        data = source.get(ref)
        if data is not None:
            return data
    return None


def playground(**options: Any) -> Playground | None:
    """The playground for this notebook (see `Playground` for options); None, with a message, without widgets."""
    shell = _shell()
    if shell is None or getattr(shell, "kernel", None) is None:
        print(NO_WIDGETS_MESSAGE)
        return None
    return Playground(**options)


class _CallableModule(types.ModuleType):
    # `workbench.playground` is both this module and the function; importing the module (as `%claude playground`
    # does) makes the package attribute the module, so the module must answer `workbench.playground()` too.
    def __call__(self, **options: Any) -> Playground | None:
        return playground(**options)


sys.modules[__name__].__class__ = _CallableModule
