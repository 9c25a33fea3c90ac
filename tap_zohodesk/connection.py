"""Connection settings shared by the tap and the target: data centers and config keys."""

from __future__ import annotations

from singer_sdk import typing as th

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
}


class ConfigError(ValueError):
    """A config value is wrong; the message is one line naming the key."""


def resolve_urls(config: dict) -> tuple[str, str]:
    """Return (api_url, accounts_url) from the config, deriving defaults from data_center."""
    dc = str(config.get("data_center") or "us").lower()
    if dc not in DATA_CENTERS:
        raise ConfigError(
            f"config 'data_center' is {dc!r}; expected one of {' '.join(DATA_CENTERS)}"
        )
    desk, accounts = DATA_CENTERS[dc]
    api_url = (config.get("api_url") or f"https://{desk}/api/v1").rstrip("/")
    accounts_url = (config.get("accounts_url") or f"https://{accounts}").rstrip("/")
    for key, url in (("api_url", api_url), ("accounts_url", accounts_url)):
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"config {key!r} must be an http(s) URL, got {url!r}")
    return api_url, accounts_url


def connection_properties() -> list[th.Property]:
    """Config keys every Zoho Desk plugin of this project takes (a public contract)."""
    return [
        th.Property("client_id", th.StringType, required=True, secret=True,
                    description="OAuth client id of your Zoho API console client."),
        th.Property("client_secret", th.StringType, required=True, secret=True,
                    description="OAuth client secret."),
        th.Property("refresh_token", th.StringType, required=True, secret=True,
                    description="OAuth refresh token (grant with access_type=offline)."),
        th.Property("org_id", th.StringType, required=True,
                    description="Zoho Desk organization id (Setup > APIs)."),
        th.Property("data_center", th.StringType, default="us",
                    allowed_values=list(DATA_CENTERS),
                    description="Data center of the org: " + ", ".join(DATA_CENTERS)),
        th.Property("api_url", th.StringType,
                    description="Override of the Desk API base, e.g. https://desk.zoho.eu/api/v1"),
        th.Property("accounts_url", th.StringType,
                    description="Override of the Zoho Accounts base, e.g. https://accounts.zoho.eu"),
        th.Property("max_concurrency", th.IntegerType, default=5,
                    description="Most API calls in flight at once (Free edition allows 5)."),
        th.Property("max_retries", th.IntegerType, default=6,
                    description="Retries of a call answered 429/5xx or cut off."),
        th.Property("retry_backoff_seconds", th.NumberType, default=1.0,
                    description="First retry wait; doubles each retry unless Retry-After says."),
    ]
