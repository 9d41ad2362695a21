"""The one way a prompt becomes a run, whichever front door it came through (the magic, the playground, Python).

    PromptSpec ─► validate ─► replay from the ledger, or client.messages.stream ─► view + ledger ─► Run

A front door supplies a `RunView`: the pipeline tells it when the run starts, hands it the live reply after every
stream event (the view decides when to redraw), and gives it the finished run with the output metadata to attach.
Nothing here knows about Jupyter.

- Replay policy: "auto" serves a prompt whose fingerprint the ledger already answered from the ledger (free);
  "live" always calls the API; "replay" refuses to call it. Answers recorded from the embedded simulator are
  replayed only while the simulator is the backend.
- An interrupt (KeyboardInterrupt) stops the stream at once; the partial reply is recorded and shown and the run is
  returned with status "interrupted". API errors are recorded and shown, then re-raised.
- Runs may stream in worker threads (several side by side): `Stop` lets the thread that started them stop them
  like an interrupt, and `Recording.shared()` lets their threads record into one ledger.
- `run_turn` runs the tool loop: each step is a run of its own, each visible.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from workbench.api.client import Client
    from workbench.prompt import PromptSpec
    from workbench.runs import Ledger, Run
    from workbench.runs.locate import CellIdentity

ReplayPolicy = Literal["auto", "live", "replay"]
REPLAY_POLICIES = ("auto", "live", "replay")

# Fields of a Messages body that count_tokens does not take.
_NOT_COUNTED = ("max_tokens", "stop_sequences", "temperature", "top_p", "top_k", "metadata", "stream", "service_tier")


class ReplayMissingError(ValueError):
    """Replay policy "replay" and the ledger has no answer for this prompt."""


class LiveReply:
    """The reply while it streams: its size so far (cheap) and the message itself (built on demand)."""

    def __init__(self, snapshot: Callable[[], Any]) -> None:
        self._snapshot = snapshot
        self.size = 0  # characters of text, thinking and tool input received so far

    def message(self) -> Any:
        return self._snapshot()


class RunView(Protocol):
    """What a front door shows. Calls arrive in the order: started, progress*, finished, tool_results?"""

    def started(self, run: Run) -> None:
        """The run is recorded and about to be sent (or replayed): show its header."""

    def progress(self, reply: LiveReply) -> None:
        """Called after every stream event; redraw when it suits the view (`reply.size` is cheap)."""

    def finished(self, run: Run, message: Any, metadata: dict[str, Any]) -> None:
        """The final state: `message` is the (possibly partial) reply, `metadata` the output metadata to keep."""

    def tool_results(self, results: list[dict[str, Any]]) -> None:
        """Tool results the pipeline is about to send back (tool loop only)."""


class Backend:
    """Clients for each (API version, betas), sharing credentials and base URL from the environment.

    With ANTHROPIC_API_KEY (or a base URL) set the clients call that API; otherwise the embedded simulator.
    """

    def __init__(self, **client_options: Any) -> None:
        self.client_options = client_options
        self._clients: dict[tuple[str, tuple[str, ...]], Client] = {}

    def client(self, api_version: str, betas: tuple[str, ...] = ()) -> Client:
        key = (api_version, tuple(betas))
        if key not in self._clients:
            from workbench.api.client import Client

            self._clients[key] = Client(api_version=api_version, betas=tuple(betas), **self.client_options)
        return self._clients[key]

    @property
    def name(self) -> str:
        from workbench.prompt.options import DEFAULT_API_VERSION

        return self.client(DEFAULT_API_VERSION).backend


@dataclasses.dataclass
class Recording:
    """Where and how runs are recorded: the ledger plus what identifies the calling cell."""

    ledger: Ledger
    cell: CellIdentity | None = None
    execution_count: int | None = None
    kernel_id: str | None = None

    def shared(self) -> Recording:
        """This recording for runs in several threads: their ledger calls take turns (versions stay in order)."""
        return dataclasses.replace(self, ledger=_SerialLedger(self.ledger))  # type: ignore[arg-type]


class _SerialLedger:
    """A ledger whose method calls hold one lock: a run's start computes its version from the runs before it."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._ledger, name)
        if not callable(value):
            return value

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return value(*args, **kwargs)

        return locked


class Stop:
    """Stops streaming runs from another thread, as an interrupt would: each is recorded as "interrupted".

    `request()` aborts the streams it watches (`MessageStream.abort`): a read blocked on a quiet connection
    wakes at once, a stream not opened yet is never sent.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requested = False
        self._streams: list[Any] = []

    @property
    def requested(self) -> bool:
        return self._requested

    def request(self) -> None:
        with self._lock:
            self._requested = True
            streams = list(self._streams)
        for stream in streams:
            stream.abort()

    def watch(self, stream: Any) -> None:
        with self._lock:
            self._streams.append(stream)
            requested = self._requested
        if requested:
            stream.abort()


class _Stopped(Exception):
    """Raised when a run's stream was aborted by its `Stop`; handled like KeyboardInterrupt."""


