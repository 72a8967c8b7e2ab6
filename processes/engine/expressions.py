"""Compile the expressions and scripts of process models into safe, bounded evaluators.

Model text never reaches Python's eval or exec. A text in Python syntax or in Camunda's JUEL
dialect (`${amount > 1000}`, `&&`, `eq`, `empty`, `a ? b : c`, `name.contains("x")`) is
tokenized, translated into Python syntax token by token, parsed with `ast.parse`, checked
against an allow-list and turned into a tree of closures, once, at deployment. Evaluation is
bounded: integer size, string and collection size, nesting depth and run time.

Deliberate choices: JUEL's `!` binds tighter than comparisons, as in Java, while Python's
`not` keeps Python's precedence. An unknown variable or a missing dict key is an error, as
Camunda reports "Unknown property used in expression", except under `empty`, where it counts
as empty. `order.total` reads the key "total" of a dict, as JUEL reads a Map.
"""

import ast
import bisect
import keyword
import operator
import re
import time
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

import isodate


class ExpressionError(ValueError):
    """An expression or script that cannot be compiled or evaluated."""

    def __init__(self, message: str, position: int | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.line = line


class BpmnErrorThrown(Exception):
    """A script's ``bpmn_error(code, message)``: a business error for the model to catch."""

    def __init__(self, code: str, message: str = ""):
        super().__init__(f"BPMN error {code}")
        self.code = code
        self.message = message


def _bpmn_error(run, code, message="") -> None:
    raise BpmnErrorThrown(str(code), str(message))


class _Missing(ExpressionError):
    """An unknown variable or dict key, which `empty` reads as empty."""


@dataclass(frozen=True)
class Limits:
    """Bound what compiling and evaluating one expression or script may cost."""

    max_text: int = 10_000
    max_script_text: int = 100_000
    max_depth: int = 100
    max_size: int = 100_000
    max_int_bits: int = 4096
    max_seconds: float = 1.0


DEFAULT_LIMITS = Limits()


def _error_at(text: str, message: str, position: int) -> ExpressionError:
    """Build a compile error that names the character, counted within its line."""
    column = position - text.rfind("\n", 0, position)
    return ExpressionError(f"{message} (at character {column})", position)


# Tokens and the JUEL translation.


class _Token(NamedTuple):
    kind: str  # "name", "number", "string" or "op"
    text: str  # the Python spelling
    pos: int  # offset in the original text


class _Group(NamedTuple):
    open: _Token
    items: list
    close: _Token


_NUMBER = re.compile(r"0[xX][0-9a-fA-F_]+|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?")
_OPERATORS = (
    "&&", "||", "==", "!=", "<=", ">=", "**", "//",
    "!", "<", ">", "+", "-", "*", "/", "%", "(", ")", "[", "]", "{", "}", ",", ".", ":", "?",
)  # fmt: skip
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_JUEL_WORDS = {
    "eq": "==", "ne": "!=", "lt": "<", "gt": ">", "le": "<=", "ge": ">=", "div": "/", "mod": "%",
    "true": "True", "false": "False", "null": "None",
}  # fmt: skip
_JUEL_OPERATORS = {"&&": "and", "||": "or", "!": "~"}
_PREFIXES = {"!", "-", "+", "not", "empty"}


def _tokens(text: str, start: int, end: int) -> Iterator[_Token]:
    """Split text into tokens, reading string literals whole and skipping `#` comments."""
    pos = start
    while pos < end:
        char = text[pos]
        if char.isspace():
            pos += 1
        elif char == "#":
            newline = text.find("\n", pos, end)
            pos = end if newline < 0 else newline
        elif char in "'\"":
            token, pos = _string(text, pos, end)
            yield token
        elif char.isidentifier():
            finish = pos + 1
            while finish < end and ("a" + text[finish]).isidentifier():
                finish += 1
            yield _Token("name", text[pos:finish], pos)
            pos = finish
        elif match := _NUMBER.match(text, pos, end):
            yield _Token("number", match.group(), pos)
            pos = match.end()
        else:
            symbol = next((op for op in _OPERATORS if text.startswith(op, pos, end)), None)
            if symbol is None:
                raise _error_at(text, _refusal(char), pos)
            yield _Token("op", symbol, pos)
            pos += len(symbol)


def _refusal(char: str) -> str:
    """Explain why a character cannot start a token."""
    if char == "=":
        return "'=' assigns a value; use '==' to compare"
    return f"'{char}' is not allowed"


def _string(text: str, start: int, end: int) -> tuple[_Token, int]:
    """Read a quoted string literal, decoding JUEL's and Python's common escapes."""
    quote, chars, pos = text[start], [], start + 1
    while pos < end:
        char = text[pos]
        if char == quote:
            return _Token("string", repr("".join(chars)), start), pos + 1
        if char == "\\" and pos + 1 < end:
            chars.append(_ESCAPES.get(text[pos + 1], text[pos : pos + 2]))
            pos += 2
        else:
            chars.append(char)
            pos += 1
    raise _error_at(text, "the string is never closed", start)


def _group(text: str, tokens: Iterator[_Token], limits: Limits) -> list:
    """Nest tokens by brackets, so the translation can see JUEL's operands whole."""
    stack = [(None, [])]
    for token in tokens:
        if token.kind == "op" and token.text in _BRACKETS:
            if len(stack) > limits.max_depth:
                raise _error_at(
                    text, f"brackets are nested more than {limits.max_depth} deep", token.pos
                )
            stack.append((token, []))
        elif token.kind == "op" and token.text in ")]}":
            if len(stack) == 1:
                raise _error_at(text, f"unexpected '{token.text}'", token.pos)
            opener, items = stack.pop()
            if _BRACKETS[opener.text] != token.text:
                raise _error_at(text, f"'{token.text}' does not close '{opener.text}'", token.pos)
            stack[-1][1].append(_Group(opener, items, token))
        else:
            stack[-1][1].append(token)
    if len(stack) > 1:
        raise _error_at(text, f"'{stack[-1][0].text}' is never closed", stack[-1][0].pos)
    return stack[0][1]


def _is(item, *texts: str) -> bool:
    return isinstance(item, _Token) and item.kind in ("op", "name") and item.text in texts


def _is_name(item) -> bool:
    return isinstance(item, _Token) and item.kind == "name"


def _translate(text: str, items: list) -> list[_Token]:
    """Rewrite one bracket level, split at its commas and dict or slice colons."""
    out, segment, pending = [], [], 0
    for item in items:
        if _is(item, ",") or (_is(item, ":") and not pending):
            out += _segment(text, segment) + [item]
            segment, pending = [], 0
            continue
        if _is(item, "?"):
            pending += 1
        elif _is(item, ":"):
            pending -= 1
        segment.append(item)
    return out + _segment(text, segment)


def _segment(text: str, items: list) -> list[_Token]:
    """Rewrite JUEL's `a ? b : c` as Python's `(b) if (a) else (c)`."""
    for index, item in enumerate(items):
        if _is(item, "?"):
            colon = _matching_colon(text, items, index)
            then = _segment(text, items[index + 1 : colon])
            other = _segment(text, items[colon + 1 :])
            condition = _words(text, items[:index])
            return _parenthesized(
                _parenthesized(then, item) + [_Token("name", "if", item.pos)]
                + _parenthesized(condition, item) + [_Token("name", "else", item.pos)]
                + _parenthesized(other, item),
                item,
            )  # fmt: skip
    return _words(text, items)


def _matching_colon(text: str, items: list, question: int) -> int:
    depth = 0
    for index in range(question + 1, len(items)):
        if _is(items[index], "?"):
            depth += 1
        elif _is(items[index], ":"):
            if depth == 0:
                return index
            depth -= 1
    raise _error_at(text, "'?' has no matching ':'", items[question].pos)


def _parenthesized(tokens: list[_Token], origin: _Token) -> list[_Token]:
    return [_Token("op", "(", origin.pos), *tokens, _Token("op", ")", origin.pos)]


def _words(text: str, items: list) -> list[_Token]:
    """Translate JUEL's operator words and `empty`, descending into brackets."""
    out, index, previous = [], 0, None
    while index < len(items):
        item = items[index]
        after_dot = _is(previous, ".")
        previous = item
        if isinstance(item, _Group):
            out += [item.open, *_translate(text, item.items), item.close]
        elif item.kind == "name" and item.text == "empty" and not after_dot:
            end = _operand_end(text, items, index + 1, item)
            out += [item, *_parenthesized(_words(text, items[index + 1 : end]), item)]
            index = end
            continue
        elif item.kind == "name" and item.text in _JUEL_WORDS and not after_dot:
            out.append(_Token("op", _JUEL_WORDS[item.text], item.pos))
        elif item.kind == "op" and item.text in _JUEL_OPERATORS:
            out.append(_Token("op", _JUEL_OPERATORS[item.text], item.pos))
        else:
            out.append(item)
        index += 1
    return out


def _operand_end(text: str, items: list, start: int, word: _Token) -> int:
    """Find where the unary operand of JUEL's `empty` ends: prefixes, a value, its suffixes."""
    index = start
    while index < len(items) and _is(items[index], *_PREFIXES):
        index += 1
    if index == len(items):
        raise _error_at(text, "'empty' needs a value after it", word.pos)
    index += 1
    while index < len(items):
        item = items[index]
        if isinstance(item, _Group) and item.open.text in "([":
            index += 1
        elif _is(item, ".") and index + 1 < len(items) and _is_name(items[index + 1]):
            index += 2
        else:
            break
    return index


class _Source:
    """Python text translated from model text, mapping Python columns back to model text."""

    def __init__(self, text: str, tokens: list[_Token]):
        self.text = text
        self.python = " ".join(token.text for token in tokens)
        self.tokens = tokens
        self.starts = []
        offset = 0
        for token in tokens:
            self.starts.append(offset)
            offset += len(token.text) + 1

    def position(self, column: int) -> int:
        """Return the model-text offset of the token at a Python column."""
        index = bisect.bisect_right(self.starts, column) - 1
        return self.tokens[max(index, 0)].pos

    def node_position(self, node: ast.AST) -> int:
        prefix = self.python.encode()[: node.col_offset].decode("utf-8", "ignore")
        return self.position(len(prefix))

    def error(self, message: str, node: ast.AST) -> ExpressionError:
        return _error_at(self.text, message, self.node_position(node))


def _parse(text: str, start: int, end: int, limits: Limits) -> tuple[ast.expr, _Source]:
    """Translate and parse text[start:end] into a Python expression tree."""
    tokens = _translate(text, _group(text, _tokens(text, start, end), limits))
    if not tokens:
        raise ExpressionError("the expression is empty", start)
    source = _Source(text, tokens)
    try:
        tree = ast.parse(source.python, mode="eval")
    except SyntaxError as error:
        if not error.offset or error.offset > len(source.python):
            raise _error_at(text, "the expression ends too early", end) from None
        position = source.position(error.offset - 1)
        word = text[position:end].split(maxsplit=1)[0]
        raise _error_at(text, f"{error.msg} near '{word[:20]}'", position) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is too complex to read", start) from None
    return tree.body, source


# Values, sizes and bounds.


def _kind(value: object) -> str:
    """Name a value's type as a process owner knows it."""
    if value is None:
        return "null"
    for types, name in _KINDS:
        if isinstance(value, types):
            return name
    return type(value).__name__


_KINDS = (
    (bool, "boolean"),
    ((int, float), "number"),
    (str, "string"),
    ((list, tuple), "list"),
    (Mapping, "dict"),
    ((set, frozenset), "set"),
    (datetime, "datetime"),
    (date, "date"),
    (timedelta, "duration"),
)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float))


