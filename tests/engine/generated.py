"""Random well-structured processes, rendered once for our engine and once for SpiffWorkflow.

A process is drawn as plain data (sequences, scripts, gateway blocks, subprocesses) over the
integer variables x, y and z, then laid out as BPMN. The two renderings differ only in how a
condition or a script is spelled: our dialect (``${x > 1 && y == 2}``, lines of
``name = expression``) and Python (``x > 1 and y == 2``, ``scriptFormat="python"``). Ids are
numbered in one walk of the structure, so both texts name every element alike.

Branches that run concurrently (parallel and inclusive blocks) never share a variable that one
of them writes: each written variable has one owner branch, and only the owner reads it. The
final variables then do not depend on the order in which an engine interleaves branches.
"""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from hypothesis import strategies as st

VARIABLES = ("x", "y", "z")
MAX_DEPTH = 3


@dataclass(frozen=True)
class Var:
    name: str


@dataclass(frozen=True)
class Const:
    value: int


@dataclass(frozen=True)
class Binary:
    """Arithmetic (``+``, ``-``, ``*``) or a comparison of two expressions."""

    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Logic:
    op: str  # "and" or "or"
    left: object
    right: object


@dataclass(frozen=True)
class Always:
    """No condition on a flow out of an inclusive split: BPMN 2.0 then always takes it."""


ALWAYS = Always()


@dataclass(frozen=True)
class Script:
    assignments: tuple  # of (variable, expression)


@dataclass(frozen=True)
class Task:
    pass


@dataclass(frozen=True)
class Sequence:
    items: tuple


@dataclass(frozen=True)
class Choice:
    """An exclusive or inclusive block: conditional branches, then the default branch."""

    kind: str  # "exclusive" or "inclusive"
    branches: tuple  # of (condition, Sequence)
    default: Sequence


@dataclass(frozen=True)
class Parallel:
    branches: tuple  # of Sequence


@dataclass(frozen=True)
class SubProcess:
    body: Sequence


# Strategies.

GATEWAYS = ("exclusive", "inclusive", "parallel")
ARITHMETIC = ("+", "-", "*")
COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")


@st.composite
def expressions(draw, readable):
    """Draw a small integer expression over the variables that may be read."""
    leaves = st.integers(-3, 3).map(Const)
    if readable:
        leaves = st.one_of(st.sampled_from(sorted(readable)).map(Var), leaves)
    left = draw(leaves)
    op = draw(st.sampled_from((None,) + ARITHMETIC))
    if op is None:
        return left
    # Multiply by a constant only, so values stay small however deep the nesting goes.
    right = draw(st.integers(-2, 3).map(Const) if op == "*" else leaves)
    return Binary(op, left, right)


@st.composite
def conditions(draw, readable):
    """Draw a comparison, or two joined by ``and`` / ``or``."""
    def comparison():
        return st.builds(Binary, st.sampled_from(COMPARISONS), expressions(readable),
                         st.integers(-4, 4).map(Const))

    first = draw(comparison())
    op = draw(st.sampled_from((None, "and", "or")))
    return first if op is None else Logic(op, first, draw(comparison()))


@st.composite
def scripts(draw, writable, readable):
    targets = sorted(writable)
    count = draw(st.integers(1, 2))
    return Script(tuple(
        (draw(st.sampled_from(targets)), draw(expressions(readable))) for _ in range(count)
    ))


@st.composite
def partitions(draw, branches, writable, readable):
    """Give each writable variable to at most one branch: return each branch's (writes, reads)."""
    owners = {v: draw(st.sampled_from((None,) + tuple(range(branches)))) for v in sorted(writable)}
    shared = readable - {v for v, owner in owners.items() if owner is not None}
    return [
        ({v for v, owner in owners.items() if owner == i},
         shared | {v for v, owner in owners.items() if owner == i})
        for i in range(branches)
    ]


@st.composite
def sequences(draw, depth, writable, readable, gateways=GATEWAYS, min_size=1):
    size = draw(st.integers(min_size, 3))
    return Sequence(tuple(draw(blocks(depth, writable, readable, gateways)) for _ in range(size)))


@st.composite
def blocks(draw, depth, writable, readable, gateways=GATEWAYS):
    """Draw one block: a task or script, or below ``depth`` 0 a subprocess or a gateway block."""
    kinds = ["task", "script"] if writable else ["task"]
    if depth > 0:
        kinds += ["subprocess", *gateways]
    kind = draw(st.sampled_from(kinds))
    if kind == "task":
        return Task()
    if kind == "script":
        return draw(scripts(writable, readable))
    if kind == "subprocess":
        return SubProcess(draw(sequences(depth - 1, writable, readable)))
    return draw(gateway_blocks(kind, depth, writable, readable, gateways))


@st.composite
def gateway_blocks(draw, kind, depth, writable, readable, gateways):
    """Draw an exclusive, inclusive or parallel block of two or three branches."""
    count = draw(st.integers(2, 3))
    # When two empty branches link the same split and merge, SpiffWorkflow runs the merge once
    # per flow, even a parallel join, which BPMN 2.0 fires once for a token on each incoming
    # flow: so at most one branch of a block is empty.
    may_be_empty = draw(st.integers(0, count - 1))
    if kind == "exclusive":
        parts = [(writable, readable)] * count
    else:
        parts = draw(partitions(count, writable, readable))
    # SpiffWorkflow's inclusive join looks back for tokens that can still reach it along the
    # first unvisited incoming flow of each element only (InclusiveGateway.
    # _check_threshold_unstructured), so it misses a token behind any other incoming flow of a
    # merge inside a branch, and fires early. Inclusive branches hold no exclusive or inclusive
    # blocks: a token in a parallel block is found, as the parallel join waits in Spiff's task
    # tree too. A subprocess, one element to the join, may contain anything.
    if kind == "inclusive":
        gateways = ("parallel",)
    branches = [
        draw(sequences(depth - 1, writes, reads, gateways, min_size=int(i != may_be_empty)))
        for i, (writes, reads) in enumerate(parts)
    ]
    if kind == "parallel":
        return Parallel(tuple(branches))
    # A split decides every branch before any runs, so its conditions may read everything
    # the block may read.
    condition = conditions(readable)
    if kind == "inclusive":
        condition = st.just(ALWAYS) | condition
    return Choice(kind, tuple((draw(condition), b) for b in branches[:-1]), branches[-1])


