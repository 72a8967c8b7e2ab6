import operator
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processes.engine.expressions import (
    ExpressionError,
    Limits,
    compile_expression,
    is_expression,
)


def value(source, **variables):
    return compile_expression(source).evaluate(variables)


def refusal(source, **variables):
    """Return the message of the error that compiling or evaluating source raises."""
    with pytest.raises(ExpressionError) as caught:
        compile_expression(source).evaluate(variables)
    return str(caught.value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("amount > 1000", True),
        ("amount >= 1500", True),
        ("amount < 1000", False),
        ("amount <= 1499", False),
        ("amount == 1500", True),
        ("amount != 1500", False),
        ("amount + 10", 1510),
        ("amount - 10", 1490),
        ("amount * 2", 3000),
        ("amount / 1000", 1.5),
        ("amount // 1000", 1),
        ("amount % 1000", 500),
        ("2 ** 10", 1024),
        ("-amount", -1500),
        ("+amount", 1500),
        ("(amount + 500) * 2", 4000),
        ("1000 < amount < 2000", True),
        ("1000 < amount < 1200", False),
        ("amount > 1000 and amount < 2000", True),
        ("amount < 1000 or amount > 1400", True),
        ("not amount > 1000", False),
        ("'big' if amount > 1000 else 'small'", "big"),
        ("amount in [1500, 2500]", True),
        ("amount not in (1500, 2500)", False),
        ("None is None", True),
        ("amount is not None", True),
        ("True and not False", True),
        ("0.1 + 0.2", 0.1 + 0.2),
        ("1_000 + 0x10", 1016),
    ],
)
def test_it_evaluates_python_operators(text, expected):
    assert value(text, amount=1500) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("amount eq 1500", True),
        ("amount ne 1500", False),
        ("amount lt 2000", True),
        ("amount gt 2000", False),
        ("amount le 1500", True),
        ("amount ge 1501", False),
        ("amount > 1000 && amount < 2000", True),
        ("amount < 1000 || amount == 1500", True),
        ("!(amount > 1000)", False),
        ("amount div 1000", 1.5),
        ("amount mod 1000", 500),
        ("true", True),
        ("false || null == null", True),
        ("amount > 1000 and flag", False),
        ("not flag or false", True),
        ("amount != 1 && !flag", True),
    ],
)
def test_it_reads_juel_operators_and_words(text, expected):
    assert value(text, amount=1500, flag=False) == expected


@pytest.mark.parametrize(
    "text", ["amount > 1000", "${amount > 1000}", "#{amount > 1000}", "  ${amount gt 1000}\n"]
)
def test_it_accepts_bare_and_wrapped_expressions(text):
    assert value(text, amount=1001) is True
    assert value(text, amount=999) is False


def test_it_keeps_the_type_of_a_lone_wrapped_expression():
    assert value("${integerVariable}", integerVariable=3) == 3
    assert value("${items}", items=[1, 2]) == [1, 2]


def test_it_binds_juel_not_tighter_than_a_comparison():
    assert value("!flag == other", flag=False, other=True) is True
    assert value("not flag == other", flag=False, other=True) is True
    assert value("not flag == other", flag=True, other=True) is False
    assert value("!flag == other", flag=True, other=True) is False
    assert value("!!flag", flag="yes") is True


def test_it_leaves_operator_words_inside_strings_alone():
    assert value("\"a && b eq c\" + ' || !x'") == "a && b eq c || !x"
    assert value('text == "null"', text="null") is True


def test_it_evaluates_the_juel_ternary():
    assert value("amount > 1000 ? 'manager' : 'clerk'", amount=1500) == "manager"
    assert value("amount > 1000 ? 'manager' : 'clerk'", amount=10) == "clerk"
    nested = "amount > 1000 ? 'manager' : amount > 100 ? 'lead' : 'clerk'"
    assert [value(nested, amount=a) for a in (5000, 500, 5)] == ["manager", "lead", "clerk"]
    assert value("{'role': flag ? 'a' : 'b', 'n': 1}", flag=False) == {"role": "b", "n": 1}
    assert value("max(flag ? 1 : 2, 0)", flag=True) == 1
    assert value("(flag ? 1 : 2) + 10", flag=False) == 12


@pytest.mark.parametrize("empty_value", [None, "", [], (), {}, set()])
def test_it_reads_null_and_empty_values_as_empty(empty_value):
    assert value("empty x", x=empty_value) is True
    assert value("not empty x", x=empty_value) is False
    assert value("!empty x", x=empty_value) is False


