"""A run's API credits, kept in one place for the client: what the run spent (Zoho's weight header
on each answer), what Zoho says is left today (its remaining header), the user's
``max_api_credits``, when Zoho said its daily credits come back (a 429 with a Retry-After of
hours), and from all of that: whether a call may go out, whether the credits left can pay for
the calls in flight, and when the next run can start.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from tap_zohodesk.api.errors import BUDGET, CREDITS, ZohoDeskError, credits_back, retry_seconds

# Credits of a list call at the offsets every read keeps to (below 2,000: Zoho's cheapest tier)
LIST_CALL_CREDITS = 3
WEIGHT_HEADER, REMAINING_HEADER = "X-Rate-Limit-Request-Weight-v3", "X-Rate-Limit-Remaining-v3"


class BudgetSpent(ZohoDeskError):
    """``max_api_credits`` is reached: the run stops cleanly where it is (not a failure)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None, kind: str = BUDGET):
        super().__init__(message, status=status, code=code, kind=kind)


class CreditsExhausted(BudgetSpent):
    """Zoho's daily API credits are gone (a 429 whose Retry-After is hours): the run stops the way
    a spent ``max_api_credits`` stops it; ``back_at`` is when Zoho said they come back."""

    def __init__(self, message: str, *, back_at: datetime, status: int | None = None, code: str | None = None):
        super().__init__(message, status=status, code=code, kind=CREDITS)
        self.back_at = back_at


@dataclass
class Credits:
    """The run's credit account (the client updates it under its statistics lock)."""

    budget: int | None = None  # max_api_credits
    used: int = 0
    by: Counter[str] = field(default_factory=Counter)  # credits by call label
    remaining: int | None = None  # Zoho's credits left today, as its last answer said
    back_at: datetime | None = None  # when Zoho said its daily credits come back

    def check(self, call: str) -> None:
        """Raise BudgetSpent before ``call`` (method and path) goes out once max_api_credits is spent."""
        if self.budget is not None and self.used >= self.budget:
            raise BudgetSpent(f"the credit budget is spent: {self.used:,} of max_api_credits "
                              f"{self.budget:,} used before {call}; {self.next_run()}")

    def account(self, label: str, headers) -> None:
        """An answer's headers: its weight spent under ``label``, and Zoho's credits left."""
        weight, remaining = headers.get(WEIGHT_HEADER), headers.get(REMAINING_HEADER)
        if weight and weight.isdigit():
            self.used += int(weight)
            self.by[label] += int(weight)
        if remaining and remaining.lstrip("-").isdigit():
            self.remaining = int(remaining)

    def spent_today(self, line: str, retry_after: str, status: int, code: str | None) -> CreditsExhausted:
        """Zoho's daily credits are gone until ``retry_after``: the error that stops the run."""
        self.back_at = datetime.now(timezone.utc) + timedelta(seconds=retry_seconds(retry_after))
        return CreditsExhausted(f"{line} ({credits_back(retry_after)}; start the next run then)",
                                back_at=self.back_at, status=status, code=code)

    def left(self) -> int | None:
        """What this run may still spend: the rest of max_api_credits or Zoho's credits left today,
        the lower (None: neither is known)."""
        known = [n for n in (None if self.budget is None else self.budget - self.used, self.remaining)
                 if n is not None]
        return min(known) if known else None

    def short(self, pending: int) -> bool:
        """Whether the credits left may not pay for ``pending`` more list calls."""
        left = self.left()
        return left is not None and pending * LIST_CALL_CREDITS >= left

    def next_run(self) -> str:
        """When the next run can start, as far as Zoho's credits tell (for the line of a credit stop)."""
        back = self.back_at
        if back is not None:
            wait = max(0, int((back - datetime.now(timezone.utc)).total_seconds()))
            return (f"Zoho's API credits come back at {back:%Y-%m-%d %H:%M} UTC (in {wait // 3600} h "
                    f"{wait % 3600 // 60:02d} min): start the next run then")
        if self.remaining is not None and self.remaining <= 0:
            return "Zoho reports no API credits left today: start the next run once its day resets"
        if self.remaining is not None:
            return f"Zoho reports {self.remaining:,} API credits left today: the next run can start at once"
        return "Zoho has not said how many API credits are left: the next run can start at once"
