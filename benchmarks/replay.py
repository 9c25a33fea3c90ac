"""The reference of benchmarks/targets.py: a plain requests + json loop over a list of GET calls.

python -c "from benchmarks.replay import main; main()" config.json calls.json
One session, one token, each answer decoded and its rows counted; nothing else.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator

import requests


def answers(config: dict, calls: list) -> Iterator[list]:
    """The rows of each call's answer (an empty list for one without rows), on one session."""
    session = requests.Session()
    token = session.post(f"{config['accounts_url']}/oauth/v2/token",
                         data={"grant_type": "refresh_token", "client_id": config["client_id"],
                               "client_secret": config["client_secret"],
                               "refresh_token": config["refresh_token"]}).json()["access_token"]
    headers = {"Authorization": f"Zoho-oauthtoken {token}", "orgId": config["org_id"]}
    base = config["api_url"].removesuffix("/api/v1")
    for path, query in calls:
        answer = session.get(f"{base}{path}", params=query, headers=headers)
        body = answer.json() if answer.status_code == 200 else None
        yield (body.get("data") or []) if isinstance(body, dict) else []


def main() -> None:
    config = json.load(open(sys.argv[1]))
    calls = json.load(open(sys.argv[2]))
    print(sum(len(rows) for rows in answers(config, calls)))


if __name__ == "__main__":
    main()
