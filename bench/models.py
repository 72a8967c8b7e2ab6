"""Generate large BPMN models for the benchmarks."""

from processes.bpmn.layout import layout
from processes.bpmn.writer import to_bytes
from processes.bpmn.xml import parse_xml

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn"'
    ' id="bench" targetNamespace="http://baton-bpm.org/bench">\n'
)


def wide_model(tasks: int = 2000, width: int = 40) -> bytes:
    """A process of ``tasks`` user tasks: parallel blocks of ``width`` branches in sequence.

    Returned with diagram information laid out by the server, as a real 2,000-task model
    from a modeling tool would carry it.
    """
    parts = [HEADER, '<process id="big" name="Big process" isExecutable="true">',
             '<startEvent id="start"/>']
    previous, flow = "start", 0

    def connect(source, target, condition=None):
        nonlocal flow
        flow += 1
        body = f"<conditionExpression>{condition}</conditionExpression>" if condition else ""
        parts.append(f'<sequenceFlow id="f{flow}" sourceRef="{source}" targetRef="{target}">{body}</sequenceFlow>')

    for block in range(tasks // width):
        fork, join = f"fork{block}", f"join{block}"
        parts.append(f'<parallelGateway id="{fork}"/><parallelGateway id="{join}"/>')
        connect(previous, fork)
        for branch in range(width):
            task = f"task_{block}_{branch}"
            parts.append(
                f'<userTask id="{task}" name="Task {block}.{branch}" '
                f'baton:candidateGroups="Employees" baton:dueDate="P2D"/>'
            )
            connect(fork, task)
            connect(task, join)
        previous = join
    parts.append('<exclusiveGateway id="check" default="f_end"/><endEvent id="end"/>')
    connect(previous, "check")
    parts.append('<sequenceFlow id="f_end" sourceRef="check" targetRef="end"/>')
    connect("check", "end", "${amount &gt; 1000}")
    parts.append("</process></definitions>")
    return to_bytes(layout(parse_xml("".join(parts).encode())))
