"""Conditional events: they happen when their condition holds (BPMN 2.0, 10.5.4 and 10.5.5).

A conditional catch event, boundary event or event-subprocess start waits in the instance's
state, not in the database: its condition is evaluated at the end of every command that
changed variables or began such a wait, and each wait fires at most once per command (a
non-interrupting one may fire again in a later command that changes variables again).
"""

from functools import lru_cache

from processes.engine.behaviours import event_subprocess
from processes.engine.expressions import compile_expression


@lru_cache(maxsize=1024)
def _compiled(text: str):
    return compile_expression(text)


def condition_of(node) -> str | None:
    return next((d.condition.text for d in node.event_definitions
                 if d.kind == "conditional" and d.condition is not None), None)


def waits(run) -> list[tuple]:
    """Every conditional wait of the instance now: (holder token or None, event)."""
    found = []
    for scope in [None] + [t for t in run.state.tokens.values() if t.state == "scope"]:
        for start in event_subprocess.starts_in(run, scope):
            if "conditional" in start.triggers:
                found.append((scope, start))
    for token in list(run.state.tokens.values()):
        at = run.plan.nodes[token.element_id]
        if token.state == "waiting" and at.kind == "intermediateCatchEvent":
            candidates = [at]
        elif token.state == "waiting" and at.kind == "eventBasedGateway":
            candidates = [run.plan.nodes[run.plan.flows[f].target] for f in at.outgoing]
        elif (token.activity_seq is not None and token.state in ("waiting", "scope", "failed")
              and run.state.loop_body(token) is None):
            candidates = [run.plan.nodes[b] for b in at.boundary_events]
        else:
            candidates = []
        found += [(token, event) for event in candidates if "conditional" in event.triggers]
    return found


def fire(run, served: set) -> bool:
    """Deliver every conditional wait whose condition holds; return whether any fired."""
    fired = False
    for holder, event in waits(run):
        key = (holder.id if holder else event_subprocess.PROCESS_SCOPE, event.id)
        alive = holder is None or run.state.tokens.get(holder.id) is holder
        if key in served or not alive:
            continue
        if bool(run.evaluate(_compiled(condition_of(event)), event, run.variables_of(holder))):
            served.add(key)
            run.deliver(holder, event, {}, trigger=("conditional", None))
            fired = True
    return fired
