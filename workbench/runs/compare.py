"""Side-by-side views of runs: ``render_compare`` and ``render_history`` -> (html, text).

Model text and prompts are untrusted: every string goes through ``html.escape`` and model text is
shown in ``<pre>`` blocks with ``white-space: pre-wrap``; no image, script or link is ever emitted
(images in prompts appear as ``[image image/png sha256:…]``). ``standalone_page`` wraps a view in a
page whose Content-Security-Policy forbids scripts and remote loads as a second line of defence.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._diff import diff_html, diff_text, is_unchanged, word_diff
from .blobs import BLOB_KEY

if TYPE_CHECKING:
    from .record import Run

_PROMPT_KEYS = ("system", "messages", "tools")
_STYLE = """<style>
.wb-runs{border-collapse:collapse;font-size:12px;font-family:var(--jp-ui-font-family,sans-serif)}
.wb-runs th,.wb-runs td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
.wb-runs th.wb-row{background:rgba(127,127,127,.08);white-space:nowrap}
.wb-runs td.wb-differs{background:rgba(255,200,0,.15)}
.wb-runs pre{white-space:pre-wrap;word-break:break-word;margin:0;font-size:12px;max-width:60em}
.wb-runs del.wb-del{background:rgba(255,0,0,.18);text-decoration:line-through}
.wb-runs ins.wb-ins{background:rgba(0,160,0,.18);text-decoration:none}
.wb-cache li{margin:2px 0}
</style>"""


# -- prompts as text --------------------------------------------------------------------------


def _block_text(block: Any) -> str:
    if isinstance(block, str):
        return block
    if not isinstance(block, dict):
        return json.dumps(block, ensure_ascii=False)
    kind = block.get("type")
    if kind == "text":
        text = block.get("text", "")
    elif kind in ("image", "document"):
        text = f"[{kind} {_source_text(block.get('source') or {})}]"
    elif kind == "tool_use":
        text = f"[tool_use {block.get('name')} {json.dumps(block.get('input'), ensure_ascii=False, sort_keys=True)}]"
    elif kind == "tool_result":
        content = block.get("content")
        inner = content if isinstance(content, str) else "\n".join(_block_text(b) for b in content or [])
        text = f"[tool_result {block.get('tool_use_id')}] {inner}"
    elif kind in ("thinking", "redacted_thinking"):
        text = f"[{kind}] {block.get('thinking', '')}"
    else:
        text = json.dumps({k: v for k, v in block.items() if k != "cache_control"}, ensure_ascii=False, sort_keys=True)
    if block.get("cache_control"):
        text += f" [cache breakpoint {block['cache_control'].get('ttl', '5m')}]"
    return text


def _source_text(source: dict[str, Any]) -> str:
    data = source.get("data")
    if isinstance(data, dict) and BLOB_KEY in data:
        return f"{source.get('media_type', '')} {data[BLOB_KEY][:19]}…"
    if source.get("type") == "url":
        return f"url {source.get('url')}"
    if source.get("type") == "file":
        return f"file {source.get('file_id')}"
    if source.get("type") == "text":
        return f"text {source.get('data', '')}"
    return str(source.get("type"))


def prompt_sections(request: dict[str, Any] | None) -> dict[str, str]:
    """``{"system": ..., "user 1": ..., "assistant 2": ..., "tools": ...}`` as plain text."""
    if not request:
        return {}
    sections: dict[str, str] = {}
    system = request.get("system")
    if system:
        sections["system"] = system if isinstance(system, str) else "\n".join(_block_text(b) for b in system)
    for number, message in enumerate(request.get("messages") or [], start=1):
        content = message.get("content")
        text = content if isinstance(content, str) else "\n".join(_block_text(b) for b in content or [])
        sections[f"{message.get('role', '?')} {number}"] = text
    if request.get("tools"):
        sections["tools"] = "\n".join(
            json.dumps(tool, ensure_ascii=False, sort_keys=True) for tool in request["tools"]
        )
    return sections


def parameters(run: Run) -> dict[str, str]:
    """Everything that shapes the call except the prompt itself, as compact JSON strings."""
    # The model has its own row in comparisons; the prompt is diffed separately.
    params = {key: value for key, value in (run.request or {}).items() if key not in (*_PROMPT_KEYS, "model")}
    params.update(api_version=run.api_version, betas=run.betas or None, backend=run.backend)
    return {key: json.dumps(value, ensure_ascii=False, sort_keys=True) for key, value in params.items() if value is not None}


# -- the cache explanation --------------------------------------------------------------------


def _prefix_items(request: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(where, canonical content, has breakpoint) in the order the API caches a prompt: tools, system, messages."""
    items = []
    for tool in request.get("tools") or []:
        items.append((f"tool {tool.get('name')}", _canon(tool), bool(tool.get("cache_control"))))
    system = request.get("system")
    if isinstance(system, str):
        items.append(("system", system, False))
    for i, block in enumerate(system or [] if not isinstance(system, str) else []):
        items.append((f"system block {i + 1}", _canon(block), bool(block.get("cache_control"))))
    for n, message in enumerate(request.get("messages") or [], start=1):
        content = message.get("content")
        where = f"{message.get('role')} {n}"
        if isinstance(content, str):
            items.append((where, content, False))
            continue
        for i, block in enumerate(content or []):
            label = where if len(content) == 1 else f"{where} block {i + 1}"
            items.append((label, _canon(block), bool(isinstance(block, dict) and block.get("cache_control"))))
    return items


