"""Request parsers that answer any malformed body with a 400, never a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError


class SafeJSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that two bodies it lets through are a 400.

    Nesting too deep for Python's decoder: ``json`` raises RecursionError, not ValueError,
    for ``[[[[…]]]]`` thousands deep, and DRF turns only ValueError into a parse error.
    The NUL character: PostgreSQL cannot store it in text or JSON, so a variable holding it
    would fail deep in a transaction.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        field = _field_with_nul(data)
        if field is not None:
            raise ValidationError({field: "Text may not contain the NUL character (\\u0000)."})
        return data


def _field_with_nul(data) -> str | None:
    """The top-level field whose value (or its keys) holds a NUL, if any."""
    if isinstance(data, dict):
        return next((str(k) for k, v in data.items() if _holds_nul(k) or _holds_nul(v)), None)
    return "non_field_errors" if _holds_nul(data) else None


def _holds_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False
