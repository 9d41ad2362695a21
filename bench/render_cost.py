"""What a streamed reply costs the frontend: iopub messages and bytes for one `%%claude` run.

A real kernel runs `%%claude` against the loopback simulator pacing a scripted Markdown reply of 1,000 deltas
(about 35 KB) at 100 deltas per second. Every iopub message of the execution is re-serialized with the kernel
session to count its exact frame bytes. Target: bytes sent <= 3x the final text (updating a display on every
delta measured 9.6 MB for an 18 KB reply, jupyter-notes Q4).
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from typing import Any

DELTAS = 1_000
WORDS_PER_DELTA = 4
DELTAS_PER_SECOND = 100
TARGET_RATIO = 3.0


def markdown_reply(words: int, seed: int = 7) -> str:
    """Paragraphs, lists, bold lead-ins and code: what a long answer looks like."""
    rng = random.Random(seed)
    vocabulary = ("stream render kernel notebook display update budget frontend parser markdown table cache token "
                  "latency throughput message payload bundle metadata output reply prompt model cell").split()
    parts, written, paragraph = [], 0, 0
    while written < words:
        paragraph += 1
        size = min(words - written, rng.randint(40, 90))
        chosen = [rng.choice(vocabulary) for _ in range(size)]
        if paragraph % 5 == 3 and size >= 12:
            parts.append("\n".join(f"- {' '.join(chosen[i:i + 4])}" for i in range(0, size - size % 4, 4)))
        elif paragraph % 7 == 4:
            parts.append("```python\n" + "\n".join(f"{w} = {i}" for i, w in enumerate(chosen)) + "\n```")
        else:
            chosen[0] = f"**{chosen[0].capitalize()}**"
            parts.append(" ".join(chosen) + ".")
        written += size
    return "\n\n".join(parts)


def frame_bytes(session: Any, message: dict[str, Any]) -> int:
    return sum(len(frame) for frame in session.serialize(message))


def main() -> int:
    from jupyter_client import KernelManager

    from workbench.simulator import SimulatorServer

    text = markdown_reply(DELTAS * WORDS_PER_DELTA)
    with SimulatorServer() as server, tempfile.TemporaryDirectory() as home:
        server.engine.options = server.engine.options.replace(
            deltas_per_second=DELTAS_PER_SECOND, words_per_delta=WORDS_PER_DELTA
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "WORKBENCH_"))}
        env.update(ANTHROPIC_BASE_URL=server.url, ANTHROPIC_API_KEY="sk-ant-bench", WORKBENCH_HOME=home)
        manager = KernelManager(kernel_name="python3")
        manager.start_kernel(env=env, cwd=home)
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=60)
            client.execute_interactive("%load_ext workbench", timeout=60)
            server.engine.script_reply(text=text)
            messages: list[dict[str, Any]] = []
            started = time.monotonic()
            reply = client.execute_interactive("%%claude --max-tokens 64000\nWrite a long answer.", timeout=120,
                                               output_hook=messages.append)
            elapsed = time.monotonic() - started
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    if reply["content"]["status"] != "ok":
        print(f"the run failed: {reply['content']}", file=sys.stderr)
        return 1
    deltas = sum(1 for r in server.engine.received if r.path == "/v1/messages")
    final_size = len(text.encode())
    sizes = [(m["msg_type"], frame_bytes(client.session, m)) for m in messages]
    outputs = [(kind, size) for kind, size in sizes if kind in ("display_data", "update_display_data")]
    total = sum(size for _, size in sizes)
    final = outputs[-1][1]
    last = messages[-1 - [m["msg_type"] for m in reversed(messages)].index("update_display_data")]["content"]
    parts = {
        "text/html": len(last["data"]["text/html"].encode()),
        "text/plain": len(last["data"]["text/plain"].encode()),
        "run record (output metadata)": len(json.dumps(last["metadata"]).encode()),
    }
    print(f"reply: {DELTAS} deltas of {WORDS_PER_DELTA} words at {DELTAS_PER_SECOND}/s, "
          f"final text {final_size:,} bytes ({deltas} request), run took {elapsed:.1f} s")
    print(f"iopub messages for the run: {len(sizes)} ({len(outputs)} display/update, "
          f"{len(sizes) - len(outputs)} status/input/other)")
    print(f"bytes sent: {total:,} = live updates {sum(s for _, s in outputs[:-1]):,} + final render {final:,} "
          f"+ other {total - sum(s for _, s in outputs):,}")
    verdict = "met" if total / final_size <= TARGET_RATIO else "missed"
    print(f"ratio bytes / final text: {total / final_size:.2f}x (target <= {TARGET_RATIO:.0f}x: {verdict}); "
          f"live updates alone: {sum(s for _, s in outputs[:-1]) / final_size:.2f}x")
    print("final render: " + ", ".join(f"{name} {size:,} ({size / final_size:.2f}x)" for name, size in parts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
