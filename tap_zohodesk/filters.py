"""Native filters from config, checked before any API call.

``filters`` maps a stream to ``{zohoField: value}`` (``=``) or ``{zohoField: [values]}``
(``In``, only where the contract allows it). How each filter reaches the API:
- ``id``: exactly that record, ``GET <record path>`` (a child also needs its parent ids);
- a field linking a child to its parent (``ticketId``, ``accountId``, ...): only that
  parent is visited (the parent record is read by id, one call);
- a field the parent stream filters on (``departmentId`` of archived-ticket children,
  ``ticket_tags``): passed down to the parent's own read;
- anything else: a query parameter of the list or search endpoint (``In``: one
  comma-separated value, which Zoho ORs), under the name the endpoint gives it
  (``param_names``); a filter sent as a ``...Range`` parameter takes a date (that whole
  day, UTC) or a timestamp (that instant); the few filters of an endpoint that takes no
  parameters at all (``local_filters``) are applied to its one answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from tap_zohodesk.api.catalog import BY_STREAM, ObjectSpec
from tap_zohodesk.api.client import to_zoho_time

Filters = dict[str, list[str]]


class FilterError(ValueError):
    """A filter the API cannot take; the message names stream, field and what is allowed."""


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def parse_filters(raw: Any) -> dict[str, Filters]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise FilterError("config 'filters' must be an object keyed by stream name")
    out: dict[str, Filters] = {}
    for stream, fields in raw.items():
        spec = BY_STREAM.get(stream)
        if spec is None:
            raise FilterError(f"filters: '{stream}' is not a stream of tap-zohodesk")
        if not isinstance(fields, dict) or not fields:
            raise FilterError(f"filters.{stream}: expected an object of field -> value")
        allowed = ", ".join(f"{k} ({'=, In' if op == 'in' else '='})" for k, op in spec.filters.ops.items())
        parsed: Filters = {}
        for name, value in fields.items():
            op = spec.filters.ops.get(name)
            if op is None:
                raise FilterError(f"filters.{stream}: field '{name}' cannot be filtered natively; "
                                  f"allowed: {allowed or 'none'}")
            values = value if isinstance(value, list) else [value]
            if isinstance(value, list) and op != "in":
                raise FilterError(f"filters.{stream}.{name}: a list ('In') is not allowed, only '=' "
                                  f"with one value; allowed: {allowed}")
            if not values or any(v is None or isinstance(v, (dict, list)) for v in values):
                raise FilterError(f"filters.{stream}.{name}: values must be strings, numbers or booleans")
            parsed[name] = [_text(v) for v in values]
            if spec.filters.param(name).endswith("Range"):
                as_range(parsed[name][0], f"filters.{stream}.{name}")
        _check_addressable(spec, parsed, f"filters.{stream}")
        out[stream] = parsed
    return out


def placeholders(path: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", path)) - {"id"}


def _check_addressable(spec: ObjectSpec, filters: Filters, where: str) -> None:
    """An ``id`` filter, here or pushed to a parent, must be able to build the record's path:
    from the parent ids given, or by reading the one parent the filters name."""
    upward = split_child_filters(spec, filters)[1] if spec.parent else {}
    if "id" in filters:
        given = {spec.filters.field(n) for n in filters}
        missing = placeholders(spec.read.one) - given
        if missing and "id" not in upward:
            names = [n for n, op in spec.filters.ops.items() if spec.filters.field(n) in spec.links
                     and spec.links[spec.filters.field(n)] == "id"] or sorted(missing)
            raise FilterError(f"{where}: a {spec.stream} record is addressed under its parent: "
                              f"also filter on {', '.join(names)}")
    if upward:
        _check_addressable(BY_STREAM[spec.parent.stream], upward, where)


def split_child_filters(spec: ObjectSpec, filters: Filters) -> tuple[Filters, Filters, Filters]:
    """(link values, filters for the parent read, query parameters of the child list)."""
    parent = BY_STREAM[spec.parent.stream]
    links: Filters = {}
    upward: Filters = {}
    params: Filters = {}
    for name, values in filters.items():
        field = spec.filters.field(name)
        if name == "id":
            continue
        if field in spec.links:
            links[field] = values
            upward[spec.links[field]] = values
        elif name in parent.filters.ops:
            upward[name] = values
        else:
            params[name] = values
    return links, upward, params


@dataclass(frozen=True)
class FilterPlan:
    """A read's filters, split once: the ``id`` values asked for, the parent links and the filters
    pushed up to the parent's read (a child's), the filters the object's own endpoint is asked
    with (``query``) and the query parameters they go out as (``params``)."""

    given: Filters
    ids: list[str] | None = None
    links: Filters = field(default_factory=dict)
    upward: Filters = field(default_factory=dict)
    query: Filters = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


def plan_filters(spec: ObjectSpec, filters: Filters) -> FilterPlan:
    """``filters`` of a read of ``spec`` split once (see ``FilterPlan``)."""
    links, upward, query = split_child_filters(spec, filters) if spec.parent else ({}, {}, filters)
    return FilterPlan(filters, filters.get("id"), links, upward, query, query_params(spec, query))


def as_range(value: str, where: str = "filter") -> str:
    """``low,high`` for a ``...Range`` parameter: a date is that whole day (UTC), a timestamp that instant."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            datetime.strptime(text, "%Y-%m-%d")
            return f"{text}T00:00:00.000Z,{text}T23:59:59.999Z"
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(f"{where}: {value!r} is neither a date (YYYY-MM-DD) nor a timestamp") from None
    moment = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    stamp = to_zoho_time(moment)
    return f"{stamp},{stamp}"


def query_params(spec: ObjectSpec, filters: Filters) -> dict[str, str]:
    """The query parameters filters other than ``id`` go out as (``In``: Zoho's comma-separated OR)."""
    out = {}
    for name, values in filters.items():
        if name == "id" or name in spec.filters.local:
            continue
        param = spec.filters.param(name)
        out[param] = as_range(values[0]) if param.endswith("Range") else ",".join(values)
    return out


def refused(spec: ObjectSpec, dropped: set[str]) -> set[str]:
    """The uncertain filters whose parameter the endpoint refused this run (``dropped``)."""
    return {name for name in spec.filters.uncertain if spec.filters.param(name) in dropped}


def local_match(spec: ObjectSpec, filters: Filters, names: set[str]) -> Callable[[dict], bool]:
    """A row test for the filters in ``names`` that could not go to the API (by record field)."""
    wanted = {name: set(filters[name]) for name in names if name in filters}

    def keep(row: dict) -> bool:
        for name, values in wanted.items():
            value = row.get(name)
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if text not in values:
                return False
        return True

    return keep