@dataclasses.dataclass
class DryRun:
    """What a run would send, without sending it."""

    request: dict[str, Any]
    api_version: str
    betas: tuple[str, ...]
    input_tokens: int | None
    estimate: Any  # workbench.pricing estimate, None when the model has no price
    backend: str


def check(spec: PromptSpec) -> dict[str, Any]:
    """The body exactly as it will be sent; raises RequestValidationError (a ValueError) on a bad request."""
    from workbench.api.types import validate_request

    validate_request(spec.to_request(), spec.api_version)
    return spec.to_request()


def dry_run(spec: PromptSpec, backend: Backend) -> DryRun:
    """The request JSON, its token count (count_tokens endpoint) and a cost estimate; no Messages call is made."""
    from workbench import pricing

    body = check(spec)
    client = backend.client(spec.api_version, spec.betas)
    counted = {key: value for key, value in body.items() if key not in _NOT_COUNTED}
    input_tokens = client.messages.count_tokens(**counted).input_tokens
    estimate = pricing.estimate(body["model"], input_tokens, body.get("max_tokens", 0))
    return DryRun(body, spec.api_version, tuple(spec.betas), input_tokens, estimate, client.backend)


def _record_kwargs(recording: Recording, backend_name: str) -> dict[str, Any]:
    return {
        "cell": recording.cell,
        "backend": backend_name,
        "execution_count": recording.execution_count,
        "kernel_id": recording.kernel_id,
    }


def _finish_view(view: RunView, run: Run, message: Any, recording: Recording) -> None:
    from workbench.runs.notebook import output_metadata

    view.finished(run, message, output_metadata(run, recording.ledger.lineage(run)))


def replay_source(spec: PromptSpec, *, backend: Backend, ledger: Ledger, replay: ReplayPolicy) -> Run | None:
    """The recorded run that answers `spec` under the replay policy instead of a call, or None (call the API).

    Raises ReplayMissingError when the policy is "replay" and no recorded run answers it.
    """
    if replay == "live":
        return None
    found = ledger.find_replay(spec.fingerprint())
    live_backend = backend.client(spec.api_version, spec.betas).backend
    if found is not None and found.backend == "simulator" and live_backend != "simulator":
        found = None  # a simulated answer must never stand in for Claude's (the reverse is how CI runs offline)
    if found is None and replay == "replay":
        raise ReplayMissingError("no recorded run answers this prompt (replay policy is 'replay'; use --fresh)")
    return found


def run_prompt(
    spec: PromptSpec,
    *,
    backend: Backend,
    view: RunView,
    recording: Recording,
    replay: ReplayPolicy = "auto",
    name: str | None = None,
    stream: bool = True,
    stop: Stop | None = None,
) -> Run:
    """Send (or replay) one request, showing it through `view` and recording it in the ledger.

    With `stream=False` one non-streaming request is made and the view gets no progress calls (and `stop`
    cannot cut it short).
    """
    body = check(spec)
    ledger = recording.ledger
    client = backend.client(spec.api_version, spec.betas)
    kwargs = _record_kwargs(recording, client.backend)
    found = replay_source(spec, backend=backend, ledger=ledger, replay=replay)
    if found is not None:
        run = ledger.replay(found, spec, name=name, **kwargs)
        view.started(run)
        _finish_view(view, run, run.response, recording)
        return run

    run = ledger.start(spec, name=name, **kwargs)
    view.started(run)
    if not stream:
        return _run_once(client, body, run, view, recording)
    from workbench.api.errors import APIError

    import time

    live = client.messages.stream(**body)
    if stop is not None:
        stop.watch(live)
    try:
        with live:
            reply = LiveReply(lambda: live.current_message_snapshot)
            text: list[str] = []
            journaled = time.monotonic()
            for event in live.raw_events():
                reply.size += _delta_size(event)
                view.progress(reply)
                delta = event.get("delta") or {}
                if delta.get("type") == "text_delta":
                    text.append(delta["text"])
                    # Joining the text is O(n): do it only as often as the ledger journals progress.
                    if time.monotonic() - journaled >= ledger.progress_interval:
                        ledger.progress(run, "".join(text))
                        journaled = time.monotonic()
            if live.aborted:
                raise _Stopped
            message = live.get_final_message()
    except (KeyboardInterrupt, _Stopped):
        return _interrupted(live, run, view, recording)
    except APIError as exc:
        partial = _snapshot_or_none(live)
        ledger.finish(run, status="error", error=exc, text=_text(partial), timings=live.timings)
        _finish_view(view, run, partial, recording)
        raise
    ledger.finish(run, status="ok", response=message, timings=live.timings)
    _finish_view(view, run, message, recording)
    return run


