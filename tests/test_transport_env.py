"""The environment's HTTP settings are read once per session and still honoured: a proxy variable
sends every call (the token's too) through the proxy, NO_PROXY keeps loopback direct, the CA bundle
variable is the session's, and ~/.netrc (which would replace the call's Authorization) is not read."""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from tap_zohodesk.api.client import ZohoDeskClient
from tests.emulator import Emulator


class Proxy(ThreadingHTTPServer):
    """A tiny forwarding HTTP proxy on loopback that notes each request line it gets."""

    daemon_threads = True

    def __init__(self):
        self.seen: list[str] = []
        super().__init__(("127.0.0.1", 0), _Forward)


class _Forward(BaseHTTPRequestHandler):
    def _relay(self) -> None:
        self.server.seen.append(f"{self.command} {self.path}")
        target = urlsplit(self.path)  # a proxied request line carries the absolute URL
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection(target.hostname, target.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        upstream.request(self.command, target.path + (f"?{target.query}" if target.query else ""), body, headers)
        answer = upstream.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        upstream.close()

    do_GET = do_POST = _relay

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def proxy():
    server = Proxy()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE",
                 "NETRC"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def test_a_proxy_variable_carries_every_call_the_token_s_too(proxy, clean_env):
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    with Emulator(tickets=30, seed=71) as emu:
        client = ZohoDeskClient(emu.config())
        rows = [row for page in client.pages("tickets", limit=10, label="t") for row in page]
        assert len(rows) > 20 and len(rows) == len(emu.store.tables["tickets"].rows)
        assert client._session().trust_env is False
        api_calls = [c for c in emu.log if c["path"] == "/api/v1/tickets"]
    assert len(api_calls) >= 3
    assert sum(" http://127.0.0.1:" in f" {line.split(' ', 1)[1]}" and "/api/v1/tickets" in line
               for line in proxy.seen) == len(api_calls)
    assert any("/oauth/v2/token" in line for line in proxy.seen)


def test_no_proxy_keeps_loopback_direct(proxy, clean_env):
    clean_env.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    clean_env.setenv("NO_PROXY", "127.0.0.1,localhost")
    with Emulator(tickets=15, seed=72) as emu:
        client = ZohoDeskClient(emu.config())
        rows = [row for page in client.pages("tickets", limit=10, label="t") for row in page]
        assert len(rows) > 10 and len(rows) == len(emu.store.tables["tickets"].rows)
    assert proxy.seen == []


def test_the_ca_bundle_variable_is_the_session_s(clean_env, tmp_path):
    bundle = tmp_path / "corp-ca.pem"
    bundle.write_text("")
    clean_env.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    client = ZohoDeskClient({"org_id": "1", "client_id": "c", "client_secret": "s", "refresh_token": "r"})
    session = client._session()
    assert session.verify == str(bundle) and session.trust_env is False and dict(session.proxies) == {}


def test_a_netrc_entry_does_not_replace_the_oauth_header(clean_env, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password secret\n")
    netrc.chmod(0o600)
    clean_env.setenv("NETRC", str(netrc))
    with Emulator(tickets=5, seed=73) as emu:
        client = ZohoDeskClient(emu.config())
        rows = [row for page in client.pages("tickets", limit=10, label="t") for row in page]
        assert len(rows) > 0 and len(rows) == len(emu.store.tables["tickets"].rows)
        assert not emu.errors()