@pytest.mark.parametrize("full_value", ["a", [0], {"k": None}, 0, False])
def test_it_reads_values_and_numbers_as_not_empty(full_value):
    assert value("empty x", x=full_value) is False


def test_it_reads_unknown_variables_and_missing_keys_as_empty():
    assert value("empty missing") is True
    assert value("empty order.note", order={}) is True
    assert value("empty order['note']", order={}) is True
    assert value("empty order.lines && total == 0", order={"lines": []}, total=0) is True
    assert value("empty order.lines.size()", order={"lines": []}) is False


def test_it_reports_an_unknown_variable_by_name():
    with pytest.raises(ExpressionError) as caught:
        value("amount > 1000")
    assert str(caught.value) == "unknown variable 'amount'"
    assert caught.value.position == 0


def test_it_reports_a_missing_key_by_name():
    assert refusal("order.total > 5", order={"sum": 3}) == "'order' has no key 'total'"
    assert refusal("order['total']", order={}) == "'order' has no key 'total'"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("order.total", 250),
        ("order['total']", 250),
        ('order["customer"]["name"]', "Ada"),
        ("order.customer.name", "Ada"),
        ("order.lines[0].sku", "A-1"),
        ("order.lines[-1]['qty']", 5),
        ("order.lines.size()", 2),
        ("name[1:3]", "da"),
        ("name[::-1]", "adA"),
        ("order.get('discount', 0)", 0),
        ("order.containsKey('total')", True),
        ("order.keys()", ["total", "customer", "lines"]),
        ("len(order.values())", 3),
        ("order.items()[0]", ("total", 250)),
    ],
)
def test_it_reads_dicts_and_lists(text, expected):
    order = {
        "total": 250,
        "customer": {"name": "Ada"},
        "lines": [{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 5}],
    }
    assert value(text, order=order, name="Ada") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ('test.contains("a")', True),
        ('test.contains("c")', False),
        ("test.startsWith('a')", True),
        ("test.endsWith('b')", True),
        ("test.toUpperCase()", "AB"),
        ("'AB'.toLowerCase()", "ab"),
        ("test.length()", 2),
        ("test.size()", 2),
        ("test.equals('ab')", True),
        ("test.equalsIgnoreCase('AB')", True),
        ("test.isEmpty()", False),
        ("''.isEmpty()", True),
        ("'  x '.trim()", "x"),
        ("test.substring(1)", "b"),
        ("'hello'.substring(1, 3)", "el"),
        ("'hello'.indexOf('l')", 2),
        ("'hello'.lastIndexOf('l')", 3),
        ("'hello'.charAt(4)", "o"),
        ("'a-b-c'.replace('-', '+')", "a+b+c"),
        ("test.upper()", "AB"),
        ("'  x '.strip()", "x"),
        ("'a,b'.split(',')", ["a", "b"]),
        ("'-'.join(['a', 'b'])", "a-b"),
        ("'7'.zfill(3)", "007"),
        ("'abc'.startswith('ab')", True),
        ("'42'.isdigit()", True),
        ("'anna'.count('n')", 2),
    ],
)
def test_it_calls_string_methods(text, expected):
    assert value(text, test="ab") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("items.size()", 3),
        ("items.contains(2)", True),
        ("items.get(0)", 1),
        ("items.indexOf(3)", 2),
        ("items.indexOf(9)", -1),
        ("items.count(1)", 1),
        ("items.index(2)", 1),
        ("items.isEmpty()", False),
        ("{1, 2}.contains(2)", True),
    ],
)
def test_it_calls_list_methods(text, expected):
    assert value(text, items=[1, 2, 3]) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("len(items)", 3),
        ("str(12) + '!'", "12!"),
        ("int('42') + 1", 43),
        ("int('ff', 16)", 255),
        ("float('2.5') * 2", 5.0),
        ("bool('')", False),
        ("abs(-4)", 4),
        ("min(items)", 1),
        ("max(4, 9, 2)", 9),
        ("round(2.675, 1)", round(2.675, 1)),
        ("round(7.5)", 8),
        ("sum(items)", 6),
        ("sorted([3, 1, 2])", [1, 2, 3]),
        ("any([0, '', 1])", True),
        ("all(items)", True),
    ],
)
def test_it_calls_registered_functions(text, expected):
    assert value(text, items=[1, 2, 3]) == expected


