"""The search of a page address: query, filters, sort and page from URL parameters, and back.

The whole search lives in the address (``/search?q=...&body=...&page=2``) so that it can be bookmarked
and shared. A value that cannot be read is a ``QueryError`` with a one-line message, like the options
of ``arkiv search``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from index.documents import AMOUNT_BANDS, NO_AMOUNT
from index.engine import ORDERS
from index.query import MAX_RESULT_WINDOW, Filters, QueryError

__all__ = ["FILTER_PARAMS", "PAGE_SIZE", "SearchParams", "band_params", "parse_params"]

PAGE_SIZE = 20
# URL parameter → meaning; the same names as the options of `arkiv search`
FILTER_PARAMS = ("body", "from", "to", "year", "type", "case", "closed", "outcome", "law", "min_amount", "max_amount")


@dataclass(frozen=True)
class SearchParams:
    query: str = ""
    values: dict[str, str] = field(default_factory=dict)  # the filter parameters given, as strings
    order: str = "relevance"
    page: int = 1

    def filters(self) -> Filters:
        v = self.values
        closed = v.get("closed")
        return Filters(
            body=v.get("body"),
            date_from=v.get("from"),
            date_to=v.get("to"),
            year=_int(v, "year"),
            document_type=v.get("type"),
            case=v.get("case"),
            closed=None if closed is None else closed == "closed",
            outcome=v.get("outcome"),
            law=v.get("law"),
            min_amount=_amount(v, "min_amount"),
            max_amount=_amount(v, "max_amount"),
        )

    def url(self, **changes: str | int | None) -> str:
        """The address of this search with some parameters changed (None removes one); paging restarts
        unless ``page`` is given."""
        return self.link("/search", changes)

    def link(self, path: str, changes: Mapping[str, str | int | None]) -> str:
        """``url`` for another page (``/stats``)."""
        changes = dict(changes)
        params: dict[str, str] = {}
        if self.query:
            params["q"] = self.query
        params.update(self.values)
        if self.order != "relevance":
            params["sort"] = self.order
        if "page" not in changes:
            changes["page"] = None
        elif self.page != 1:
            params["page"] = str(self.page)
        for key, value in changes.items():
            if value is None or value == "":
                params.pop(key, None)
            else:
                params[key] = str(value)
        return f"{path}?{urlencode(params)}" if params else path

    def has(self, key: str, value: str) -> bool:
        return self.values.get(key) == value


def _int(values: Mapping[str, str], key: str) -> int | None:
    text = values.get(key)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise QueryError(f"{key} {text!r} is not a whole number") from None


def _amount(values: Mapping[str, str], key: str) -> float | None:
    text = values.get(key)
    if text is None:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise QueryError(f"{key} {text!r} is not an amount in kroner") from None
    if not math.isfinite(value):
        raise QueryError(f"{key} {text!r} is not an amount in kroner")
    return value


def parse_params(params: Mapping[str, str]) -> SearchParams:
    """The search of a request's URL parameters; raises ``QueryError`` for a value that cannot be read."""
    values = {k: params[k].strip() for k in FILTER_PARAMS if params.get(k, "").strip()}
    closed = values.get("closed")
    if closed is not None and closed not in ("open", "closed"):
        raise QueryError(f"closed {closed!r}: use open or closed")
    order = params.get("sort", "relevance") or "relevance"
    if order not in ORDERS:
        raise QueryError(f"unknown sort order {order!r}; use one of: {', '.join(ORDERS)}")
    page_text = params.get("page", "1") or "1"
    try:
        page = int(page_text)
    except ValueError:
        raise QueryError(f"page {page_text!r} is not a whole number") from None
    if not 1 <= page <= MAX_RESULT_WINDOW // PAGE_SIZE:
        raise QueryError(f"page {page} is out of range; give 1 to {MAX_RESULT_WINDOW // PAGE_SIZE}")
    found = SearchParams(query=params.get("q", "").strip(), values=values, order=order, page=page)
    found.filters()  # raises QueryError for a bad filter value
    return found


def band_params(label: str) -> dict[str, str | None] | None:
    """The min/max amount parameters that select one amount band (None for the band without amounts)."""
    if label == NO_AMOUNT:
        return None
    for i, (name, low) in enumerate(AMOUNT_BANDS):
        if name == label:
            high = AMOUNT_BANDS[i + 1][1] - 0.01 if i + 1 < len(AMOUNT_BANDS) else None
            return {"min_amount": f"{low:g}", "max_amount": None if high is None else f"{high:.2f}"}
    return None