class _Run:
    """What one evaluation sees: variables, the clock, limits and its deadline."""

    __slots__ = ("_now", "deadline", "limits", "variables")

    def __init__(self, variables: Mapping[str, object], now: datetime | None, limits: Limits):
        self.variables = variables
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self._now = now

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = datetime.now(UTC)
        elif self._now.tzinfo is None:
            self._now = self._now.replace(tzinfo=UTC)
        return self._now

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ExpressionError(f"evaluation took longer than {self.limits.max_seconds} seconds")


def _too_large(limits: Limits) -> ExpressionError:
    return ExpressionError(f"the result would have more than {limits.max_size} characters or items")


def _bounded(value: object, run: _Run) -> object:
    """Refuse a value larger than the limits: integer bits, or characters and items in all."""
    limits = run.limits
    if isinstance(value, int):
        if value.bit_length() > limits.max_int_bits:
            raise ExpressionError(f"the number would be larger than {limits.max_int_bits} bits")
    elif isinstance(value, str):
        if len(value) > limits.max_size:
            raise _too_large(limits)
    elif isinstance(value, (list, tuple, set, frozenset, Mapping)):
        _check_weight(value, run)
    return value


def _check_weight(value: object, run: _Run) -> None:
    """Count characters and items through nested containers, stopping once over the limit.

    A list may repeat one large item many times; its printed form or a comparison would
    then cost far more than its length suggests.
    """
    run.check_time()
    budget, stack = run.limits.max_size, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            budget -= len(item)
        elif isinstance(item, (list, tuple, set, frozenset, Mapping)):
            budget -= 1 + len(item)
            if budget < 0:
                break
            if isinstance(item, Mapping):
                stack.extend(item.keys())
                stack.extend(item.values())
            else:
                stack.extend(item)
        else:
            budget -= 1
        if budget < 0:
            break
    if budget < 0:
        raise _too_large(run.limits)


