"""Read BPMN timer definitions: ISO 8601 date-times, durations, repeating intervals and cron.

Every instant returned is timezone-aware UTC. A date-time without a zone is read as UTC and
cron schedules run in UTC. A timer text holding an expression (`${delay}`) is evaluated by
the caller first; the resulting text is what gets compiled here.
"""

import re
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta

import isodate
from croniter import CroniterBadDateError, CroniterError, croniter

from processes.engine.expressions import is_expression


class TimerError(ValueError):
    """A timer definition that cannot be read."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.position = position


class Timer(ABC):
    """When a timer event is due, and how to say so in plain language."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.text!r}>"

    @abstractmethod
    def first_due(self, now: datetime) -> datetime | None:
        """Return when the timer first fires, counting from `now`."""

    def next_due(self, previous_due: datetime, fired_count: int) -> datetime | None:
        """Return when a cycle fires again after `fired_count` firings, or None once exhausted."""
        return None

    @abstractmethod
    def describe(self) -> str:
        """Return a plain-language reading for the designer."""


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _format(moment: datetime) -> str:
    pattern = "%Y-%m-%d %H:%M:%S" if moment.second or moment.microsecond else "%Y-%m-%d %H:%M"
    return moment.strftime(pattern) + " UTC"


class DateTimer(Timer):
    """Fire once, at a fixed date-time (timeDate)."""

    def __init__(self, text: str, moment: datetime):
        super().__init__(text)
        self.moment = moment

    def first_due(self, now: datetime) -> datetime:
        return self.moment

    def describe(self) -> str:
        return f"on {_format(self.moment)}"


class DurationTimer(Timer):
    """Fire once, a duration after the timer starts (timeDuration)."""

    def __init__(self, text: str, duration: timedelta | isodate.Duration):
        super().__init__(text)
        self.duration = duration

    def first_due(self, now: datetime) -> datetime:
        return _utc(now) + self.duration

    def describe(self) -> str:
        return f"after {_phrase(self.duration)}"


class CycleTimer(Timer):
    """Fire repeatedly, `repetitions` times or forever, every `period` (an ISO 8601 `R…` cycle).

    Without a start date the first firing is one period after the timer starts and each next
    one a period after the previous. With a start date the firings are start + k * period
    (k = 0, 1, …), so months do not drift; those already past count as fired, as in Camunda.
    """

    def __init__(self, text: str, period, repetitions: int | None, start: datetime | None):
        super().__init__(text)
        self.period = period
        self.repetitions = repetitions
        self.start = start

    def first_due(self, now: datetime) -> datetime | None:
        if self.start is None:
            return _utc(now) + self.period
        return self._occurrence_from(_utc(now), after=False)

    def next_due(self, previous_due: datetime, fired_count: int) -> datetime | None:
        if self.start is not None:
            return self._occurrence_from(_utc(previous_due), after=True)
        if self.repetitions is not None and fired_count >= self.repetitions:
            return None
        return _utc(previous_due) + self.period

    def _occurrence(self, index: int) -> datetime:
        return self.start + self.period * index

    def _occurrence_from(self, moment: datetime, after: bool) -> datetime | None:
        """Return the first firing at (or, with `after`, past) moment, or None when exhausted."""

        def reached(index):
            occurrence = self._occurrence(index)
            return occurrence > moment if after else occurrence >= moment

        index = max(0, int((moment - self.start) / _average(self.period)) - 1)
        while index > 0 and reached(index - 1):
            index -= 1
        while not reached(index):
            index += 1
        if self.repetitions is not None and index >= self.repetitions:
            return None
        return self._occurrence(index)

    def describe(self) -> str:
        period = _phrase(self.period)
        if self.repetitions == 1:
            return f"once, on {_format(self.start)}" if self.start else f"once, after {period}"
        reading = "every " + (
            period[2:] if period.startswith("1 ") and " and " not in period else period
        )
        if self.repetitions is not None:
            reading += f", {self.repetitions} times"
        return reading + (f", from {_format(self.start)}" if self.start else "")


