from datetime import UTC, datetime, timedelta

import pytest

from processes.engine.timers import TimerError, compile_timer

NOW = datetime(2026, 1, 3, 8, 0, tzinfo=UTC)  # a Saturday


def firings(timer, now=NOW, limit=50):
    """Return every due time of a timer, as an engine firing it would see them."""
    due, result = timer.first_due(now), []
    while due is not None and len(result) < limit:
        result.append(due)
        due = timer.next_due(due, len(result))
    return result


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-12-01T09:00:00Z", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01T09:00:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01T11:00:00+02:00", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
        ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
        ("20261201T090000Z", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),
    ],
)
def test_it_fires_a_date_timer_once_at_its_date_in_utc(text, expected):
    timer = compile_timer("timeDate", text)
    assert firings(timer) == [expected]
    assert timer.first_due(NOW).tzinfo == UTC


def test_it_describes_a_date_timer():
    assert compile_timer("timeDate", "2026-12-01T09:00:00Z").describe() == "on 2026-12-01 09:00 UTC"
    assert (
        compile_timer("timeDate", "2026-12-01T09:00:30+01:00").describe()
        == "on 2026-12-01 08:00:30 UTC"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PT5M", timedelta(minutes=5)),
        ("PT1S", timedelta(seconds=1)),
        ("PT60S", timedelta(minutes=1)),
        ("P1D", timedelta(days=1)),
        ("P2W", timedelta(days=14)),
        ("P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        ("PT0.5S", timedelta(milliseconds=500)),
    ],
)
def test_it_fires_a_duration_timer_once_after_its_duration(text, expected):
    assert firings(compile_timer("timeDuration", text)) == [NOW + expected]


def test_it_adds_calendar_months_and_years():
    end_of_january = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert compile_timer("timeDuration", "P1M").first_due(end_of_january) == datetime(
        2026, 2, 28, 12, 0, tzinfo=UTC
    )
    assert compile_timer("timeDuration", "P1Y2M").first_due(NOW) == datetime(
        2027, 3, 3, 8, 0, tzinfo=UTC
    )


def test_it_reads_a_naive_now_as_utc():
    due = compile_timer("timeDuration", "PT1H").first_due(datetime(2026, 1, 3, 8, 0))
    assert due == datetime(2026, 1, 3, 9, 0, tzinfo=UTC)
    assert due.tzinfo == UTC


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PT5M", "after 5 minutes"),
        ("PT1H", "after 1 hour"),
        ("P1D", "after 1 day"),
        ("P1Y2M3D", "after 1 year, 2 months and 3 days"),
        ("PT1H30M", "after 1 hour and 30 minutes"),
        ("PT0.5S", "after 0.5 seconds"),
    ],
)
def test_it_describes_a_duration_timer(text, expected):
    assert compile_timer("timeDuration", text).describe() == expected


def test_it_fires_a_bounded_cycle_its_number_of_times():
    timer = compile_timer("timeCycle", "R3/PT10S")
    assert firings(timer) == [NOW + timedelta(seconds=10 * n) for n in (1, 2, 3)]
    assert timer.next_due(NOW + timedelta(seconds=30), 3) is None


def test_it_fires_the_betsy_cycle_four_times():
    assert len(firings(compile_timer("timeCycle", "R4/PT1S"))) == 4


def test_it_fires_an_unbounded_cycle_forever():
    timer = compile_timer("timeCycle", "R/PT1H")
    assert len(firings(timer, limit=50)) == 50
    assert timer.next_due(NOW, 10_000) == NOW + timedelta(hours=1)


def test_it_starts_a_cycle_at_its_start_date_when_that_is_ahead():
    timer = compile_timer("timeCycle", "R3/2026-02-01T09:00:00Z/P1D")
    assert firings(timer) == [datetime(2026, 2, day, 9, 0, tzinfo=UTC) for day in (1, 2, 3)]


def test_it_counts_the_occurrences_of_a_past_start_as_fired():
    timer = compile_timer("timeCycle", "R3/2026-01-01T09:00:00Z/P1D")
    assert firings(timer) == [datetime(2026, 1, 3, 9, 0, tzinfo=UTC)]
    assert compile_timer("timeCycle", "R2/2025-01-01T00:00:00Z/P1D").first_due(NOW) is None


