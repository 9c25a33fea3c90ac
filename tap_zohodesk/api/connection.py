"""How the tap and the target reach Zoho: data centers, config keys and their checks, the
errors of a call, unreachable hosts, the OAuth access token, and the one-line CLI failure."""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import LocationParseError, NameResolutionError, NewConnectionError
from urllib3.util import parse_url

from tap_zohodesk.api.errors import THROTTLED, UNREACHABLE, UNSURE, ConfigError, ZohoAuthError, ZohoDeskError, kind_of
from tap_zohodesk.api.retry import Again, RetryPolicy, quick

# Data center -> (Desk host, Accounts host). Canada is the odd one: *zohocloud*.ca for both.
DATA_CENTERS: dict[str, tuple[str, str]] = {
    "us": ("desk.zoho.com", "accounts.zoho.com"),
    "eu": ("desk.zoho.eu", "accounts.zoho.eu"),
    "in": ("desk.zoho.in", "accounts.zoho.in"),
    "au": ("desk.zoho.com.au", "accounts.zoho.com.au"),
    "jp": ("desk.zoho.jp", "accounts.zoho.jp"),
    "ca": ("desk.zohocloud.ca", "accounts.zohocloud.ca"),
    "cn": ("desk.zoho.com.cn", "accounts.zoho.com.cn"),
    "sa": ("desk.zoho.sa", "accounts.zoho.sa"),
    "sg": ("desk.zoho.sg", "accounts.zoho.sg"),
    "ae": ("desk.zoho.ae", "accounts.zoho.ae"),
    "uk": ("desk.zoho.uk", "accounts.zoho.uk"),
}
# What plain http to each URL would expose on the wire.
EXPOSED_BY = {"api_url": "the OAuth access token", "accounts_url": "the client secret and refresh token"}
TOKEN_EARLY_REFRESH_SECONDS = 60
UNREACHABLE_WAITS = (0.5, 1.0)  # quick retries of a connection that could not be opened
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 30
MAX_CONCURRENCY = 5  # calls in flight at once unless ``max_concurrency`` says otherwise (Free edition allows 5)

log = logging.getLogger("zohodesk.oauth")


def resolve_urls(config: dict) -> tuple[str, str]:
    """Return (api_url, accounts_url) from the config, deriving defaults from data_center.

    Also refuses an org_id that is not all digits, a start_date that is not a date-time (never
    quoting it) and plain http to anything but loopback."""
    org = config.get("org_id")
    if org is not None and not re.fullmatch(r"[0-9]+", str(org)):
        raise ConfigError(f"config 'org_id' must be all digits (Zoho Desk: Setup > Developer Space > API), got {org!r}")
    for key, value in (("start_date", config.get("start_date")),
                       *((f"deleted_records.{k}", (config.get("deleted_records") or {}).get(k))
                         for k in ("start_date", "end_date") if isinstance(config.get("deleted_records"), dict))):
        if value not in (None, "") and not _is_date_time(value):
            raise ConfigError(f"config {key!r} is not an ISO-8601 date-time (e.g. 2024-01-31T00:00:00Z)")
    dc = str(config.get("data_center") or "us").lower()
    if dc not in DATA_CENTERS:
        raise ConfigError(
            f"config 'data_center' is {dc!r}; expected one of {' '.join(DATA_CENTERS)}"
        )
    desk, accounts = DATA_CENTERS[dc]
    api_url = (config.get("api_url") or f"https://{desk}/api/v1").rstrip("/")
    accounts_url = (config.get("accounts_url") or f"https://{accounts}").rstrip("/")
    for key, url in (("api_url", api_url), ("accounts_url", accounts_url)):
        check_url(key, url)
    return api_url, accounts_url