def test_it_uses_the_given_clock_for_now_and_today():
    moment = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    expression = compile_expression("now()")
    assert expression.evaluate({}, now=moment) == moment
    assert compile_expression("today()").evaluate({}, now=moment) == date(2026, 3, 4)
    assert compile_expression("now().hour").evaluate({}, now=moment) == 10


def test_it_reads_dates_and_durations():
    moment = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)
    due = "datetime(order.due) < now() + duration('P2D')"
    assert (
        compile_expression(due).evaluate({"order": {"due": "2026-03-05T12:00:00"}}, now=moment)
        is True
    )
    assert (
        compile_expression(due).evaluate(
            {"order": {"due": "2026-03-07T12:00:00+02:00"}}, now=moment
        )
        is False
    )
    assert value("date('2026-12-24').weekday()") == date(2026, 12, 24).weekday()
    assert value("(date('2026-12-24') - date('2026-12-01')).days") == 23
    assert value("duration('PT90M').total_seconds()") == 5400
    assert value("datetime('2026-01-01')") == datetime(2026, 1, 1, tzinfo=UTC)


def test_it_refuses_durations_of_variable_length():
    assert "weeks, days, hours, minutes and seconds only" in refusal("duration('P1M')")


@pytest.mark.parametrize(
    "text, variables, expected",
    [
        ("Hello ${name}!", {"name": "Ada"}, "Hello Ada!"),
        ("${first} ${last}", {"first": "Ada", "last": "Lovelace"}, "Ada Lovelace"),
        ("Total: #{amount * 2} EUR", {"amount": 21}, "Total: 42 EUR"),
        ("Note: ${note}.", {"note": None}, "Note: ."),
        ("approved=${ok}", {"ok": True}, "approved=true"),
        ("It's ${'a}b'} and {braces}", {}, "It's a}b and {braces}"),
        ("${ {'k': 1}['k'] } item", {}, "1 item"),
        ("costs \\${price} not ${price}", {"price": 3}, "costs ${price} not 3"),
    ],
)
def test_it_renders_templates(text, variables, expected):
    assert value(text, **variables) == expected


def test_it_tells_expressions_from_literal_text():
    assert is_expression("${delay}")
    assert is_expression("wait #{days} days")
    assert not is_expression("PT5M")
    assert not is_expression("costs \\${price}")


def test_it_lists_the_variables_an_expression_reads():
    expression = compile_expression("a + b.c * len(d) + (empty e ? f['g'] : 1)")
    assert expression.names == frozenset({"a", "b", "d", "e", "f"})
    assert compile_expression("Hi ${name}, ${count + 1}").names == frozenset({"name", "count"})


@pytest.mark.parametrize("text", ["1 / 0", "1 div 0", "5 mod 0", "5 % 0", "5 // 0", "x / 0.0"])
def test_it_reports_division_by_zero(text):
    assert refusal(text, x=1.0) == "division by zero"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("'a' < 1", "cannot compare string and number with '<'"),
        ("'a' - 1", "cannot apply '-' to string and number"),
        ("-'a'", "cannot apply '-' to string"),
        ("len(5)", "len(): object of type 'int' has no len()"),
        ("items[7]", "index 7 is out of range"),
        ("items['a']", "cannot index list with string"),
        ("(5)[0]", "cannot index number"),
        ("items.foo", "list has no property 'foo'"),
        ("items.toUpperCase()", "list has no method 'toUpperCase'"),
        ("'a'.substring()", "substring() takes 1 or 2 arguments"),
        ("{[1]: 2}", "lists and dicts cannot be set members or dict keys"),
        ("sum(['a'])", "sum() adds numbers only"),
        ("int('x')", "int(): invalid literal for int() with base 10: 'x'"),
        ("(-8) ** 0.5", "a negative number to a fractional power has no real value"),
        ("2.0 ** 10000", "the number is too large"),
    ],
)
def test_it_reports_run_time_errors_plainly(text, expected):
    assert refusal(text, items=[1, 2]) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("__import__('os')", "names starting with '_' are not allowed ('__import__')"),
        ("().__class__.__bases__", "names starting with '_' are not allowed ('__bases__')"),
        ("x.__class__", "names starting with '_' are not allowed ('__class__')"),
        ("x._private", "names starting with '_' are not allowed ('_private')"),
        ("_secret", "names starting with '_' are not allowed ('_secret')"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("eval('1')", "unknown function 'eval'"),
        ("getattr(x, 'y')", "unknown function 'getattr'"),
        ("x.format(1)", "unknown method 'format'"),
        ("x.mro()", "unknown method 'mro'"),
        ("any(lambda: 1)", "lambda functions are not allowed"),
        ("[y for y in x]", "comprehensions are not allowed"),
        ("{y: 1 for y in x}", "comprehensions are not allowed"),
        ("any(y for y in x)", "comprehensions are not allowed"),
        ("[*x]", "'*' unpacking is not allowed"),
        ("{**x}", "'**' unpacking is not allowed"),
        ("sorted(x, reverse=True)", "'=' assigns a value; use '==' to compare"),
        ("(y := 1)", "'=' assigns a value; use '==' to compare"),
        (
            "x[0]()",
            "only functions such as len() and methods such as name.contains() can be called",
        ),
        ("x & 1", "'&' is not allowed"),
        ("~x", "'~' is not allowed"),
        ("x @ x", "'@' is not allowed"),
        ("x; y", "';' is not allowed"),
        ("x is 0", "'is' compares with None, True or False only"),
        ("f'{x}'", "invalid syntax"),
        ("...", "invalid syntax"),
    ],
)
def test_it_refuses_hostile_or_unsupported_code_at_compile_time(text, expected):
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)
    assert expected in str(caught.value)


