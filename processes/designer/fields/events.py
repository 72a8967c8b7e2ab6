"""Fields of events: when a timer fires, which message, signal, error or escalation, and more.

The edits target the event's first event definition, so each field applies only when that
definition is of its trigger. Messages and signals are matched by name, errors and
escalations by code: these are edited on the shared root element, which other events may
use too.
"""

from processes.bpmn.rules import NON_INTERRUPTING_BOUNDARY_TRIGGERS
from processes.bpmn.xml import local_name, text_of
from processes.engine.expressions import is_expression

from ..selection import by_id
from . import checks
from .base import Field, Invalid, create, expression, update

# Timer kinds: the definition's property, how it reads, and an example.
TIMER_KINDS = {
    "timeDate": ("at a date", "2027-01-31T09:00:00Z"),
    "timeDuration": ("after a duration", "PT5M or P2D"),
    "timeCycle": ("repeatedly", "R3/PT10M, or a cron expression such as 0 9 * * 1-5"),
}
NEW = "+new"  # not an XML id, so it never names an existing root element
THROWING = frozenset({"endEvent", "intermediateThrowEvent"})


class TimerKindField(Field):
    name = "timer_kind"
    label = "Fires"
    widget = "select"
    section = "Timer"
    reload = True
    help = "A date fires once; a duration counts from when the timer starts; a cycle repeats."

    def applies(self, sel) -> bool:
        return _definition(sel, "timer") is not None

    def current(self, sel):
        return _timer(sel)[0]

    def choices(self, sel):
        return [(kind, words) for kind, (words, _) in TIMER_KINDS.items()]

    def clean(self, value, sel):
        if value not in TIMER_KINDS:
            raise Invalid("Choose when the timer fires: at a date, after a duration or repeatedly.")
        return value

    def edits(self, value, sel) -> list[dict]:
        return _timer_edits(value, _timer(sel)[1])


class TimerValueField(Field):
    name = "timer_value"
    label = "Timer"
    section = "Timer"
    placeholder = "PT5M, R3/PT1H or 2027-01-31T09:00:00Z"
    help = "ISO 8601 (P2D, PT30M, R/P1W), a cron expression for cycles, or ${...}."

    def applies(self, sel) -> bool:
        return _definition(sel, "timer") is not None

    def current(self, sel):
        return _timer(sel)[1]

    def clean(self, value, sel):
        kind, value = _timer(sel)[0], value.strip()
        if not value:
            raise Invalid(f"Say when the timer fires, such as {TIMER_KINDS[kind][1]}.")
        if not is_expression(value) and (kind == "timeDuration" or value[:1] in ("r", "R")):
            value = value.upper()
        checks.timer(kind, value)
        return value

    def edits(self, value, sel) -> list[dict]:
        return _timer_edits(_timer(sel)[0], value)

    def reading(self, value, sel) -> str:
        try:
            timer = checks.timer(_timer(sel)[0], value)
        except Invalid as problem:  # a value from the file that no longer fits its kind
            return str(problem)
        return timer.describe() if timer else "computed when the timer starts"


class ReferenceField(Field):
    """Which message, signal, error or escalation the event waits for or throws."""

    widget = "select"
    section = "Event"
    reload = True
    trigger = ""

    def applies(self, sel) -> bool:
        return _definition(sel, self.trigger) is not None

    def current(self, sel):
        return _definition(sel, self.trigger).get(f"{self.trigger}Ref", "")

    def choices(self, sel):
        roots = [(root.get("id"), _label(root)) for root in sel.roots(self.trigger)]
        if not self._required(sel):
            blank = [("", f"any {self.trigger}")]
        else:
            blank = [] if self.current(sel) else [("", f"choose a {self.trigger}")]
        return [*blank, *roots, (NEW, f"new {self.trigger}")]

    def clean(self, value, sel):
        if value == NEW or value in {root.get("id") for root in sel.roots(self.trigger)}:
            return value
        if value:
            raise Invalid(f"This file has no {self.trigger} '{value}': pick one from the list.")
        if self._required(sel):
            raise Invalid(f"Pick the {self.trigger} of this event, or create a new one.")
        return value

    def edits(self, value, sel) -> list[dict]:
        reference = f"{self.trigger}Ref"
        if value != NEW:
            return [update({reference: {"$ref": value} if value else None}, "eventDefinition")]
        root_id = _unique_id(sel, self.trigger.capitalize())
        name = _new_name(sel, self.trigger, root_id)
        root = create(f"bpmn:{self.trigger.capitalize()}", id=root_id, name=name)
        return [
            {"op": "addRoot", "element": root},
            update({reference: {"$ref": root_id}}, "eventDefinition"),
        ]

    def _required(self, sel) -> bool:
        """Messages and signals always, errors and escalations when thrown (as deployment)."""
        return self.trigger in ("message", "signal") or sel.kind in THROWING


