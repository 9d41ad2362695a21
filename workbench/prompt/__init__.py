"""Composing a request: the `%%claude` cell language, templating helpers, tools, and client-side checks.

    from workbench.prompt import PromptOptions, compose
    spec = compose(PromptOptions(model="claude-sonnet-5-5"), "Describe {{ image('chart.png') }}", globals())
    spec.request      # the Messages API body
"""

from workbench.prompt.cell import parse_cell
from workbench.prompt.compose import compose
from workbench.prompt.errors import PromptError
from workbench.prompt.options import PromptOptions
from workbench.prompt.spec import MediaRef, PromptSpec
from workbench.prompt.tools import call_tool, tool_from_function, tool_result

__all__ = [
    "MediaRef",
    "PromptError",
    "PromptOptions",
    "PromptSpec",
    "call_tool",
    "compose",
    "parse_cell",
    "tool_from_function",
    "tool_result",
]
