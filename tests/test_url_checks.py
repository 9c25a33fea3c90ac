"""api_url / accounts_url are judged by the parser requests connects with (urllib3's): every
spelling that could make the check and the connection see different hosts is refused."""

from __future__ import annotations

import pytest
from urllib3.util import parse_url

from tap_zohodesk.api.client import ZohoDeskClient
from tap_zohodesk.api.connection import resolve_urls
from tap_zohodesk.api.errors import ConfigError
from tests.test_bad_config_and_answers import SECRETS, cli, ours

BYPASSES = [
    "http://desk.example.invalid\\@127.0.0.1:9/api/v1",  # urlsplit: loopback; urllib3: the other host
    "http://desk.example.invalid\\.127.0.0.1:9/api/v1",
    "http://127.0.0.1:9\\@desk.example.invalid/api/v1",
    "http://127.0.0.1:9@desk.example.invalid/api/v1",
    "http://user:pw@127.0.0.1:9/api/v1",
    "http://127.0.0.1%2f@desk.example.invalid/api/v1",
    "http://desk.example.invalid#@127.0.0.1:9/api/v1",
    "http://desk.example.invalid?@127.0.0.1:9/api/v1",
    "http://desk.example.invalid\t@127.0.0.1:9/api/v1",
    "http://127.0.0.1:9/api/v1\n",
    "https://desk.example.com/api/v1?x=1",
]


@pytest.mark.parametrize("key", ["api_url", "accounts_url"])
@pytest.mark.parametrize("url", BYPASSES)
def test_every_bypass_spelling_is_refused_in_one_line(key, url):
    with pytest.raises(ConfigError) as err:
        resolve_urls({**SECRETS, key: url})
    text = str(err.value)
    assert text.startswith(f"config {key!r} may not contain ") and "\n" not in text.replace(repr(url), "")
    with pytest.raises(ConfigError):
        ZohoDeskClient({**SECRETS, key: url})


@pytest.mark.parametrize("url, host", [
    ("http://127.0.0.1.desk.example.invalid/api/v1", "127.0.0.1.desk.example.invalid"),
    ("http://localhost.desk.example.invalid/api/v1", "localhost.desk.example.invalid"),
    ("http://0x7f.0.0.1:9/api/v1", "0x7f.0.0.1"),  # not an address this check can prove to be loopback
])
def test_a_host_that_only_looks_like_loopback_is_plain_http_refused(url, host):
    assert parse_url(url).host == host
    with pytest.raises(ConfigError, match=rf"^config 'api_url' is plain http to {host}: "):
        resolve_urls({**SECRETS, "api_url": url})


def test_the_target_cli_refuses_the_backslash_spelling_before_any_call(tmp_path):
    url = "http://desk.example.invalid\\@127.0.0.1:9"
    proc, seconds = cli(tmp_path, {**SECRETS, "accounts_url": url}, plugin="target")
    assert proc.returncode == 1 and seconds < 10 and "Traceback" not in proc.stderr
    lines = ours(proc, "target")
    assert len(lines) == 1 and "config 'accounts_url' may not contain '\\\\'" in lines[0]