BITS = "the number would be larger than 4096 bits"
SIZE = "the result would have more than 100000 characters or items"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("9**9**9", BITS),
        ("2 ** 100000", BITS),
        ("10 ** 5000", BITS),
        ("(2 ** 4000) * (2 ** 4000)", BITS),
        ("3 ** 4095", BITS),
        ("'a' * 10**10", SIZE),
        ("[0] * 10**9", SIZE),
        ("10**9 * 'ab'", SIZE),
        ("[[1] * 100000] * 100000", SIZE),
        ("str(['x' * 1000] * 1000)", SIZE),
        ("'abc'.replace('', 'x' * 50000)", SIZE),
        ("','.join(['x' * 60000, 'y' * 60000])", SIZE),
        ("'a'.zfill(10**9)", SIZE),
        ("'a'.ljust(10**9, 'b')", SIZE),
        ("'x' * 99999 + 'yy'", SIZE),
        ("round(5, -10**9)", "round() keeps at most 100 digits"),
        ("'%s' % x", "cannot apply '%' to string and string"),
        ("'%*d' % (10**9, 1)", "cannot apply '%' to string and list"),
    ],
)
def test_it_refuses_results_that_would_be_too_large(text, expected):
    assert refusal(text, x="y") == expected


def test_it_allows_results_up_to_the_configured_size():
    limits = Limits(max_size=10, max_int_bits=16)
    assert compile_expression("'a' * 10", limits).evaluate({}) == "a" * 10
    with pytest.raises(ExpressionError, match="more than 10 characters or items"):
        compile_expression("'a' * 11", limits).evaluate({})
    with pytest.raises(ExpressionError, match="more than 10 characters or items"):
        compile_expression("items + items", limits).evaluate({"items": list(range(6))})
    assert compile_expression("2 ** 15", limits).evaluate({}) == 2**15
    with pytest.raises(ExpressionError, match="larger than 16 bits"):
        compile_expression("2 ** 16", limits).evaluate({})


def test_it_refuses_deep_nesting_and_huge_texts():
    assert "nested more than 100 deep" in refusal("(" * 150 + "1" + ")" * 150)
    assert "too complex" in refusal("-" * 5000 + "1")
    assert "too complex" in refusal("+".join(["1"] * 3000))
    assert "nested more than 100 levels" in refusal("+".join(["1"] * 150))
    assert "longer than 10000 characters" in refusal("x" * 10_001)
    assert value("(" * 50 + "1" + ")" * 50) == 1


def test_it_stops_an_evaluation_past_its_deadline():
    expression = compile_expression("len(x) + len(x)", Limits(max_seconds=0))
    with pytest.raises(ExpressionError, match="took longer than 0 seconds"):
        expression.evaluate({"x": "ab"})


def test_it_reports_deeply_nested_data_instead_of_crashing():
    nested = []
    for _ in range(100_000):
        nested = [nested]
    other = []
    for _ in range(100_000):
        other = [other]
    assert "too deeply nested" in refusal("a == b", a=nested, b=other)


