"""The dates a notice can speak of, and date arithmetic that never overflows.

A feed's date of year 9999 plus 30 days, or an epoch of 1e20 milliseconds, would raise
(OverflowError, OSError) and stop the analysis of every notice after it. The rules compute
dates only through these functions: a date outside EARLIEST..LATEST is no date (None), so a
hostile value loses its deadline or its step, never the analysis.
"""

from datetime import date, datetime, timedelta, tzinfo

# Trade remedies began in the 1900s; nothing a notice schedules lies centuries ahead.
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def plausible(day: date | None) -> date | None:
    """The date when a notice can mean it, else None."""
    if day is None or not EARLIEST <= day <= LATEST:
        return None
    return day


def calendar_date(year: int, month: int, day: int) -> date | None:
    """The date of these numbers, or None when they are no date or an implausible one."""
    try:
        return plausible(date(year, month, day))
    except ValueError:
        return None


def days_after(day: date, days: int) -> date | None:
    """`days` after `day`, or None when either lies outside the plausible years."""
    if plausible(day) is None or abs(days) > (LATEST - EARLIEST).days:
        return None
    return plausible(day + timedelta(days=days))


def from_epoch_ms(milliseconds: float, zone: tzinfo) -> date | None:
    """The calendar date in `zone` of an epoch time in milliseconds (TRON's initDate), or None
    for a value no clock can show (1e20, infinity, NaN)."""
    try:
        return plausible(datetime.fromtimestamp(milliseconds / 1000, tz=zone).date())
    except (OverflowError, OSError, ValueError):
        return None


def iso_day(value: object) -> date | None:
    """A 'YYYY-MM-DD' date of an analysis (a deadline's, an event's), when it is one and
    plausible; anything else is None, never an error."""
    try:
        return plausible(date.fromisoformat(value)) if isinstance(value, str) else None
    except ValueError:
        return None