class CronTimer(Timer):
    """Fire on a cron schedule, in UTC: 5 fields, or Quartz's 6 or 7 with seconds first."""

    def __init__(self, text: str, fields: list[str]):
        super().__init__(text)
        self.fields = fields
        self.with_seconds = len(fields) > 5

    def first_due(self, now: datetime) -> datetime | None:
        return self._after(_utc(now))

    def next_due(self, previous_due: datetime, fired_count: int) -> datetime | None:
        return self._after(_utc(previous_due))

    def _after(self, moment: datetime) -> datetime | None:
        schedule = croniter(" ".join(self.fields), moment, second_at_beginning=self.with_seconds)
        try:
            return _utc(schedule.get_next(datetime))
        except CroniterBadDateError:
            return None

    def describe(self) -> str:
        return f"{_cron_reading(self.fields)} (cron {self.text})"


def compile_timer(kind: str, text: str) -> Timer:
    """Read a timer definition of a kind: "timeDate", "timeDuration" or "timeCycle"."""
    text = text.strip()
    if is_expression(text):
        raise TimerError(
            f"'{text}' is an expression: evaluate it first and compile the text it gives"
        )
    reader = _READERS.get(kind)
    if reader is None:
        raise TimerError(
            f"unknown timer kind '{kind}'; expected timeDate, timeDuration or timeCycle"
        )
    if not text:
        raise TimerError(f"the {kind} is empty")
    return reader(text)


def _read_date(text: str) -> DateTimer:
    return DateTimer(text, _datetime(text))


def _read_duration(text: str) -> DurationTimer:
    return DurationTimer(text, _duration(text))


def _read_cycle(text: str) -> Timer:
    if text.startswith("R"):
        return _read_repeating(text)
    fields = text.split()
    if len(fields) not in (5, 6, 7):
        raise TimerError(
            f"'{text}' is neither an ISO 8601 repeating interval such as R3/PT10M "
            "nor a cron expression such as 0 9 * * 1-5"
        )
    if len(fields) > 5:
        fields = [*fields[:5], _quartz_weekdays(fields[5]), *fields[6:]]
    try:
        croniter(" ".join(fields), second_at_beginning=len(fields) > 5)
    except CroniterError as error:
        raise TimerError(f"'{text}' is not a valid cron expression: {error}") from None
    return CronTimer(text, fields)


_READERS = {"timeDate": _read_date, "timeDuration": _read_duration, "timeCycle": _read_cycle}
_REPEATING = re.compile(r"R(\d*)")


def _read_repeating(text: str) -> CycleTimer:
    parts = text.split("/")
    match = _REPEATING.fullmatch(parts[0])
    if match is None or len(parts) not in (2, 3):
        raise TimerError(
            f"'{text}' is not an ISO 8601 repeating interval "
            "such as R3/PT10M or R/2026-01-01T09:00:00Z/P1D"
        )
    repetitions = int(match.group(1)) if match.group(1) else None
    if repetitions == 0:
        raise TimerError(f"'{text}' repeats zero times, so it would never fire")
    period = _duration(parts[-1])
    if _is_zero(period):
        raise TimerError(f"'{text}' has a zero period; a cycle needs a duration longer than zero")
    start = _datetime(parts[1]) if len(parts) == 3 else None
    return CycleTimer(text, period, repetitions, start)


def _datetime(text: str) -> datetime:
    """Read an ISO 8601 date-time, or a date meaning its midnight; UTC when no zone is named."""
    try:
        return _utc(isodate.parse_datetime(text))
    except (isodate.ISO8601Error, ValueError):
        pass
    try:
        day = isodate.parse_date(text)
    except (isodate.ISO8601Error, ValueError):
        raise TimerError(
            f"'{text}' is not an ISO 8601 date-time such as 2026-12-01T09:00:00Z"
        ) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _duration(text: str) -> timedelta | isodate.Duration:
    """Read an ISO 8601 duration, refusing negative ones and fractional months or years."""
    if text.startswith("-"):
        raise TimerError(f"'{text}' is negative; a timer can only wait forward in time")
    try:
        duration = isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError):
        duration = None
    if duration is None or not any(char.isdigit() for char in text):
        raise TimerError(f"'{text}' is not an ISO 8601 duration such as PT5M or P1D")
    if isinstance(duration, isodate.Duration) and (duration.years % 1 or duration.months % 1):
        raise TimerError(f"'{text}' has a fraction of a year or month, which has no fixed length")
    return duration


