"""Build BPMN documents for the import tests, written out so a reader sees what is tested."""

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NAMESPACES = (
    f'xmlns="{BPMN}"'
    ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
    ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
    ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn"'
    ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
    ' xmlns:activiti="http://activiti.org/bpmn"'
)


def definitions(*parts: str) -> bytes:
    """Wrap root elements (processes, messages...) in a <definitions> element."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<definitions {NAMESPACES} id="defs" targetNamespace="http://example.com/tests">\n'
        + "\n".join(parts)
        + "\n</definitions>\n"
    ).encode()


def process(*elements: str, id="p", executable=True, attributes="") -> str:
    """Return a <process> holding the given flow elements."""
    return (
        f'<process id="{id}" isExecutable="{str(executable).lower()}" {attributes}>\n'
        + "\n".join(elements)
        + "\n</process>"
    )


def flow(id: str, source: str, target: str, condition: str | None = None) -> str:
    if condition is None:
        return f'<sequenceFlow id="{id}" sourceRef="{source}" targetRef="{target}"/>'
    return (
        f'<sequenceFlow id="{id}" sourceRef="{source}" targetRef="{target}">'
        f'<conditionExpression xsi:type="tFormalExpression">{condition}</conditionExpression>'
        "</sequenceFlow>"
    )


def straight(task: str = '<userTask id="task" name="Approve"/>', *extra: str, **options) -> bytes:
    """Start → the given task (id "task") → end, plus extra elements."""
    return definitions(
        process(
            '<startEvent id="start"/>',
            flow("f1", "start", "task"),
            task,
            flow("f2", "task", "end"),
            '<endEvent id="end"/>',
            *extra,
            **options,
        )
    )


def large_model(tasks: int) -> bytes:
    """A chain of user tasks, with full DI; after every ten tasks an exclusive gateway
    either goes on (when ${approved}) or, by default, back to the first of the ten."""
    elements, shapes, edges = ['<startEvent id="start"/>'], [_shape("start", 0)], []
    previous, x = "start", 100

    def connect(flow_id, source, target, condition=None):
        elements.append(flow(flow_id, source, target, condition))
        edges.append(_edge(flow_id, x))

    for number in range(tasks):
        task = f"task{number}"
        elements.append(
            f'<userTask id="{task}" name="Task {number}" baton:candidateGroups="clerks"/>'
        )
        connect(f"to_{task}", previous, task)
        shapes.append(_shape(task, x))
        previous, x = task, x + 150
        if number % 10 == 9:
            gateway = f"check{number}"
            elements.append(f'<exclusiveGateway id="{gateway}" default="back{number}"/>')
            connect(f"to_{gateway}", previous, gateway)
            connect(f"back{number}", gateway, f"task{number - 9}")
            shapes.append(_shape(gateway, x))
            previous, x = gateway, x + 100
    elements.append('<endEvent id="end"/>')
    connect("to_end", previous, "end", "${approved}" if previous.startswith("check") else None)
    shapes.append(_shape("end", x))
    diagram = (
        '<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="p">'
        + "".join(shapes)
        + "".join(edges)
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    return definitions(process(*elements), diagram)


def _shape(element: str, x: int) -> str:
    return (
        f'<bpmndi:BPMNShape id="{element}_di" bpmnElement="{element}">'
        f'<dc:Bounds x="{x}" y="100" width="100" height="80"/></bpmndi:BPMNShape>'
    )


def _edge(flow_id: str, x: int) -> str:
    return (
        f'<bpmndi:BPMNEdge id="{flow_id}_di" bpmnElement="{flow_id}">'
        f'<di:waypoint x="{x - 50}" y="140"/><di:waypoint x="{x}" y="140"/></bpmndi:BPMNEdge>'
    )
