"""`%%claude` (send the cell as a prompt) and `%claude` (config, models, history, compare, export, help).

Settings are traitlets of the `Claude` class: `%config Claude.model = "claude-sonnet-4-5"` in a notebook, or
`c.Claude.model = ...` in ipython_config.py; `%config Claude` lists them. Credentials and the base URL are never
settings (a setting can be saved into a notebook): the backend is the real API when ANTHROPIC_API_KEY (or
ANTHROPIC_BASE_URL) is set in the environment, else the embedded simulator, and every output names it.

This module is imported by `%load_ext workbench`, so it imports only IPython and traitlets at load time; the
client, composition, the ledger and the renderers load when the magic first runs.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments
from traitlets import Bool, Enum, Int, Unicode

from workbench.pipeline import REPLAY_POLICIES

if TYPE_CHECKING:
    from workbench.pipeline import Backend, Recording
    from workbench.runs import Ledger, Run

# Cheap, fast, widely available, and in the simulator's catalogue.
DEFAULT_MODEL = "claude-haiku-4-5"


class ClaudeAPIError(Exception):
    """An API error, shown as one line (status, error type, message, request id) instead of a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31m{type(self).__name__}\x1b[0m: {self}"]


def _thinking(value: str | None) -> Any:
    if value is None:
        return None
    if value in ("off", "adaptive"):
        return value
    try:
        return int(value)
    except ValueError:
        return value  # composition rejects it with the list of accepted values


def _names(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def _label(spec: Any, number: int, repeat: int) -> str:
    model = spec.request["model"]
    return f"{model} #{number}" if repeat > 1 else model


def _split(line: str) -> list[str]:
    # IPython's own splitting keeps quotes inside values (-s 'Be brief.' would send the quotes): split like a shell.
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"cannot parse the magic line: {exc}") from None


# Exported code as a notebook cell: Python runs as it is; the others through a cell magic that can run or keep it.
_EXPORT_CELL_MAGIC = {"curl": "%%bash\n", "typescript": "%%writefile claude_request.ts\n"}
_EXPORT_USAGE = "[--lang python|httpx|curl|typescript] [--stream] [--media inline|path|file_id] [--cell]"


def _export_parser() -> Any:
    from IPython.core.magic_arguments import MagicArgumentParser

    from workbench.export import languages, media_modes

    parser = MagicArgumentParser(prog="%claude export", add_help=False)
    parser.add_argument("run", nargs="?", help="run id, name@N, name, vN, last or lastN (default: last)")
    parser.add_argument("language", nargs="?", help="the language (same as --lang)")
    parser.add_argument("--lang", help=f"one of {', '.join(languages)} (default python)")
    parser.add_argument("--stream", action="store_true", help="print the reply as it streams")
    parser.add_argument("--media", default="inline", choices=media_modes, help="how images and PDFs are sent")
    parser.add_argument("--cell", action="store_true", help="insert the code as the next cell instead of printing")
    return parser


@magics_class
class Claude(Magics):
    """Send notebook cells to Claude (or the embedded simulator) and keep every run."""

    model = Unicode(DEFAULT_MODEL, help="Model used when a cell does not pass --model.").tag(config=True)
    max_tokens = Int(1024, help="max_tokens used when a cell does not pass --max-tokens.").tag(config=True)
    api_version = Unicode(
        "2023-06-01", help="anthropic-version header: 2023-06-01 or 2026-10-21 (no temperature/top_p/top_k)."
    ).tag(config=True)
    system = Unicode("", help="System prompt used when a cell gives none.").tag(config=True)
    replay = Enum(
        REPLAY_POLICIES,
        "auto",
        help="auto: a prompt the ledger already answered is replayed for free; live: always call the API; "
        "replay: never call it (fail when there is no recorded answer).",
    ).tag(config=True)
    run_tools = Bool(
        False, help="Execute Python tool functions and continue (as if every cell passed --run-tools)."
    ).tag(config=True)
    max_tool_steps = Int(5, help="Most API calls one cell makes in the tool loop.").tag(config=True)
    stream = Bool(True, help="Stream replies (False: one request, shown when complete).").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        super().__init__(shell, **kwargs)
        self._backend: Backend | None = None
        self._ledgers: dict[str | None, Ledger] = {}
        self._model_infos: dict[tuple[str, str], Any] = {}  # (backend, model) -> ModelInfo, None: not served
        self.threads: dict[str, list[dict[str, Any]]] = {}

    # -- where runs go -------------------------------------------------------------------------

    @property
    def backend(self) -> Backend:
        if self._backend is None:
            from workbench.pipeline import Backend

            self._backend = Backend()
        return self._backend

    def _notebook(self, cell_id: str | None = None) -> Path | None:
        from workbench.runs.locate import notebook_path

        return notebook_path(self.shell.user_ns, cell_id=cell_id)

    def ledger(self, notebook: Path | None = None) -> Ledger:
        from workbench.runs import Ledger

        key = str(notebook) if notebook else None
        if key not in self._ledgers:
            self._ledgers[key] = Ledger(notebook, session_id=self._kernel_id())
        return self._ledgers[key]

    def _kernel_id(self) -> str | None:
        if getattr(self.shell, "kernel", None) is None:
            return f"terminal-{os.getpid()}"
        try:
            from ipykernel.connect import get_connection_file

            return Path(get_connection_file()).stem.removeprefix("kernel-")
        except Exception:  # not started from a connection file (embedded kernels)
            return f"kernel-{os.getpid()}"

    def _recording(self, line: str, cell: str) -> tuple[Recording, Path | None]:
        """Capture the cell's identity now, synchronously: later the kernel may be handling another request."""
        from workbench.pipeline import Recording
        from workbench.runs.locate import cell_identity, execute_metadata

        metadata = execute_metadata(self.shell)
        notebook = self._notebook(metadata.get("cellId"))
        identity = cell_identity(metadata, notebook=notebook, cell_source=f"%%claude {line}".rstrip() + f"\n{cell}")
        recording = Recording(
            ledger=self.ledger(notebook),
            cell=identity,
            execution_count=getattr(self.shell, "execution_count", None),
            kernel_id=self._kernel_id(),
        )
        return recording, notebook

    def _view(self) -> Any:
        if getattr(self.shell, "kernel", None) is None:
            from workbench.display.terminal import TerminalView

            return TerminalView()
        from workbench.display.stream_view import NotebookView

        return NotebookView()

    # -- %%claude ------------------------------------------------------------------------------

    @magic_arguments()
    @argument("-m", "--model", help="model id (default: Claude.model)")
    @argument("--max-tokens", type=int, help="most tokens in the reply (default: Claude.max_tokens)")
    @argument("-s", "--system", help="system prompt (quote it); a %%system section in the cell adds to it")
    @argument("--temperature", type=float, help="sampling temperature (API version 2023-06-01 only)")
    @argument("--top-p", type=float, help="nucleus sampling (API version 2023-06-01 only)")
    @argument("--top-k", type=int, help="top-k sampling (API version 2023-06-01 only)")
    @argument("--stop", action="append", metavar="TEXT", help="a stop sequence (repeatable)")
    @argument("--thinking", metavar="BUDGET|adaptive|off", help="extended thinking: a token budget, adaptive, or off")
    @argument("--effort", help="output effort: low, medium, high, xhigh, max")
    @argument("--api-version", help="anthropic-version: 2023-06-01 or 2026-10-21 (default: Claude.api_version)")
    @argument("--beta", action="append", metavar="NAME", help="an anthropic-beta value (repeatable)")
    @argument("--cache", metavar="system|tools|all", help="place cache breakpoints on the system prompt, tools, or all")
    @argument("--cache-ttl", default="5m", metavar="5m|1h", help="lifetime of --cache breakpoints (default 5m)")
    @argument("--tools", metavar="NAMES", help="comma-separated functions or tool dicts from the namespace")
    @argument("--tool-choice", metavar="auto|any|none|NAME", help="how the model must use the tools")
    @argument("--run-tools", action="store_true", help="run the Python tools and continue until the model is done")
    @argument("--max-steps", type=int, help="most API calls in the tool loop (default: Claude.max_tool_steps)")
    @argument("-n", "--name", help="run name: groups versions of this prompt across cells and sessions")
    @argument("--out", metavar="VAR", help="also store the Run in this variable")
    @argument("-c", "--chat", metavar="THREAD", help="continue the named conversation (created on first use)")
    @argument("--no-stream", action="store_true", help="one request; show the reply when it is complete")
    @argument("--dry-run", action="store_true", help="show the request JSON, its token count and cost; send nothing")
    @argument("--fresh", action="store_true", help="call the API even if the ledger has an answer for this prompt")
    @argument("--models", metavar="A,B,...",
              help="send the prompt to each of these models at once, streamed side by side, then compare the runs")
    @argument("--repeat", type=int, default=1, metavar="N",
              help="send it N times at once (live), streamed side by side, then compare the runs")
    @cell_magic
    def claude(self, line: str, cell: str) -> None:
        """Send the cell to Claude and stream the reply.

        The cell is the prompt: plain text is one user turn; lines that are exactly %system, %user or
        %assistant start sections (a final %assistant section is a prefill). {{ name }} inserts a variable;
        {{ image(x) }}, {{ document(x) }}, {{ include("file.txt") }} and {{ cache() }} are helpers.
        The Run (text, message, usage, cost, timings, status) is stored in `_` and in --out (a list of
        Runs with --models or --repeat).
        """
        recording, notebook = self._recording(line, cell)
        args = self.claude.parser.parse_args(_split(line))  # raises UsageError on a bad option
        models = self._check(args)
        # Repeats exist to see the variance between live replies: a replay would repeat one answer.
        replay = "live" if args.fresh or args.repeat > 1 else self.replay
        # Every request is composed (and checked) before the first one is sent.
        specs = [self._compose(args, cell, notebook, model) for model in models]
        specs = [self._checked_against_model(spec, args, cell, notebook, recording, replay) for spec in specs]
        if args.dry_run:
            for spec in specs:
                self._dry_run(spec)
            return None

        run_tools = args.run_tools or self.run_tools
        options = {
            "backend": self.backend,
            "max_steps": (args.max_steps or self.max_tool_steps) if run_tools else 1,
            "replay": replay,
            "stream": self.stream and not args.no_stream,
        }
        jobs = [(spec, _label(spec, k, args.repeat)) for spec in specs for k in range(1, args.repeat + 1)]
        if len(jobs) > 1 and getattr(self.shell, "kernel", None) is not None:
            finals = self._side_by_side(jobs, recording, options)
        else:  # one run, or a terminal (which has no columns): one after the other
            finals = [self._one_turn(spec, recording, options, chat=args.chat) for spec, _ in jobs]
        if len(finals) > 1:
            from workbench.runs import render_compare

            self._show(*render_compare(finals))
        self._bind(finals[0] if len(finals) == 1 else finals, args.out)
        return None

    def _one_turn(self, spec: Any, recording: Recording, options: dict[str, Any], *, chat: str | None) -> Run:
        from workbench.api.errors import APIError, RequestValidationError
        from workbench.pipeline import ReplayMissingError, run_turn

        try:
            turn = run_turn(spec, views=self._view, recording=recording, **options)
        except APIError as exc:
            raise ClaudeAPIError(str(exc)) from None
        except (ReplayMissingError, RequestValidationError) as exc:
            raise UsageError(str(exc)) from None
        if chat and turn.runs[-1].status == "ok":
            self.threads[chat] = turn.messages
        return turn.runs[-1]

    def _side_by_side(self, jobs: list[tuple[Any, str]], recording: Recording, options: dict[str, Any]) -> list[Run]:
        """Run the jobs concurrently, one worker thread and one column each; this thread draws and waits.

        Workers run in a copy of this cell's context, so anything they print (a tool, say) lands in this cell.
        An interrupt stops every stream (each run is kept as interrupted, with its partial reply) and the cell
        ends normally with the runs and their comparison.
        """
        import contextvars
        import threading

        from workbench.api.errors import APIError, RequestValidationError
        from workbench.display.columns import ColumnsView
        from workbench.pipeline import ReplayMissingError, Stop, run_turn

        view = ColumnsView([label for _, label in jobs])
        shared = recording.shared()
        stop = Stop()

        def work(index: int, spec: Any) -> None:
            outcome: Any = None
            try:
                if index:  # runs start in column order, so their versions follow the columns
                    view.began[index - 1].wait()
                outcome = run_turn(spec, views=lambda: view.feed(index), recording=shared, stop=stop, **options)
            except BaseException as exc:  # reported to the main thread, which raises it there
                outcome = exc
            finally:
                view.ended(index, outcome)

        workers: set[int] = set()
        try:
            view.show()
            for index, (spec, _) in enumerate(jobs):
                context = contextvars.copy_context()
                threading.Thread(target=context.run, args=(work, index, spec), name=f"claude-column-{index}",
                                 daemon=True).start()
                workers.add(index)
        except KeyboardInterrupt:  # the columns not started yet stay empty
            stop.request()
        outcomes: dict[int, Any] = {}
        while not workers <= outcomes.keys():
            try:
                outcomes.update(view.pump(0.05))
            except KeyboardInterrupt:
                if stop.requested:
                    break  # interrupted again while streams wind down: stop waiting for them
                stop.request()
        view.close()

        finals = [run for run in view.last_runs() if run is not None]
        for index, outcome in sorted(outcomes.items()):
            label = jobs[index][1]
            if isinstance(outcome, APIError):
                self._bind(finals, None)
                raise ClaudeAPIError(f"{label}: {outcome}") from None
            if isinstance(outcome, (ReplayMissingError, RequestValidationError)):
                self._bind(finals, None)
                raise UsageError(f"{label}: {outcome}") from None
            if isinstance(outcome, BaseException):
                raise outcome
        return finals

    def _checked_against_model(self, spec: Any, args: Any, cell: str, notebook: Path | None,
                               recording: Recording, replay: str) -> Any:
        """`spec` checked against the replay policy and, when it is to be sent, the model's capabilities.

        Capabilities (GET /v1/models/{id}) are looked up once per backend and model, and only after everything
        else about the prompt is known to be right; a replayed prompt needs no lookup, and a backend that does
        not serve the models endpoint is simply not asked again.
        """
        from workbench.pipeline import ReplayMissingError, replay_source

        model = spec.request["model"]
        if not args.dry_run:
            try:
                if replay_source(spec, backend=self.backend, ledger=recording.ledger, replay=replay):
                    return spec
            except ReplayMissingError as exc:
                raise UsageError(str(exc)) from None
        if (self.backend.name, model) in self._model_infos:
            return spec
        info = self._model_info(spec)
        return spec if info is None else self._compose(args, cell, notebook, model)

    def _model_info(self, spec: Any) -> Any:
        from workbench.api.errors import APIError, APIStatusError

        model = spec.request["model"]
        key = (self.backend.name, model)
        if key not in self._model_infos:
            try:
                self._model_infos[key] = self.backend.client(spec.api_version, spec.betas).models.retrieve(model)
            except APIStatusError:  # a gateway without /v1/models, or a model it does not list
                self._model_infos[key] = None
            except APIError:  # unreachable now: ask again next time
                return None
        return self._model_infos[key]

    def _check(self, args: Any) -> list[str]:
        """Reject contradictory options; return the models to send the prompt to."""
        if args.out is not None and not args.out.isidentifier():
            raise UsageError(f"--out: {args.out!r} is not a Python identifier")
        if args.max_steps is not None and args.max_steps < 1:
            raise UsageError("--max-steps: must be at least 1")
        if args.repeat < 1:
            raise UsageError("--repeat: must be at least 1")
        models = _names(args.models)
        if args.models is not None and not models:
            raise UsageError("--models: give model ids separated by commas")
        if models and args.model:
            raise UsageError("use either --model or --models, not both")
        if args.chat and (len(models) > 1 or args.repeat > 1):
            raise UsageError("--chat continues one conversation: it cannot be combined with --models or --repeat")
        return models or [args.model or self.model]

    def _compose(self, args: Any, cell: str, notebook: Path | None, model: str) -> Any:
        from workbench.prompt import PromptError, PromptOptions, compose

        options = PromptOptions(
            model=model,
            max_tokens=args.max_tokens if args.max_tokens is not None else self.max_tokens,
            system=args.system if args.system is not None else (self.system or None),
            temperature=args.temperature,
            top_p=args.top_p,
            top_k=args.top_k,
            stop_sequences=args.stop,
            thinking=_thinking(args.thinking),
            effort=args.effort,
            api_version=args.api_version or self.api_version,
            betas=tuple(args.beta or ()),
            cache=args.cache,
            cache_ttl=args.cache_ttl,
            tools=_names(args.tools),
            tool_choice=args.tool_choice,
            name=args.name,
            history=list(self.threads.get(args.chat, [])) if args.chat else [],
        )
        base_dir = notebook.parent if notebook else Path.cwd()
        model_info = self._model_infos.get((self.backend.name, model))
        try:
            return compose(options, cell, self.shell.user_ns, base_dir=base_dir, model_info=model_info)
        except (PromptError, ValueError) as exc:
            raise UsageError(str(exc)) from None

    def _dry_run(self, spec: Any) -> None:
        from workbench.api.errors import APIError
        from workbench.display.dry_run import show_dry_run
        from workbench.pipeline import dry_run

        try:
            result = dry_run(spec, self.backend)
        except APIError as exc:
            raise ClaudeAPIError(str(exc)) from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        show_dry_run(result)
        self.shell.user_ns["_"] = result

    def _bind(self, run: Run | list[Run], out: str | None) -> None:
        # The view has displayed the run already: returning it would display it a second time.
        self.shell.user_ns["_"] = run
        if out:
            self.shell.user_ns[out] = run

    # -- %claude ---------------------------------------------------------------------------------

    @line_magic("claude")
    def claude_line(self, line: str) -> Any:
        """%claude help | config | models | history [NAME] | compare RUN... | export [RUN] [LANG] | threads | playground

        `%claude help` says what each command does.
        """
        words = _split(line)
        command, rest = (words[0], words[1:]) if words else ("help", [])
        handler = getattr(self, f"_cmd_{command.replace('-', '_')}", None)
        if handler is None:
            raise UsageError(f"unknown %claude command {command!r}; try: {', '.join(self.commands())}")
        return handler(rest)

    def commands(self) -> list[str]:
        return sorted(name[5:].replace("_", "-") for name in dir(self) if name.startswith("_cmd_"))

    def _show(self, html_text: str, text: str) -> None:
        from IPython.display import display

        if getattr(self.shell, "kernel", None) is None:
            print(text)
        else:
            display({"text/html": html_text, "text/plain": text}, raw=True)

    def _cmd_help(self, args: list[str]) -> None:
        print(
            "%%claude [options]  — send the cell as a prompt (%%claude? lists the options)\n"
            "%claude config      — settings (change with %config Claude.<name> = value) and the backend\n"
            "%claude models      — models the backend offers\n"
            "%claude history [NAME|all]  — runs of a name (default: every run of this notebook)\n"
            "%claude compare RUN RUN...  — side by side (run id, name@N, name, vN, last, lastN)\n"
            f"%claude export [RUN] {_EXPORT_USAGE}  — code that sends the same request\n"
            "%claude threads [--reset NAME]  — chat threads (%%claude --chat NAME)\n"
            "%claude playground [NAME]  — the widget playground (same pipeline, same ledger)"
        )

    def _cmd_config(self, args: list[str]) -> None:
        if args:
            raise UsageError("%claude config takes no arguments; change a setting with %config Claude.model = '...'")
        lines = [f"Claude.{name} = {getattr(self, name)!r}" for name in sorted(self.trait_names(config=True))]
        lines.append(f"backend: {self.backend.name} (from the environment: ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL)")
        print("\n".join(lines))

    def _cmd_models(self, args: list[str]) -> None:
        from workbench.api.errors import APIError
        from workbench.prompt.options import DEFAULT_API_VERSION

        try:
            models = list(self.backend.client(DEFAULT_API_VERSION).models.list())
        except APIError as exc:
            raise ClaudeAPIError(str(exc)) from None
        def chosen(model_id: str) -> str:
            # The setting is usually an alias (claude-haiku-4-5) of a dated id (claude-haiku-4-5-20251001).
            return "  (Claude.model)" if model_id == self.model or model_id.startswith(f"{self.model}-20") else ""

        print("\n".join(f"{m.id:32} {m.display_name or ''}{chosen(m.id)}" for m in models))

    def _cmd_history(self, args: list[str]) -> None:
        from workbench.runs import render_history

        ledger = self.ledger(self._notebook())
        runs = ledger.runs()
        if args and args[0] != "all":
            runs = [r for r in runs if r.name == args[0]]
        self._show(*render_history(runs))

    def _select(self, selectors: list[str]) -> list[Run]:
        from workbench.runs import LedgerError, select_runs

        try:
            return select_runs(self.ledger(self._notebook()).runs(), selectors)
        except LedgerError as exc:
            raise UsageError(str(exc)) from None

    def _cmd_compare(self, args: list[str]) -> None:
        from workbench.runs import render_compare

        if not args:
            raise UsageError("%claude compare needs runs: run ids, name@N, name, vN, last or lastN")
        self._show(*render_compare(self._select(args)))

    def _cmd_export(self, args: list[str]) -> None:
        from workbench.export import ExportError, languages, run_to_code

        options = _export_parser().parse_args(args)  # raises UsageError on a bad option
        if options.lang and options.language:
            raise UsageError("give the language once: either --lang or after the run")
        lang = options.lang or options.language or "python"
        if lang not in languages:
            raise UsageError(f"unknown language {lang!r}; choose one of {', '.join(languages)}")
        notebook = self._notebook()
        ledger = self.ledger(notebook)
        if options.run is None and not ledger.runs():
            raise UsageError(f"usage: %claude export RUN {_EXPORT_USAGE} (RUN defaults to the last run: none yet)")
        (run,) = self._select([options.run or "last"])
        try:
            code = run_to_code(run, lang, blobs=ledger.blob_sources(), stream=options.stream,
                               media_mode=options.media, media_root=notebook.parent if notebook else Path.cwd())
        except ExportError as exc:
            raise UsageError(str(exc)) from None
        if options.cell:
            self.shell.set_next_input(_EXPORT_CELL_MAGIC.get(lang, "") + code, replace=False)
        else:
            print(code, end="" if code.endswith("\n") else "\n")

    def _cmd_threads(self, args: list[str]) -> None:
        if args[:1] == ["--reset"]:
            for name in args[1:]:
                self.threads.pop(name, None)
            return
        if not self.threads:
            print("no chat threads yet (%%claude --chat NAME starts one)")
        for name, messages in self.threads.items():
            print(f"{name}: {len(messages)} messages")

    def _cmd_playground(self, args: list[str]) -> Any:
        from workbench.playground import playground

        if len(args) > 1:
            raise UsageError("usage: %claude playground [NAME]")
        return playground(**({"name": args[0]} if args else {}))


__all__ = ["Claude", "ClaudeAPIError", "DEFAULT_MODEL"]
