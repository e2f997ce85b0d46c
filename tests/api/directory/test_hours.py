from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from api.directory.hours import DAYS, HoursError, WeeklyHours, is_open_now, parse_hours

CHICAGO = ZoneInfo("America/Chicago")


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def on(weekday: int, hour: int, minute: int = 0) -> datetime:
    """A time in the week of Monday 2 March 2026, weekday 0 being that Monday."""
    return local(2026, 3, 2 + weekday, hour, minute)


def test_weekday_ranges_and_a_second_rule() -> None:
    hours = parse_hours("Mo-Fr 09:00-17:00; Sa 10:00-14:00")
    assert hours.is_open(on(0, 9), CHICAGO)
    assert hours.is_open(on(4, 16, 59), CHICAGO)
    assert not hours.is_open(on(4, 17), CHICAGO)  # the end is exclusive
    assert not hours.is_open(on(2, 8, 59), CHICAGO)
    assert hours.is_open(on(5, 12), CHICAGO)
    assert not hours.is_open(on(5, 15), CHICAGO)
    assert not hours.is_open(on(6, 12), CHICAGO)  # days no rule names are closed


def test_day_lists_and_several_spans() -> None:
    hours = parse_hours("Mo,We,Fr 08:00-12:00,13:00-17:00")
    assert hours.is_open(on(2, 8), CHICAGO)
    assert not hours.is_open(on(2, 12, 30), CHICAGO)
    assert hours.is_open(on(2, 13), CHICAGO)
    assert not hours.is_open(on(1, 9), CHICAGO)


def test_range_plus_a_day() -> None:
    hours = parse_hours("Mo-Fr,Su 09:00-17:00")
    assert hours.is_open(on(6, 10), CHICAGO)
    assert not hours.is_open(on(5, 10), CHICAGO)


def test_a_range_may_wrap_over_the_weekend() -> None:
    hours = parse_hours("Fr-Mo 10:00-11:00")
    assert [bool(spans) for spans in hours.days] == [True, False, False, False, True, True, True]


def test_24_7_and_a_later_off_rule_replaces_it() -> None:
    always = parse_hours("24/7")
    assert always.is_open(on(6, 3), CHICAGO)
    assert str(always) == "24/7"
    hours = parse_hours("24/7; Su off")
    assert hours.is_open(on(5, 23, 59), CHICAGO)
    assert not hours.is_open(on(6, 12), CHICAGO)
    assert str(hours) == "Mo-Sa 00:00-24:00"


def test_later_rules_replace_earlier_ones_for_their_days() -> None:
    hours = parse_hours("Mo-Fr 09:00-17:00; We 12:00-13:00")
    assert not hours.is_open(on(2, 10), CHICAGO)
    assert hours.is_open(on(2, 12), CHICAGO)
    assert hours.is_open(on(3, 10), CHICAGO)


def test_a_span_past_midnight_belongs_to_the_day_it_starts() -> None:
    hours = parse_hours("Fr 22:00-02:00")
    assert not hours.is_open(on(4, 21, 59), CHICAGO)
    assert hours.is_open(on(4, 23), CHICAGO)
    assert hours.is_open(on(5, 1, 59), CHICAGO)  # early Saturday
    assert not hours.is_open(on(5, 2), CHICAGO)
    assert not hours.is_open(on(4, 1), CHICAGO)  # early Friday belongs to Thursday
    assert not hours.is_open(on(5, 23), CHICAGO)


def test_sunday_night_runs_into_monday() -> None:
    hours = parse_hours("Su 22:00-02:00")
    assert hours.is_open(on(0, 1), CHICAGO)  # Monday 2 March, from Sunday 1 March
    assert hours.is_open(local(2026, 3, 9, 1), CHICAGO)


def test_the_local_wall_clock_is_used_across_daylight_saving() -> None:
    hours = parse_hours("Su 08:00-09:00")
    # 8 March 2026: Chicago moves from UTC-6 to UTC-5 at 02:00.
    assert hours.is_open(datetime(2026, 3, 8, 13, 30, tzinfo=UTC), CHICAGO)  # 08:30 CDT
    assert not hours.is_open(datetime(2026, 3, 8, 14, 30, tzinfo=UTC), CHICAGO)
    # 1 March: still UTC-6, so the same UTC time is 07:30 and closed.
    assert not hours.is_open(datetime(2026, 3, 1, 13, 30, tzinfo=UTC), CHICAGO)
    assert hours.is_open(datetime(2026, 3, 1, 14, 30, tzinfo=UTC), CHICAGO)


def test_the_repeated_hour_when_clocks_fall_back_is_open_both_times() -> None:
    hours = parse_hours("Su 01:00-02:00")
    # 1 November 2026: 01:00-02:00 happens twice in Chicago (CDT, then CST).
    assert hours.is_open(datetime(2026, 11, 1, 6, 30, tzinfo=UTC), CHICAGO)
    assert hours.is_open(datetime(2026, 11, 1, 7, 30, tzinfo=UTC), CHICAGO)
    assert not hours.is_open(datetime(2026, 11, 1, 8, 30, tzinfo=UTC), CHICAGO)


