"""Fields that steer the flow: the condition of a sequence flow, the default flow of a split."""

from processes.bpmn.model import ACTIVITIES
from processes.bpmn.xml import local_name

from ..selection import by_id
from . import checks
from .base import Field, Invalid, expression, update

SPLITS = frozenset({"exclusiveGateway", "inclusiveGateway", "complexGateway"})


class ConditionField(Field):
    name = "condition"
    label = "Condition"
    section = "Condition"
    kinds = frozenset({"sequenceFlow"})
    placeholder = "${amount > 1000}"
    help = "The flow is taken when this is true. Leave it empty on the default flow."

    def applies(self, sel) -> bool:
        """Flows out of splitting gateways, and conditional flows out of activities."""
        return super().applies(sel) and _source_kind(sel) in SPLITS | ACTIVITIES

    def current(self, sel):
        return sel.child_text("conditionExpression")

    def clean(self, value, sel):
        value = value.strip()
        if value and _is_default(sel):
            raise Invalid(
                "This is the default flow of its gateway, taken when no other condition is "
                "true: it has no condition. Make another flow the default first."
            )
        return checks.condition(value) if value else ""

    def edits(self, value, sel) -> list[dict]:
        return [update({"conditionExpression": expression(value)})]


class DefaultFlowField(Field):
    name = "default"
    label = "Default flow"
    widget = "select"
    section = "Flow"
    reload = True
    help = "Taken when no condition of the other flows is true."

    def applies(self, sel) -> bool:
        return (sel.kind in SPLITS or sel.kind in ACTIVITIES) and len(sel.outgoing()) > 1

    def current(self, sel):
        return sel.element.get("default", "")

    def choices(self, sel):
        return [("", "none")] + [
            (flow.get("id"), f"{flow.get('name') or flow.get('id')} → {_target_name(sel, flow)}")
            for flow in sel.outgoing()
        ]

    def clean(self, value, sel):
        if value and value not in {flow.get("id") for flow in sel.outgoing()}:
            raise Invalid(f"'{value}' is not an outgoing flow of this element.")
        return value

    def edits(self, value, sel) -> list[dict]:
        edits = [update({"default": {"$ref": value} if value else None})]
        if value and sel.child("conditionExpression", by_id(sel.root, value)) is not None:
            edits.append(update({"conditionExpression": None}, {"id": value}))
        return edits


def _source(sel):
    return by_id(sel.root, sel.element.get("sourceRef", ""))


def _source_kind(sel) -> str | None:
    source = _source(sel)
    return local_name(source.tag) if source is not None else None


def _is_default(sel) -> bool:
    source = _source(sel)
    return source is not None and source.get("default") == sel.id


def _target_name(sel, flow) -> str:
    target = by_id(sel.root, flow.get("targetRef", ""))
    if target is None:
        return "?"
    return target.get("name") or target.get("id")


FIELDS = [ConditionField(), DefaultFlowField()]
