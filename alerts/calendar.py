"""Deadlines as iCalendar (RFC 5545), for an alert's attachment and a subscriber's feed.

A deadline is an all-day event on its date. A stated deadline (read from a notice) and an
estimate (the statutory clock's next step) are told apart in the summary and the categories,
since only the first is a date the authority has set. Built with the `icalendar` library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from alerts.message import Attachment

PRODUCT_ID = "-//TREWS//Trade remedy deadlines//VI"
STATED = "stated"
ESTIMATED = "estimated"


@dataclass(frozen=True)
class CalendarEntry:
    """One deadline: a stable id (the same event in every export), its day, and the words."""

    uid: str
    day: date
    summary: str
    description: str
    url: str | None
    basis: str  # STATED or ESTIMATED


def deadline_calendar(entries: Iterable[CalendarEntry], name: str,
                      stamp: datetime | None = None) -> bytes:
    """The calendar of `entries` (sorted by day), named `name`, as bytes ready to serve."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    moment = (stamp or datetime.now(UTC)).astimezone(UTC)
    for entry in sorted(entries, key=lambda e: (e.day, e.uid)):
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", moment)
        event.add("dtstart", entry.day)
        event.add("dtend", entry.day + timedelta(days=1))
        event.add("summary", entry.summary)
        event.add("description", entry.description)
        event.add("categories", [entry.basis])
        event.add("transp", "TRANSPARENT")
        if entry.url:
            event.add("url", entry.url)
        calendar.add_component(event)
    return calendar.to_ical()


def calendar_attachment(entries: Iterable[CalendarEntry], name: str, filename: str,
                        stamp: datetime | None = None) -> Attachment:
    """The entries as an .ics a mail program offers to add to the reader's calendar."""
    return Attachment(deadline_calendar(entries, name, stamp), "text", "calendar", filename,
                      (("charset", "utf-8"), ("method", "PUBLISH")))
