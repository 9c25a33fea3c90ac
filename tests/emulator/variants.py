"""An org that answers differently from the emulator's facts: what a real org may do that the
public evidence does not show (a field added, an envelope renamed, a field of another JSON type,
an endpoint missing, a feature outside the edition, a smaller page cap).

``Variants(emulator)`` installs itself as the emulator's hooks; each knob names a route template
(``GET /tickets/search``) or a path, and composes with the others.
"""

from __future__ import annotations

from collections.abc import Callable

from tests.emulator.errors import not_found


class Variants:
    def __init__(self, emulator):
        self.emulator = emulator
        self._changes: list[tuple[str, Callable[[dict], None]]] = []  # route, change of one row
        self._envelopes: dict[str, tuple[str, str]] = {}
        self._missing: set[str] = set()
        emulator.answer_hook = self._answer
        emulator.hook = self._before

    # -- knobs --------------------------------------------------------------------------
    def extra_field(self, route: str, name: str, value: Callable[[dict], object]) -> None:
        """Every row ``route`` serves also carries ``name`` (``value(row)``)."""
        self._changes.append((route, lambda row: row.__setitem__(name, value(row))))

    def retype(self, route: str, name: str, convert: Callable[[object], object]) -> None:
        """``route`` serves ``name`` as ``convert(value)`` (a number as a string, a list ...)."""
        def change(row: dict) -> None:
            if row.get(name) is not None:
                row[name] = convert(row[name])

        self._changes.append((route, change))

    def rename_envelope(self, route: str, old: str, new: str) -> None:
        """``route`` answers ``{new: [...]}`` instead of ``{old: [...]}``."""
        self._envelopes[route] = (old, new)

    def missing(self, route: str) -> None:
        """``route`` answers 404 URL_NOT_FOUND, as an endpoint this org does not have."""
        self._missing.add(route)

    def licence(self, table: str) -> None:
        """Reads of ``table`` answer 403 LICENSE_ACCESS_LIMITED (an edition without the feature)."""
        self.emulator.disable(table)

    def scope(self, table: str) -> None:
        """Reads of ``table`` answer 403 SCOPE_MISMATCH (a token granted without its scope)."""
        self.emulator.disable(table, 403, "SCOPE_MISMATCH")

    def page_cap(self, path: str, cap: int) -> None:
        """``path`` refuses a ``limit`` above ``cap`` (422 on 'limit')."""
        self.emulator.limit_caps[path] = cap

    # -- hooks --------------------------------------------------------------------------
    def _before(self, method: str, route: str) -> None:
        if route in self._missing:
            raise not_found()

    def _answer(self, route: str, payload):
        if not isinstance(payload, dict):
            return payload
        rows = next((v for v in payload.values() if isinstance(v, list)), None)
        rows = rows if rows is not None else [payload]
        for where, change in self._changes:
            if where == route:
                for row in rows:
                    if isinstance(row, dict):
                        change(row)
        if route in self._envelopes:
            old, new = self._envelopes[route]
            if old in payload:
                payload = {new if k == old else k: v for k, v in payload.items()}
        return payload
