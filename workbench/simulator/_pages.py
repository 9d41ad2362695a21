"""List pagination as the API does it: ID-based pages (models, batches) and `limit` checking."""

from __future__ import annotations

from typing import Any

from workbench.simulator._errors import invalid

Query = dict[str, list[str]]


def page_limit(query: Query) -> int:
    raw = (query.get("limit") or ["20"])[0]
    try:
        limit = int(raw)
    except ValueError:
        raise invalid("limit: Input should be a valid integer") from None
    if not 1 <= limit <= 1000:
        raise invalid("limit: Input should be between 1 and 1000")
    return limit


def id_page(items: list[dict[str, Any]], query: Query) -> dict[str, Any]:
    """One page of `items` for `after_id` / `before_id` / `limit`, with has_more, first_id and last_id."""
    limit = page_limit(query)
    ids = [item["id"] for item in items]
    after = (query.get("after_id") or [None])[0]
    before = (query.get("before_id") or [None])[0]
    if before is not None:
        end = ids.index(before) if before in ids else len(ids)
        page = items[max(0, end - limit) : end]
        more = end - limit > 0
    else:
        start = ids.index(after) + 1 if after in ids else 0
        page = items[start : start + limit]
        more = start + limit < len(items)
    return {
        "data": page,
        "has_more": more,
        "first_id": page[0]["id"] if page else None,
        "last_id": page[-1]["id"] if page else None,
    }