def _interrupted(live: Any, run: Run, view: RunView, recording: Recording) -> Run:
    partial = _snapshot_or_none(live)
    recording.ledger.finish(run, status="interrupted", response=partial, timings=live.timings)
    _finish_view(view, run, partial, recording)
    return run


def _run_once(client: Client, body: dict[str, Any], run: Run, view: RunView, recording: Recording) -> Run:
    import time

    from workbench.api.errors import APIError

    started = time.monotonic()
    try:
        message = client.messages.create(**body)
    except KeyboardInterrupt:
        recording.ledger.finish(run, status="interrupted", timings={"total": time.monotonic() - started})
        _finish_view(view, run, None, recording)
        return run
    except APIError as exc:
        recording.ledger.finish(run, status="error", error=exc, timings={"total": time.monotonic() - started})
        _finish_view(view, run, None, recording)
        raise
    recording.ledger.finish(run, status="ok", response=message, timings={"total": time.monotonic() - started})
    _finish_view(view, run, message, recording)
    return run


def _delta_size(event: dict[str, Any]) -> int:
    if event.get("type") != "content_block_delta":
        return 0
    delta = event.get("delta") or {}
    for key in ("text", "thinking", "partial_json"):
        value = delta.get(key)
        if isinstance(value, str):
            return len(value)
    return 0


def _snapshot_or_none(stream: Any) -> Any:
    try:
        return stream.current_message_snapshot
    except Exception:  # nothing arrived, or a tool input cut mid-JSON: no reply to show
        return None


def _text(message: Any) -> str:
    if message is None:
        return ""
    return "".join(getattr(b, "text", "") or "" for b in message.content if getattr(b, "type", None) == "text")


@dataclasses.dataclass
class Turn:
    """One prompt's runs (several with the tool loop) and the conversation after the last reply."""

    runs: list[Run]
    messages: list[dict[str, Any]]


def run_turn(
    spec: PromptSpec,
    *,
    backend: Backend,
    views: Callable[[], RunView],
    recording: Recording,
    max_steps: int = 5,
    replay: ReplayPolicy = "auto",
    stream: bool = True,
    stop: Stop | None = None,
) -> Turn:
    """The tool loop: run, execute the requested Python tools, send their results, continue; one run per step.

    Stops when the model stops asking for tools, a step fails, a tool has no Python function, or after
    `max_steps` calls.
    """
    from workbench.prompt.tools import tool_result

    runs: list[Run] = []
    for step in range(1, max_steps + 1):
        view = views()
        name = spec.name if step == 1 else f"{spec.name or 'tool-loop'}:step{step}"
        run = run_prompt(spec, backend=backend, view=view, recording=recording, replay=replay, name=name,
                         stream=stream, stop=stop)
        runs.append(run)
        calls = [b for b in (run.response or {}).get("content", []) if b.get("type") == "tool_use"]
        if run.status != "ok" or run.stop_reason != "tool_use" or not calls:
            break
        if any(c["name"] not in spec.tool_functions for c in calls) or step == max_steps:
            break  # a tool dict without a Python function: the caller answers it
        results = [tool_result(c["id"], spec.tool_functions[c["name"]], c.get("input") or {}) for c in calls]
        view.tool_results(results)
        spec = continued(spec, run.response["content"], results)
    return Turn(runs, conversation_after(spec, runs[-1]))


def conversation_after(spec: PromptSpec, run: Run) -> list[dict[str, Any]]:
    """The request's messages plus the run's reply: the history of the next turn of a chat thread."""
    messages = list(spec.request["messages"])
    content = (run.response or {}).get("content") or []
    if content:
        messages.append({"role": "assistant", "content": [as_param(block) for block in content]})
    return messages


def continued(spec: PromptSpec, assistant_content: list[dict[str, Any]], results: list[dict[str, Any]]) -> PromptSpec:
    """The spec of the next tool-loop step: the reply and the tool results appended to the conversation."""
    request = spec.to_request()
    request["messages"] = [
        *request["messages"],
        {"role": "assistant", "content": [as_param(block) for block in assistant_content]},
        {"role": "user", "content": results},
    ]
    return dataclasses.replace(spec, request=request)


def as_param(block: dict[str, Any]) -> dict[str, Any]:
    """A response content block as a request block: the response's null fields are not request fields."""
    return {key: value for key, value in block.items() if value is not None}
