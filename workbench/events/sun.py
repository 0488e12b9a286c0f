"""Chronolocation aid: where the sun was, seen from a place at a candidate date and time, offline.

Given a point and a local time in Syria, ``sun_position`` returns the sun's azimuth (degrees
clockwise from true north), its elevation above the horizon, and the shadow-length ratio
(shadow length / object height = 1 / tan(elevation)), computed with astral. Compare them with
the shadows in the footage: a 2 m wall casting a 3 m shadow means a ratio of 1.5.

Local times are read in ``Asia/Damascus`` through zoneinfo, so Syria's history is right: UTC+2
in winter and UTC+3 in summer until 2022, permanently UTC+3 since. The tzdata package is a
dependency, so this works on machines without system time-zone data. A local time that fell in
a spring-forward gap, or happened twice when clocks went back, is flagged.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import azimuth, elevation

from workbench.events.incidents import EventError, parse_coordinate

SYRIA_TZ = "Asia/Damascus"


@dataclass
class SunPosition:
    """The sun seen from one point at one moment."""

    latitude: float
    longitude: float
    local_time: str  # ISO, with the UTC offset that applied
    utc_time: str
    utc_offset_hours: float
    azimuth: float  # degrees clockwise from true north
    elevation: float  # degrees above the horizon (negative: below)
    shadow_ratio: float | None  # shadow length / object height; None when the sun is down
    shadow_azimuth: float  # the direction shadows point
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def parse_when(when: str | datetime, tz: str = SYRIA_TZ) -> tuple[datetime, list[str]]:
    """An aware datetime from ISO text or a datetime; naive times are local to ``tz``.

    Raises:
        EventError: not a date and time.
    """
    warnings: list[str] = []
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when.strip().replace(" ", "T", 1))
        except ValueError:
            raise EventError(f"time {when!r} is not a date and time (use e.g. 2012-12-01T14:30)") from None
    if when.tzinfo is not None:
        return when, warnings
    zone = ZoneInfo(tz)
    first, second = when.replace(tzinfo=zone, fold=0), when.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        roundtrip = first.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
        if roundtrip != when:
            warnings.append(f"{when:%Y-%m-%d %H:%M} did not exist in {tz} (clocks went forward); "
                            f"read as {first.astimezone(ZoneInfo('UTC')):%H:%M} UTC")
        else:
            warnings.append(f"{when:%Y-%m-%d %H:%M} happened twice in {tz} (clocks went back); "
                            f"using the first, UTC{_offset(first)}")
    return first, warnings


def _offset(value: datetime) -> str:
    hours = value.utcoffset().total_seconds() / 3600
    return f"{hours:+g}"


def sun_position(latitude: float | str, longitude: float | str, when: str | datetime,
                 tz: str = SYRIA_TZ) -> SunPosition:
    """The sun's azimuth, elevation and shadow-length ratio at a point and time.

    Args:
        latitude: Decimal degrees.
        longitude: Decimal degrees.
        when: ISO date and time; without an offset it is local time in ``tz``.
        tz: The zone naive times are read in (Syria by default).

    Returns:
        A ``SunPosition``.

    Raises:
        EventError: malformed or out-of-range coordinates, or a bad time.
    """
    lat, lon = parse_coordinate(latitude, "latitude"), parse_coordinate(longitude, "longitude")
    if lat is None or lon is None:
        raise EventError("give both latitude and longitude")
    moment, warnings = parse_when(when, tz)
    observer = Observer(latitude=lat, longitude=lon)
    utc = moment.astimezone(ZoneInfo("UTC"))
    az = azimuth(observer, utc)
    el = elevation(observer, utc)
    ratio = 1 / math.tan(math.radians(el)) if el > 0 else None
    if el <= 0:
        warnings.append("the sun is below the horizon: no sun shadows")
    local = moment.astimezone(ZoneInfo(tz))
    return SunPosition(lat, lon, local.isoformat(), utc.isoformat(), local.utcoffset().total_seconds() / 3600,
                       round(az, 2), round(el, 2), round(ratio, 3) if ratio is not None else None,
                       round((az + 180) % 360, 2), warnings)


def day_table(latitude: float | str, longitude: float | str, day: str, step_minutes: int = 30,
              tz: str = SYRIA_TZ) -> list[SunPosition]:
    """The sun through one local day, every ``step_minutes``, while it is up.

    Raises:
        EventError: ``day`` is not a date (YYYY-MM-DD), or bad coordinates.
    """
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.strip()):
        raise EventError(f"day {day!r} is not a date (use YYYY-MM-DD)")
    start, _ = parse_when(f"{day.strip()}T00:00", tz)
    rows = []
    for i in range(0, 24 * 60, step_minutes):
        local = (start.replace(tzinfo=None) + timedelta(minutes=i))
        pos = sun_position(latitude, longitude, local, tz)
        if pos.elevation > 0:
            rows.append(pos)
    return rows
