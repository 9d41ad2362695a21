"""A corpus of recorded requests for the code-export tests: one per feature the exporters must carry.

Each case is what a run records (request body, API version, betas) plus how it is exported (stream,
media mode) and the media files it read, written under the program's working directory.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zlib
from dataclasses import dataclass, field


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out = b"%PDF-1.4\n"
    for number, body in enumerate(objects, 1):
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


RED = _png(4, 3, (220, 30, 30))
BLUE = _png(2, 2, (20, 40, 200))
REPORT = _pdf("Quarterly report: revenue grew 12 percent.")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def image(data: bytes, **extra: object) -> dict:
    return {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": b64(data)}, **extra}


def pdf(data: bytes, **extra: object) -> dict:
    return {
        "type": "document",
        "source": {"type": "base64", "media_type": "application/pdf", "data": b64(data)},
        **extra,
    }


@dataclass(frozen=True)
class ExportCase:
    name: str
    request: dict
    api_version: str = "2023-06-01"
    betas: tuple[str, ...] = ()
    stream: bool = False
    media_mode: str = "inline"
    files: dict[str, bytes] = field(default_factory=dict)  # relative path -> bytes the run read
    base_url: str | None = None

    def media(self, root: str) -> dict[str, dict]:
        """The PromptSpec-style media map: sha256 of the bytes -> where they were read (absolute path)."""
        return {sha(data): {"kind": "path", "path": f"{root}/{path}"} for path, data in self.files.items()}


SYSTEM_PROMPT = """You are a meticulous code reviewer.

Rules:
- Quote the line you comment on, like `x = "y"`, then say why.
- Never invent APIs; prices are in $USD, e.g. $5 or ${amount}.
- Windows paths look like C:\\Users\\dev\\project, and regexes like \\d+\\.\\d+.
- End with a line that is exactly: '''done''' or \"\"\"done\"\"\"."""

LONG_USER = """Please review this function:

def total(items):
    return sum(i.price for i in items)  # TODO: tax?

It should also handle an empty list, a `None` price, and prices given as strings like "3.50"."""