def test_the_same_instant_differs_by_zone() -> None:
    hours = parse_hours("Mo-Fr 09:00-17:00")
    instant = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 09:00 in Chicago
    assert hours.is_open(instant, CHICAGO)
    assert not hours.is_open(instant, ZoneInfo("America/Los_Angeles"))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_hours("24/7").is_open(datetime(2026, 3, 2, 10), CHICAGO)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Mo-Fr 09:00-17:00; Sa 10:00-14:00", "Mo-Fr 09:00-17:00; Sa 10:00-14:00"),
        ("mo-fr 9:00 - 17:00", "Mo-Fr 09:00-17:00"),
        ("Mo, We 09:00-12:00 ; ", "Mo,We 09:00-12:00"),
        ("Mo-Su 00:00-24:00", "24/7"),
        ("Mo-Fr 09:00-12:00,12:00-13:00", "Mo-Fr 09:00-13:00"),
        ("Mo-Fr 13:00-17:00,09:00-12:00", "Mo-Fr 09:00-12:00,13:00-17:00"),
        ("Mo 22:00-00:00", "Mo 22:00-24:00"),
        ("Fr-Mo 10:00-11:00", "Mo,Fr-Su 10:00-11:00"),
        ("Su closed", "off"),
        ("off", "off"),
    ],
)
def test_canonical_text(text: str, canonical: str) -> None:
    assert str(parse_hours(text)) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Mo-Fx 09:00-17:00",
            "'Mo-Fx 09:00-17:00': unknown day 'Fx'; expected Mo Tu We Th Fr Sa Su",
        ),
        ("Monday 09:00-17:00", "unknown day 'Monday'"),
        ("PH off", "holidays ('PH') are not supported"),
        ("", "no rules"),
        (" ; ", "no rules"),
        ("Mo", "'Mo': expected days then times"),
        ("09:00-17:00", "expected days then times"),
        ("Mo 25:00-26:00", "'25:00' is not a time; expected HH:MM from 00:00 to 23:59"),
        ("Mo 09:60-10:00", "'09:60' is not a time"),
        ("Mo 9-17", "'9' is not a time"),
        ("Mo 09:00", "'09:00' is not a time span; expected HH:MM-HH:MM or off"),
        ("Mo 09:00-09:00", "opens and closes at the same time"),
        ("Mo 00:00-24:00,23:00-00:30", "spans join into 00:00-00:30, 24 hours or more"),
        ("Mo 10:00-23:00,22:00-10:00", "24 hours or more"),
        ("Mo-Fr 09:00-17:00; Sa", "'Sa': expected days then times"),
    ],
)
def test_errors_name_the_wrong_part(text: str, message: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours(text)
    assert message in str(caught.value)


def test_is_open_now_is_none_without_hours() -> None:
    now = on(0, 10)
    assert is_open_now(None, now, CHICAGO) is None
    assert is_open_now("  ", now, CHICAGO) is None
    assert is_open_now("not hours", now, CHICAGO) is None
    assert is_open_now("Mo 09:00-17:00", now, CHICAGO) is True
    assert is_open_now("Tu 09:00-17:00", now, CHICAGO) is False
    assert is_open_now("off", now, CHICAGO) is False


DAY = 24 * 60
Rule = tuple[list[str], list[tuple[int, int]]]

rules = st.tuples(
    st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True),
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=DAY - 1), st.integers(min_value=1, max_value=DAY - 1)
        ),
        max_size=3,
    ),
)


def clock(value: int) -> str:
    return "24:00" if value == DAY else f"{value % DAY // 60:02d}:{value % 60:02d}"


def render(generated: list[Rule]) -> str:
    texts = []
    for days, spans in generated:
        times = ",".join(f"{clock(start)}-{clock(start + length)}" for start, length in spans)
        texts.append(f"{','.join(days)} {times or 'off'}")
    return "; ".join(texts)


def parse_or_skip(text: str) -> WeeklyHours:
    """Generated spans of one day may join into 24 hours or more, which the parser refuses."""
    try:
        return parse_hours(text)
    except HoursError as error:
        assert "24 hours or more" in str(error)
        assume(False)
        raise


def open_by_model(generated: list[Rule], weekday: int, minute: int) -> bool:
    """Brute force over the generated rules: the last rule naming a day decides that day."""
    by_day: dict[int, list[tuple[int, int]]] = {}
    for days, spans in generated:
        for day in days:
            by_day[DAYS.index(day)] = spans
    today = by_day.get(weekday, [])
    yesterday = by_day.get((weekday - 1) % 7, [])
    return any(start <= minute < start + length for start, length in today) or any(
        minute < start + length - DAY for start, length in yesterday
    )


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.lists(rules, min_size=1, max_size=4))
def test_canonical_text_parses_back_to_the_same_hours(generated: list[Rule]) -> None:
    hours = parse_or_skip(render(generated))
    assert parse_hours(str(hours)) == hours
    assert str(parse_hours(str(hours))) == str(hours)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(
    st.lists(rules, min_size=1, max_size=3),
    st.integers(min_value=0, max_value=6),
    st.integers(min_value=0, max_value=DAY - 1),
)
def test_is_open_agrees_with_a_brute_force_reading_of_the_rules(
    generated: list[Rule], weekday: int, minute: int
) -> None:
    hours = parse_or_skip(render(generated))
    at = on(weekday, minute // 60, minute % 60)
    assert hours.is_open(at, CHICAGO) == open_by_model(generated, weekday, minute)
    assert parse_hours(str(hours)).is_open(at, CHICAGO) == hours.is_open(at, CHICAGO)


def test_weekly_hours_needs_seven_days() -> None:
    with pytest.raises(ValueError, match="7 days"):
        WeeklyHours(days=((),) * 6)
