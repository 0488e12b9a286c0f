"""Chronolocation aid: sun azimuth, elevation and shadow ratio, with Syria's time-zone history."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import pytest

from workbench.events.incidents import EventError
from workbench.events.sun import day_table, sun_position

DAMASCUS = (33.5138, 36.2765)


@pytest.mark.parametrize(("local", "offset"), [
    ("2012-01-15T12:00", 2.0),  # winter before 2022: UTC+2
    ("2012-07-15T12:00", 3.0),  # summer before 2022: UTC+3
    ("2021-12-15T12:00", 2.0),
    ("2023-01-15T12:00", 3.0),  # permanent UTC+3 since late 2022
    ("2025-12-15T12:00", 3.0),
])
def test_syria_utc_offsets(local, offset):
    assert sun_position(*DAMASCUS, local).utc_offset_hours == offset


def test_time_zone_comes_from_tzdata_without_system_data(monkeypatch):
    zoneinfo.reset_tzpath(to=[])  # as on a machine with no /usr/share/zoneinfo
    zoneinfo.ZoneInfo.clear_cache()
    try:
        winter = datetime(2012, 1, 15, 12, tzinfo=zoneinfo.ZoneInfo("Asia/Damascus"))
        assert winter.utcoffset().total_seconds() == 7200
        assert sun_position(*DAMASCUS, "2023-01-15T12:00").utc_offset_hours == 3.0
    finally:
        zoneinfo.reset_tzpath()
        zoneinfo.ZoneInfo.clear_cache()


def test_winter_noon_sun_is_south_and_low():
    pos = sun_position(*DAMASCUS, "2012-01-15T11:40")  # close to solar noon (UTC+2)
    assert 175 < pos.azimuth < 185 and 34 < pos.elevation < 37
    assert pos.shadow_ratio == pytest.approx(1 / 0.7, rel=0.05)  # tan(35.3°) ~ 0.71
    assert pos.shadow_azimuth == pytest.approx((pos.azimuth + 180) % 360)


def test_summer_morning_sun_is_east_with_long_shadows():
    pos = sun_position(*DAMASCUS, "2012-07-15T07:00")
    assert 70 < pos.azimuth < 100 and 10 < pos.elevation < 30 and pos.shadow_ratio > 1.5


def test_same_clock_time_differs_by_the_offset_change():
    # 12:00 in January 2012 (UTC+2) is 10:00 UTC; in January 2023 (UTC+3) it is 09:00 UTC: lower, further east.
    before, after = sun_position(*DAMASCUS, "2012-01-15T12:00"), sun_position(*DAMASCUS, "2023-01-15T12:00")
    assert before.utc_time.startswith("2012-01-15T10:00") and after.utc_time.startswith("2023-01-15T09:00")
    assert after.azimuth < before.azimuth


def test_gap_and_repeated_hours_are_flagged():
    gap = sun_position(*DAMASCUS, "2012-03-30T00:30")  # clocks went 00:00 -> 01:00
    assert any("did not exist" in w for w in gap.warnings)
    twice = sun_position(*DAMASCUS, "2012-10-25T23:30")  # clocks went 00:00 -> 23:00
    assert any("happened twice" in w for w in twice.warnings)
    night = sun_position(*DAMASCUS, "2012-07-15T23:00")
    assert night.shadow_ratio is None and any("below the horizon" in w for w in night.warnings)


def test_explicit_offset_is_respected():
    assert sun_position(*DAMASCUS, "2012-01-15T10:00+00:00").utc_time.startswith("2012-01-15T10:00")


@pytest.mark.parametrize(("lat", "lon", "when", "message"), [
    ("33.5N", "36.3", "2012-01-15T12:00", "not a decimal number"),
    ("95", "36.3", "2012-01-15T12:00", "out of range"),
    ("33.5", "36.3", "15/01/2012 noon", "not a date and time"),
])
def test_bad_input(lat, lon, when, message):
    with pytest.raises(EventError, match=message):
        sun_position(lat, lon, when)


def test_day_table_only_while_the_sun_is_up():
    rows = day_table(*DAMASCUS, "2012-06-21", step_minutes=60)
    assert 12 <= len(rows) <= 15 and all(r.elevation > 0 for r in rows)