# Operators.


def _add(a, b, run: _Run):
    sequences = (str, list, tuple)
    if (
        isinstance(a, sequences)
        and isinstance(b, sequences)
        and len(a) + len(b) > run.limits.max_size
    ):
        raise _too_large(run.limits)
    return _bounded(a + b, run)


def _multiply(a, b, run: _Run):
    limits = run.limits
    if isinstance(a, int) and isinstance(b, int):
        if a.bit_length() + b.bit_length() > limits.max_int_bits + 1:
            raise ExpressionError(f"the number would be larger than {limits.max_int_bits} bits")
    elif isinstance(a, int) and isinstance(b, (str, list, tuple)):
        a, b = b, a
    if isinstance(a, (str, list, tuple)) and isinstance(b, int) and len(a) * b > limits.max_size:
        raise _too_large(limits)
    return _bounded(a * b, run)


def _power(a, b, run: _Run):
    """Raise a to b, refusing before the work an integer whose least size is over the limit."""
    if not (_is_number(a) and _is_number(b)):
        raise TypeError
    bits = run.limits.max_int_bits
    if isinstance(a, int) and isinstance(b, int) and b > 0 and (a.bit_length() - 1) * b >= bits:
        raise ExpressionError(f"the number would be larger than {bits} bits")
    result = a**b
    if isinstance(result, complex):
        raise ExpressionError("a negative number to a fractional power has no real value")
    return _bounded(result, run)


def _modulo(a, b, run: _Run):
    """Compute a remainder; on strings `%` would format, so only numbers are allowed."""
    if not (_is_number(a) and _is_number(b)):
        raise TypeError
    return a % b


def _plain(function: Callable) -> Callable:
    return lambda a, b, run: _bounded(function(a, b), run)


_BINARY = {
    ast.Add: ("+", _add),
    ast.Sub: ("-", _plain(operator.sub)),
    ast.Mult: ("*", _multiply),
    ast.Div: ("/", lambda a, b, run: a / b),
    ast.FloorDiv: ("//", _plain(operator.floordiv)),
    ast.Mod: ("%", _modulo),
    ast.Pow: ("**", _power),
}
_SIGNS = {ast.USub: ("-", operator.neg), ast.UAdd: ("+", operator.pos)}
_COMPARISONS = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
    ast.In: ("in", lambda a, b: a in b),
    ast.NotIn: ("not in", lambda a, b: a not in b),
    ast.Is: ("is", operator.is_),
    ast.IsNot: ("is not", operator.is_not),
}
_REFUSED = {
    "Lambda": "lambda functions are not allowed",
    "ListComp": "comprehensions are not allowed",
    "SetComp": "comprehensions are not allowed",
    "DictComp": "comprehensions are not allowed",
    "GeneratorExp": "comprehensions are not allowed",
    "Starred": "'*' unpacking is not allowed",
}


