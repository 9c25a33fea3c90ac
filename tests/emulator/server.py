"""A Zoho Desk API emulator: a real HTTP server on loopback, strict like the service.

Its routes, parameters, envelopes, row shapes and write rules are its own API facts
(facts.py, write_facts.py, shapes.py), written from public evidence and never read from
the tap. Transport: OAuth on ``/oauth/v2/token`` (oauth.py), ``Zoho-oauthtoken``/``Bearer``
tokens that expire, a mandatory ``orgId`` header (or query parameter), 204 for empty lists,
404 URL_NOT_FOUND, 405 for a method the path does not take, credit headers and the daily credits
they announce (credits.py), a per-org concurrency cap (429 TOO_MANY_REQUESTS).

Test knobs: ``latency_ms``; ``inject(kind, ...)`` queues faults (``429``, ``quota`` = 429
THRESHOLD_EXCEEDED with Retry-After, ``500`` with an HTML body, ``drop`` = connection closed
without an answer, ``empty200``, ``html200``, ``extra_param``); ``random_faults(rate)``;
``expire_tokens_after(k)`` and ``oauth.expire_every``; ``from_base`` 0 or 1 (the open
question on list offsets); ``limit_caps`` (path -> a lower cap); ``ignores_from`` (paths whose
server ignores ``from``); ``unpaged`` (paths that refuse ``from``/``limit``); ``recycle_style``
("qodex": ``module`` and ``sortBy``, "oas": ``moduleId`` only); ``child_bumps_parent``;
``clock_skew`` (seconds the service's clock is ahead, negative: behind: its record times and ``Date``
header); ``calls`` counts every API call by endpoint, ``log`` keeps method, path, query and status.
"""

from __future__ import annotations

import json
import random
import re
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from tests.emulator.credits import DailyCredits
from tests.emulator.data import ORG_ID, Store
from tests.emulator.errors import ApiError, invalid_param, not_found
from tests.emulator.facts import READS, Endpoint
from tests.emulator.oauth import CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN, OAuthServer
from tests.emulator.reads import ReadHandlers
from tests.emulator.seed_core import build_store
from tests.emulator.write_facts import WRITES
from tests.emulator.writes import WriteHandlers

ENDPOINTS: list[Endpoint] = READS + WRITES


class DropConnection(Exception):
    """Close the socket without answering."""


@dataclass
class Fault:
    kind: str
    times: int = 1
    path: re.Pattern | None = None
    retry_after: int = 1
    param: str = "x"


@dataclass
class Route:
    pattern: re.Pattern
    endpoint: Endpoint
    handler: object

    @property
    def method(self) -> str:
        return self.endpoint.method

    @property
    def template(self) -> str:
        return self.endpoint.template


