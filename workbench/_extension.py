"""`%load_ext workbench`: kept to IPython and traitlets so loading the extension stays fast."""

from __future__ import annotations

from typing import Any


def load(ipython: Any) -> None:
    from workbench.magics import Claude

    ipython.register_magics(Claude)
