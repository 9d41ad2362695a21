"""`%%claude --dry-run`: the request exactly as it would be sent, its input tokens and the most it could cost."""

from __future__ import annotations

import html
import json
from typing import Any

from workbench.display.footer import backend_badge, backend_label

_SHOWN_DATA = 80  # characters of base64 shown per image or PDF


def _elide_data(value: Any) -> Any:
    """The body with long base64 payloads shortened for reading; everything else as sent."""
    if isinstance(value, dict):
        elided = {key: _elide_data(item) for key, item in value.items()}
        data = value.get("data")
        if value.get("type") == "base64" and isinstance(data, str) and len(data) > _SHOWN_DATA:
            elided["data"] = f"{data[:_SHOWN_DATA]}… ({len(data):,} base64 characters)"
        return elided
    if isinstance(value, list):
        return [_elide_data(item) for item in value]
    return value


def dry_run_summary(result: Any) -> str:
    from workbench.pricing import format_usd

    most = "price unknown" if result.estimate is None else f"at most {format_usd(result.estimate.total)}"
    betas = f" · betas {', '.join(result.betas)}" if result.betas else ""
    return (
        f"dry run: nothing sent · {result.input_tokens:,} input tokens (count_tokens) · "
        f"max_tokens {result.request.get('max_tokens'):,} · {most} · anthropic-version {result.api_version}{betas}"
    )


def dry_run_bundle(result: Any) -> dict[str, str]:
    body = json.dumps(_elide_data(result.request), indent=2, ensure_ascii=False)
    summary = dry_run_summary(result)
    return {
        "text/html": (
            f'<div class="wb-dry-run">{backend_badge(result.backend)} {html.escape(summary)}'
            f"<pre>{html.escape(body)}</pre></div>"
        ),
        "text/plain": f"[{backend_label(result.backend)}] {summary}\n{body}",
    }


def show_dry_run(result: Any) -> None:
    from IPython import get_ipython
    from IPython.display import display

    bundle = dry_run_bundle(result)
    if getattr(get_ipython(), "kernel", None) is None:
        print(bundle["text/plain"])
    else:
        display(bundle, raw=True)
