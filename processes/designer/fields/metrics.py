"""Fields the KPI dashboards read: quality gates, a process's SLA and when requests were made."""

from processes.bpmn.model import ACTIVITIES, GATEWAYS
from processes.engine.expressions import is_expression

from . import checks
from .base import AttributeField, Invalid, ProcessAttributeField


class QualityGateField(AttributeField):
    name = attribute = "qualityGate"
    label = "Quality gate"
    section = "Measurement"
    kinds = frozenset(ACTIVITIES | GATEWAYS)
    placeholder = "${approved}"
    help = (
        "True when the work passes this check: the dashboards count the instances that pass "
        "it the first time (first-pass yield) against those sent back for rework."
    )

    def clean(self, value, sel):
        value = value.strip()
        return checks.condition(value, "quality gate") if value else ""


class SlaField(ProcessAttributeField):
    name = attribute = "sla"
    label = "SLA"
    placeholder = "P3D"
    help = "How long an instance may take, as an ISO 8601 duration: P3D, PT4H, P1DT12H."

    def clean(self, value, sel):
        value = value.strip().upper()
        if not value:
            return ""
        if is_expression(value) or not value.startswith("P"):
            raise Invalid(
                f"'{value}' is not a duration: write the SLA as P3D (3 days) or PT4H (4 hours)."
            )
        checks.timer("timeDuration", value)
        return value

    def reading(self, value, sel) -> str:
        try:
            timer = checks.timer("timeDuration", value.upper())
        except Invalid as problem:  # a value from the file that is no duration
            return str(problem)
        return timer.describe().removeprefix("after ") if timer else ""


class RequestedAtField(ProcessAttributeField):
    name = attribute = "requestedAtVariable"
    label = "Requested-at variable"
    placeholder = "receivedAt"
    help = (
        "A variable holding when the customer asked (the date on a letter, say): lead times "
        "are measured from it instead of from the start of the instance."
    )

    def clean(self, value, sel):
        return checks.variable(value.strip(), "requested-at variable")


FIELDS = [QualityGateField(), SlaField(), RequestedAtField()]
