"""When a deadline deserves a reminder: the windows before it (7 and 2 days by default).

Pure, so the scheduler, the tests and a late run all agree: a deadline `days_left` away is in
the smallest window that still holds it, and a reminder is owed once per window. A run that
comes late still owes the window's reminder; once a smaller window is reached the larger one
is no longer owed (a "7 days" reminder two days before would mislead).
"""

from collections.abc import Iterable
from datetime import date

DEFAULT_WINDOWS = (7, 2)


def reminder_window(deadline: date, today: date, windows: Iterable[int] = DEFAULT_WINDOWS
                    ) -> int | None:
    """The window (days before) whose reminder is owed today for `deadline`, or None: past
    deadlines and deadlines further away than every window get none."""
    days_left = (deadline - today).days
    if days_left < 0:
        return None
    holding = [window for window in windows if days_left <= window]
    return min(holding) if holding else None