def test_it_keeps_monthly_cycles_on_their_day():
    timer = compile_timer("timeCycle", "R/2026-01-31T00:00:00Z/P1M")
    due = firings(timer, now=datetime(2026, 1, 1, tzinfo=UTC), limit=4)
    assert [moment.date().isoformat() for moment in due] == [
        "2026-01-31",
        "2026-02-28",
        "2026-03-31",
        "2026-04-30",
    ]


def test_it_finds_the_next_occurrence_of_a_cycle_started_long_ago():
    timer = compile_timer("timeCycle", "R/2000-01-31T06:00:00Z/P1M")
    assert timer.first_due(NOW) == datetime(2026, 1, 31, 6, 0, tzinfo=UTC)
    assert compile_timer("timeCycle", "R/1970-01-01T00:00:00Z/PT1S").first_due(NOW) == NOW


@pytest.mark.parametrize(
    "text, expected",
    [
        ("R3/PT2H", "every 2 hours, 3 times"),
        ("R/PT10S", "every 10 seconds"),
        ("R/P1D", "every day"),
        ("R1/PT10S", "once, after 10 seconds"),
        ("R4/PT1H30M", "every 1 hour and 30 minutes, 4 times"),
        ("R/2026-01-01T09:00:00Z/P1W", "every 7 days, from 2026-01-01 09:00 UTC"),
        ("R2/2026-01-01T09:00:00Z/P1M", "every month, 2 times, from 2026-01-01 09:00 UTC"),
        ("R1/2026-01-01T09:00:00Z/P1D", "once, on 2026-01-01 09:00 UTC"),
    ],
)
def test_it_describes_a_cycle(text, expected):
    assert compile_timer("timeCycle", text).describe() == expected


def test_it_follows_a_five_field_cron_schedule_in_utc():
    timer = compile_timer("timeCycle", "0 9 * * 1-5")
    due = firings(timer, limit=6)
    assert due[0] == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert [moment.strftime("%a") for moment in due] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon"]
    assert {moment.hour for moment in due} == {9}


@pytest.mark.parametrize(
    "quartz, cron",
    [
        ("0 0 9 ? * MON-FRI", "0 9 * * 1-5"),
        ("0 0 9 ? * 2-6", "0 9 * * 1-5"),
        ("0 30 8 ? * 1", "30 8 * * 0"),
        ("0 0 12 1 * ?", "0 12 1 * *"),
        ("0 0 9 ? * MON-FRI *", "0 9 * * 1-5"),
    ],
)
def test_it_reads_quartz_cron_with_seconds_and_sunday_as_one(quartz, cron):
    assert firings(compile_timer("timeCycle", quartz), limit=8) == firings(
        compile_timer("timeCycle", cron), limit=8
    )


def test_it_reads_quartz_nth_and_last_weekdays():
    third_friday = compile_timer("timeCycle", "0 0 12 ? * 6#3").first_due(NOW)
    last_friday = compile_timer("timeCycle", "0 0 12 ? * 6L").first_due(NOW)
    assert third_friday == datetime(2026, 1, 16, 12, 0, tzinfo=UTC)
    assert last_friday == datetime(2026, 1, 30, 12, 0, tzinfo=UTC)


def test_it_follows_a_cron_schedule_with_seconds():
    due = firings(compile_timer("timeCycle", "*/10 * * * * ?"), limit=3)
    assert due == [NOW + timedelta(seconds=10 * n) for n in (1, 2, 3)]


def test_it_ends_a_cron_schedule_whose_years_are_over():
    timer = compile_timer("timeCycle", "0 0 9 1 1 ? 2025")
    assert timer.first_due(NOW) is None
    assert firings(compile_timer("timeCycle", "0 0 9 1 1 ? 2027-2028")) == [
        datetime(2027, 1, 1, 9, 0, tzinfo=UTC),
        datetime(2028, 1, 1, 9, 0, tzinfo=UTC),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("0 9 * * 1-5", "at 09:00 on weekdays (cron 0 9 * * 1-5)"),
        ("0 9 * * *", "at 09:00 every day (cron 0 9 * * *)"),
        ("30 17 * * 0,6", "at 17:30 on weekends (cron 30 17 * * 0,6)"),
        ("0 8 * * MON,FRI", "at 08:00 on Mondays and Fridays (cron 0 8 * * MON,FRI)"),
        ("0 8 1 * *", "at 08:00 on day 1 of every month (cron 0 8 1 * *)"),
        ("*/15 * * * *", "every 15 minutes (cron */15 * * * *)"),
        ("* * * * *", "every minute (cron * * * * *)"),
        ("5 * * * *", "at minute 5 of every hour (cron 5 * * * *)"),
        ("0 0 9 ? * MON-FRI", "at 09:00 on weekdays (cron 0 0 9 ? * MON-FRI)"),
        ("0 0 9 ? * 2", "at 09:00 on Mondays (cron 0 0 9 ? * 2)"),
        ("0 0 12 ? * 6#3", "on a cron schedule (cron 0 0 12 ? * 6#3)"),
        ("0 9 1 6 *", "on a cron schedule (cron 0 9 1 6 *)"),
        ("*/10 * * * * ?", "on a cron schedule (cron */10 * * * * ?)"),
    ],
)
def test_it_describes_a_cron_schedule(text, expected):
    assert compile_timer("timeCycle", text).describe() == expected


