"""Fast, clean failures of the client: a TLS failure is final at once, a server that never
answers costs the read timeout (a setting, in seconds), and Zoho's concurrency cap, once a 429
has shown it, is kept for the run."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tests.emulator import Emulator
from tests.test_bad_config_and_answers import cli, ours


@pytest.fixture(scope="module")
def tls_port(tmp_path_factory):
    """An HTTPS server on loopback whose certificate is self-signed (trusted by nobody)."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(50)
    held = []
    stop = threading.Event()

    def accept():
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    yield sock.getsockname()[1]
    stop.set()
    for conn in held:
        conn.close()
    sock.close()


@pytest.fixture
def emulator():
    with Emulator(tickets=60, seed=31) as emu:
        yield emu


def test_an_untrusted_certificate_is_final_at_once(emulator, tls_port):
    client = ZohoDeskClient(emulator.config(api_url=f"https://127.0.0.1:{tls_port}/api/v1",
                                            retry_backoff_seconds=30, max_retries=6))
    started = time.monotonic()
    with pytest.raises(ZohoDeskError) as err:
        client.get("agents")
    assert time.monotonic() - started < 3
    assert str(err.value) == (f"cannot reach 127.0.0.1:{tls_port} securely: TLS certificate not trusted "
                              "(self-signed certificate) (GET /agents; check api_url and data_center); not retried")


@pytest.mark.parametrize("plugin", ["tap", "target"])
def test_a_tls_failure_at_the_token_endpoint_is_one_line(tmp_path, tls_port, plugin):
    config = {**Emulator().config(), "accounts_url": f"https://127.0.0.1:{tls_port}", "retry_backoff_seconds": 30}
    stdin = '{"type": "SCHEMA", "stream": "contacts", "schema": {"properties": {}}, "key_properties": []}\n' \
        '{"type": "RECORD", "stream": "contacts", "record": {"lastName": "x"}}\n'
    proc, seconds = cli(tmp_path, config, plugin=plugin, stdin=stdin)
    assert proc.returncode == 1 and seconds < 15 and "Traceback" not in proc.stderr
    assert ours(proc, plugin) == [f"{plugin}-zohodesk: cannot reach 127.0.0.1:{tls_port} securely: TLS certificate "
                                  "not trusted (self-signed certificate) (OAuth token refresh; check accounts_url and "
                                  "data_center); not retried" + ("" if plugin == "tap" else
                                                                 " -- the run stopped: 1 record(s) not attempted, "
                                                                 "STATE not advanced past them")]


def test_a_server_that_never_answers_costs_the_read_timeout(emulator, silent_port):
    client = ZohoDeskClient(emulator.config(api_url=f"http://127.0.0.1:{silent_port}/api/v1",
                                            read_timeout_seconds=0.5, max_retries=1))
    assert client.timeouts == (10.0, 0.5)
    started = time.monotonic()
    with pytest.raises(ZohoDeskError, match=r"^GET /agents -> connection failed: .*Read timed out"):
        client.get("agents")
    assert time.monotonic() - started < 4  # two tries of half a second, not two of two minutes


def test_the_default_timeouts_are_seconds():
    client = ZohoDeskClient({"client_id": "i", "client_secret": "s", "refresh_token": "r", "org_id": "1"})
    assert client.timeouts == (10.0, 30.0)


def test_zohos_concurrency_cap_is_kept_once_shown():
    with Emulator(tickets=200, seed=32, latency_ms=15, max_concurrency=2) as emu:
        client = ZohoDeskClient(emu.config(max_concurrency=5))
        ids = [r["id"] for r in emu.store.tables["tickets"].rows]
        assert len(ids) > 150
        got = [r["id"] for r in client.map(lambda i: client.get(f"tickets/{i}"), ids)]
        assert got == ids
        refused = [e for e in emu.log if e["status"] == 429]
        assert 1 <= len(refused) <= 4, len(refused)  # the cap is learnt, not probed again every 20 calls
        assert client.limiter.ceiling == 2 and client.limiter.limit <= 2 and client.stats()["concurrency_cap"] == 2
