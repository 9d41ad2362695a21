"""Bad prompts and options, each of which must fail with one clear line before anything is sent.

Shared data: the prompt tests run them through `compose()`, the magic's kernel tests through `%%claude`.

BAD_INPUTS: (options dict, cell text, expected message fragment), for an empty namespace.
BAD_INPUTS_WITH_SETUP: (setup code to run in the namespace first, options dict, cell text, fragment).
Paths to fixture files are absolute, so they work from any working directory.
"""

from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
MODEL = "claude-sonnet-4-5"
OLD = {"model": MODEL, "api_version": "2023-06-01"}
NEW = {"model": MODEL, "api_version": "2026-10-21"}

BAD_INPUTS = [
    # sampling parameters and their ranges
    ({**NEW, "temperature": 0.5}, "Hi", "temperature is not accepted by API version 2026-10-21"),
    ({**NEW, "top_p": 0.9}, "Hi", "top_p is not accepted by API version 2026-10-21"),
    ({**NEW, "top_k": 40}, "Hi", "top_k is not accepted by API version 2026-10-21"),
    ({**OLD, "temperature": 1.5}, "Hi", "temperature must be between 0 and 1, got 1.5"),
    ({**OLD, "top_p": 0}, "Hi", "top_p must be greater than 0 and at most 1"),
    ({**OLD, "top_k": 0}, "Hi", "top_k must be a positive integer"),
    ({**OLD, "max_tokens": -5}, "Hi", "max_tokens must be a non-negative integer, got -5"),
    ({**OLD, "max_tokens": "lots"}, "Hi", "max_tokens must be a non-negative integer"),
    ({**OLD, "api_version": "2024-01-01"}, "Hi", "api_version must be one of 2023-06-01, 2026-10-21"),
    ({**OLD, "model": ""}, "Hi", "no model chosen"),
    # thinking
    ({**OLD, "thinking": 500}, "Hi", "thinking budget must be at least 1024 tokens, got 500"),
    ({**OLD, "thinking": 8000, "max_tokens": 4096}, "Hi", "thinking budget (8000) must be less than max_tokens (4096)"),
    ({**OLD, "thinking": "sometimes"}, "Hi", "thinking must be 'off', 'adaptive' or a token budget"),
    ({**OLD, "thinking": "adaptive", "temperature": 0.2}, "Hi", "temperature must be 1 (or unset) with thinking"),
    ({**OLD, "thinking": 2048, "top_k": 5}, "Hi", "top_k cannot be used with thinking"),
    ({**OLD, "thinking": "adaptive", "tool_choice": "any"}, "Hi", "tool_choice 'any' forces tool use"),
    ({**OLD, "thinking": "adaptive"}, "%user\nHi\n%assistant\nSure,", "prefill (a final %assistant section) cannot be used with thinking"),
    # other options
    ({**OLD, "effort": "huge"}, "Hi", "effort must be one of low, medium, high, xhigh, max, got 'huge'"),
    ({**OLD, "stop_sequences": [""]}, "Hi", "stop sequences must contain non-whitespace text"),
    ({**OLD, "stop_sequences": ["  \n"]}, "Hi", "stop sequences must contain non-whitespace text"),
    ({**OLD, "stop_sequences": 5}, "Hi", "stop_sequences must be a list of strings"),
    ({**OLD, "cache": "everything"}, "Hi", "cache must be one of system, tools, all"),
    ({**OLD, "cache": "system", "cache_ttl": "2h"}, "%system\nS\n%user\nHi", 'cache ttl must be "5m" or "1h"'),
    ({**OLD, "cache": "system"}, "Hi", "cache='system' but there is no system prompt"),
    ({**OLD, "user_id": 42}, "Hi", "user_id must be a string"),
    ({**OLD, "betas": [""]}, "Hi", "betas must be a list of beta names"),
    ({**OLD, "tool_choice": "any"}, "Hi", "tool_choice 'any' needs tools"),
    ({**OLD, "tools": ["get_weather"]}, "Hi", "unknown tool 'get_weather'"),
    ({**OLD, "history": [{"role": "bot", "content": "x"}]}, "Hi", "history[0]: role must be 'user' or 'assistant'"),
    ({**OLD, "colour": "blue"}, "Hi", "unknown option 'colour'"),
    # the cell itself
    (OLD, "", "the prompt is empty"),
    (OLD, "  \n\n ", "the prompt is empty"),
    (OLD, "%system\nBe brief.", "the prompt has no user message"),
    (OLD, "%assistant\nHello\n%user\nHi", "the first message must be from the user"),
    (OLD, "%user\n\n%assistant\nA\n%user\nB", "empty %user section (line 1)"),
    (OLD, "Write about {{ topic }}", "undefined name 'topic' in the template (line 1)"),
    (OLD, "Intro\n\nWrite about {{ topic }}", "undefined name 'topic' in the template (line 3)"),
    (OLD, "Hello {{ name ", "template syntax error (line 1)"),
    (OLD, "{% for x in items %}{{ x }}", "template syntax error"),
    (OLD, "{{ ''.__class__.__mro__ }}", "unsafe operation in the template"),
    (OLD, "See {{ image('no/such/picture.png') }}", "image file not found: no/such/picture.png (line 1)"),
    (OLD, f"See {{{{ image('{DATA / 'tiny.bmp'}') }}}}", "unsupported image type image/bmp"),
    (OLD, f"See {{{{ image('{DATA / 'wide.png'}') }}}}", "image too large: 8001x1 px"),
    (OLD, f"%system\n{{{{ image('{DATA / 'tiny.png'}') }}}}\n%user\nHi", "image() can only be used in %user sections"),
    (OLD, f"Hi\n%assistant\n{{{{ image('{DATA / 'tiny.png'}') }}}}", "image() can only be used in %user sections"),
    (OLD, f"{{{{ document('{DATA / 'tiny.png'}') }}}}", "document() got an image (image/png)"),
    (OLD, "{{ document('missing.pdf') }}", "document file not found: missing.pdf"),
    (OLD, "{{ include('missing-notes.txt') }}", "include file not found: missing-notes.txt"),
    (OLD, "Text {{ cache('2h') }}", 'cache() ttl must be "5m" or "1h"'),
    (OLD, "{{ cache() }} Text", "cache() must follow some content"),
    (OLD, "a {{ cache() }} b {{ cache() }} c {{ cache() }} d {{ cache() }} e {{ cache() }}", "too many cache breakpoints: 5"),
    (OLD, "a {{ cache() }} b {{ cache('1h') }} c", "a 1h cache breakpoint cannot come after a 5m one"),
]

