"""Small BPMN documents for tests, written out in full so a reader sees what is tested."""

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"'
    ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
    ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI"'
    ' xmlns:baton="http://baton-bpm.org/schema/1.0/bpmn"'
    ' id="defs" targetNamespace="http://example.com/tests">\n'
)


def simple_process(key="invoice", name="Invoice approval", task="Approve invoice", *,
                   executable=True, with_di=True) -> bytes:
    """Start → user task → end, optionally with diagram information."""
    di = (
        '<bpmndi:BPMNDiagram id="diagram"><bpmndi:BPMNPlane id="plane" bpmnElement="{key}">'
        '<bpmndi:BPMNShape id="start_di" bpmnElement="start"><dc:Bounds x="100" y="100" width="36" height="36"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="task_di" bpmnElement="task"><dc:Bounds x="200" y="78" width="100" height="80"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="end_di" bpmnElement="end"><dc:Bounds x="360" y="100" width="36" height="36"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNEdge id="f1_di" bpmnElement="f1"><di:waypoint x="136" y="118"/><di:waypoint x="200" y="118"/></bpmndi:BPMNEdge>'
        '<bpmndi:BPMNEdge id="f2_di" bpmnElement="f2"><di:waypoint x="300" y="118"/><di:waypoint x="360" y="118"/></bpmndi:BPMNEdge>'
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n"
    ).format(key=key) if with_di else ""
    return (
        HEADER
        + f'<process id="{key}" name="{name}" isExecutable="{str(executable).lower()}">\n'
        '<startEvent id="start" name="Invoice received"/>\n'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="task"/>\n'
        f'<userTask id="task" name="{task}" baton:candidateGroups="Managers"/>\n'
        '<sequenceFlow id="f2" sourceRef="task" targetRef="end"/>\n'
        '<endEvent id="end" name="Done"/>\n'
        "</process>\n" + di + "</definitions>\n"
    ).encode()


def gateway_without_default() -> bytes:
    """An exclusive gateway with two unconditional flows and no default: not deployable."""
    return (
        HEADER
        + '<process id="review" isExecutable="true">\n'
        '<startEvent id="start"/>\n'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="choice"/>\n'
        '<exclusiveGateway id="choice" name="Approved?"/>\n'
        '<sequenceFlow id="yes" sourceRef="choice" targetRef="end_yes"/>\n'
        '<sequenceFlow id="no" sourceRef="choice" targetRef="end_no"/>\n'
        '<endEvent id="end_yes"/><endEvent id="end_no"/>\n'
        "</process>\n"
        '<bpmndi:BPMNDiagram id="d"><bpmndi:BPMNPlane id="p" bpmnElement="review">'
        '<bpmndi:BPMNShape id="s_di" bpmnElement="start"><dc:Bounds x="50" y="50" width="36" height="36"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="c_di" bpmnElement="choice"><dc:Bounds x="150" y="43" width="50" height="50"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="y_di" bpmnElement="end_yes"><dc:Bounds x="260" y="0" width="36" height="36"/></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="n_di" bpmnElement="end_no"><dc:Bounds x="260" y="100" width="36" height="36"/></bpmndi:BPMNShape>'
        "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n"
        "</definitions>\n"
    ).encode()


def approval_process(key="approval") -> bytes:
    """Start → 'Review' user task (group Employees, form: approved, amount) → XOR → two ends."""
    return (
        HEADER
        + f'<process id="{key}" name="Approval" isExecutable="true">\n'
        '<startEvent id="start"/>\n'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="review"/>\n'
        '<userTask id="review" name="Review" baton:candidateGroups="Employees">\n'
        '  <extensionElements>\n'
        '    <baton:formField id="approved" label="Approved" type="boolean"/>\n'
        '    <baton:formField id="amount" label="Amount" type="integer" required="true" min="1"/>\n'
        "  </extensionElements>\n"
        "</userTask>\n"
        '<sequenceFlow id="f2" sourceRef="review" targetRef="decide"/>\n'
        '<exclusiveGateway id="decide" default="rejected_flow"/>\n'
        '<sequenceFlow id="approved_flow" sourceRef="decide" targetRef="approved_end">\n'
        "  <conditionExpression>${approved}</conditionExpression>\n"
        "</sequenceFlow>\n"
        '<sequenceFlow id="rejected_flow" sourceRef="decide" targetRef="rejected_end"/>\n'
        '<endEvent id="approved_end"/><endEvent id="rejected_end"/>\n'
        "</process>\n</definitions>\n"
    ).encode()
