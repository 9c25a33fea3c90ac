"""Which kind of read a stream takes, decided once from its catalog row and its filters.

- ``child``: the object lives under a parent (``Parent`` part): its list per parent visited;
- ``by id``: an ``id`` filter: exactly those records, one GET each;
- ``search windows``: a searchable object whose filters the search takes: exact keyset windows in
  replication-key order (a first read may go in parallel time ranges);
- ``list``: everything else: the plain list (a slim list reads the changed records by id).

The read itself (streams.py ``rows_since``), the sorted/resumable questions (``exact``) and
``--estimate`` (estimate.py) all ask ``choose``: a new kind of read is one line here and its strategy.
"""

from __future__ import annotations

from tap_zohodesk.api.rows import ObjectSpec

CHILD = "child"
BY_ID = "by id"
SEARCH = "search windows"
LIST = "list"


def choose(spec: ObjectSpec, filters: dict) -> str:
    """The kind of read of ``spec`` under ``filters`` (see the module docstring)."""
    if spec.parent:
        return CHILD
    if "id" in filters:
        return BY_ID
    if spec.read.search and not set(filters) & spec.filters.list_only:
        return SEARCH
    return LIST