class MessageField(ReferenceField):
    name = trigger = "message"
    label = "Message"
    help = "A message reaches the instances waiting for it by its name (and business key)."


class SignalField(ReferenceField):
    name = trigger = "signal"
    label = "Signal"
    help = "A signal reaches every instance waiting for one of the same name."


class ErrorField(ReferenceField):
    name = trigger = "error"
    label = "Error"
    help = "Errors are matched by code; catching any error also catches technical failures."


class EscalationField(ReferenceField):
    name = trigger = "escalation"
    label = "Escalation"
    help = "Escalations are matched by code; unlike errors, they need not stop the activity."


class RootNameField(Field):
    """The name of the message or signal the event refers to, which matches it at run time."""

    section = "Event"
    trigger = ""

    def applies(self, sel) -> bool:
        return _root(sel, self.trigger) is not None

    def current(self, sel):
        return _root(sel, self.trigger).get("name", "")

    def clean(self, value, sel):
        value, root = value.strip(), _root(sel, self.trigger)
        if not value:
            raise Invalid(f"Name the {self.trigger}: senders and receivers are matched by it.")
        other = next(
            (r for r in sel.roots(self.trigger) if r.get("name") == value and r is not root), None
        )
        if other is not None:
            raise Invalid(
                f"The {self.trigger} '{other.get('id')}' is already named '{value}': pick it "
                "in the list above instead."
            )
        return value

    def edits(self, value, sel) -> list[dict]:
        return [update({"name": value}, {"id": _root(sel, self.trigger).get("id")})]

    def reading(self, value, sel) -> str:
        return _shared(sel, self.trigger)


class MessageNameField(RootNameField):
    name = "message_name"
    trigger = "message"
    label = "Message name"


class SignalNameField(RootNameField):
    name = "signal_name"
    trigger = "signal"
    label = "Signal name"


class CodeField(Field):
    """The code of the error or escalation the event refers to, by which catching matches."""

    section = "Event"
    trigger = ""

    def applies(self, sel) -> bool:
        return _root(sel, self.trigger) is not None

    def current(self, sel):
        return _root(sel, self.trigger).get(f"{self.trigger}Code", "")

    def clean(self, value, sel):
        value = value.strip()
        if is_expression(value):
            raise Invalid(
                f"The {self.trigger} code is matched as written: give the code itself, such as "
                "PAYMENT_FAILED."
            )
        if not value and self.trigger == "escalation" and sel.kind in THROWING:
            raise Invalid("Give the escalation a code, so that catching events can match it.")
        return value

    def edits(self, value, sel) -> list[dict]:
        root_id = _root(sel, self.trigger).get("id")
        return [update({f"{self.trigger}Code": value or None}, {"id": root_id})]

    def reading(self, value, sel) -> str:
        return _shared(sel, self.trigger)


class ErrorCodeField(CodeField):
    name = "error_code"
    trigger = "error"
    label = "Error code"
    placeholder = "PAYMENT_FAILED"


class EscalationCodeField(CodeField):
    name = "escalation_code"
    trigger = "escalation"
    label = "Escalation code"
    placeholder = "LATE_DELIVERY"


class InterruptingField(Field):
    name = "interrupting"
    label = "Interrupting"
    widget = "checkbox"
    section = "Event"
    help = (
        "When the event happens, an interrupting event stops the activity (or the enclosing "
        "process); otherwise the activity goes on and the event's path runs alongside."
    )

    def applies(self, sel) -> bool:
        return _interruption(sel) is not None

    def current(self, sel):
        return sel.element.get(_interruption(sel), "true").lower() == "true"

    def clean(self, value, sel):
        if not isinstance(value, bool):
            raise Invalid("Interrupting is either on or off.")
        return value

    def edits(self, value, sel) -> list[dict]:
        return [update({_interruption(sel): value})]


