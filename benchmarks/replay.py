"""The reference of benchmarks/targets.py: a plain requests + json loop over a list of GET calls.

python -c "from benchmarks.replay import main; main()" config.json calls.json
One session, one token, each answer decoded and its rows counted; nothing else.
"""

from __future__ import annotations

import json
import sys

import requests


def main() -> None:
    config = json.load(open(sys.argv[1]))
    calls = json.load(open(sys.argv[2]))
    session = requests.Session()
    token = session.post(f"{config['accounts_url']}/oauth/v2/token",
                         data={"grant_type": "refresh_token", "client_id": config["client_id"],
                               "client_secret": config["client_secret"],
                               "refresh_token": config["refresh_token"]}).json()["access_token"]
    headers = {"Authorization": f"Zoho-oauthtoken {token}", "orgId": config["org_id"]}
    base = config["api_url"].removesuffix("/api/v1")
    rows = 0
    for path, query in calls:
        answer = session.get(f"{base}{path}", params=query, headers=headers)
        if answer.status_code == 200:
            body = answer.json()
            rows += len(body.get("data") or []) if isinstance(body, dict) else 0
    print(rows)


if __name__ == "__main__":
    main()
