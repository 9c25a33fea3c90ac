"""The one Zoho Desk HTTP client, shared by the tap and the target.

Policy in a few lines:
- the config is checked first (connection.resolve_urls): org_id all digits, a known
  data_center, https (plain http only to loopback);
- every call carries ``Authorization: Zoho-oauthtoken <token>`` and the ``orgId`` header;
- the access token (connection.AccessToken) is minted from the refresh token, reused until
  a minute before expiry, refreshed under a lock, and refreshed again (twice at most per call) when a call is
  answered 401 INVALID_OAUTH; Zoho Accounts answering "Access Denied: too many requests"
  is waited out with backoff up to max_retries, then fails saying it is rate-limiting;
- 204 is an empty answer; lists are ``{"data": [...]}`` read page by page at the cap;
  a GET answered 2xx with no body or with a body that is not JSON raises ZohoDeskError;
- 429, 5xx and cut connections are retried with exponential backoff, honouring Retry-After
  (the core's one policy, api/retry.py; the give-up rule by kind is ``_final``/``_final_unsafe``);
  a 429 also halves the number of calls allowed in flight, which then grows back by one
  per 20 successes (so a pool slows down rather than failing), never again above the cap a
  concurrency 429 showed (kept for the run);
- connect and read timeouts are settings (seconds); a TLS failure is final at once;
- a host that cannot be reached (connection refused, name not resolved, connect timeout)
  gets two quick retries (0.5 s, 1 s), then ZohoDeskError "cannot reach <host>: <why>";
  a host already found down gets one try;
- anything else that is not 2xx raises ZohoDeskError with Zoho's errorCode, message and
  field errors on one line.
"""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import msgspec
import requests

from tap_zohodesk.api.clock import ZohoClock
from tap_zohodesk.api.connection import CONNECT_TIMEOUT, MAX_CONCURRENCY, READ_TIMEOUT, AccessToken, reach, resolve_urls
from tap_zohodesk.api.credits import BudgetSpent, Credits, CreditsExhausted
from tap_zohodesk.api.environment import settle
from tap_zohodesk.api.errors import (
    CREDITS,
    GONE,
    THROTTLED,
    UNSURE,
    ZohoAuthError,
    ZohoDeskError,
    describe_error,
    read_answer,
    retry_seconds,
)
from tap_zohodesk.api.fallbacks import Learned
from tap_zohodesk.api.limiter import AdaptiveLimit
from tap_zohodesk.api.paging import Pager
from tap_zohodesk.api.retry import Again, RetryPolicy
from tap_zohodesk.api.times import parse_zoho_time, to_zoho_time

__all__ = ["BudgetSpent", "CreditsExhausted", "ZohoAuthError", "ZohoDeskClient", "ZohoDeskError", "parse_zoho_time",
           "to_zoho_time"]

T = TypeVar("T")
R = TypeVar("R")

# Waiting longer than this for a daily-credit Retry-After is pointless in a batch job.
MAX_RETRY_AFTER_SECONDS = 900

log = logging.getLogger("zohodesk.client")
_decode = msgspec.json.Decoder().decode  # several times faster than requests' json for Zoho's pages


@dataclass(frozen=True)
class _Call:
    """One API call as the retry policy repeats it."""

    method: str
    where: str
    url: str
    stat: str
    payload: dict


REFRESHES_PER_REQUEST = 2


class _StaleToken(Exception):
    """A call answered 401 INVALID_OAUTH with ``token``: refresh it and try again (see ``_attempt``)."""

    def __init__(self, token: str, error: ZohoDeskError):
        super().__init__(str(error))
        self.token, self.error = token, error


def _final(again: Again) -> bool:
    """The retry rule of a call safe to repeat: a 429, a 5xx or a cut connection is retried, the
    daily credits spent are not (hours away)."""
    return again.error.kind == CREDITS  # type: ignore[attr-defined]


def _final_unsafe(again: Again) -> bool:
    """The retry rule of a creating write: only a 429 (Zoho did nothing) is retried."""
    return again.error.kind != THROTTLED  # type: ignore[attr-defined]