_ADD = "def add(a: int, b: int) -> int:\n    'Add two numbers.'\n    return a + b\n"

BAD_INPUTS_WITH_SETUP = [
    (_ADD, {**OLD, "tools": ["add"], "tool_choice": "mul"}, "Hi", "tool_choice 'mul' is not one of the offered tools (add)"),
    (_ADD, {**OLD, "tools": ["add", "add"]}, "Hi", "duplicate tool name 'add'"),
    ("bad = {'name': 'bad', 'input_schema': {'type': 'string'}}", {**OLD, "tools": ["bad"]}, "Hi",
     "bad tool schema for 'bad': input_schema.type must be \"object\""),
    ("bad = {'name': 'has space', 'input_schema': {'type': 'object'}}", {**OLD, "tools": ["bad"]}, "Hi",
     "bad tool schema for 'bad': name must match"),
    ("n = 5", {**OLD, "tools": ["n"]}, "Hi", "tool 'n' is an int; a tool must be a function or a tool dict"),
    ("x = 42", OLD, "{{ image(x) }}", "image() cannot use an int"),
    ("blob = b'hello'", OLD, "{{ document(blob) }}", "document() expects PDF bytes"),
    ("def boom():\n    raise RuntimeError('kaput')\n", OLD, "Line one\n{{ boom() }}", "error in the template (line 2): RuntimeError: kaput"),
    ("image = 'photo.png'", OLD, "{{ image(image) }}", "a notebook variable named 'image' is hidden by the helper"),
    ("cfg = {'a': 1}", OLD, "{{ cfg.b }}", "'dict object' has no attribute 'b'"),
]