def processes():
    """Draw a whole process body: a sequence of blocks at most MAX_DEPTH deep."""
    return sequences(MAX_DEPTH, set(VARIABLES), set(VARIABLES))


def inputs():
    return st.fixed_dictionaries({v: st.integers(-5, 5) for v in VARIABLES})


# Dialects: how each engine spells a condition and a script.


class Baton:
    """Our expression language: JUEL-style ``${…}`` with ``&&`` and ``||``."""

    LOGIC = {"and": "&&", "or": "||"}
    script_attributes = ""

    def expression(self, node) -> str:
        if isinstance(node, Var):
            return node.name
        if isinstance(node, Const):
            return str(node.value)
        op = self.LOGIC.get(node.op, node.op) if isinstance(node, Logic) else node.op
        return f"({self.expression(node.left)} {op} {self.expression(node.right)})"

    def condition(self, node) -> str | None:
        return None if isinstance(node, Always) else "${" + self.expression(node) + "}"

    def script(self, script: Script) -> str:
        return "\n".join(f"{name} = {self.expression(value)}" for name, value in script.assignments)


class Python(Baton):
    """SpiffWorkflow's PythonScriptEngine: conditions and scripts are Python.

    Spiff's parser refuses a flow out of an inclusive split that is neither conditional nor
    the default, so ALWAYS is spelled ``True`` here.
    """

    LOGIC = {}
    script_attributes = ' scriptFormat="python"'

    def condition(self, node) -> str:
        return "True" if isinstance(node, Always) else self.expression(node)


BATON = Baton()
PYTHON = Python()


# Layout.


class Layout:
    """Lay out a structure as BPMN elements and sequence flows, numbering ids as it goes."""

    def __init__(self, dialect):
        self.dialect = dialect
        self.count = 0

    def next_id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def flow(self, out: list, source: str, target: str, condition=None) -> str:
        flow_id = self.next_id("f")
        text = None if condition is None else self.dialect.condition(condition)
        body = "" if text is None else f"<conditionExpression>{escape(text)}</conditionExpression>"
        out.append(f'<sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
                   f"{body}</sequenceFlow>")
        return flow_id

    def scope(self, out: list, body: Sequence) -> None:
        """Lay out a start event, the body and an end event."""
        start = self.next_id("start")
        out.append(f'<startEvent id="{start}"/>')
        entry, exit_id = self.sequence(out, body)
        end = self.next_id("end")
        out.append(f'<endEvent id="{end}"/>')
        if entry is None:
            self.flow(out, start, end)
        else:
            self.flow(out, start, entry)
            self.flow(out, exit_id, end)

    def sequence(self, out: list, sequence: Sequence) -> tuple:
        """Lay out the items in a row; return the first and last id (None, None if empty)."""
        entry = exit_id = None
        for item in sequence.items:
            first, last = self.block(out, item)
            if exit_id is None:
                entry = first
            else:
                self.flow(out, exit_id, first)
            exit_id = last
        return entry, exit_id

    def block(self, out: list, block) -> tuple:
        """Lay out one block; return the ids where its flow comes in and goes out."""
        if isinstance(block, Task):
            node_id = self.next_id("task")
            out.append(f'<task id="{node_id}"/>')
            return node_id, node_id
        if isinstance(block, Script):
            node_id = self.next_id("script")
            text = escape(self.dialect.script(block))
            out.append(
                f'<scriptTask id="{node_id}"{self.dialect.script_attributes}>'
                f"<script>{text}</script></scriptTask>"
            )
            return node_id, node_id
        if isinstance(block, SubProcess):
            node_id, inner = self.next_id("sub"), []
            self.scope(inner, block.body)
            out.append(f'<subProcess id="{node_id}">{"".join(inner)}</subProcess>')
            return node_id, node_id
        if isinstance(block, Parallel):
            return self.gateway(out, "parallelGateway", [(None, b) for b in block.branches], None)
        return self.gateway(out, f"{block.kind}Gateway", list(block.branches), block.default)

    def gateway(self, out: list, tag: str, branches: list, default) -> tuple:
        """Lay out a split, its branches and a merge of the same kind."""
        split, merge = self.next_id("split"), self.next_id("merge")
        for condition, branch in branches + ([(None, default)] if default else []):
            entry, exit_id = self.sequence(out, branch)
            flow_id = self.flow(out, split, entry or merge, condition)
            if entry is not None:
                self.flow(out, exit_id, merge)
        default_id = flow_id if default else None
        attribute = f' default="{default_id}"' if default_id else ""
        out.append(f'<{tag} id="{split}"{attribute}/><{tag} id="{merge}"/>')
        return split, merge


def render(body: Sequence, dialect) -> str:
    """Render a process body (its elements, without the process element) in a dialect."""
    out = []
    Layout(dialect).scope(out, body)
    return "".join(out)
