"""supervise.times: the one module that writes and reads times."""

from datetime import date, datetime

import pytest

from supervise import times


def test_a_stored_time_goes_out_with_the_zones_offset(app):
    at = datetime(2026, 3, 2, 9, 30, 15, 500)
    assert times.iso(at) == "2026-03-02T09:30:15.000500+08:00"
    assert times.iso(at, "seconds") == "2026-03-02T09:30:15+08:00"
    assert times.iso(date(2026, 3, 2)) == "2026-03-02"
    assert times.iso(None) is None


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "30/04/2026",
        "2026-04-30\n",
        "２０２６-04-30",
        "20260430",
        "2026-W18-4",
        "9999-01-04",
        20260430,
        None,
    ],
)
def test_only_a_real_day_written_yyyy_mm_dd_in_range_is_a_date(text):
    assert times.parse_date(text, (2000, 2099)) is None


def test_a_date_is_read():
    assert times.parse_date("2026-04-30") == date(2026, 4, 30)


def test_a_date_time_with_an_offset_is_read_as_the_zones_local_time(app):
    assert times.parse_datetime("2026-04-11T01:00:00Z") == datetime(2026, 4, 11, 9, 0)
    assert times.parse_datetime("2026-04-11T09:00:00+08:00") == datetime(2026, 4, 11, 9, 0)
    assert times.parse_datetime("2026-04-11 09:00") == datetime(2026, 4, 11, 9, 0)
    assert times.parse_datetime("2026-04-11") == datetime(2026, 4, 11)
    for bad in ("yesterday", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"):
        with pytest.raises(ValueError):
            times.parse_datetime(bad)


def test_people_read_the_minute_the_day_and_the_month():
    at = datetime(2026, 3, 2, 9, 30, 59)
    assert (times.human(at), times.human_day(at), times.human_month(at)) == (
        "2026-03-02 09:30",
        "2026-03-02",
        "2026-03",
    )
    assert times.human(None) == times.human_day(None) == ""
    assert times.human_due("2026-03-20T23:59:00") == times.human_due("2026-03-20") == "2026-03-20"
    assert times.human_due("2026-03-20T17:00:00") == "2026-03-20 17:00"
