"""The org's daily API credits, enforced as the service does.

Credits post + D29 (zoho-desk-api §10): credits per org per day, reset daily (00:00 in the data center's
timezone; UTC here); every answer carries ``X-Rate-Limit-Remaining-v3``; once the day's credits are spent
every call is answered 429 ``THRESHOLD_EXCEEDED`` with a ``Retry-After`` (seconds), the only answer that
carries one, until the reset.
"""

from __future__ import annotations

import math
import time

from tests.emulator.errors import ApiError

DAY = 86_400


class DailyCredits:
    """Credits left today; ``check`` refuses a call once they are spent, ``charge`` takes a call's weight."""

    def __init__(self, per_day: int, clock=time.time):
        self.per_day = per_day
        self.left = per_day
        self.clock = clock
        self.resets_at = self._next_midnight(clock())

    @staticmethod
    def _next_midnight(now: float) -> float:
        return (now // DAY + 1) * DAY

    def resets_in(self, seconds: float) -> None:
        """Test knob: the day's credits come back ``seconds`` from now (default: at the next 00:00 UTC)."""
        self.resets_at = self.clock() + seconds

    def check(self) -> None:
        """Called (under the emulator's lock) before a call is served."""
        now = self.clock()
        if now >= self.resets_at:
            self.left = self.per_day
            self.resets_at = self._next_midnight(now)
        if self.left <= 0:
            raise ApiError(429, "THRESHOLD_EXCEEDED", "API credit limit reached.",
                           headers={"Retry-After": str(max(1, math.ceil(self.resets_at - now))),
                                    "X-Rate-Limit-Remaining-v3": "0"})

    def charge(self, weight: int) -> str:
        """Take the weight of a call served; the remaining credits as the header announces them."""
        self.left -= weight
        return str(max(self.left, 0))