def _canon(value: Any) -> str:
    if isinstance(value, dict):
        value = {k: v for k, v in value.items() if k != "cache_control"}
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def cache_explanation(earlier: Run, later: Run) -> str | None:
    """Why ``later`` did or did not read ``earlier``'s prompt prefix from the cache (None: nothing shared)."""
    if earlier.request is None or later.request is None:
        return None
    a, b = _prefix_items(earlier.request), _prefix_items(later.request)
    shared = 0
    while shared < min(len(a), len(b)) and a[shared][:2] == b[shared][:2]:
        shared += 1
    read = int(later.usage.get("cache_read_input_tokens") or 0)
    written = int(later.usage.get("cache_creation_input_tokens") or 0)
    who = f"{later.label} ({later.run_id[:8]})"
    if later.replayed:
        return f"{who} was replayed from the ledger: no request was sent, nothing read from or written to the cache."
    breakpoints = [i for i, item in enumerate(b) if item[2]]
    if shared == 0 and not read and not breakpoints:
        return None
    tokens = f"cache read {read:,} tokens, cache write {written:,} tokens"
    if earlier.model != later.model:
        return f"{who}: different model ({earlier.model} vs {later.model}); caches are per model, so no hit is possible ({tokens})."
    if not breakpoints:
        return (f"{who}: shares {shared} prompt block(s) with {earlier.label} but sets no cache_control breakpoint, "
                f"so caching was not requested ({tokens}).")
    covered = [i for i in breakpoints if i < shared]
    differs = f"the prompts first differ at {b[shared][0]}" if shared < len(b) else "the prompts are identical"
    if not covered:
        return (f"{who}: miss expected: {differs}, before the first breakpoint ({b[breakpoints[0]][0]}); "
                f"the prefix is written anew ({tokens}).")
    upto = b[covered[-1]][0]
    if read:
        return f"{who}: hit: the prefix through {upto} is identical to {earlier.label}'s; {differs} ({tokens})."
    return (f"{who}: miss although the prefix through {upto} is identical to {earlier.label}'s ({tokens}); "
            f"{_miss_reasons(earlier, later)}.")


def _miss_reasons(earlier: Run, later: Run) -> str:
    reasons = ["the prefix may be shorter than the model's minimum cacheable length"]
    gap = _minutes_between(earlier.created_at, later.created_at)
    if gap is not None and gap > 5:
        reasons.insert(0, f"{later.label} ran {gap:.0f} min after {earlier.label}, past the 5-minute lifetime")
    if earlier.status != "ok":
        reasons.append(f"{earlier.label} did not finish ({earlier.status})")
    return "; ".join(reasons)


def _minutes_between(start: str, end: str) -> float | None:
    try:
        parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
        return (parse(end) - parse(start)).total_seconds() / 60
    except ValueError:
        return None


# -- figures ----------------------------------------------------------------------------------


def _cost_text(summary: dict[str, Any]) -> str:
    if summary["replayed"]:
        return "$0 (replayed)"
    return "price unknown" if summary["cost"] is None else f"${summary['cost']:.4f}"


def _seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}s"


def _tokens_text(run: Run) -> str:
    usage = run.usage
    text = f"in {run.input_tokens:,} / out {run.output_tokens:,}"
    cache = [f"{label} {int(usage.get(key) or 0):,}" for key, label in
             (("cache_read_input_tokens", "cache read"), ("cache_creation_input_tokens", "cache write"))
             if usage.get(key)]
    return "; ".join([text, *cache])


def _status_text(summary: dict[str, Any]) -> str:
    parts = [summary["status"] + (" (replayed)" if summary["replayed"] else "")]
    if summary["stop_reason"]:
        parts.append(f"stop: {summary['stop_reason']}")
    if summary["error"]:
        parts.append(summary["error"])
    return " · ".join(parts)


def _heading(run: Run) -> str:
    return f"{run.label} · {run.run_id[:8]}"


# -- compare ----------------------------------------------------------------------------------


