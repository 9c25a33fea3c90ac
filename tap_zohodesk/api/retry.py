"""The one retry policy of the core, on the ``backoff`` library: the API calls of the client and
the OAuth token request both go through ``RetryPolicy.run``, the quick retries of a host that
cannot be reached and the target's tries of a create whose answer was lost through ``quick``.

A try that may be tried again raises ``Again`` (carrying the error raised when the policy gives
up, Zoho's Retry-After, and the answer if any). The policy waits Retry-After when Zoho sent a
number, else ``retry_backoff_seconds`` doubled per retry (capped, jittered); it gives up when
``max_retries`` are spent or when ``final(again)`` says so (the caller decides by the error's
kind). ``seen(again, wait)`` is told of every failed try, with the wait before the next one or
None when there is none (the client's adaptive limiter listens there); ``retries`` counts the waits.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections.abc import Callable, Generator, Iterable
from typing import Any, TypeVar

import backoff

T = TypeVar("T")
MAX_BACKOFF_SECONDS = 120


class Again(Exception):
    """One try failed in a way the policy may try again; ``error`` is what is raised if it does not."""

    def __init__(self, error: Exception, retry_after: str | None = None, *, answer: Any = None):
        super().__init__(str(error))
        self.error, self.retry_after, self.answer = error, retry_after, answer


def backoff_wait(base: float, attempt: int, retry_after: str | None = None) -> float:
    """Seconds before retry number ``attempt`` (from 0): Retry-After when it is a number,
    else ``base`` doubled per attempt (capped, with jitter)."""
    try:
        return max(0.0, float(retry_after)) if retry_after else _jitter(base, attempt)
    except ValueError:
        return _jitter(base, attempt)


def _jitter(base: float, attempt: int) -> float:
    return min(MAX_BACKOFF_SECONDS, base * (2**attempt)) * (0.75 + random.random() / 2)


def _waits(base: float) -> Generator[float, Any, None]:
    """backoff's wait generator, ``backoff.runtime`` with a count: each failed try (sent in) waits
    its Retry-After, or the doubling backoff of its retry number."""
    again = yield 0.0
    for attempt in itertools.count():
        again = yield backoff_wait(base, attempt, getattr(again, "retry_after", None))


def _fixed(waits: Iterable[float]) -> Generator[float, Any, None]:
    yield 0.0
    for wait in waits:  # noqa: UP028 (``yield from`` a tuple fails: backoff sends each failure in)
        yield wait


def _call(attempt: Callable[[], T]) -> T:
    return attempt()


def _never(again: Exception) -> bool:
    return False


class RetryPolicy:
    """Retries of one client (thread-safe): ``max_retries`` after the first try, ``base`` seconds first."""

    def __init__(self, max_retries: int, base: float, *, seen: Callable[[Again, float | None], None] | None = None):
        self.max_retries, self.base = max_retries, base
        self.seen = seen or (lambda again, wait: None)
        self.retries = 0
        self._lock = threading.Lock()
        self._runners: dict[Callable[[Again], bool], Callable] = {}  # one backoff decorator per give-up rule

    def run(self, attempt: Callable[[], T], *, final: Callable[[Again], bool] = _never) -> T:
        """``attempt()`` until it returns; an ``Again`` is waited out and tried again unless
        ``final(again)`` or the retries are spent: then the ``Again`` is raised."""
        runner = self._runners.get(final)
        if runner is None:
            runner = self._runners[final] = backoff.on_exception(
                _waits, Again, max_tries=self.max_retries + 1, jitter=None, giveup=final,
                on_backoff=self._backoff, on_giveup=self._giveup, logger=None, base=self.base)(_call)
        return runner(attempt)

    def _backoff(self, details: dict) -> None:
        with self._lock:
            self.retries += 1
        self.seen(details["exception"], details["wait"])

    def _giveup(self, details: dict) -> None:
        self.seen(details["exception"], None)


def quick(attempt: Callable[[], T], waits: Iterable[float], retryable: type[Exception] | tuple,
          *, giveup: Callable[[Exception], bool] = _never) -> T:
    """``attempt()`` retried after each of ``waits`` (no jitter) while it raises ``retryable`` and
    ``giveup`` does not say stop; the last failure is raised as is."""
    waits = tuple(waits)
    retrying = backoff.on_exception(_fixed, retryable, max_tries=len(waits) + 1, jitter=None, giveup=giveup,
                                    logger=None, waits=waits)
    return retrying(attempt)()
