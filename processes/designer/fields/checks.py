"""Checks the fields share, phrased for the person typing: the same rules as deployment."""

import re

from processes.engine.expressions import (
    ExpressionError,
    compile_expression,
    compile_script,
    is_expression,
)
from processes.engine.timers import TimerError, compile_timer

from .base import Invalid

VARIABLE = re.compile(r"^[^\W\d]\w*$")


def expression(text: str, what: str):
    """Compile ``text``; a syntax error becomes the message beside the field."""
    try:
        return compile_expression(text)
    except (ExpressionError, RecursionError) as error:
        raise Invalid(f"The {what} does not compile: {error}.") from None


def condition(text: str, what: str = "condition") -> str:
    """A condition: compiles, and if it uses no variable, is true or false."""
    if not text:
        raise Invalid(f"The {what} is empty: write an expression such as ${{amount > 1000}}.")
    compiled = expression(text, what)
    if not compiled.names:
        try:
            value = compiled.evaluate({})
        except ExpressionError as error:
            raise Invalid(f"The {what} always fails: {error}.") from None
        if not isinstance(value, bool):
            raise Invalid(f"The {what} is always {value!r}, not true or false.")
    return text


def maybe_expression(text: str, what: str) -> str:
    """A literal, or a ``${...}`` expression that must compile."""
    if text and is_expression(text):
        expression(text, what)
    return text


def script(text: str) -> str:
    try:
        compile_script(text)
    except (ExpressionError, RecursionError) as error:
        raise Invalid(f"The script does not compile: {error}.") from None
    return text


def timer(kind: str, text: str):
    """The compiled timer for a literal value (None for an expression, checked instead)."""
    if is_expression(text):
        expression(text, "timer expression")
        return None
    try:
        return compile_timer(kind, text)
    except TimerError as error:
        raise Invalid(f"This cannot be read as a {_TIMER_WORDS[kind]}: {error}.") from None


def whole_number(text: str, what: str, minimum: int | None = None) -> int | None:
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise Invalid(f"The {what} must be a whole number, not '{text}'.") from None
    if minimum is not None and number < minimum:
        raise Invalid(f"The {what} must be at least {minimum}.")
    return number


def names(text: str) -> str:
    """A comma-separated list of names, normalised to "a, b"."""
    items = [item.strip() for item in text.split(",")] if not is_expression(text) else [text]
    for item in items:
        maybe_expression(item, "list entry")
    return ", ".join(item for item in items if item)


def variable(text: str, what: str) -> str:
    """A variable name (or nothing), as expressions and scripts can use it."""
    if text and not VARIABLE.match(text):
        raise Invalid(
            f"'{text}' cannot be the name of the {what}: use letters, digits and _, starting "
            "with a letter."
        )
    return text


_TIMER_WORDS = {
    "timeDate": "date (such as 2027-01-31T09:00:00Z)",
    "timeDuration": "duration (such as PT5M or P2D)",
    "timeCycle": "cycle (such as R3/PT10M, or a cron expression)",
}