def render_compare(runs: Sequence[Run]) -> tuple[str, str]:
    """Runs side by side: figures, parameters, prompt word diffs (against the first run), outputs."""
    if not runs:
        return "<p>No runs to compare.</p>", "No runs to compare."
    base = runs[0]
    rows: list[tuple[str, list[str], list[str], bool]] = []  # label, html cells, text cells, differs

    def figure(label: str, values: list[str]) -> None:
        rows.append((label, [html.escape(v) for v in values], values, len(set(values)) > 1))

    figure("created", [r.created_at for r in runs])
    figure("model", [r.model or "?" for r in runs])
    summaries = [r.summary() for r in runs]
    figure("status", [_status_text(s) for s in summaries])
    figure("tokens", [_tokens_text(r) for r in runs])
    figure("cost", [_cost_text(s) for s in summaries])
    figure("latency", [f"first token {_seconds(r.timings.first_delta)}, total {_seconds(r.timings.total)}" for r in runs])

    params = [parameters(r) for r in runs]
    for key in sorted({k for p in params for k in p}):
        figure(key, [p.get(key, "–") for p in params])

    sections = [prompt_sections(r.request) for r in runs]
    for label in _ordered_union(sections):
        html_cells, text_cells, changed = [], [], False
        for i, prompt in enumerate(sections):
            if runs[i].request is None:
                html_cells.append("<em>request not recorded here (see the journal, or run workbench embed)</em>")
                text_cells.append("(request not recorded)")
                continue
            ops = word_diff(sections[0].get(label, ""), prompt.get(label, ""))
            if i == 0 or is_unchanged(ops):
                text = prompt.get(label, "")
                html_cells.append(f"<pre>{html.escape(text)}</pre>" + ("" if i == 0 else " <em>(same)</em>"))
                text_cells.append(text if i == 0 else "(same)")
            else:
                changed = True
                html_cells.append(f"<pre>{diff_html(ops)}</pre>")
                text_cells.append(diff_text(ops))
        rows.append((f"prompt: {label}", html_cells, text_cells, changed))

    rows.append(("output", [f"<pre>{html.escape(r.text)}</pre>" for r in runs], [r.text for r in runs],
                 len({r.text for r in runs}) > 1))

    notes = [note for earlier, later in zip(runs, runs[1:]) if (note := cache_explanation(earlier, later))]
    header = "".join(f"<th>{html.escape(_heading(r))}</th>" for r in runs)
    body = "".join(
        f'<tr><th class="wb-row">{html.escape(label)}</th>'
        + "".join(f'<td class="{"wb-differs" if differs else ""}">{cell}</td>' for cell in cells)
        + "</tr>"
        for label, cells, _, differs in rows
    )
    cache_html = ""
    if notes:
        cache_html = '<ul class="wb-cache">' + "".join(f"<li>{html.escape(n)}</li>" for n in notes) + "</ul>"
    html_out = (f'{_STYLE}<div class="wb-compare"><table class="wb-runs"><thead><tr><th></th>{header}</tr></thead>'
                f"<tbody>{body}</tbody></table>{cache_html}</div>")

    lines = [f"Comparing {len(runs)} runs (prompt diffs against {_heading(base)}; [-removed-] {{+added+}})"]
    for label, _, texts, differs in rows:
        long_form = label.startswith(("prompt", "output"))
        if not differs and not long_form:
            lines.append(f"{label}: {texts[0]} (all)")
            continue
        lines.append(f"\n== {label}{'  (differs)' if differs else ''}" if long_form else f"{label}:")
        for run, text in zip(runs, texts):
            lines.append(f"-- {_heading(run)}:\n{text}" if long_form else f"  {_heading(run)}: {text}")
    if notes:
        lines.append("\n== cache")
        lines.extend(f"- {note}" for note in notes)
    return html_out, "\n".join(lines)


def _ordered_union(sections: list[dict[str, str]]) -> list[str]:
    seen: dict[str, None] = {}
    for prompt in sections:
        seen.update(dict.fromkeys(prompt))
    return list(seen)


# -- history ----------------------------------------------------------------------------------

_HISTORY_COLUMNS = ("version", "run", "created", "status", "model", "tokens", "cost", "latency", "reply")


def history_row(summary: dict[str, Any]) -> list[str]:
    """One listing line from a run summary (``Run.summary()`` or ``summarize``)."""
    return [summary["label"], summary["run_id"][:8], summary["created_at"] or "?", _status_text(summary),
            summary["model"] or "?", f"{summary['input_tokens']:,}/{summary['output_tokens']:,}",
            _cost_text(summary), _seconds(summary["total_s"]), summary["preview"]]


def render_history(runs: Sequence[Run]) -> tuple[str, str]:
    """A cell's (or a name's) runs, oldest first, one line each."""
    if not runs:
        return "<p>No runs recorded yet.</p>", "No runs recorded yet."
    rows = [history_row(r.summary()) for r in runs]
    head = "".join(f"<th>{c}</th>" for c in _HISTORY_COLUMNS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row[:-1]) + f"<td><pre>{html.escape(row[-1])}</pre></td></tr>"
        for row in rows
    )
    html_out = f'{_STYLE}<table class="wb-runs wb-history"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return html_out, format_table(list(_HISTORY_COLUMNS), rows)


def format_table(columns: list[str], rows: list[list[str]], *, max_width: int = 48) -> str:
    clipped = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in rows]
    widths = [max([len(col), *(len(row[i]) for row in clipped)]) for i, col in enumerate(columns)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(columns), line(["-" * w for w in widths]), *(line(r) for r in clipped)])


def standalone_page(title: str, body_html: str) -> str:
    """A complete HTML page around a view; its CSP blocks scripts, images and every remote load."""
    return (
        "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>\n{body_html}\n</body></html>\n"
    )
