from datetime import UTC, datetime

import pytest

from processes.engine.expressions import ExpressionError, Limits, compile_script


def test_it_runs_lines_in_order_and_returns_what_they_assign():
    script = compile_script(
        """
        subtotal = price * quantity
        tax = subtotal * 0.25
        total = subtotal + tax
        """
    )
    variables = {"price": 40, "quantity": 3}
    assert script.run(variables) == {"subtotal": 120, "tax": 30.0, "total": 150.0}
    assert variables == {"price": 40, "quantity": 3}


def test_it_lets_a_later_line_overwrite_an_input_variable():
    script = compile_script("count = count + 1\ncount = count * 10")
    assert script.run({"count": 1}) == {"count": 20}


def test_it_skips_blank_lines_and_comments():
    script = compile_script(
        "# pricing rules\n\n  discount = 0.1  # ten percent\n# done\nlabel = 'vip # 1'\n"
    )
    assert script.run({}) == {"discount": 0.1, "label": "vip # 1"}


@pytest.mark.parametrize(
    "line, expected",
    [
        ("total += 5", 15),
        ("total -= 5", 5),
        ("total *= 5", 50),
        ("total /= 4", 2.5),
    ],
)
def test_it_updates_a_variable_in_place(line, expected):
    assert compile_script(line).run({"total": 10}) == {"total": expected}


def test_it_reads_juel_and_python_syntax_alike():
    script = compile_script(
        "approved = amount lt 1000 && !blocked\n"
        "route = approved ? 'auto' : 'manual'\n"
        "name = customer.name.toUpperCase()\n"
    )
    assert script.run({"amount": 500, "blocked": False, "customer": {"name": "ada"}}) == {
        "approved": True,
        "route": "auto",
        "name": "ADA",
    }


def test_it_joins_lines_while_brackets_are_open():
    script = compile_script(
        "lines = [\n"
        "    {'sku': 'A', 'qty': 2},\n"
        "    {'sku': 'B', 'qty': 3},\n"
        "]\n"
        "count = len(lines)\n"
    )
    assert script.run({}) == {
        "lines": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 3}],
        "count": 2,
    }


def test_it_uses_the_given_clock():
    moment = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    assert compile_script("stamp = now().isoformat()").run({}, now=moment) == {
        "stamp": moment.isoformat()
    }


@pytest.mark.parametrize(
    "text, message, line",
    [
        (
            "a = 1\nif a: b = 2",
            "line 2: expected an assignment such as 'total = price * quantity'",
            2,
        ),
        ("a == 1", "line 1: expected an assignment such as 'total = price * quantity'", 1),
        ("SCRIPT_task1", "line 1: expected an assignment such as 'total = price * quantity'", 1),
        ("_secret = 1", "line 1: '_secret' cannot be assigned", 1),
        ("true = 1", "line 1: 'true' cannot be assigned", 1),
        ("None = 1", "line 1: 'None' cannot be assigned", 1),
        ("a = 1\n\nb = open('x')", "line 3: unknown function 'open' (at character 5)", 3),
        ("a = 1\nb = (a +", "line 2: '(' is never closed (at character 5)", 2),
        ("a = b = 1", "line 1: '=' assigns a value; use '==' to compare (at character 7)", 1),
        (
            "x = y.__class__",
            "line 1: names starting with '_' are not allowed ('__class__') (at character 5)",
            1,
        ),
    ],
)
def test_it_names_the_line_of_a_compile_error(text, message, line):
    with pytest.raises(ExpressionError) as caught:
        compile_script(text)
    assert str(caught.value) == message
    assert caught.value.line == line


def test_it_names_the_line_of_a_run_time_error():
    script = compile_script("a = 1\nb = a + missing\nc = 3")
    with pytest.raises(ExpressionError) as caught:
        script.run({})
    assert str(caught.value) == "line 2: unknown variable 'missing'"
    assert caught.value.line == 2


def test_it_reports_division_by_zero_with_its_line():
    with pytest.raises(ExpressionError, match=r"^line 1: division by zero$"):
        compile_script("ratio = done / total").run({"done": 1, "total": 0})


def test_it_bounds_values_that_grow_from_line_to_line():
    script = compile_script("text = 'x' * 40000\ntext = text + text\ntext = text + text")
    with pytest.raises(ExpressionError, match=r"^line 3: the result would have more than 100000"):
        script.run({})
    squares = compile_script("n = 2 ** 4000\nn = n * n")
    with pytest.raises(
        ExpressionError, match=r"^line 2: the number would be larger than 4096 bits"
    ):
        squares.run({})


def test_it_bounds_the_total_run_time():
    script = compile_script("a = len(items)\nb = len(items)", Limits(max_seconds=0))
    with pytest.raises(ExpressionError, match=r"^line 1: evaluation took longer than 0 seconds"):
        script.run({"items": [1]})


def test_it_refuses_a_script_that_is_too_long():
    with pytest.raises(ExpressionError, match="longer than 100000 characters"):
        compile_script("a = 1\n" * 20_000)


def test_it_accepts_an_empty_script():
    assert compile_script("# nothing to do\n").run({"a": 1}) == {}


def test_a_script_throws_a_bpmn_error_its_boundary_event_catches():
    from processes.engine import effects as fx
    from tests.engine.runner import Instance, flow

    run = Instance(
        '<startEvent id="s"/>' + flow("s", "check")
        + '<scriptTask id="check"><script>error = bpmn_error("REJECTED", "too large")</script></scriptTask>'
        + '<boundaryEvent id="rejected" attachedToRef="check"><errorEventDefinition errorRef="err"/></boundaryEvent>'
        + flow("check", "e1") + flow("rejected", "e2") + '<endEvent id="e1"/><endEvent id="e2"/>',
        extra='<error id="err" errorCode="REJECTED"/>',
    )
    assert run.completed()["e2"] == 1 and "e1" not in run.completed()
    assert not run.of(fx.IncidentOpened)


def test_bpmn_error_in_a_condition_is_an_incident_not_a_crash():
    from processes.engine import effects as fx
    from tests.engine.runner import Instance, flow

    run = Instance(
        '<startEvent id="s"/>' + flow("s", "g") + '<exclusiveGateway id="g" default="d"/>'
        + flow("g", "e1", '${bpmn_error("X")}') + '<sequenceFlow id="d" sourceRef="g" targetRef="e2"/>'
        + '<endEvent id="e1"/><endEvent id="e2"/>'
    )
    assert "script task only" in run.of(fx.IncidentOpened)[0].message