def _is_date_time(value: object) -> bool:
    try:
        datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def check_url(key: str, url: str) -> None:
    """Refuse a base URL the HTTP library could read another way than this check does: parsed
    with urllib3's own parser (the one requests connects with), and no userinfo, backslash,
    query, fragment, whitespace or control character; plain http only to loopback."""
    odd = next((c for c in url if c in "\\@?#" or c.isspace() or not c.isprintable()), None)
    if odd is not None:
        raise ConfigError(f"config {key!r} may not contain {odd!r} (userinfo, a backslash, a query or a "
                          f"fragment could send the credentials to another host than it names), got {url!r}")
    try:
        parts = parse_url(url)
    except LocationParseError:
        raise ConfigError(f"config {key!r} is not a URL, got {url!r}") from None
    if parts.scheme not in ("http", "https") or not parts.host:
        raise ConfigError(f"config {key!r} must be an http(s) URL, got {url!r}")
    if parts.scheme == "http" and not _loopback(parts.host):
        raise ConfigError(f"config {key!r} is plain http to {parts.host}: it would send "
                          f"{EXPOSED_BY[key]} unencrypted; use https")


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def unreachable(exc: BaseException) -> str | None:
    """Why a connection could not even be opened ("connection refused", "name not resolved",
    ...), or None when the failure came later (e.g. a connection cut mid-answer)."""
    if isinstance(exc, requests.ConnectTimeout):
        return "connection timed out"
    if not isinstance(exc, requests.ConnectionError):
        return None
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError -> its cause
    if isinstance(reason, NameResolutionError):
        return "name not resolved"
    if isinstance(reason, NewConnectionError):
        found = re.search(r"\[Errno -?\d+\] ([^\"')]+)", str(reason))
        return found.group(1).strip().lower() if found else "connection failed"
    return None


def tls_failure(exc: BaseException) -> str:
    """The reason of a TLS failure, in a few words."""
    text = str(exc)
    found = re.search(r"certificate verify failed: ([^(\"']+)", text)
    if found:
        return f"TLS certificate not trusted ({found.group(1).strip()})"
    found = re.search(r"\[SSL: [A-Z_]+\] ([^(\"']+)", text)
    return f"TLS handshake failed ({found.group(1).strip()})" if found else "TLS handshake failed"


def reach(send: Callable[[], requests.Response], url: str, down: set[str], what: str,
          error: type[ZohoDeskError] = ZohoDeskError) -> requests.Response:
    """``send()``, retried quickly (0.5 s, then 1 s: retry.quick) while the host cannot be reached, then
    ``error`` "cannot reach <host>: <why>". A host already found down gets one try; a TLS
    failure (untrusted certificate, failed handshake) is final at once.
    Any other failure of ``send`` is raised as is, for the caller's own retry budget."""
    host = urlsplit(url).netloc
    try:
        resp = quick(send, () if host in down else UNREACHABLE_WAITS, requests.RequestException,
                     giveup=lambda exc: isinstance(exc, requests.exceptions.SSLError) or unreachable(exc) is None)
    except requests.exceptions.SSLError as exc:  # retrying cannot fix a certificate or a handshake
        raise error(f"cannot reach {host} securely: {tls_failure(exc)} ({what}); not retried") from None
    except requests.RequestException as exc:
        why = unreachable(exc)
        if why is None:
            raise
        down.add(host)
        raise error(f"cannot reach {host}: {why} ({what})", kind=UNREACHABLE) from exc
    down.discard(host)
    return resp


def _rate_limited(body: object) -> bool:
    """Zoho Accounts' answer when refreshes come too fast (HTTP 400 or 200)."""
    if not isinstance(body, dict):
        return False
    text = f"{body.get('error') or ''} {body.get('error_description') or ''}".lower()
    return body.get("error") == "Access Denied" or "too many requests" in text