class ZohoDeskClient:
    """Thread-safe Zoho Desk API client for one org."""

    @staticmethod
    def max_concurrency(config: dict) -> int:
        """The most calls a run keeps in flight: the ``max_concurrency`` setting, else MAX_CONCURRENCY."""
        return int(config.get("max_concurrency") or MAX_CONCURRENCY)

    def __init__(self, config: dict, *, user_agent: str = "tap-zohodesk"):
        self.api_url, self.accounts_url = resolve_urls(config)
        self.org_id = str(config["org_id"])
        self.max_retries = int(config.get("max_retries", 6))
        self.backoff = float(config.get("retry_backoff_seconds", 1.0))
        self.timeouts = (float(config.get("connect_timeout_seconds") or CONNECT_TIMEOUT),
                         float(config.get("read_timeout_seconds") or READ_TIMEOUT))
        self.user_agent = user_agent
        self.limiter = AdaptiveLimit(self.max_concurrency(config))
        self._local = threading.local()
        self._down: set[str] = set()  # hosts found unreachable: one try each from then on
        self.token = AccessToken(config, self.accounts_url, self._session, max_retries=self.max_retries,
                                 backoff=self.backoff, down=self._down, timeouts=self.timeouts)
        self.policy = RetryPolicy(self.max_retries, self.backoff, seen=self._seen)  # the core's one retry policy
        self._stats_lock = threading.Lock()
        self.learned = Learned()  # fallbacks an endpoint asked for, remembered for the run
        self.credits = Credits(int(config["max_api_credits"]) if config.get("max_api_credits") else None)
        self.calls: Counter[str] = Counter()
        self.clock = ZohoClock()  # Zoho's clock: the skew from its first Date header

    # -- plumbing -----------------------------------------------------------------------
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = self.user_agent
            settle(session, (self.api_url, self.accounts_url))  # the environment read once (environment.py)
            self._local.session = session
        return session

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        with self.limiter:
            return self._session().request(method, url, timeout=self.timeouts, **kwargs)

    def access_token(self, *, stale: str | None = None) -> str:
        """Return a valid access token; refresh when missing, expiring or equal to ``stale``."""
        return self.token.get(stale=stale)

    # -- calls --------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict | None = None,
        json: Any = None,
        files: dict | None = None,
        label: str | None = None,
        retry_unsafe: bool = True,
    ) -> Any:
        """Call the API; return the decoded JSON body, or None for 204 (and writes answered
        2xx without a body).

        ``label`` names the call in the statistics (default: method and path).
        ``retry_unsafe=False`` (for creating writes) retries only answers that prove the
        request was not processed (429, a connection never opened), never a cut connection or a 5xx.
        The retry rule is ``_final`` (api/retry.py waits); one try is ``_attempt``.
        """
        where = "/" + path.lstrip("/")
        self.credits.check(f"{method} {where}")
        call = _Call(method, where, f"{self.api_url}{where}", label or f"{method} {path}",
                     dict(params=params, json=json, files=files))
        refreshed: list[str] = []  # the stale tokens this request refreshed
        try:
            return self.policy.run(functools.partial(self._attempt, call, refreshed),
                                   final=_final if retry_unsafe else _final_unsafe)
        except Again as spent:
            raise spent.error from spent.__cause__

    def _attempt(self, call: _Call, refreshed: list[str]) -> Any:
        """One try of the policy: a call proving the token stale (401 INVALID_OAUTH) refreshes it
        and is sent again at once, within the same try. A request refreshes at most
        ``REFRESHES_PER_REQUEST`` tokens (another thread's fresh token may expire before this
        resend is sent); past that, or on a token it refreshed already, the 401 is the error."""
        while True:
            try:
                return self._try(call)
            except _StaleToken as stale:
                if stale.token in refreshed or len(refreshed) >= REFRESHES_PER_REQUEST:
                    raise stale.error from None
                refreshed.append(stale.token)
                self.access_token(stale=stale.token)

    def _seen(self, again: Again, wait: float | None) -> None:
        """The policy's hook: a 429 (throttled, or the daily credits spent) tells the limiter."""
        if again.error.kind in (THROTTLED, CREDITS):  # type: ignore[attr-defined]
            self.limiter.throttled(concurrency=again.error.code != "THRESHOLD_EXCEEDED")  # type: ignore[attr-defined]

    def _try(self, call: _Call) -> Any:
        """One exchange: the answer's body, or an error of its kind (Again, _StaleToken: the
        caller's to decide)."""
        token = self.access_token()
        headers = {"Authorization": f"Zoho-oauthtoken {token}", "orgId": self.org_id}
        send = functools.partial(self._send, call.method, call.url, headers=headers, **call.payload)
        try:
            resp = reach(send, call.url, self._down, f"{call.method} {call.where}; check api_url and data_center")
        except requests.RequestException as exc:
            with self._stats_lock:
                self.calls[call.stat] += 1
            raise Again(ZohoDeskError(f"{call.method} {call.where} -> connection failed: {exc}",
                                      kind=UNSURE)) from exc
        self._account(call.stat, resp)
        self.clock.measure(resp.headers.get("Date"))
        status = resp.status_code
        if 200 <= status < 300:
            return self._body(call, resp)
        try:
            body = _decode(resp.content)
        except (ValueError, msgspec.DecodeError):
            body = None
        code = body.get("errorCode") if isinstance(body, dict) else None
        line = describe_error(call.method, call.where, status, body, resp.text)
        if status == 401 and code == "INVALID_OAUTH":
            raise _StaleToken(token, ZohoDeskError(line, status=status, code=code))
        if status == 429 or status >= 500:
            self._transient(call, resp, line, code)
        if code == "OAUTH_ORG_MISMATCH":
            line += f" (check org_id {self.org_id!r}: the token's org must match it)"
        kind, param = read_answer(status, code, body.get("message") if isinstance(body, dict) else None)
        raise ZohoDeskError(line, status=status, code=code, kind=kind, param=param)

    def _body(self, call: _Call, resp: requests.Response) -> Any:
        """A 2xx answer's JSON (None: 204, or a write with no body); anything else is a bad answer."""
        status = resp.status_code
        if not resp.content:
            if call.method == "GET" and status != 204:
                raise ZohoDeskError(f"{call.method} {call.where} answered {status} with an empty body (expected "
                                    "JSON; an empty list answers 204)", status=status)
            self.limiter.succeeded()
            return None
        try:
            body = _decode(resp.content)
        except (ValueError, msgspec.DecodeError):
            raise ZohoDeskError(describe_error(call.method, call.where, status, None, resp.text)
                                + " (answer is not JSON)", status=status) from None
        self.limiter.succeeded()
        return body

    def _transient(self, call: _Call, resp: requests.Response, line: str, code: str | None) -> None:
        """A 429 or a 5xx, to retry; the daily credits spent (a Retry-After of hours) are final."""
        status, retry_after = resp.status_code, resp.headers.get("Retry-After")
        kind, param = read_answer(status, code, None)
        if kind == THROTTLED and retry_after and retry_seconds(retry_after) > MAX_RETRY_AFTER_SECONDS:
            raise Again(self.credits.spent_today(line, retry_after, status, code))
        raise Again(ZohoDeskError(line, status=status, code=code, kind=kind, param=param), retry_after)

    def _account(self, stat: str, resp: requests.Response) -> None:
        with self._stats_lock:
            self.calls[stat] += 1
            self.credits.account(stat, resp.headers)

    @property
    def skew(self) -> float | None:
        return self.clock.skew

    def server_time(self, local: datetime) -> datetime:
        """A time of this machine on Zoho's clock (as measured on its first answer; unmeasured: as is)."""
        return self.clock.at(local)

    def zoho_now(self) -> datetime:
        """Zoho's time now, for a read's upper bound (clock.py); before any API answer, measured on the
        token's."""
        if self.clock.skew is None:
            self.access_token()
            self.clock.measure(self.token.date)
        return self.clock.now()

    def get(self, path: str, params: dict | None = None, *, label: str | None = None) -> Any:
        return self.request("GET", path, params=params, label=label)

    def gone(self, path: str, *, label: str) -> bool:
        """Whether Zoho answers 404 for this record (deleted, or never there); other errors raise."""
        try:
            self.get(path, label=label)
        except ZohoDeskError as exc:
            if exc.kind == GONE:
                return True
            raise
        return False

    def pages(self, path: str, *, limit: int, params: dict | None = None, data_key: str = "data",
              label: str | None = None, max_from: int | None = None, paged: bool = True,
              key: str | None = None, droppable: frozenset[str] = frozenset()) -> Pager:
        """The pages of a list endpoint (offset ``from`` + ``limit``); see tap_zohodesk/paging.py."""
        return Pager(self.get, self.learned, path, limit=limit, params=params, data_key=data_key, label=label,
                     max_from=max_from, paged=paged, key=key, droppable=droppable)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """Run ``fn`` over ``items`` with bounded concurrency; yield results in input order
        on the calling thread. At most 4 x max_concurrency items are pending at once (calls complete
        out of order: a slow one holds back the output, not the workers), and no more than the credits
        left can pay for, so a budget stop ends after a prefix of ``items``."""
        workers = self.limiter.maximum
        if workers <= 1:
            for item in items:
                yield fn(item)
            return
        window: deque[concurrent.futures.Future] = deque()
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            try:
                for item in items:
                    while window and self.credits.short(len(window)):  # in order: a stop keeps a prefix of the items
                        yield window.popleft().result()
                    window.append(pool.submit(fn, item))
                    if len(window) >= 4 * workers:
                        yield window.popleft().result()
                while window:
                    yield window.popleft().result()
            finally:
                for fut in window:
                    fut.cancel()

    def stats(self) -> dict:
        with self._stats_lock:
            return {
                "calls": sum(self.calls.values()),
                "calls_by_endpoint": dict(self.calls),
                "credits_by_endpoint": dict(self.credits.by),
                "retries": self.policy.retries + self.token.policy.retries,
                "token_refreshes": self.token.refreshes,
                "credits_used": self.credits.used,
                "credits_remaining": self.credits.remaining,
                "peak_in_flight": self.limiter.peak,
                "concurrency_cap": self.limiter.ceiling,
                "fallbacks": list(self.learned.fired),
            }
