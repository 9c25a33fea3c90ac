"""How many calls a client keeps in flight: at most ``max_concurrency``, halved on a 429 and
grown back by one per 20 successes, never again above the cap a concurrency 429 showed."""

from __future__ import annotations

import threading


class _Call:
    __slots__ = ("most",)

    def __init__(self, most: int):
        self.most = most


class AdaptiveLimit:
    """Bounded concurrency whose bound halves on a 429 and creeps back on success, never again
    above the cap a concurrency 429 showed (Zoho refused a call while at most n were in flight:
    its cap is below n)."""

    def __init__(self, maximum: int):
        self.maximum = max(1, int(maximum))
        self.limit = self.maximum
        self.ceiling = self.maximum  # the most in flight Zoho is known to take
        self.in_flight = 0
        self.peak = 0
        self.lowest = self.limit
        self._successes = 0
        self._level = threading.local()  # this thread's call: the most calls in flight while it was out
        self._active: set[_Call] = set()
        self._cond = threading.Condition()

    def __enter__(self) -> AdaptiveLimit:
        with self._cond:
            while self.in_flight >= self.limit:
                self._cond.wait()
            self.in_flight += 1
            for other in self._active:  # every call out now has seen this many in flight
                other.most = max(other.most, self.in_flight)
            self._level.call = _Call(self.in_flight)
            self._active.add(self._level.call)
            self.peak = max(self.peak, self.in_flight)
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self.in_flight -= 1
            self._active.discard(self._level.call)
            self._cond.notify_all()

    def throttled(self, *, concurrency: bool = True) -> None:
        with self._cond:
            call = getattr(self._level, "call", None)
            level = call.most if call is not None else 1
            if concurrency and level >= 2:
                self.ceiling = min(self.ceiling, level - 1)
            self.limit = max(1, min(self.limit // 2, self.ceiling))
            self.lowest = min(self.lowest, self.limit)
            self._successes = 0

    def succeeded(self) -> None:
        with self._cond:
            if self.limit < self.ceiling:
                self._successes += 1
                if self._successes >= 20:
                    self.limit += 1
                    self._successes = 0
                    self._cond.notify_all()