class Emulator(ReadHandlers, WriteHandlers):
    """One emulated Zoho Desk org served over HTTP on 127.0.0.1."""

    def __init__(self, *, tickets: int = 200, seed: int = 7, latency_ms: float = 0, from_base: int = 0,
                 max_concurrency: int = 25, credits: int = 100_000, token_ttl: int = 3600,
                 org_mismatch_status: int = 403, port: int = 0, store: Store | None = None,
                 child_bumps_parent: bool = True, limit_caps: dict[str, int] | None = None,
                 recycle_style: str = "qodex", clock_skew: float = 0.0):
        self.store = store or build_store(seed=seed, tickets=tickets)
        self.store.skew = clock_skew
        self.latency = latency_ms / 1000.0
        self.from_base = from_base
        self.max_concurrency = max_concurrency
        self.daily = DailyCredits(credits)  # daily.resets_in(s): test knob for the next reset
        self.oauth = OAuthServer(token_ttl)
        self.org_mismatch_status = org_mismatch_status
        self.disabled: dict[str, tuple[int, str]] = {}
        self.child_bumps_parent = child_bumps_parent
        self.limit_caps = limit_caps or {}  # e.g. {"contacts": 99}: the cap the API document is unsure of
        self.ignores_from: set[str] = set()
        self.unpaged: set[str] = set()  # paths that refuse from/limit (where the evidence is split)
        self.recycle_style = recycle_style
        self.hook = None  # called as hook(method, route_template) before each API call is served
        self.answer_hook = None  # answer_hook(route_template, payload) -> the payload to send instead
        self._request = threading.local()
        self.calls: Counter[str] = Counter()
        self.log: list[dict] = []
        self.rows_served = 0  # records that crossed the wire, to prove a filter was applied upstream
        self.peak_in_flight = 0
        self._in_flight = 0
        self._faults: list[Fault] = []
        self._random: tuple[float, tuple[str, ...], random.Random] | None = None
        self.faults_served: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.routes = self._build_routes()
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.emulator = self
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def credits_left(self) -> int:
        return self.daily.left

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def config(self, **overrides) -> dict:
        """A tap/target config pointing at this emulator."""
        cfg = {
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN,
            "org_id": ORG_ID, "api_url": f"{self.base_url}/api/v1", "accounts_url": self.base_url,
            "retry_backoff_seconds": 0.01,
        }
        cfg.update(overrides)
        return cfg

    def start(self) -> Emulator:
        self._thread = threading.Thread(target=self._server.serve_forever, name="zoho-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- test knobs ---------------------------------------------------------------------
    def inject(self, kind: str, *, times: int = 1, path: str | None = None, retry_after: int = 1,
               param: str = "x") -> None:
        """Queue a fault for the next ``times`` API calls whose path matches ``path`` (a regex):
        ``429``, ``quota`` (429 THRESHOLD_EXCEEDED with Retry-After), ``500`` (HTML body), ``drop``
        (socket closed without an answer), ``empty200`` (200 with no body), ``html200`` (200 with
        an HTML page), ``extra_param`` (422 "Extra query parameter '<param>'")."""
        if kind not in {"429", "quota", "500", "drop", "empty200", "html200", "extra_param"}:
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.append(Fault(kind, times, re.compile(path) if path else None, retry_after, param))

    def random_faults(self, rate: float, kinds: tuple[str, ...] = ("429", "500", "drop"), seed: int = 1) -> None:
        """From now on, each API call fails with probability ``rate`` (a kind drawn from ``kinds``)."""
        self._random = (rate, kinds, random.Random(seed))
        self.faults_served = Counter()

    def disable(self, table: str, status: int = 403, code: str = "LICENSE_ACCESS_LIMITED") -> None:
        """Answer every read of this object as a portal without the feature does."""
        self.disabled[table] = (status, code)

    def errors(self) -> list[dict]:
        """Every logged call answered 4xx (what a faithful client never provokes)."""
        with self._lock:
            return [e for e in self.log if e["status"] and 400 <= e["status"] < 500]

    def expire_tokens_after(self, calls: int) -> None:
        self.oauth.expire_after(calls)

    @property
    def token_grants(self) -> int:
        return self.oauth.grants

    def reset_counts(self) -> None:
        with self._lock:
            self.calls.clear()
            self.log.clear()
            self.rows_served = 0

    def calls_to(self, template: str) -> int:
        return self.calls[template]

    # -- routing ------------------------------------------------------------------------
    HANDLERS = {"list": "_list", "search": "_search", "get": "_get", "single": "_single",
                "fields": "_organization_fields", "modules": "_organization_modules", "recycle": "_recycle_bin",
                "create": "_insert", "update": "_update", "delete": "_delete", "trash": "_move_to_trash",
                "unfollow": "_remove_followers", "reply": "_send_reply", "action": "_deactivate",
                "tag": "_tag", "untag": "_tag", "count": "_count_records", "restore": "_restore",
                "bulk": "_update_many"}

    def _build_routes(self) -> list[Route]:
        def segment(match: re.Match) -> str:
            name = match.group(1)
            return f"(?P<{name}>[A-Za-z_-]+)" if name == "locale" else f"(?P<{name}>\\d+)"

        return [Route(re.compile("^/api/v1/" + re.sub(r"\{(\w+)\}", segment, ep.path) + "$"), ep,
                      getattr(self, self.HANDLERS[ep.op])) for ep in ENDPOINTS]

    @property
    def _raw_body(self) -> bytes | None:
        return getattr(self._request, "raw", None)

    def dispatch(self, method: str, raw_path: str, headers, body: bytes) -> tuple[int, object, dict]:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        if path == "/oauth/v2/token":
            return self.oauth.token(method, query, body)
        if not path.startswith("/api/v1/"):
            raise not_found()
        route, match = self._match(method, path)
        template = route.template if route and route.method == method else f"{method} {path}"
        entry = {"method": method, "path": path, "route": template, "query": dict(query), "status": None}
        with self._lock:
            self.calls[template] += 1
            self.log.append(entry)
        try:
            status, payload, extra = self._answer(method, path, route, match, query, headers, body)
        except ApiError as err:
            entry["status"] = err.status
            raise
        entry["status"] = status
        return status, payload, extra

    def _answer(self, method, path, route, match, query, headers, body) -> tuple[int, object, dict]:
        if self.hook is not None:
            self.hook(method, route.template if route else path)
        self._maybe_fault(path)
        self._authenticate(headers, query, path_needs_org=path != "/api/v1/organizations")
        with self._lock:
            self.daily.check()
            if self._in_flight >= self.max_concurrency:
                raise ApiError(429, "TOO_MANY_REQUESTS", "Concurrent request limit exceeded.")
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            if route is None:
                raise not_found()
            if route.method != method:
                raise ApiError(405, "METHOD_NOT_ALLOWED", "The requested method is not allowed.")
            query.pop("orgId", None)
            self._request.raw = body
            multipart = (headers.get("Content-Type") or "").startswith("multipart/")
            parsed = None if multipart else self._json(method, body)
            status, payload, weight = route.handler(route.endpoint, match.groupdict(), query, parsed)
            if self.answer_hook is not None:  # tests: a bad answer of the kind a real server might give
                payload = self.answer_hook(route.template, payload)
        finally:
            with self._lock:
                self._in_flight -= 1
        with self._lock:
            if isinstance(payload, dict):
                rows = payload.get(route.endpoint.envelope or "")
                self.rows_served += len(rows) if isinstance(rows, list) else 1
            extra = {"X-Rate-Limit-Request-Weight-v3": str(weight),
                     "X-Rate-Limit-Remaining-v3": self.daily.charge(weight)}
        return status, payload, extra

    @staticmethod
    def _json(method: str, body: bytes):
        if method not in ("POST", "PATCH", "PUT") or not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            raise ApiError(400, "INVALID_DATA", "The request body is not valid JSON.") from None

    def _match(self, method: str, path: str):
        fallback = None
        for route in self.routes:
            match = route.pattern.match(path)
            if match:
                if route.method == method:
                    return route, match
                fallback = fallback or (route, match)
        return fallback if fallback else (None, None)

    def _maybe_fault(self, path: str) -> None:
        with self._lock:
            fault = next((f for f in self._faults if f.path is None or f.path.search(path)), None)
            if fault is None and self._random is not None:
                rate, kinds, rng = self._random
                if rng.random() < rate:
                    fault = Fault(rng.choice(kinds))
                    self.faults_served[fault.kind] += 1
            if fault is None:
                return
            fault.times -= 1
            if fault.times <= 0 and fault in self._faults:
                self._faults.remove(fault)
        if fault.kind == "extra_param":
            raise ApiError(422, "UNPROCESSABLE_ENTITY",
                           f"Extra query parameter '{fault.param}' is present in the input.")
        if fault.kind == "drop":
            raise DropConnection()
        if fault.kind == "500":
            raise ApiError(500, "INTERNAL_SERVER_ERROR", "<html><body><h1>500 Internal Server Error"
                           "</h1></body></html>", headers={"Content-Type": "text/html"})
        if fault.kind == "quota":
            raise ApiError(429, "THRESHOLD_EXCEEDED", "API credit limit reached.",
                           headers={"Retry-After": str(fault.retry_after)})
        if fault.kind == "empty200":  # a 2xx ApiError is served raw: here no bytes at all
            raise ApiError(200, "OK", "")
        if fault.kind == "html200":
            raise ApiError(200, "OK", "<html><head><title>Zoho Desk</title></head><body><h1>Sign in"
                           "</h1></body></html>", headers={"Content-Type": "text/html;charset=UTF-8"})
        raise ApiError(429, "TOO_MANY_REQUESTS", "Too many requests.")

    def _authenticate(self, headers, query: dict, path_needs_org: bool = True) -> None:
        auth = headers.get("Authorization") or ""
        scheme, _, token = auth.partition(" ")
        if not token or scheme not in ("Zoho-oauthtoken", "Bearer"):
            raise ApiError(401, "UNAUTHORIZED", "You are not authenticated to perform this operation.")
        if not self.oauth.valid(token.strip()):
            raise ApiError(401, "INVALID_OAUTH", "The OAuth Token you provided is invalid.")
        org = headers.get("orgId") or query.get("orgId")
        if not org and path_needs_org:
            raise invalid_param("orgId")
        if org and org != getattr(self, "org_id", ORG_ID):  # a test may give an emulator another org
            raise ApiError(self.org_mismatch_status, "OAUTH_ORG_MISMATCH",
                           "The OAuthToken is not valid for specified organization")

    def current_agent(self) -> dict:
        """The agent the OAuth token belongs to: the first seeded agent."""
        return self.store.tables["agents"].rows[0]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: Emulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this a kept-alive client waits ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args) -> None:  # quiet
        return

    def date_time_string(self, timestamp: float | None = None) -> str:  # the Date header: the service's clock
        return super().date_time_string(timestamp or time.time() + self.server.emulator.store.skew)

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        emulator: Emulator = self.server.emulator
        try:
            status, payload, extra = emulator.dispatch(method, self.path, self.headers, body)
        except DropConnection:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        except ApiError as err:
            status, extra = err.status, dict(err.headers)
            if status < 300 or extra.get("Content-Type", "").startswith("text/html"):  # a raw answer
                self._write(status, err.message.encode(), extra)
                return
            payload = err.body()
        self._write(status, None if payload is None else json.dumps(payload).encode(), extra)

    def _write(self, status: int, data: bytes | None, extra: dict) -> None:
        self.send_response(status)
        headers = {"Content-Type": "application/json;charset=UTF-8", **extra}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data or b"")))
        self.end_headers()
        if data and status != 204:
            self.wfile.write(data)



for _verb in ("GET", "POST", "PATCH", "PUT", "DELETE"):  # do_GET ... do_DELETE: one handler for every verb
    setattr(_Handler, f"do_{_verb}", lambda self, verb=_verb: self._serve(verb))
