"""Zoho Accounts as the emulator serves it: the token endpoint and the tokens it granted.

A failed refresh answers 200 with ``{"error": ...}`` (what Zoho Accounts does); tokens
expire after ``ttl`` seconds, or all at once after a number of API calls
(``expire_after``), or every ``expire_every`` API calls. ``deny(n)`` makes the next ``n``
token requests answer as Zoho Accounts does when refreshes come too fast (HTTP 400,
``Access Denied``). ``requests`` counts every token request (Zoho limits them per refresh
token: about 10 in 10 minutes); ``revoke()`` revokes the refresh token, as a user does in
Zoho Accounts (later refreshes answer ``invalid_code``).
"""

from __future__ import annotations

import secrets
import threading
import time
from urllib.parse import parse_qsl

from tests.emulator.errors import ApiError

CLIENT_ID = "emulator-client-id"
CLIENT_SECRET = "emulator-client-secret"  # a fixture of the fake server, not a credential
REFRESH_TOKEN = "1000.emulatorrefresh.token"
RATE_LIMITED = {"error": "Access Denied", "error_description":
                "You have made too many requests continuously. Please try again after some time."}


class OAuthServer:
    """The token endpoint and the validity of the tokens it minted."""

    def __init__(self, ttl: int = 3600):
        self.ttl = ttl
        self.grants = 0
        self.requests = 0  # every token request, granted or not
        self.revoked = False
        self.expire_every: int | None = None
        self._tokens: dict[str, float] = {}
        self._countdown: int | None = None
        self._calls = 0
        self._denials = 0
        self.denied = 0  # token requests answered Access Denied
        self._lock = threading.Lock()

    def expire_after(self, calls: int) -> None:
        """Every token granted so far stops working after ``calls`` more API calls."""
        with self._lock:
            self._countdown = calls

    def deny(self, times: int) -> None:
        """The next ``times`` token requests are refused as rate-limited (HTTP 400 Access Denied)."""
        with self._lock:
            self._denials = times

    def revoke(self) -> None:
        """The refresh token is revoked: tokens granted so far keep working until they expire."""
        with self._lock:
            self.revoked = True

    def token(self, method: str, query: dict, body: bytes) -> tuple[int, dict, dict]:
        with self._lock:
            self.requests += 1
        if method != "POST":
            raise ApiError(405, "METHOD_NOT_ALLOWED", "The requested method is not allowed.")
        with self._lock:
            if self._denials > 0:
                self._denials -= 1
                self.denied += 1
                return 400, dict(RATE_LIMITED), {}
        form = dict(query)
        form.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("grant_type") != "refresh_token":
            return 200, {"error": "unsupported_grant_type"}, {}
        if form.get("client_id") != CLIENT_ID:
            return 200, {"error": "invalid_client"}, {}
        if form.get("client_secret") != CLIENT_SECRET:
            return 200, {"error": "invalid_client_secret"}, {}
        if form.get("refresh_token") != REFRESH_TOKEN or self.revoked:
            return 200, {"error": "invalid_code"}, {}
        token = f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"
        with self._lock:
            self._tokens[token] = time.monotonic() + self.ttl
            self.grants += 1
        return 200, {"access_token": token, "api_domain": "https://www.zohoapis.com",
                     "token_type": "Bearer", "expires_in": self.ttl}, {}

    def valid(self, token: str) -> bool:
        """Whether ``token`` may make this API call (counts the call for the expiry knobs)."""
        with self._lock:
            self._calls += 1
            if self._countdown is not None:
                self._countdown -= 1
                if self._countdown < 0:
                    self._tokens.clear()
                    self._countdown = None
            if self.expire_every and self._calls % self.expire_every == 0:
                self._tokens.clear()
            expiry = self._tokens.get(token)
        return expiry is not None and expiry >= time.monotonic()
