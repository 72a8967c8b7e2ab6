"""The designer panel's fields, one small class per property, grouped by what they configure."""

from . import calls, events, execution, flows, general, loops, metrics, scripts, services, tasks

SECTIONS = (
    "General", "Assignment", "Form", "Implementation", "Script", "Condition", "Flow", "Timer",
    "Event", "Call", "Multi-instance", "Execution", "Measurement",
)

FIELDS = [
    *general.FIELDS, *tasks.FIELDS, *flows.FIELDS, *services.FIELDS, *scripts.FIELDS,
    *events.FIELDS, *calls.FIELDS, *loops.FIELDS, *execution.FIELDS, *metrics.FIELDS,
]
