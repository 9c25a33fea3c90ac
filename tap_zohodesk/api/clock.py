"""Zoho's clock, as seen from this machine: every time the run sends Zoho (a read's upper bound, a
lookup's window) is on Zoho's clock, not ours, which may be minutes off.

The skew is measured once, on the first ``Date`` header Zoho sends: an API answer's, or, when a
read needs Zoho's time before any API call, the OAuth token answer's (Zoho Accounts keeps the same
clock). ``Date`` has whole seconds: the skew is exact to a second.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

# A skew this small is the Date header's rounding as much as a clock difference: a read's upper
# bound stays on this machine's clock then (as precise as it gets); past it, on Zoho's (early by up
# to a second: what Zoho wrote in that second is the next run's, never lost).
NOISE_SECONDS = 2.0


class ZohoClock:
    def __init__(self) -> None:
        self.skew: float | None = None  # seconds Zoho's clock is ahead of ours (None: not measured yet)

    def measure(self, date_header: str | None) -> None:
        """Take the skew from a ``Date`` header (the first one that parses)."""
        if self.skew is not None or not date_header:
            return
        try:
            server = parsedate_to_datetime(date_header)
        except (TypeError, ValueError):
            return
        if server.tzinfo is not None:
            self.skew = (server - datetime.now(timezone.utc)).total_seconds()

    def now(self) -> datetime:
        """Zoho's time now, for a read's upper bound (see NOISE_SECONDS)."""
        skew = self.skew or 0.0
        return datetime.now(timezone.utc) + timedelta(seconds=skew if abs(skew) > NOISE_SECONDS else 0.0)

    def at(self, local: datetime) -> datetime:
        """A time of this machine on Zoho's clock (not measured yet: as is)."""
        return local + timedelta(seconds=self.skew or 0.0)
