"""Run small BPMN models through the pure engine with a clock the test controls."""

from collections import Counter
from datetime import datetime, timedelta, timezone

from processes.bpmn.parser import compile_definitions
from processes.bpmn.xml import parse_xml
from processes.engine import effects as fx
from processes.engine.runtime import Engine

HEADER = (
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
)


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


class Instance:
    """One instance driven by a test: its state plus every effect so far."""

    def __init__(self, body: str, variables=None, extra: str = "", actor=None, business_key=None):
        definitions = compile_definitions(parse_xml(
            (HEADER + extra + '<process id="p" isExecutable="true">' + body + "</process></definitions>").encode()
        ))
        self.clock = Clock()
        self.engine = Engine(definitions.processes["p"], self.clock, definitions)
        self.effects = []
        self.names = {}
        result = self.engine.start(variables, actor=actor, business_key=business_key)
        self.state = result.state
        self.record(result)

    def record(self, result):
        self.state = result.state
        self.effects += result.effects
        for effect in result.effects:
            if isinstance(effect, fx.ActivityStarted):
                self.names[effect.seq] = effect.element_id

    def do(self, command, *args, **kwargs):
        self.record(getattr(self.engine, command)(self.state, *args, **kwargs))
        return self

    def of(self, kind):
        return [e for e in self.effects if isinstance(e, kind)]

    def completed(self) -> Counter:
        return Counter(self.names[e.seq] for e in self.of(fx.ActivityEnded) if e.outcome == "completed")

    def ended(self, outcome) -> list[str]:
        return [self.names[e.seq] for e in self.of(fx.ActivityEnded) if e.outcome == outcome]

    def token_at(self, element_id):
        return next(t for t in self.state.tokens.values() if t.element_id == element_id)

    def waiting_at(self) -> list[str]:
        return sorted(t.element_id for t in self.state.tokens.values() if t.state == "waiting")

    def complete(self, element_id, variables=None, actor=None):
        return self.do("complete_task", self.token_at(element_id).id, variables, actor=actor)


def flow(source, target, condition=None, flow_id=None):
    body = f"<conditionExpression>{condition}</conditionExpression>" if condition else ""
    return f'<sequenceFlow id="{flow_id or source + "_" + target}" sourceRef="{source}" targetRef="{target}">{body}</sequenceFlow>'