class EventConditionField(Field):
    name = "event_condition"
    label = "Condition"
    section = "Event"
    placeholder = "${stock < 10}"
    help = "The event happens when this becomes true as variables change."

    def applies(self, sel) -> bool:
        return _definition(sel, "conditional") is not None

    def current(self, sel):
        return sel.child_text("condition", _definition(sel, "conditional"))

    def clean(self, value, sel):
        return checks.condition(value.strip())

    def edits(self, value, sel) -> list[dict]:
        return [update({"condition": expression(value)}, "eventDefinition")]


class LinkNameField(Field):
    name = "link_name"
    label = "Link name"
    section = "Event"
    help = "A throwing link jumps to the catching link of the same name in the same (sub)process."

    def applies(self, sel) -> bool:
        return _definition(sel, "link") is not None

    def current(self, sel):
        return _definition(sel, "link").get("name", "")

    def clean(self, value, sel):
        value = value.strip()
        if not value:
            raise Invalid("Name the link: the throwing and catching links pair by name.")
        return value

    def edits(self, value, sel) -> list[dict]:
        return [update({"name": value}, "eventDefinition")]


def _definition(sel, trigger: str):
    """The event's first definition if it is of ``trigger`` (the one edits target), or None."""
    definition = sel.event_definition()
    if definition is not None and local_name(definition.tag) == f"{trigger}EventDefinition":
        return definition
    return None


def _timer(sel) -> tuple[str, str]:
    """The timer's kind and text; a timer without a value counts as a duration."""
    definition = _definition(sel, "timer")
    for kind in TIMER_KINDS:
        found = sel.child(kind, definition)
        if found is not None:
            return kind, text_of(found)
    return "timeDuration", ""


def _timer_edits(kind: str, text: str) -> list[dict]:
    """Set the timer's value on the property of ``kind`` and remove the other two."""
    properties = {
        name: create("bpmn:FormalExpression", body=text) if name == kind else None
        for name in TIMER_KINDS
    }
    return [update(properties, "eventDefinition")]


def _root(sel, trigger: str):
    """The message, signal, error or escalation the event's definition refers to, or None."""
    definition = _definition(sel, trigger)
    reference = definition.get(f"{trigger}Ref") if definition is not None else None
    return next((root for root in sel.roots(trigger) if root.get("id") == reference), None)


def _label(root) -> str:
    name, code = root.get("name"), root.get("errorCode") or root.get("escalationCode")
    label = name or root.get("id")
    return f"{label} ({code})" if code else label


def _unique_id(sel, prefix: str) -> str:
    number = 1
    while by_id(sel.root, f"{prefix}_{number}") is not None:
        number += 1
    return f"{prefix}_{number}"


def _new_name(sel, trigger: str, root_id: str) -> str:
    """The event's name, unless a root of the same kind already has it; else the new id."""
    name = sel.element.get("name", "").strip()
    taken = {root.get("name") for root in sel.roots(trigger)}
    return name if name and name not in taken else root_id


def _shared(sel, trigger: str) -> str:
    """Which other elements use the same root element: editing it changes them too."""
    root_id, own = _root(sel, trigger).get("id"), _definition(sel, trigger)
    users = [
        _user(element) for element in sel.root.xpath(f"//*[@{trigger}Ref=$id]", id=root_id)
        if element is not own
    ]
    return f"Also used by {', '.join(users)}." if users else ""


def _user(element) -> str:
    """The name of what refers to a root element: the event (not its definition), a task."""
    while element.getparent() is not None and (
        local_name(element.tag).endswith("EventDefinition") or not element.get("id")
    ):
        element = element.getparent()
    return element.get("name") or element.get("id", "")


def _interruption(sel) -> str | None:
    """The attribute saying whether the event interrupts, if it may be non-interrupting."""
    triggers = {
        local_name(child.tag).removesuffix("EventDefinition")
        for child in sel.element
        if local_name(child.tag).endswith("EventDefinition")
    }
    if not triggers or not triggers <= NON_INTERRUPTING_BOUNDARY_TRIGGERS:
        return None
    if sel.kind == "boundaryEvent":
        return "cancelActivity"
    if sel.kind == "startEvent" and sel.element.getparent().get("triggeredByEvent") == "true":
        return "isInterrupting"
    return None


FIELDS = [
    TimerKindField(), TimerValueField(), MessageField(), SignalField(), ErrorField(),
    EscalationField(), MessageNameField(), SignalNameField(), ErrorCodeField(),
    EscalationCodeField(), InterruptingField(), EventConditionField(), LinkNameField(),
]
