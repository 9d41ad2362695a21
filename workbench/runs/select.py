"""Choosing runs by what people type: run ids, ``name@N``, ``vN``, ``lastN``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .errors import RunSelectionError

if TYPE_CHECKING:
    from .record import Run


def select_runs(runs: Sequence[Run], selectors: Iterable[str]) -> list[Run]:
    """Resolve selectors to runs, in the order given.

    A selector is a run id (or a unique prefix of at least 4 characters), ``name@N`` (the latest
    run of version N of that name), ``name`` (its latest run), ``vN`` (version N, when only one
    group has one), ``last`` or ``lastN`` / ``last:N`` (the N most recent runs, oldest first).
    """
    ordered = sorted(runs, key=lambda r: r.created_at)
    chosen: list[Run] = []
    for selector in selectors:
        selector = selector.strip()
        last = re.fullmatch(r"last(?::?(\d+))?", selector)
        if last:
            count = int(last.group(1) or 1)
            if count < 1:
                raise RunSelectionError(f"{selector}: count must be at least 1")
            chosen.extend(ordered[-count:])
            continue
        chosen.append(_select_one(ordered, selector))
    return chosen


def _select_one(ordered: Sequence[Run], selector: str) -> Run:
    exact = [r for r in ordered if r.run_id == selector]
    if exact:
        return exact[0]
    version = re.fullmatch(r"(?:(.+)@|v)(\d+)", selector)
    if version:
        name, number = version.group(1), int(version.group(2))
        if name is not None:
            candidates = [r for r in ordered if r.name == name and r.version == number]
        else:
            candidates = [r for r in ordered if r.version == number]
            groups = {r.group for r in candidates}
            if len(groups) > 1:
                raise RunSelectionError(f"{selector} matches runs in {len(groups)} cells; use name@N or a run id")
        if not candidates:
            raise RunSelectionError(f"{selector}: no such version")
        return candidates[-1]
    named = [r for r in ordered if r.name == selector]
    if named:
        return named[-1]
    if len(selector) >= 4:
        prefixed = [r for r in ordered if r.run_id.startswith(selector)]
        if len(prefixed) == 1:
            return prefixed[0]
        if len(prefixed) > 1:
            raise RunSelectionError(f"{selector}: ambiguous run id prefix ({len(prefixed)} runs)")
    raise RunSelectionError(f"{selector}: no run with this id, name or version")
