"""Calendar invitations as real iCalendar (RFC 5545) text, built with `icalendar`."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, vCalAddress, vText


def invite(
    *,
    uid: str,
    summary: str,
    start: datetime,
    end: datetime,
    organizer: tuple[str, str],
    attendees: list[tuple[str, str]],
    description: str = "",
    location: str = "",
    sequence: int = 0,
    cancelled: bool = False,
    now: datetime,
) -> str:
    """One VEVENT in a METHOD:REQUEST (or CANCEL) calendar. Times must be timezone-aware; stored as UTC."""
    for moment in (start, end, now):
        if moment.tzinfo is None:
            raise ValueError("calendar times must be timezone-aware")
    if end <= start:
        raise ValueError("an event must end after it starts")
    cal = Calendar()
    cal.add("prodid", "-//Trellis//Leadership development//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", start.astimezone(UTC))
    event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    org = vCalAddress(f"mailto:{organizer[0]}")
    org.params["cn"] = vText(organizer[1])
    event["organizer"] = org
    for email, name in attendees:
        who = vCalAddress(f"mailto:{email}")
        who.params["cn"] = vText(name)
        who.params["role"] = vText("REQ-PARTICIPANT")
        who.params["rsvp"] = vText("TRUE")
        event.add("attendee", who, encode=False)
    cal.add_component(event)
    return cal.to_ical().decode()


def method_of(ics: str) -> str:
    """The iTIP method (REQUEST, CANCEL, …) of an iCalendar text; mail must announce the same one (RFC 6047)."""
    return str(Calendar.from_ical(ics).get("method", "PUBLISH")).upper()


def utc_offset_hours(zone: str, at: datetime) -> float:
    """The IANA zone's offset from UTC in hours at ``at`` (0 for an unknown zone)."""
    try:
        offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0.0
    return offset.total_seconds() / 3600 if offset is not None else 0.0