@pytest.mark.parametrize(
    "text, message, position",
    [
        ("amount >", "the expression ends too early (at character 9)", 8),
        ("(1 + 2", "'(' is never closed (at character 1)", 0),
        ("1 + 2)", "unexpected ')' (at character 6)", 5),
        ("[1, 2)", "')' does not close '[' (at character 6)", 5),
        ("amount = 5", "'=' assigns a value; use '==' to compare (at character 8)", 7),
        ("a b", "invalid syntax near 'b' (at character 3)", 2),
        ("${x", "'${' is never closed (at character 1)", 0),
        ("x ? 1", "'?' has no matching ':' (at character 3)", 2),
        ("'open", "the string is never closed (at character 1)", 0),
        ("empty", "'empty' needs a value after it (at character 1)", 0),
        ("", "the expression is empty", 0),
        ("1 +\n  nope(2)", "unknown function 'nope' (at character 3)", 6),
        ('test.contains("a")>', "the expression ends too early (at character 20)", 19),
    ],
)
def test_it_names_what_is_wrong_and_where(text, message, position):
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text)
    assert str(caught.value) == message
    assert caught.value.position == position


@pytest.mark.parametrize(
    "text, variables, expected",
    [
        ('test.contains("a")', {"test": "ab"}, True),
        ('!test.contains("a")', {"test": "bc"}, True),
        ("integerVariable<2", {"integerVariable": 2}, False),
        ("activationCount>=1", {"activationCount": 1}, True),
        ("${integerVariable}", {"integerVariable": 4}, 4),
        ("-1", {}, -1),
        ("false", {}, False),
    ],
)
def test_it_reads_the_conditions_of_the_betsy_suite(text, variables, expected):
    assert value(text, **variables) == expected


_OPERATORS = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "//": operator.floordiv,
    "%": operator.mod,
    " mod ": operator.mod,
}
_COMPARISONS = {
    "<": operator.lt,
    " lt ": operator.lt,
    "==": operator.eq,
    " eq ": operator.eq,
    ">=": operator.ge,
    " ge ": operator.ge,
    "!=": operator.ne,
}


def _leaf():
    return st.integers(-(10**6), 10**6).map(lambda n: (f"({n})", n)) | st.sampled_from(
        [("a", 7), ("b", -3), ("c", 0)]
    )


def _combine(children):
    return st.tuples(children, st.sampled_from(sorted(_OPERATORS)), children).map(
        lambda parts: (
            f"({parts[0][0]}{parts[1]}{parts[2][0]})",
            (_OPERATORS[parts[1]], parts[0], parts[2]),
        )
    )


def _reference(tree):
    if isinstance(tree, int):
        return tree
    function, left, right = tree
    return function(_reference(left[1]), _reference(right[1]))


@given(
    st.recursive(_leaf(), _combine, max_leaves=12),
    st.sampled_from(sorted(_COMPARISONS)),
    st.integers(-(10**6), 10**6),
)
def test_it_computes_integer_arithmetic_as_python_does(arithmetic, comparison, bound):
    text, tree = arithmetic
    variables = {"a": 7, "b": -3, "c": 0}
    try:
        expected = _reference(tree)
    except ZeroDivisionError:
        with pytest.raises(ExpressionError, match="division by zero"):
            compile_expression(text).evaluate(variables)
        return
    assert compile_expression(text).evaluate(variables) == expected
    compared = compile_expression(f"{text}{comparison}{bound}").evaluate(variables)
    assert compared is _COMPARISONS[comparison](expected, bound)


@given(st.text(max_size=200))
def test_it_reads_any_string_literal_back(text):
    literal = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    assert value("${" + literal + "}") == text
    if not is_expression(literal):  # a bare text holding ${ is a template, as in JUEL
        assert value(literal) == text


def test_it_evaluates_a_compiled_comparison_many_times_with_different_variables():
    expression = compile_expression("amount > 1000")
    assert [expression.evaluate({"amount": amount}) for amount in (999, 1000, 1001)] == [
        False,
        False,
        True,
    ]
    assert expression.evaluate({"amount": 5}) is False


_FRAGMENTS = [
    *"abx019 .,:?!&|=<>+-*/%()[]{}'\"$#\\_\n",
    *("empty ", " eq ", "null", " and ", " not ", " in ", " is ", " if ", " else ", "**", "${"),
    *("len(", "sorted(", "round(", "now()", ".size()", ".contains(", ".get(", "lambda", " for "),
]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map("".join))
def test_it_raises_only_expression_errors_on_arbitrary_text(text):
    try:
        expression = compile_expression(text)
    except ExpressionError:
        return
    try:
        expression.evaluate({"a": 1, "b": [1, 2], "x": {"y": "z"}})
    except ExpressionError:
        pass
