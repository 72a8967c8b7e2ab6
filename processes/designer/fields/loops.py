"""Fields of repeated activities: multi-instance (once per item, or n times) and standard loops.

The loop type creates or removes the activity's loop characteristics; the other fields edit
them (the edit target "loopCharacteristics"). Switching between parallel and sequential
keeps the collection, cardinality and completion condition.
"""

from processes.bpmn.model import ACTIVITIES

from . import checks
from .base import Field, Invalid, create, expression, update

MULTI = "multiInstanceLoopCharacteristics"
LOOP_TYPES = {
    "": "none",
    "parallel": "multi-instance, in parallel",
    "sequential": "multi-instance, one after another",
    "loop": "loop while a condition holds",
}


class LoopTypeField(Field):
    name = "loop_type"
    label = "Repeat"
    widget = "select"
    section = "Multi-instance"
    reload = True
    help = "Multi-instance runs once per item of a collection, or a number of times."

    def applies(self, sel) -> bool:
        return sel.kind in ACTIVITIES and sel.element.get("triggeredByEvent") != "true"

    def current(self, sel):
        multi = sel.child(MULTI)
        if multi is not None:
            return "sequential" if multi.get("isSequential") == "true" else "parallel"
        return "loop" if sel.child("standardLoopCharacteristics") is not None else ""

    def choices(self, sel):
        return list(LOOP_TYPES.items())

    def clean(self, value, sel):
        if value not in LOOP_TYPES:
            raise Invalid("Choose how the activity repeats: none, parallel, sequential or loop.")
        return value

    def edits(self, value, sel) -> list[dict]:
        if value == self.current(sel):
            return []
        if value in ("parallel", "sequential"):
            sequential = value == "sequential"
            if sel.child(MULTI) is not None:  # keep what the instances run over
                return [update({"isSequential": sequential}, "loopCharacteristics")]
            loop = create("bpmn:MultiInstanceLoopCharacteristics", isSequential=sequential)
        elif value == "loop":
            loop = create("bpmn:StandardLoopCharacteristics")
        else:
            loop = None
        return [update({"loopCharacteristics": loop})]


class LoopField(Field):
    """A property of the activity's loop characteristics, of the kind ``characteristics``."""

    section = "Multi-instance"
    characteristics = MULTI

    def applies(self, sel) -> bool:
        return sel.kind in ACTIVITIES and sel.child(self.characteristics) is not None

    def loop(self, sel):
        return sel.child(self.characteristics)


class CollectionField(LoopField):
    name = attribute = "collection"
    label = "Collection"
    placeholder = "${reviewers}"
    help = "One instance runs per item of this list; leave it empty to use the cardinality."

    def current(self, sel):
        return sel.attr(self.attribute, self.loop(sel)) or ""

    def clean(self, value, sel):
        value = value.strip()
        if value:
            checks.expression(value, "collection")
        return value

    def edits(self, value, sel) -> list[dict]:
        properties = sel.attr_edit(self.attribute, value or None, self.loop(sel))
        return [update(properties, "loopCharacteristics")]


class ElementVariableField(CollectionField):
    name = attribute = "elementVariable"
    label = "Element variable"
    placeholder = "reviewer"
    help = "Each instance sees its item of the collection under this name."

    def clean(self, value, sel):
        return checks.variable(value.strip(), "element variable")


class CardinalityField(LoopField):
    name = "loop_cardinality"
    label = "Cardinality"
    placeholder = "3 or ${copies}"
    help = "How many instances run, when there is no collection."

    def current(self, sel):
        return sel.child_text("loopCardinality", self.loop(sel))

    def clean(self, value, sel):
        value = value.strip()
        compiled = checks.expression(value, "cardinality") if value else None
        if compiled is not None and not compiled.names:
            count = compiled.evaluate({})
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise Invalid(f"The cardinality is {count!r}: give a whole number of at least 0.")
        return value

    def edits(self, value, sel) -> list[dict]:
        return [update({"loopCardinality": expression(value)}, "loopCharacteristics")]


class ConditionField(LoopField):
    """A condition of the loop characteristics, optional: none means run them all."""

    property = ""

    def current(self, sel):
        return sel.child_text(self.property, self.loop(sel))

    def clean(self, value, sel):
        value = value.strip()
        return checks.condition(value, self.label.lower()) if value else ""

    def edits(self, value, sel) -> list[dict]:
        return [update({self.property: expression(value)}, "loopCharacteristics")]


class CompletionConditionField(ConditionField):
    name = "completion_condition"
    property = "completionCondition"
    label = "Completion condition"
    placeholder = "${nrOfCompletedInstances >= 2}"
    help = "Checked as each instance ends: when true, the instances still running are cancelled."


class LoopConditionField(ConditionField):
    name = "loop_condition"
    property = "loopCondition"
    characteristics = "standardLoopCharacteristics"
    label = "Loop condition"
    placeholder = "${not approved}"
    help = "Checked after each run: the activity runs again while this is true."


FIELDS = [
    LoopTypeField(), CollectionField(), ElementVariableField(), CardinalityField(),
    CompletionConditionField(), LoopConditionField(),
]
