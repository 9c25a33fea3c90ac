"""The environment's HTTP settings, read once per session instead of on every call.

requests (``trust_env``) looks at the environment on every call: the proxy variables and
``NO_PROXY`` for the URL, ``~/.netrc`` for credentials, ``REQUESTS_CA_BUNDLE`` /
``CURL_CA_BUNDLE``. The client talks to two hosts only (the API and Zoho Accounts), so a session
resolves them once: each host's proxy as requests would have chosen it (``HTTPS_PROXY`` /
``HTTP_PROXY`` / ``ALL_PROXY``, none where ``NO_PROXY`` covers the host), the CA bundle the
variables name, and no ``~/.netrc`` (every call carries its own ``Authorization``, which a netrc
entry would replace). Then ``trust_env`` is off: nothing more is looked up per call.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import requests


def settle(session: requests.Session, urls: tuple[str, ...]) -> requests.Session:
    """Give ``session`` the environment's proxies for ``urls`` and its CA bundle, then stop it looking."""
    for url in urls:
        found = requests.utils.get_environ_proxies(url)  # {} when NO_PROXY covers the host
        proxy = requests.utils.select_proxy(url, found)
        if proxy:
            parts = urlsplit(url)
            session.proxies[f"{parts.scheme}://{parts.hostname}"] = proxy
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle and session.verify is True:
        session.verify = bundle
    session.trust_env = False
    return session