def _is_empty(value: object) -> bool:
    """Tell whether JUEL's `empty` holds: null, an empty string or an empty collection."""
    if value is None:
        return True
    return isinstance(value, (str, list, tuple, set, frozenset, Mapping)) and len(value) == 0


# Functions and methods.


class _Callable(NamedTuple):
    function: Callable
    min_args: int
    max_args: int | None
    size: Callable | None = None  # estimates the result's size before it is built


def _arity(spec: _Callable) -> str:
    low, high = spec.min_args, spec.max_args
    if high is None:
        return f"at least {low} argument{'s' * (low != 1)}"
    if low == high:
        return "no arguments" if low == 0 else f"{low} argument{'s' * (low != 1)}"
    return f"{low} to {high} arguments" if high - low > 1 else f"{low} or {high} arguments"


def _to_str(run: _Run, value: object) -> str:
    _bounded(value, run)
    return str(value)


def _round(run: _Run, value: object, digits: int | None = None) -> object:
    if digits is not None and abs(digits) > 100:
        raise ExpressionError("round() keeps at most 100 digits")
    return round(value) if digits is None else round(value, digits)


def _sum(run: _Run, values: object) -> object:
    values = list(values)
    if not all(_is_number(value) for value in values):
        raise ExpressionError("sum() adds numbers only")
    return sum(values)