def _is_zero(duration) -> bool:
    origin = datetime(2000, 1, 1)
    return origin + duration == origin


def _average(period) -> timedelta:
    """Approximate a period's length, to find a far occurrence without stepping to it."""
    if isinstance(period, timedelta):
        return period
    days = float(period.years) * 365.2425 + float(period.months) * 30.436875
    return timedelta(days=days) + period.tdelta


_UNITS = ("year", "month", "day", "hour", "minute", "second")


def _phrase(duration) -> str:
    """Say a duration in words: "5 minutes", "1 day and 2 hours"."""
    years, months, delta = 0, 0, duration
    if isinstance(duration, isodate.Duration):
        years, months, delta = int(duration.years), int(duration.months), duration.tdelta
    hours, rest = divmod(delta.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    amounts = (years, months, delta.days, hours, minutes, seconds + delta.microseconds / 1_000_000)
    words = [
        f"{amount:g} {unit}{'s' * (amount != 1)}"
        for amount, unit in zip(amounts, _UNITS, strict=True)
        if amount
    ]
    if not words:
        return "0 seconds"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


_QUARTZ_DAY = re.compile(r"(\d+)(?:-(\d+))?(.*)")


def _quartz_weekdays(field: str) -> str:
    """Renumber Quartz's days of the week (1 = Sunday … 7 = Saturday) as cron's (0 … 6).

    croniter also spells Quartz's "last Friday of the month", 6L, as L5.
    """
    items = []
    for item in field.split(","):
        match = _QUARTZ_DAY.fullmatch(item)
        if match is None:
            items.append(item)
            continue
        first, last, rest = match.groups()
        days = str(int(first) - 1) + (f"-{int(last) - 1}" if last else "")
        items.append("L" + days if rest == "L" else days + rest)
    return ",".join(items)


_DAY_NAMES = ("Sundays", "Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays")
_DAY_NUMBERS = {
    name: str(index) for index, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))
}
_ANY = ("*", "?")


def _cron_reading(fields: list[str]) -> str:
    """Read common cron schedules in words; others are named only as a cron schedule."""
    if len(fields) > 5:
        seconds, *fields = fields
        if seconds != "0" or fields[5:] not in ([], ["*"]):
            return "on a cron schedule"
    minute, hour, day, month, weekday = fields[:5]
    time = _cron_time(minute, hour)
    days = _cron_days(day, month, weekday)
    if time is None or days is None:
        return "on a cron schedule"
    if days == "every day" and not re.fullmatch(r"at \d\d:\d\d", time):
        return time
    return f"{time} {days}"


def _cron_time(minute: str, hour: str) -> str | None:
    if minute.isdigit() and hour.isdigit():
        return f"at {int(hour):02}:{int(minute):02}"
    if hour != "*":
        return None
    if minute == "*":
        return "every minute"
    if minute.startswith("*/") and minute[2:].isdigit():
        return f"every {int(minute[2:])} minutes"
    return f"at minute {int(minute)} of every hour" if minute.isdigit() else None


def _cron_days(day: str, month: str, weekday: str) -> str | None:
    if month != "*":
        return None
    if day in _ANY and weekday in _ANY:
        return "every day"
    if day.isdigit() and weekday in _ANY:
        return f"on day {int(day)} of every month"
    if day not in _ANY:
        return None
    numbers = [_DAY_NUMBERS.get(name.upper(), name) for name in re.split(r"([,-])", weekday)]
    weekday = "".join(numbers).replace("7", "0")
    if weekday == "1-5":
        return "on weekdays"
    if weekday in ("0,6", "6,0"):
        return "on weekends"
    days = weekday.split(",")
    if not all(item.isdigit() and int(item) < 7 for item in days):
        return None
    names = [_DAY_NAMES[int(item)] for item in days]
    return "on " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])