_TOOLS = [
    {
        "name": "get_weather",
        "description": "Current weather for a city.",
        "input_schema": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
    {
        "name": "get_time",
        "description": "Local time in a timezone.",
        "input_schema": {"type": "object", "properties": {"tz": {"type": "string"}}, "required": ["tz"]},
    },
]

HAIKU = "claude-haiku-4-5"
SONNET_4_5 = "claude-sonnet-4-5"
OPUS = "claude-opus-4-8"
SONNET_5 = "claude-sonnet-5"

CASES: list[ExportCase] = [
    ExportCase("hello", {"model": HAIKU, "max_tokens": 256, "messages": [{"role": "user", "content": "Hello!"}]}),
    ExportCase(
        "hello_stream",
        {"model": HAIKU, "max_tokens": 256, "messages": [{"role": "user", "content": "Stream a haiku."}]},
        stream=True,
    ),
    ExportCase(
        "system_prompt_readable",
        {"model": HAIKU, "max_tokens": 512, "system": SYSTEM_PROMPT,
         "messages": [{"role": "user", "content": LONG_USER}]},
    ),
    ExportCase(
        "system_blocks_cache_ttl",
        {
            "model": SONNET_4_5, "max_tokens": 400,
            "system": [
                {"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral", "ttl": "1h"}},
                {"type": "text", "text": "Reply in English.", "cache_control": {"type": "ephemeral"}},
            ],
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": LONG_USER, "cache_control": {"type": "ephemeral", "ttl": "5m"}},
            ]}],
        },
        stream=True,
    ),
    ExportCase(
        "multi_turn_prefill",
        {"model": HAIKU, "max_tokens": 300, "messages": [
            {"role": "user", "content": "Name a colour."},
            {"role": "assistant", "content": "Teal."},
            {"role": "user", "content": "Now answer as JSON."},
            {"role": "assistant", "content": '{"colour": "'},
        ]},
    ),
    ExportCase(
        "sampling_params_2023",
        {"model": HAIKU, "max_tokens": 200, "temperature": 0.2, "top_p": 0.9, "top_k": 40,
         "messages": [{"role": "user", "content": "Pick a number."}]},
    ),
    ExportCase(
        "sampling_params_2023_stream",
        {"model": SONNET_4_5, "max_tokens": 200, "temperature": 0.0,
         "messages": [{"role": "user", "content": "Deterministic please."}]},
        stream=True,
    ),
    ExportCase(
        "version_2026_effort",
        {"model": OPUS, "max_tokens": 1024, "output_config": {"effort": "low"},
         "messages": [{"role": "user", "content": "Summarise HTTP/2 in one line."}]},
        api_version="2026-10-21",
    ),
    ExportCase(
        "image_inline",
        {"model": HAIKU, "max_tokens": 300, "messages": [{"role": "user", "content": [
            image(RED), {"type": "text", "text": "What colour is this?"}]}]},
        files={"red.png": RED},
    ),
    ExportCase(
        "image_by_path",
        {"model": SONNET_4_5, "max_tokens": 300, "messages": [{"role": "user", "content": [
            image(RED), image(BLUE), {"type": "text", "text": "Compare the two images."}]}]},
        media_mode="path",
        files={"images/red.png": RED, "images/blue square.png": BLUE},
    ),
    ExportCase(
        "same_image_twice_by_path_stream",
        {"model": HAIKU, "max_tokens": 300, "messages": [
            {"role": "user", "content": [image(BLUE), {"type": "text", "text": "Remember this."}]},
            {"role": "assistant", "content": "Noted."},
            {"role": "user", "content": [image(BLUE, cache_control={"type": "ephemeral"}),
                                         {"type": "text", "text": "Same one?"}]},
        ]},
        stream=True,
        media_mode="path",
        files={"blue.png": BLUE},
    ),
    ExportCase(
        "pdf_inline_citations",
        {"model": SONNET_4_5, "max_tokens": 500, "messages": [{"role": "user", "content": [
            pdf(REPORT, title="Q3 report", citations={"enabled": True}),
            {"type": "text", "text": "How much did revenue grow?"}]}]},
        files={"report.pdf": REPORT},
    ),
    ExportCase(
        "pdf_by_path_stream_2026",
        {"model": OPUS, "max_tokens": 800, "messages": [{"role": "user", "content": [
            pdf(REPORT, cache_control={"type": "ephemeral", "ttl": "1h"}),
            {"type": "text", "text": "One-line summary."}]}]},
        api_version="2026-10-21",
        stream=True,
        media_mode="path",
        files={"docs/report.pdf": REPORT},
    ),
    ExportCase(
        "image_without_file_stays_inline",
        {"model": HAIKU, "max_tokens": 200, "messages": [{"role": "user", "content": [
            image(BLUE), {"type": "text", "text": "Describe."}]}]},
        media_mode="path",  # no file recorded for these bytes (a PIL image in the kernel): exported inline
    ),
    ExportCase(
        "thinking_budget",
        {"model": SONNET_4_5, "max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 2048},
         "messages": [{"role": "user", "content": "Is 1001 prime?"}]},
    ),
    ExportCase(
        "thinking_adaptive_stream",
        {"model": OPUS, "max_tokens": 4096, "thinking": {"type": "adaptive", "display": "summarized"},
         "output_config": {"effort": "high"},
         "messages": [{"role": "user", "content": "Plan a three-step proof."}]},
        api_version="2026-10-21",
        stream=True,
    ),
    ExportCase(
        "tools_forced_choice",
        {"model": HAIKU, "max_tokens": 500, "tools": _TOOLS,
         "tool_choice": {"type": "tool", "name": "get_weather"},
         "messages": [{"role": "user", "content": "Weather in Paris?"}]},
    ),
    ExportCase(
        "tool_result_turns_stream",
        {"model": SONNET_4_5, "max_tokens": 500, "tools": _TOOLS,
         "tool_choice": {"type": "auto", "disable_parallel_tool_use": True},
         "messages": [
             {"role": "user", "content": "What time is it in Tokyo?"},
             {"role": "assistant", "content": [
                 {"type": "text", "text": "Let me check."},
                 {"type": "tool_use", "id": "toolu_01A", "name": "get_time", "input": {"tz": "Asia/Tokyo"}}]},
             {"role": "user", "content": [
                 {"type": "tool_result", "tool_use_id": "toolu_01A", "content": "14:05"}]},
         ]},
        stream=True,
    ),
    ExportCase(
        "stop_sequences_metadata",
        {"model": HAIKU, "max_tokens": 300, "stop_sequences": ["\n\nHuman:", "END", "'''"],
         "metadata": {"user_id": "user-1234"},
         "messages": [{"role": "user", "content": "Count to five then say END."}]},
    ),
    ExportCase(
        "betas_header",
        {"model": SONNET_4_5, "max_tokens": 300, "messages": [{"role": "user", "content": "Hi with betas."}]},
        betas=("context-1m-2025-08-07", "token-efficient-tools-2025-02-19"),
    ),
    ExportCase(
        "unicode_and_quotes_2026_stream",
        {"model": SONNET_5, "max_tokens": 300, "system": "Réponds en français. 日本語もOK 🙂",
         "messages": [{"role": "user", "content": "Quote: \"it's\" — `tick` ${x} \\n not a newline\u2028!"}]},
        api_version="2026-10-21",
        stream=True,
    ),
    ExportCase(
        "long_max_tokens_non_streaming",
        {"model": OPUS, "max_tokens": 32000, "messages": [{"role": "user", "content": "Write a long essay."}]},
        api_version="2026-10-21",
    ),
    ExportCase(
        "top_level_cache_and_service_tier",
        {"model": SONNET_4_5, "max_tokens": 256, "cache_control": {"type": "ephemeral"},
         "service_tier": "standard_only", "system": "Be brief.",
         "messages": [{"role": "user", "content": "One fact about owls."}]},
    ),
    ExportCase(
        "custom_base_url",
        {"model": HAIKU, "max_tokens": 128, "messages": [{"role": "user", "content": "Through a gateway."}]},
        base_url="https://gateway.example.com/anthropic",
    ),
    ExportCase(
        "image_as_file_id",
        {"model": HAIKU, "max_tokens": 300, "messages": [{"role": "user", "content": [
            image(RED), pdf(REPORT), {"type": "text", "text": "Describe both."}]}]},
        api_version="2026-10-21",
        media_mode="file_id",
        files={"red.png": RED, "report.pdf": REPORT},
    ),
]
