"""Fields of how the engine runs an element: asynchronous continuations, retries of failures.

Asynchronous before or after commits the instance at that point and goes on in a job, so a
later failure does not roll back what came before. Retries apply where the engine retries:
service, send and business rule tasks run by a handler, an HTTP call or an expression (an
external worker reports its own failures).
"""

import re

from processes.bpmn.extensions import ACTIVITI, CAMUNDA
from processes.bpmn.model import ACTIVITIES, EVENTS, GATEWAYS
from processes.bpmn.xml import text_of

from . import checks
from .base import AttributeField, Invalid, extension_elements, update
from .services import SERVICE_LIKE, implementation_kind

RETRIED_KINDS = frozenset({"handler", "http", "expression"})
# The cycles the service task's retries understand: a count and one fixed wait.
RETRY_CYCLE = re.compile(r"^R\d+/PT\d+(\.\d+)?[SMH]$")


class AsyncField(AttributeField):
    widget = "checkbox"
    section = "Execution"
    kinds = frozenset(ACTIVITIES | GATEWAYS | EVENTS)

    def current(self, sel):
        return (sel.attr(self.attribute) or "").lower() == "true"

    def clean(self, value, sel):
        if not isinstance(value, bool):
            raise Invalid(f"{self.label} is either on or off.")
        return value

    def edits(self, value, sel) -> list[dict]:
        return [update(sel.attr_edit(self.attribute, True if value else None))]


class AsyncBeforeField(AsyncField):
    """Camunda's older ``async`` means the same: it is read, and removed when this is written."""

    name = attribute = "asyncBefore"
    label = "Asynchronous before"
    help = "Commit before the element starts and go on in a job: the caller does not wait."

    def current(self, sel):
        aliases = [sel.element.get(f"{{{namespace}}}async") for namespace in _async_aliases(sel)]
        return (sel.attr(self.attribute) or next(iter(aliases), "")).lower() == "true"

    def edits(self, value, sel) -> list[dict]:
        properties = sel.attr_edit(self.attribute, True if value else None)
        for namespace in _async_aliases(sel):
            properties[f"{sel.prefix(namespace)}:async"] = None
        return [update(properties)]


class AsyncAfterField(AsyncField):
    name = attribute = "asyncAfter"
    label = "Asynchronous after"
    help = "Commit once the element is done and go on in a job: its work stays if the next fails."


class RetryField(AttributeField):
    section = "Execution"
    kinds = SERVICE_LIKE

    def applies(self, sel) -> bool:
        return super().applies(sel) and implementation_kind(sel) in RETRIED_KINDS


class RetriesField(RetryField):
    name = attribute = "retries"
    label = "Retries"
    placeholder = "3"
    help = "How often a failure is retried before an incident is raised; a retry cycle wins."

    def clean(self, value, sel):
        return checks.whole_number(str(value).strip(), "number of retries", minimum=0)

    def edits(self, value, sel) -> list[dict]:
        return [update(sel.attr_edit(self.attribute, value))]  # 0 is a value: no retries


class RetryCycleField(RetryField):
    """Camunda's ``failedJobRetryTimeCycle`` element is read too, and replaced by ours."""

    name = attribute = "retryCycle"
    label = "Retry cycle"
    placeholder = "R3/PT10S"
    help = "How many retries and how long apart, such as R3/PT10S or R5/PT2M."

    def current(self, sel):
        aliases = sel.extensions("failedJobRetryTimeCycle")
        return sel.attr(self.attribute) or (text_of(aliases[0]) if aliases else "")

    def clean(self, value, sel):
        value = value.strip().upper()
        if value:
            checks.timer("timeCycle", value)
            if not RETRY_CYCLE.match(value):
                raise Invalid(
                    f"'{value}' is not a retry cycle Baton can follow: give a number of retries "
                    "and one wait, such as R3/PT10S, R5/PT2M or R2/PT1H."
                )
        return value

    def edits(self, value, sel) -> list[dict]:
        properties = sel.attr_edit(self.attribute, value or None)
        if sel.extensions("failedJobRetryTimeCycle"):
            properties["extensionElements"] = extension_elements(
                sel, {"failedJobRetryTimeCycle"}, []
            )
        return [update(properties)]

    def reading(self, value, sel) -> str:
        if not RETRY_CYCLE.match(value.upper()):  # a value from the file Baton cannot follow
            return "Baton cannot follow this cycle: write it as R3/PT10S."
        return "retried " + checks.timer("timeCycle", value.upper()).describe()


def _async_aliases(sel) -> list[str]:
    """The namespaces in which the element has Camunda's older ``async`` attribute."""
    return [ns for ns in (CAMUNDA, ACTIVITI) if sel.element.get(f"{{{ns}}}async") is not None]


FIELDS = [AsyncBeforeField(), AsyncAfterField(), RetriesField(), RetryCycleField()]
