"""The one error model of the core: a ``ZohoDeskError`` carries a **kind**, decided once where
Zoho's answer (or its absence) is read (``kind_of``); the tap, the target and the client decide
by kind, never by status code or message text. ``FATAL_KINDS`` stop a whole run; ``ConfigError``
is a wrong setting, named in one line."""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from typing import Any


class ConfigError(ValueError):
    """A config value is wrong; the message is one line naming the key."""


# What went wrong, decided once where the answer is read; callers decide by kind, never by
# status code or message text.
AUTH, ORG, UNREACHABLE, CREDITS, BUDGET = "auth", "org", "unreachable", "credits", "budget"
THROTTLED, UNSURE = "throttled", "unsure"
REFUSED, REFUSED_VALUE = "refused parameter", "refused value"  # 422 naming the parameter (``param``)
NOT_AVAILABLE, GONE, UNSUPPORTED, FORBIDDEN = "not available", "gone", "unsupported", "forbidden"
BAD_ANSWER, INVALID = "bad answer", "invalid"
# Zoho read the request and said no to it (not to the run): another record or call may well pass
REFUSALS = frozenset({REFUSED, REFUSED_VALUE, INVALID, GONE, NOT_AVAILABLE, UNSUPPORTED})
# kinds no other stream or record can survive: the run stops at once
FATAL_KINDS = frozenset({AUTH, ORG, UNREACHABLE, CREDITS, BUDGET})
# Zoho's errorCodes that say "this org cannot serve this object", and what the user can do.
NOT_AVAILABLE_CODES = {
    "LICENSE_ACCESS_LIMITED": "the org's edition does not include it; deselect the stream or upgrade",
    "FEATURE_NOT_AVAILABLE": "the feature is off in this org; turn it on in Zoho Desk Setup or deselect the stream",
    "SCOPE_MISMATCH": "the OAuth client lacks the scope; grant it (e.g. Desk.settings.READ) and mint a new "
                      "refresh token, or deselect the stream",
}


def kind_of(status: int | None, code: str | None) -> str:
    """The kind of a Zoho answer that is not 2xx (``status`` None: no answer at all)."""
    if status is not None and 200 <= status < 300:
        return BAD_ANSWER
    if code == "OAUTH_ORG_MISMATCH":
        return ORG
    if status == 401 or code in ("INVALID_OAUTH", "UNAUTHORIZED"):
        return AUTH
    if code in NOT_AVAILABLE_CODES:
        return NOT_AVAILABLE
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return GONE  # Zoho answers URL_NOT_FOUND for a bad path and for a record that is not there
    if status == 405:
        return UNSUPPORTED
    if status == 429:
        return THROTTLED
    if status is None or status >= 500:
        return UNSURE
    if status == 422 and code in ("UNPROCESSABLE_ENTITY", None):
        return REFUSED
    return INVALID


_EXTRA = re.compile(r"Extra query parameter '([^']+)'")
_VALUE = re.compile(r"value passed for the '([^']+)' parameter")


def read_answer(status: int | None, code: str | None, message: object) -> tuple[str, str | None]:
    """(kind, the parameter named) of an answer that is not 2xx, from its status, errorCode and
    message: Zoho names a parameter it refuses (``Extra query parameter 'x' is present``) or whose
    value it refuses (``The value passed for the 'x' parameter is invalid``)."""
    if status == 422 and isinstance(message, str):
        for kind, pattern in ((REFUSED, _EXTRA), (REFUSED_VALUE, _VALUE)):
            if found := pattern.search(message):
                return kind, found.group(1)
    return kind_of(status, code), None


class ZohoDeskError(Exception):
    """A Zoho Desk call failed; str() is one line naming the call and Zoho's reason, ``kind``
    what went wrong (set where the answer was read; from status and code when not given)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 kind: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.kind = kind or (kind_of(status, code) if status is not None else BAD_ANSWER)
        self.param = param  # the query parameter a REFUSED / REFUSED_VALUE answer names

    @property
    def fatal(self) -> bool:
        """No other stream or record can succeed either: the run stops."""
        return self.kind in FATAL_KINDS


class ZohoAuthError(ZohoDeskError):
    """The OAuth refresh failed: nothing else can work."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None,
                 kind: str | None = None):
        super().__init__(message, status=status, code=code, kind=kind or AUTH)


def describe_error(method: str, path: str, status: int, body: Any, text: str = "") -> str:
    """One line out of a Zoho error answer."""
    where = f"{method} {path}"
    if isinstance(body, dict) and ("errorCode" in body or "message" in body):
        line = f"{where} -> HTTP {status} {body.get('errorCode') or ''}".rstrip()
        if body.get("message"):
            line += f": {body['message']}"
        fields = []
        for err in body.get("errors") or []:
            if isinstance(err, dict) and err.get("fieldName"):
                part = f"{err['fieldName']} ({err.get('errorType') or 'invalid'})"
                if err.get("errorMessage"):
                    part += f" {err['errorMessage']}"
                fields.append(part)
        if fields:
            line += f" [fields: {', '.join(fields)}]"
        for extra in ("feature", "editionType", "integration"):
            if body.get(extra):
                line += f" [{extra}: {body[extra]}]"
        return line
    snippet = re.sub(r"<[^>]+>", " ", text or "")
    snippet = " ".join(snippet.split())[:120]
    return f"{where} -> HTTP {status}" + (f": {snippet}" if snippet else "")


def credits_back(retry_after: str) -> str:
    """What a long Retry-After means: the org's daily API credits are spent, and when they come back."""
    seconds = retry_seconds(retry_after)
    back = datetime.fromtimestamp(time.time() + seconds, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"the org's daily API credits are spent; they come back in {int(seconds // 3600)}h"
            f"{int(seconds % 3600 // 60):02d}m, at {back}: Retry-After {retry_after}s")


def retry_seconds(value: str) -> float:
    """A Retry-After header's seconds (0 when it is not a number)."""
    try:
        return float(value)
    except ValueError:
        return 0.0