class AccessToken:
    """One client's OAuth access token: minted from the refresh token, reused until a minute
    before expiry, refreshed under a lock (and on demand when a call proves it ``stale``).

    Zoho limits token requests per refresh token (about 10 in 10 minutes), so a run makes as
    few as it can: a refresh in flight is shared by every worker waiting on the lock, and a
    refresh that failed (revoked token, wrong client, retries spent) is final: every later
    ``get`` raises the same error without asking Zoho Accounts again."""

    def __init__(self, config: dict, accounts_url: str, session: Callable[[], requests.Session], *,
                 max_retries: int, backoff: float, down: set[str],
                 timeouts: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)):
        self.url = f"{accounts_url}/oauth/v2/token"
        self._form = {"grant_type": "refresh_token", "client_id": config["client_id"],
                      "client_secret": config["client_secret"], "refresh_token": config["refresh_token"]}
        self._session, self._down = session, down
        self.policy = RetryPolicy(max_retries, backoff, seen=self._seen)  # the core's one retry policy
        self.timeouts = timeouts  # the client's connect and read timeouts (settings)
        self._token: str | None = None
        self._expiry = 0.0
        self.date: str | None = None  # the Date header of the last token answer (Zoho's clock)
        self._lock = threading.Lock()
        self._refused: str | None = None  # why the refresh failed: final for the run
        self._warned_rate_limit = False
        self.refreshes = 0

    def get(self, *, stale: str | None = None) -> str:
        """A valid access token; refreshed when missing, expiring or equal to ``stale``."""
        with self._lock:
            if self._refused is not None:
                raise ZohoAuthError(self._refused)
            fresh = self._token and self._token != stale
            if not (fresh and time.monotonic() < self._expiry - TOKEN_EARLY_REFRESH_SECONDS):
                try:
                    self._refresh()
                except ZohoAuthError as exc:
                    self._refused = str(exc)
                    raise
            return self._token  # type: ignore[return-value]

    def _refresh(self) -> None:
        url = self.url
        try:
            resp, body = self.policy.run(self._ask)
        except Again as spent:  # the retries are spent: the last answer decides, or the last failure
            if spent.answer is None:
                raise spent.error from spent.__cause__
            resp, body = spent.answer
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            if _rate_limited(body):
                raise ZohoAuthError(
                    f"OAuth refresh at {url} refused: Zoho Accounts is "
                    f"rate-limiting the token endpoint ({body.get('error_description') or body.get('error')}); "
                    "wait some minutes, and avoid many runs refreshing tokens at once"
                )
            reason = (body.get("error") if isinstance(body, dict) else None) or f"HTTP {resp.status_code}"
            raise ZohoAuthError(
                f"OAuth refresh at {url} returned no access_token (error: {reason}); "
                "likely causes: wrong data_center (a token works only in its own data center), "
                "a revoked or mistyped refresh_token, or a wrong client_id/client_secret"
            )
        self._token, self.date = token, resp.headers.get("Date")
        self._expiry = time.monotonic() + float(body.get("expires_in") or 3600)
        self.refreshes += 1

    def _ask(self) -> tuple[requests.Response, object]:
        """One token request: (the answer, its JSON body), or ``Again`` when it may be tried again
        (a cut connection, Zoho Accounts limiting refreshes, a 429 or a 5xx)."""
        url = self.url
        try:
            resp = reach(lambda: self._session().post(url, data=self._form, timeout=self.timeouts),
                         url, self._down, "OAuth token refresh; check accounts_url and data_center", ZohoAuthError)
        except requests.RequestException as exc:
            raise Again(ZohoAuthError(f"OAuth refresh at {url} failed: {exc}")) from exc
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if _rate_limited(body) or kind_of(resp.status_code, None) in (THROTTLED, UNSURE):
            raise Again(ZohoAuthError(f"OAuth refresh at {url} answered HTTP {resp.status_code}"),
                        resp.headers.get("Retry-After"), answer=(resp, body))
        return resp, body

    def _seen(self, again: Again, wait: float | None) -> None:
        """The policy's hook: the first wait for Zoho Accounts limiting refreshes is logged."""
        if wait is not None and again.answer is not None and _rate_limited(again.answer[1]) \
                and not self._warned_rate_limit:
            self._warned_rate_limit = True
            log.warning("Zoho Accounts is limiting token refreshes; waiting %.1f s", wait)
