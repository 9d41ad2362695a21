"""The one exception type for mistakes in a prompt or its options."""

from __future__ import annotations

from typing import Any


class PromptError(ValueError):
    """A user mistake in a prompt, its template or its options, found before anything is sent.

    The message is always one line: notebooks show it as is, without a traceback.
    """

    def __init__(self, message: str) -> None:
        # Messages quote user values (paths, names, template text); keep them on one line whatever they contain.
        super().__init__(" ".join(str(message).splitlines()))


def kind_of(value: Any) -> str:
    """'an int', 'a DataFrame': the type of a value, for messages."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"