@pytest.mark.parametrize(
    "kind, text, expected",
    [
        ("timeDuration", "PT5X", "'PT5X' is not an ISO 8601 duration such as PT5M or P1D"),
        (
            "timeDuration",
            "5 minutes",
            "'5 minutes' is not an ISO 8601 duration such as PT5M or P1D",
        ),
        ("timeDuration", "PT", "'PT' is not an ISO 8601 duration such as PT5M or P1D"),
        ("timeDuration", "-P1D", "'-P1D' is negative; a timer can only wait forward in time"),
        (
            "timeDuration",
            "P1.5M",
            "'P1.5M' has a fraction of a year or month, which has no fixed length",
        ),
        (
            "timeDate",
            "tomorrow",
            "'tomorrow' is not an ISO 8601 date-time such as 2026-12-01T09:00:00Z",
        ),
        (
            "timeDate",
            "2026-13-01T00:00:00",
            "'2026-13-01T00:00:00' is not an ISO 8601 date-time such as 2026-12-01T09:00:00Z",
        ),
        ("timeCycle", "R0/PT1S", "'R0/PT1S' repeats zero times, so it would never fire"),
        (
            "timeCycle",
            "R3/PT0S",
            "'R3/PT0S' has a zero period; a cycle needs a duration longer than zero",
        ),
        (
            "timeCycle",
            "R3",
            "'R3' is not an ISO 8601 repeating interval",
        ),
        (
            "timeCycle",
            "Rx/PT1S",
            "'Rx/PT1S' is not an ISO 8601 repeating interval",
        ),
        ("timeCycle", "R3/PT5X", "'PT5X' is not an ISO 8601 duration such as PT5M or P1D"),
        (
            "timeCycle",
            "R3/soon/PT5M",
            "'soon' is not an ISO 8601 date-time such as 2026-12-01T09:00:00Z",
        ),
        (
            "timeCycle",
            "0 9 * *",
            "'0 9 * *' is neither an ISO 8601 repeating interval such as R3/PT10M nor a cron",
        ),
        (
            "timeCycle",
            "PT5M",
            "'PT5M' is neither an ISO 8601 repeating interval such as R3/PT10M nor a cron",
        ),
        ("timeCycle", "0 99 * * *", "'0 99 * * *' is not a valid cron expression"),
        ("timeDate", "   ", "the timeDate is empty"),
        (
            "timeout",
            "PT5M",
            "unknown timer kind 'timeout'; expected timeDate, timeDuration or timeCycle",
        ),
        (
            "timeDuration",
            "${delay}",
            "'${delay}' is an expression: evaluate it first and compile the text it gives",
        ),
        (
            "timeCycle",
            "#{cycle}",
            "'#{cycle}' is an expression: evaluate it first and compile the text it gives",
        ),
    ],
)
def test_it_refuses_invalid_timers_with_a_clear_message(kind, text, expected):
    with pytest.raises(TimerError) as caught:
        compile_timer(kind, text)
    assert str(caught.value).startswith(expected)


@pytest.mark.parametrize(
    "kind, text",
    [("timeDuration", text) for text in ("PT1S", "PT2S", "PT3S", "PT5S", "PT30S", "PT60S", "PT1M")]
    + [("timeCycle", text) for text in ("R4/PT1S", "R4/PT5S", "R4/PT10S")],
)
def test_it_reads_every_timer_of_the_betsy_suite(kind, text):
    assert compile_timer(kind, f"  {text}\n").first_due(NOW) > NOW