def _to_date(run: _Run, value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else isodate.parse_date(value)


def _to_datetime(run: _Run, value: object) -> datetime:
    """Read an ISO 8601 date-time, or a date meaning its midnight; UTC when it names no zone."""
    if isinstance(value, str):
        value = isodate.parse_datetime(value) if "T" in value else isodate.parse_date(value)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        raise TypeError(f"expected a date or text, not {_kind(value)}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _to_duration(run: _Run, value: object) -> timedelta:
    duration = isodate.parse_duration(value)
    if not isinstance(duration, timedelta):
        raise ExpressionError("duration() takes weeks, days, hours, minutes and seconds only")
    return duration


_FUNCTIONS = {
    "len": _Callable(lambda run, value: len(value), 1, 1),
    "str": _Callable(_to_str, 1, 1),
    "int": _Callable(lambda run, *args: int(*args), 1, 2),
    "float": _Callable(lambda run, value: float(value), 1, 1),
    "bool": _Callable(lambda run, value: bool(value), 1, 1),
    "abs": _Callable(lambda run, value: abs(value), 1, 1),
    "min": _Callable(lambda run, *args: min(*args), 1, None),
    "max": _Callable(lambda run, *args: max(*args), 1, None),
    "round": _Callable(_round, 1, 2),
    "sum": _Callable(_sum, 1, 1),
    "sorted": _Callable(lambda run, values: sorted(values), 1, 1),
    "any": _Callable(lambda run, values: any(values), 1, 1),
    "all": _Callable(lambda run, values: all(values), 1, 1),
    "now": _Callable(lambda run: run.now, 0, 0),
    "today": _Callable(lambda run: run.now.date(), 0, 0),
    "date": _Callable(_to_date, 1, 1),
    "datetime": _Callable(_to_datetime, 1, 1),
    "duration": _Callable(_to_duration, 1, 1),
    "bpmn_error": _Callable(_bpmn_error, 1, 2),
}


def _replaced_size(text: str, old: str, new: str, count: int = -1) -> int:
    occurrences = len(text) + 1 if old == "" else text.count(old)
    if count >= 0:
        occurrences = min(occurrences, count)
    return len(text) + occurrences * max(0, len(new) - len(old))


def _joined_size(separator: str, items: object) -> int:
    items = list(items)
    return sum(len(item) for item in items if isinstance(item, str)) + len(separator) * len(items)


def _padded_size(text: str, width: int, *fill: str) -> int:
    return width


def _index_or_minus_one(items: list, item: object) -> int:
    return items.index(item) if item in items else -1


_SIZED = {
    "size": _Callable(len, 0, 0),
    "length": _Callable(len, 0, 0),
    "isEmpty": _Callable(lambda value: len(value) == 0, 0, 0),
}
_STRING_METHODS = {
    **_SIZED,
    # Java's String, as JUEL calls it.
    "contains": _Callable(lambda text, part: part in text, 1, 1),
    "startsWith": _Callable(str.startswith, 1, 1),
    "endsWith": _Callable(str.endswith, 1, 1),
    "toUpperCase": _Callable(str.upper, 0, 0),
    "toLowerCase": _Callable(str.lower, 0, 0),
    "equals": _Callable(operator.eq, 1, 1),
    "equalsIgnoreCase": _Callable(
        lambda text, other: text.casefold() == str(other).casefold(), 1, 1
    ),
    "trim": _Callable(str.strip, 0, 0),
    "substring": _Callable(lambda text, begin, end=None: text[begin:end], 1, 2),
    "indexOf": _Callable(str.find, 1, 1),
    "lastIndexOf": _Callable(str.rfind, 1, 1),
    "charAt": _Callable(lambda text, index: text[index], 1, 1),
    "replace": _Callable(str.replace, 2, 3, _replaced_size),
    # Python's str.
    "upper": _Callable(str.upper, 0, 0),
    "lower": _Callable(str.lower, 0, 0),
    "title": _Callable(str.title, 0, 0),
    "capitalize": _Callable(str.capitalize, 0, 0),
    "casefold": _Callable(str.casefold, 0, 0),
    "strip": _Callable(str.strip, 0, 1),
    "lstrip": _Callable(str.lstrip, 0, 1),
    "rstrip": _Callable(str.rstrip, 0, 1),
    "startswith": _Callable(str.startswith, 1, 1),
    "endswith": _Callable(str.endswith, 1, 1),
    "removeprefix": _Callable(str.removeprefix, 1, 1),
    "removesuffix": _Callable(str.removesuffix, 1, 1),
    "find": _Callable(str.find, 1, 1),
    "count": _Callable(str.count, 1, 1),
    "split": _Callable(str.split, 0, 2),
    "splitlines": _Callable(str.splitlines, 0, 0),
    "join": _Callable(str.join, 1, 1, _joined_size),
    "zfill": _Callable(str.zfill, 1, 1, _padded_size),
    "ljust": _Callable(str.ljust, 1, 2, _padded_size),
    "rjust": _Callable(str.rjust, 1, 2, _padded_size),
    "center": _Callable(str.center, 1, 2, _padded_size),
    "isdigit": _Callable(str.isdigit, 0, 0),
    "isalpha": _Callable(str.isalpha, 0, 0),
    "isalnum": _Callable(str.isalnum, 0, 0),
    "isspace": _Callable(str.isspace, 0, 0),
    "islower": _Callable(str.islower, 0, 0),
    "isupper": _Callable(str.isupper, 0, 0),
}
_LIST_METHODS = {
    **_SIZED,
    "contains": _Callable(lambda items, item: item in items, 1, 1),
    "get": _Callable(lambda items, index: items[index], 1, 1),
    "indexOf": _Callable(_index_or_minus_one, 1, 1),
    "count": _Callable(lambda items, item: items.count(item), 1, 1),
    "index": _Callable(lambda items, item: items.index(item), 1, 1),
}
_DICT_METHODS = {
    **_SIZED,
    "contains": _Callable(lambda mapping, key: key in mapping, 1, 1),
    "containsKey": _Callable(lambda mapping, key: key in mapping, 1, 1),
    "containsValue": _Callable(lambda mapping, value: value in mapping.values(), 1, 1),
    "get": _Callable(lambda mapping, key, default=None: mapping.get(key, default), 1, 2),
    "keys": _Callable(lambda mapping: list(mapping.keys()), 0, 0),
    "values": _Callable(lambda mapping: list(mapping.values()), 0, 0),
    "items": _Callable(lambda mapping: list(mapping.items()), 0, 0),
}
_DATE_METHODS = {
    "isoformat": _Callable(lambda moment: moment.isoformat(), 0, 0),
    "weekday": _Callable(lambda moment: moment.weekday(), 0, 0),
}
_METHODS = {
    "string": _STRING_METHODS,
    "list": _LIST_METHODS,
    "dict": _DICT_METHODS,
    "set": {**_SIZED, "contains": _LIST_METHODS["contains"]},
    "date": _DATE_METHODS,
    "datetime": {**_DATE_METHODS, "date": _Callable(lambda moment: moment.date(), 0, 0)},
    "duration": {"total_seconds": _Callable(lambda duration: duration.total_seconds(), 0, 0)},
}
_METHOD_NAMES = frozenset(name for methods in _METHODS.values() for name in methods)
_PROPERTIES = {
    "date": frozenset({"year", "month", "day"}),
    "datetime": frozenset({"year", "month", "day", "hour", "minute", "second"}),
    "duration": frozenset({"days", "seconds"}),
}


def _accepts(spec: _Callable, count: int) -> bool:
    return spec.min_args <= count and (spec.max_args is None or count <= spec.max_args)


def _invoke(
    spec: _Callable, label: str, receiver: object, args: list, run: _Run, position: int
) -> object:
    """Call a function (receiving the run) or a method (receiving its value) within the limits."""
    run.check_time()
    if not _accepts(spec, len(args)):
        raise ExpressionError(f"{label}() takes {_arity(spec)}", position)
    try:
        if spec.size is not None and spec.size(receiver, *args) > run.limits.max_size:
            raise _too_large(run.limits)
        return _bounded(spec.function(receiver, *args), run)
    except ExpressionError as error:
        error.position = position
        raise
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as error:
        raise ExpressionError(f"{label}(): {error}", position) from None


# The compiler: a checked Python tree becomes a tree of closures.


class _Compiler:
    """Check a parsed expression against the allow-list and build its closures."""

    def __init__(self, source: _Source, limits: Limits):
        self.source = source
        self.limits = limits
        self.names: set[str] = set()
        self.depth = 0

    def compile(self, node: ast.AST) -> Callable[[_Run], object]:
        kind = type(node).__name__
        visit = getattr(self, "visit_" + kind, None)
        if visit is None:
            raise self.source.error(_REFUSED.get(kind, f"{kind} is not allowed"), node)
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise self.source.error(
                f"the expression is nested more than {self.limits.max_depth} levels deep", node
            )
        try:
            return visit(node)
        finally:
            self.depth -= 1

    def position(self, node: ast.AST) -> int:
        return self.source.node_position(node)

    def check_name(self, name: str, node: ast.AST) -> None:
        if name.startswith("_"):
            raise self.source.error(f"names starting with '_' are not allowed ('{name}')", node)

    def visit_Constant(self, node: ast.Constant):
        value = node.value
        if value is not None and not isinstance(value, (bool, int, float, str)):
            raise self.source.error(f"the literal {value!r} is not allowed", node)
        if isinstance(value, int) and value.bit_length() > self.limits.max_int_bits:
            raise self.source.error(
                f"the number is larger than {self.limits.max_int_bits} bits", node
            )
        return lambda run: value

    def visit_Name(self, node: ast.Name):
        name, position = node.id, self.position(node)
        self.check_name(name, node)
        self.names.add(name)

        def variable(run):
            try:
                return run.variables[name]
            except KeyError:
                raise _Missing(f"unknown variable '{name}'", position) from None

        return variable

    def visit_Attribute(self, node: ast.Attribute):
        self.check_name(node.attr, node)
        value, name = self.compile(node.value), node.attr
        label, position = _label(node.value), self.position(node)
        return lambda run: _property(value(run), name, label, position)

    def visit_Subscript(self, node: ast.Subscript):
        value, index = self.compile(node.value), self.compile(node.slice)
        label, position = _label(node.value), self.position(node)
        return lambda run: _item(value(run), index(run), label, position)

    def visit_Slice(self, node: ast.Slice):
        parts = [
            self.compile(part) if part else (lambda run: None)
            for part in (node.lower, node.upper, node.step)
        ]
        return lambda run: slice(*(part(run) for part in parts))

    def visit_BinOp(self, node: ast.BinOp):
        if type(node.op) not in _BINARY:
            raise self.source.error(f"the operator {type(node.op).__name__} is not allowed", node)
        symbol, function = _BINARY[type(node.op)]
        left, right = self.compile(node.left), self.compile(node.right)
        position = self.position(node)

        def binary(run):
            a, b = left(run), right(run)
            try:
                return function(a, b, run)
            except ExpressionError as error:
                error.position = position
                raise
            except ZeroDivisionError:
                raise ExpressionError("division by zero", position) from None
            except OverflowError:
                raise ExpressionError("the number is too large", position) from None
            except TypeError:
                raise ExpressionError(
                    f"cannot apply '{symbol}' to {_kind(a)} and {_kind(b)}", position
                ) from None

        return binary

    def visit_UnaryOp(self, node: ast.UnaryOp):
        operand, position = self.compile(node.operand), self.position(node)
        if isinstance(node.op, (ast.Not, ast.Invert)):
            return lambda run: not operand(run)
        symbol, function = _SIGNS[type(node.op)]

        def unary(run):
            value = operand(run)
            try:
                return function(value)
            except TypeError:
                raise ExpressionError(
                    f"cannot apply '{symbol}' to {_kind(value)}", position
                ) from None

        return unary

    def visit_BoolOp(self, node: ast.BoolOp):
        values = [self.compile(value) for value in node.values]
        if isinstance(node.op, ast.And):

            def conjunction(run):
                for value in values:
                    result = value(run)
                    if not result:
                        return result
                return result

            return conjunction

        def disjunction(run):
            for value in values:
                result = value(run)
                if result:
                    return result
            return result

        return disjunction

    def visit_Compare(self, node: ast.Compare):
        first = self.compile(node.left)
        steps = []
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            is_test = isinstance(op, (ast.Is, ast.IsNot))
            if is_test and not (
                isinstance(comparator, ast.Constant) and _is_singleton(comparator.value)
            ):
                raise self.source.error("'is' compares with None, True or False only", comparator)
            steps.append((*_COMPARISONS[type(op)], self.compile(comparator)))
        position = self.position(node)
        if len(steps) == 1:
            [(symbol, function, second)] = steps
            return lambda run: _compare(function, symbol, first(run), second(run), position)

        def chain(run):
            left = first(run)
            for symbol, function, right in steps:
                value = right(run)
                if not _compare(function, symbol, left, value, position):
                    return False
                left = value
            return True

        return chain

    def visit_IfExp(self, node: ast.IfExp):
        test = self.compile(node.test)
        body, orelse = self.compile(node.body), self.compile(node.orelse)
        return lambda run: body(run) if test(run) else orelse(run)

    def visit_List(self, node: ast.List):
        items = [self.compile(item) for item in node.elts]
        return lambda run: _bounded([item(run) for item in items], run)

    def visit_Tuple(self, node: ast.Tuple):
        items = [self.compile(item) for item in node.elts]
        return lambda run: _bounded(tuple(item(run) for item in items), run)

    def visit_Set(self, node: ast.Set):
        items, position = [self.compile(item) for item in node.elts], self.position(node)
        return lambda run: _bounded(_hashed(set, [item(run) for item in items], position), run)

    def visit_Dict(self, node: ast.Dict):
        if any(key is None for key in node.keys):
            raise self.source.error("'**' unpacking is not allowed", node)
        pairs = [
            (self.compile(key), self.compile(value))
            for key, value in zip(node.keys, node.values, strict=True)
        ]
        position = self.position(node)

        def mapping(run):
            items = [(key(run), value(run)) for key, value in pairs]
            return _bounded(_hashed(dict, items, position), run)

        return mapping

    def visit_Call(self, node: ast.Call):
        if node.keywords:
            raise self.source.error("keyword arguments are not allowed", node.keywords[0].value)
        if isinstance(node.func, ast.Name):
            return self.function(node)
        if isinstance(node.func, ast.Attribute):
            return self.method(node)
        raise self.source.error(
            "only functions such as len() and methods such as name.contains() can be called", node
        )

    def function(self, node: ast.Call):
        name, position = node.func.id, self.position(node)
        if name == "empty":
            if len(node.args) != 1:
                raise self.source.error("'empty' takes one value", node)
            operand = self.compile(node.args[0])
            return lambda run: _empty(operand, run)
        spec = _FUNCTIONS.get(name)
        if spec is None:
            self.check_name(name, node.func)
            raise self.source.error(f"unknown function '{name}'", node.func)
        if not _accepts(spec, len(node.args)):
            raise self.source.error(f"{name}() takes {_arity(spec)}", node)
        args = [self.compile(arg) for arg in node.args]
        return lambda run: _invoke(spec, name, run, [arg(run) for arg in args], run, position)

    def method(self, node: ast.Call):
        name = node.func.attr
        self.check_name(name, node.func)
        if name not in _METHOD_NAMES:
            raise self.source.error(f"unknown method '{name}'", node.func)
        target, position = self.compile(node.func.value), self.position(node)
        args = [self.compile(arg) for arg in node.args]

        def call(run):
            value = target(run)
            spec = _METHODS.get(_kind(value), {}).get(name)
            if spec is None:
                raise ExpressionError(f"{_kind(value)} has no method '{name}'", position)
            return _invoke(spec, name, value, [arg(run) for arg in args], run, position)

        return call


def _is_singleton(value: object) -> bool:
    return value is None or value is True or value is False


def _label(node: ast.AST) -> str:
    """Name a value in error messages by the expression that produced it, when short."""
    if isinstance(node, (ast.Name, ast.Attribute)):
        text = ast.unparse(node)
        if len(text) <= 40:
            return f"'{text}'"
    return "the dict"


def _property(value: object, name: str, label: str, position: int) -> object:
    """Read a dict key as JUEL reads a Map property, or an allowed date property."""
    if isinstance(value, Mapping):
        try:
            return value[name]
        except KeyError:
            raise _Missing(f"{label} has no key '{name}'", position) from None
    if name in _PROPERTIES.get(_kind(value), ()):
        return getattr(value, name)
    raise ExpressionError(f"{_kind(value)} has no property '{name}'", position)


def _item(value: object, index: object, label: str, position: int) -> object:
    if not isinstance(value, (str, list, tuple, Mapping)):
        raise ExpressionError(f"cannot index {_kind(value)}", position)
    try:
        return value[index]
    except KeyError:
        raise _Missing(f"{label} has no key {index!r}", position) from None
    except IndexError:
        raise ExpressionError(f"index {index!r} is out of range", position) from None
    except (TypeError, ValueError):
        raise ExpressionError(
            f"cannot index {_kind(value)} with {_kind(index)}", position
        ) from None


def _compare(function: Callable, symbol: str, a: object, b: object, position: int) -> bool:
    try:
        return function(a, b)
    except TypeError:
        raise ExpressionError(
            f"cannot compare {_kind(a)} and {_kind(b)} with '{symbol}'", position
        ) from None


def _hashed(kind: type, items: list, position: int) -> object:
    try:
        return kind(items)
    except TypeError:
        raise ExpressionError(
            "lists and dicts cannot be set members or dict keys", position
        ) from None


def _empty(operand: Callable, run: _Run) -> bool:
    try:
        return _is_empty(operand(run))
    except _Missing:
        return True


# Expressions, templates and scripts.


def _guarded(evaluate: Callable[[_Run], object], run: _Run) -> object:
    try:
        return evaluate(run)
    except (RecursionError, MemoryError):
        raise ExpressionError("the data is too deeply nested or too large to evaluate") from None


class Expression:
    """A compiled expression, evaluated many times with different variables."""

    def __init__(
        self, text: str, evaluate: Callable[[_Run], object], names: frozenset[str], limits: Limits
    ):
        self.text = text
        self.names = names
        self._evaluate = evaluate
        self._limits = limits

    def __repr__(self) -> str:
        return f"<Expression {self.text!r}>"

    def evaluate(self, variables: Mapping[str, object], *, now: datetime | None = None) -> object:
        """Return the value for these variables; now() returns `now`, or else the clock's time."""
        return _guarded(self._evaluate, _Run(variables, now, self._limits))


_OPENING = re.compile(r"\\?[$#]\{")


def is_expression(text: str) -> bool:
    """Tell whether text holds a `${...}` or `#{...}` expression, not a plain literal."""
    return any(not match.group().startswith("\\") for match in _OPENING.finditer(text))


def compile_expression(text: str, limits: Limits = DEFAULT_LIMITS) -> Expression:
    """Compile an expression, or a template such as "Hello ${name}", once for many evaluations."""
    if len(text) > limits.max_text:
        raise ExpressionError(f"the expression is longer than {limits.max_text} characters")
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    parts = _template_parts(text, start, end) if is_expression(text) else [(start, end)]
    compiled, names = [], set()
    for part in parts:
        if isinstance(part, str):
            compiled.append(part)
            continue
        node, source = _parse(text, *part, limits)
        compiler = _Compiler(source, limits)
        compiled.append(compiler.compile(node))
        names |= compiler.names
    if len(compiled) == 1 and not isinstance(compiled[0], str):
        return Expression(text, compiled[0], frozenset(names), limits)
    return Expression(text, _template(compiled), frozenset(names), limits)


def _template_parts(text: str, start: int, end: int) -> list:
    """Split a template into literal strings and (start, end) spans of its expressions."""
    parts, literal, pos = [], "", start
    while match := _OPENING.search(text, pos, end):
        literal += text[pos : match.start()]
        if match.group().startswith("\\"):
            literal += match.group()[1:]
            pos = match.end()
            continue
        close = _closing_brace(text, match, end)
        if literal:
            parts.append(literal)
        parts.append((match.end(), close))
        literal, pos = "", close + 1
    literal += text[pos:end]
    return parts + [literal] if literal else parts


def _closing_brace(text: str, opening: re.Match, end: int) -> int:
    depth = 0
    for token in _tokens(text, opening.end(), end):
        if token.text == "{" and token.kind == "op":
            depth += 1
        elif token.text == "}" and token.kind == "op":
            if depth == 0:
                return token.pos
            depth -= 1
    raise _error_at(text, f"'{opening.group()}' is never closed", opening.start())


def _template(parts: list) -> Callable[[_Run], str]:
    def render(run):
        pieces = [
            part if isinstance(part, str) else _template_text(part(run), run) for part in parts
        ]
        return _bounded("".join(pieces), run)

    return render


def _template_text(value: object, run: _Run) -> str:
    """Write a value into a template as JUEL does: null as nothing, booleans in lower case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else _to_str(run, value)


class _Step(NamedTuple):
    line: int
    target: str
    evaluate: Callable[[_Run], object]


class Script:
    """A compiled script: lines of `name = expression`, each seeing the lines before it."""

    def __init__(self, text: str, steps: list[_Step], limits: Limits):
        self.text = text
        self._steps = steps
        self._limits = limits

    def __repr__(self) -> str:
        return f"<Script {self.text[:40]!r}>"

    def run(
        self, variables: Mapping[str, object], *, now: datetime | None = None
    ) -> dict[str, object]:
        """Return the variables the script assigns, with their values; leave the input alone."""
        assigned: dict[str, object] = {}
        run = _Run(ChainMap(assigned, variables), now, self._limits)
        for step in self._steps:
            try:
                assigned[step.target] = _guarded(step.evaluate, run)
            except ExpressionError as error:
                raise ExpressionError(
                    f"line {step.line}: {error.message}", error.position, step.line
                ) from None
        return assigned


_ASSIGNMENT = re.compile(r"\s*([^\W\d]\w*)\s*([-+*/]?)=(?!=)")
_AUGMENTED = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div}
_RESERVED = frozenset({*_JUEL_WORDS, "empty", "not", "and", "or"})


def compile_script(text: str, limits: Limits = DEFAULT_LIMITS) -> Script:
    """Compile a script of `name = expression` lines; `#` starts a comment."""
    if len(text) > limits.max_script_text:
        raise ExpressionError(f"the script is longer than {limits.max_script_text} characters")
    steps = []
    for line, target, augmented, start, end in _statements(text):
        try:
            steps.append(
                _Step(line, target, _compile_step(text, target, augmented, start, end, limits))
            )
        except ExpressionError as error:
            raise ExpressionError(f"line {line}: {error.message}", error.position, line) from None
    return Script(text, steps, limits)


def _statements(text: str) -> Iterator[tuple[int, str, str, int, int]]:
    """Yield each assignment with its line, joining lines while brackets stay open."""
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    index = 0
    while index < len(lines):
        line, start = lines[index], offsets[index]
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _ASSIGNMENT.match(line)
        if match is None:
            raise ExpressionError(
                f"line {index}: expected an assignment such as 'total = price * quantity'",
                start,
                index,
            )
        target = match.group(1)
        if target.startswith("_") or keyword.iskeyword(target) or target in _RESERVED:
            raise ExpressionError(f"line {index}: '{target}' cannot be assigned", start, index)
        first, end = index, offsets[index]
        while index < len(lines) and _unclosed(text, start + match.end(), end):
            index += 1
            end = offsets[index]
        yield first, target, match.group(2), start + match.end(), end


def _unclosed(text: str, start: int, end: int) -> bool:
    depth = 0
    try:
        for token in _tokens(text, start, end):
            if token.kind == "op" and token.text in "([{":
                depth += 1
            elif token.kind == "op" and token.text in ")]}":
                depth -= 1
    except ExpressionError:
        return False
    return depth > 0


def _compile_step(text: str, target: str, augmented: str, start: int, end: int, limits: Limits):
    node, source = _parse(text, start, end, limits)
    if augmented:
        name = ast.copy_location(ast.Name(target, ast.Load()), node)
        node = ast.copy_location(ast.BinOp(name, _AUGMENTED[augmented](), node), node)
    return _Compiler(source, limits).compile(node)
