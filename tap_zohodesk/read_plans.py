"""One read plan per stream: the strategy its read takes, chosen once from its catalog row and filters.

- ``PerParent`` (children.py): the object lives under a parent (``Parent`` part): its list per
  parent visited;
- ``ById``: an ``id`` filter: exactly those records, one GET each;
- ``SearchWindows``: a searchable object whose filters the search takes: exact keyset windows in
  replication-key order (a stream's own first read may go in parallel time ranges);
- ``PlainList``: everything else: the plain list (a slim list reads the changed records by id);
then two wrappers: ``Detail`` (one GET per record, when the row reads each record) and
``SiblingDetail`` (the rows a sibling stream read this run, when the row details one).

The read (streams.py ``rows_since``), whether it comes sorted (``exact``) and ``--estimate``
(estimate.py: the chosen strategy's ``count`` and ``cost``) all ask ``choose``: a new kind of read
is one strategy class (reading.py ``Strategy``: its rows and its cost) and one line there.
"""

from __future__ import annotations

from typing import Any

from tap_zohodesk.api.rows import ObjectSpec
from tap_zohodesk.children import PerParent
from tap_zohodesk.reading import ById, Detail, PlainList, ReadInputs, SearchWindows, SiblingDetail, Strategy


def choose(spec: ObjectSpec, filters: dict) -> type[Strategy]:
    """The strategy of a read of ``spec`` under ``filters`` (see the module docstring)."""
    if spec.parent:
        return PerParent
    if "id" in filters:
        return ById
    if spec.read.search and not set(filters) & spec.filters.list_only:
        return SearchWindows
    return PlainList


def exact(spec: ObjectSpec, filters: dict) -> bool:
    """Whether ``spec``'s rows under ``filters`` are read by search windows (exact, in key order)."""
    return choose(spec, filters) is SearchWindows


def plan(read: ReadInputs, *, detailed: bool) -> Any:
    """The read plan: the chosen strategy, wrapped by ``Detail`` when each record is read too
    (``detailed``) and by ``SiblingDetail`` for an unfiltered read of a row that details another."""
    spec = read.source.spec
    strategy: Any = choose(spec, read.filters.given)(read)
    if detailed:
        strategy = Detail(strategy, read)
    if spec.read.details_of and not read.filters.given:
        strategy = SiblingDetail(strategy, read)
    return strategy
