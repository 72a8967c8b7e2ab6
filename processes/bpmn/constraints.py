"""BPMN 2.0 constraints that only the XML shows: references, data and service definitions.

The compiled model keeps what the engine runs; the spec also constrains what it does not
run (item definitions, input/output specifications, operations, resources). Those rules are
checked here, on the tree, as the parser compiles it. References are checked everywhere;
the data and service rules only in executable processes, where the spec applies them.
The codes name the constraint of the spec (EXT.nnn as numbered by the betsy suite and
BPMNspector).
"""

import re

from .errors import Problem, sentence, words
from .model import ACTIVITIES, FLOW_NODES, GLOBAL_TASKS
from .xml import BPMN, BPMN_MODEL, bpmn_children, local_name, text_of

ITEM_AWARE = frozenset(
    {
        "dataObject",
        "dataObjectReference",
        "dataStore",
        "dataStoreReference",
        "property",
        "dataInput",
        "dataOutput",
    }
)
CALLABLE_KINDS = GLOBAL_TASKS | {"process"}
RESOURCE_ROLES = frozenset({"performer", "humanPerformer", "potentialOwner", "resourceRole"})
ROOT_KINDS = CALLABLE_KINDS | {
    "import",
    "extension",
    "relationship",
    "documentation",
    "extensionElements",
    "category",
    "collaboration",
    "correlationProperty",
    "dataStore",
    "endPoint",
    "error",
    "escalation",
    "interface",
    "itemDefinition",
    "message",
    "partnerEntity",
    "partnerRole",
    "resource",
    "signal",
    "choreography",
    "globalConversation",
    "globalChoreographyTask",
    "cancelEventDefinition",
    "compensateEventDefinition",
    "conditionalEventDefinition",
    "errorEventDefinition",
    "escalationEventDefinition",
    "linkEventDefinition",
    "messageEventDefinition",
    "signalEventDefinition",
    "terminateEventDefinition",
    "timerEventDefinition",
}
# Elements whose body is a FormalExpression the spec requires (CARD.064, EXT.013).
FORMAL_BODIES = frozenset({"transformation", "messagePath", "dataPath", "formalExpression"})

# (owner, reference, target kinds): "@name" is an attribute, "name" a child element holding
# an id. A trailing "?" tolerates a value naming nothing: tools put type names there.
# bpmn-js points data input associations at a property of the task, hence "property".
REFERENCES = [
    (("message",), "@itemRef", {"itemDefinition"}),
    (("error", "escalation", "signal"), "@structureRef?", {"itemDefinition"}),
    (
        (
            "dataInput",
            "dataOutput",
            "dataObject",
            "property",
            "dataStore",
            "inputDataItem",
            "outputDataItem",
        ),
        "@itemSubjectRef",
        {"itemDefinition"},
    ),
    (("dataObjectReference",), "@dataObjectRef", {"dataObject"}),
    (("dataStoreReference",), "@dataStoreRef", {"dataStore"}),
    (("operation",), "inMessageRef", {"message"}),
    (("operation",), "outMessageRef", {"message"}),
    (("operation",), "errorRef", {"error"}),
    (("participant",), "@processRef", {"process"}),
    (("process",), "@definitionalCollaborationRef", {"collaboration"}),
    (("participant",), "interfaceRef", {"interface"}),
    (("participant",), "endPointRef", {"endPoint"}),
    (("partnerEntity", "partnerRole"), "participantRef", {"participant"}),
    (("sendTask", "receiveTask"), "@messageRef", {"message"}),
    (("sendTask", "receiveTask", "serviceTask"), "@operationRef", {"operation"}),
    (("messageEventDefinition",), "@messageRef", {"message"}),
    (("messageEventDefinition",), "operationRef", {"operation"}),
    (("signalEventDefinition",), "@signalRef", {"signal"}),
    (("errorEventDefinition",), "@errorRef", {"error"}),
    (("escalationEventDefinition",), "@escalationRef", {"escalation"}),
    (("compensateEventDefinition",), "@activityRef", ACTIVITIES),
    (("inputSet",), "dataInputRefs", {"dataInput"}),
    (("inputSet",), "optionalInputRefs", {"dataInput"}),
    (("inputSet",), "whileExecutingInputRefs", {"dataInput"}),
    (("inputSet",), "outputSetRefs", {"outputSet"}),
    (("outputSet",), "dataOutputRefs", {"dataOutput"}),
    (("outputSet",), "optionalOutputRefs", {"dataOutput"}),
    (("outputSet",), "whileExecutingOutputRefs", {"dataOutput"}),
    (("outputSet",), "inputSetRefs", {"inputSet"}),
    (("dataInputAssociation",), "sourceRef", ITEM_AWARE - {"dataOutput"}),
    (("dataInputAssociation",), "targetRef", {"dataInput", "property"}),
    (("dataOutputAssociation",), "sourceRef", {"dataOutput", "property"}),
    (("dataOutputAssociation",), "targetRef", ITEM_AWARE - {"dataInput"}),
    (("lane",), "flowNodeRef", FLOW_NODES),
    (("ioBinding",), "@operationRef", {"operation"}),
    (("ioBinding",), "@inputDataRef", {"dataInput"}),
    (("ioBinding",), "@outputDataRef", {"dataOutput"}),
    (tuple(CALLABLE_KINDS), "supportedInterfaceRef", {"interface"}),
    (tuple(RESOURCE_ROLES), "resourceRef", {"resource"}),
    (("resourceParameterBinding",), "@parameterRef", {"resourceParameter"}),
    (("correlationKey",), "correlationPropertyRef", {"correlationProperty"}),
    (("correlationPropertyRetrievalExpression",), "@messageRef", {"message"}),
    (("correlationSubscription",), "@correlationKeyRef", {"correlationKey"}),
    (("correlationPropertyBinding",), "@correlationPropertyRef", {"correlationProperty"}),
]


def _by_owner() -> dict[str, list[tuple[str, set]]]:
    found: dict[str, list[tuple[str, set]]] = {}
    for owners, reference, targets in REFERENCES:
        for owner in owners:
            found.setdefault(owner, []).append((reference, targets))
    return found


_REFERENCES_BY_OWNER = _by_owner()

_MIME_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+(\s*;.*)?$")
_URI = re.compile(r"^([A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$")
_URI_ATTRIBUTES = {
    "language": None,
    "expressionLanguage": None,
    "typeLanguage": None,
    "method": "transaction",
}


def _name(element) -> str:
    label = element.get("name")
    kind = words(local_name(element.tag))
    return f"the {kind} '{label}'" if label else f"the {kind} '{element.get('id')}'"


def _owner_id(element) -> str | None:
    while element is not None:
        if isinstance(element.tag, str) and element.get("id"):
            return element.get("id")
        element = element.getparent()
    return None


class _Index:
    """Find elements by id, resolving QName references such as "tns:id"."""

    def __init__(self, elements: dict, target_namespace: str | None):
        self.elements = elements
        self.target_namespace = target_namespace

    def get(self, ref: str | None):
        if not ref:
            return None
        ref = ref.strip()
        found = self.elements.get(ref)
        if found is None and ":" in ref:
            found = self.elements.get(ref.rpartition(":")[2])
        return found

    def is_external(self, element, ref: str) -> bool:
        """Tell whether a prefixed reference points into another namespace (an imported file)."""
        prefix = ref.partition(":")[0] if ":" in ref else None
        namespace = element.nsmap.get(prefix) if prefix else None
        return namespace is not None and namespace not in (self.target_namespace, BPMN_MODEL)

    def item(self, element):
        """Return the item definition of an item-aware element, following data object references."""
        if element is None:
            return None
        if local_name(element.tag) == "dataObjectReference" and not element.get("itemSubjectRef"):
            return self.item(self.get(element.get("dataObjectRef")))
        return self.get(element.get("itemSubjectRef"))


def xml_constraints(root, elements: dict, executable: set[str]) -> list[Problem]:
    """Return the problems the XML shows; ``executable`` holds the ids of executable processes."""
    checker = _Checker(root, _Index(elements, root.get("targetNamespace")), executable)
    checker.check()
    return checker.problems


class _Checker:
    """Check one document; ``problems`` collects what was found."""

    def __init__(self, root, index: _Index, executable: set[str]):
        self.root = root
        self.index = index
        self.executable = executable
        self.problems: list[Problem] = []

    def error(self, element_id: str | None, message: str, code: str) -> None:
        self.problems.append(Problem(element_id, sentence(message), "error", code))

    def warning(self, element_id: str | None, message: str, code: str) -> None:
        self.problems.append(Problem(element_id, sentence(message), "warning", code))

    def check(self) -> None:
        for element in self.root.iter(BPMN + "*"):
            for reference, targets in _REFERENCES_BY_OWNER.get(local_name(element.tag), ()):
                self._reference(element, reference, targets)
        self._root_children()
        for process in bpmn_children(self.root, "process"):
            if process.get("id") in self.executable:
                _ExecutableProcess(self, process).check()
        if self.executable:
            self.formats([self.root])
        for callable_element in self.root:
            if local_name(callable_element.tag) in GLOBAL_TASKS:
                _check_bindings(self, callable_element)

    def _reference(self, element, reference: str, targets: set) -> None:
        optional = reference.endswith("?")
        name = reference.strip("@?")
        if reference.startswith("@"):
            values = [element.get(name)] if element.get(name) else []
        else:
            values = [text_of(child) for child in bpmn_children(element, name)]
        for value in values:
            target = self.index.get(value)
            if target is None and (optional or self.index.is_external(element, value)):
                continue
            if target is None:
                self.error(
                    _owner_id(element),
                    f"{_name(element)} refers with {name} "
                    f"to '{value}', which does not exist in this file.",
                    "reference",
                )
            elif local_name(target.tag) not in targets:
                expected = " or ".join(sorted(words(t) for t in targets)[:3])
                self.error(
                    _owner_id(element),
                    f"{_name(element)} refers with {name} "
                    f"to {_name(target)}, but it must refer to a {expected}.",
                    "reference",
                )

    def _root_children(self) -> None:
        has_executable = bool(self.executable)
        for child in self.root:
            if not isinstance(child.tag, str) or not child.tag.startswith(BPMN):
                continue
            kind = local_name(child.tag)
            if kind not in ROOT_KINDS:
                message = (
                    f"A {words(kind)} cannot be declared at the top level of the file: move "
                    "it into the process it belongs to."
                )
                if has_executable:
                    self.error(child.get("id"), message, "misplaced-element")
                else:
                    self.warning(child.get("id"), message, "misplaced-element")
            elif kind in ("choreography", "globalConversation") and bpmn_children(
                child, "choreographyRef"
            ):
                self.error(
                    child.get("id"),
                    f"The {words(kind)} refers to another choreography, which BPMN does not allow.",
                    "choreography-reference",
                )

    def formats(self, elements) -> None:
        """Check the text formats (MIME types) and languages (URIs) of elements."""
        for found in elements:
            text_format = found.get("textFormat")
            if text_format is not None and not _MIME_TYPE.match(text_format):
                self.error(
                    _owner_id(found),
                    f"The text format '{text_format}' is not a MIME type such as text/plain.",
                    "text-format",
                )
            for attribute, owner in _URI_ATTRIBUTES.items():
                value = found.get(attribute)
                if (
                    value is not None
                    and (owner is None or local_name(found.tag) == owner)
                    and not _URI.match(value)
                ):
                    self.error(
                        _owner_id(found), f"The {attribute} '{value}' is not a valid URI.", "uri"
                    )


class _ExecutableProcess:
    """The data, service and resource rules for one executable process."""

    # The rule (a method name) that checks each kind of element.
    RULES = {
        "dataInput": "_item_aware",
        "dataOutput": "_item_aware",
        "dataObject": "_item_aware",
        "ioSpecification": "_io_specification",
        "dataInputAssociation": "_data_association",
        "dataOutputAssociation": "_data_association",
        **dict.fromkeys(FORMAL_BODIES, "_formal_body"),
        "complexBehaviorDefinition": "_complex_behavior",
        **dict.fromkeys(RESOURCE_ROLES, "_resource_role"),
        "endEvent": "_throw_event",
        "intermediateThrowEvent": "_throw_event",
        "startEvent": "_catch_event",
        "intermediateCatchEvent": "_catch_event",
        "boundaryEvent": "_catch_event",
    }

    def __init__(self, checker: _Checker, process):
        self.checker = checker
        self.index = checker.index
        self.process = process

    def error(self, element, message: str, code: str) -> None:
        self.checker.error(_owner_id(element), message, code)

    def check(self) -> None:
        checker = self.checker
        checker.formats(self.process.iter(BPMN + "*"))
        if self.process.get("processType") == "Public":
            self.error(
                self.process,
                "A public process describes an interface and cannot be "
                "executable: set processType to Private or None.",
                "public-process",
            )
        _check_bindings(checker, self.process)
        for element in self.process.iter(BPMN + "*"):
            kind = local_name(element.tag)
            if kind in self.RULES:
                getattr(self, self.RULES[kind])(element)
            if kind in ACTIVITIES:
                self._activity(element, kind)

    # Items: isCollection must agree with the item definition (EXT.020).

    def _item_aware(self, element) -> None:
        item = self.index.item(element)
        if item is not None and _collection(element) != _collection(item):
            self.error(
                element,
                f"{_name(element)} says isCollection="
                f"{str(_collection(element)).lower()}, but its item definition "
                f"'{item.get('id')}' says the opposite: make them agree.",
                "is-collection",
            )

    # Input/output specifications (EXT.079, EXT.084 to EXT.090).

    def _io_specification(self, element) -> None:
        owner = element.getparent()
        if local_name(owner.tag) in ("subProcess", "transaction", "adHocSubProcess"):
            self.error(
                owner,
                f"{_name(owner)} has an input/output specification, "
                "which subprocesses cannot have.",
                "io-specification",
            )
        self._sets(
            element,
            "dataInput",
            "inputSet",
            "dataInputRefs",
            ("optionalInputRefs", "whileExecutingInputRefs"),
        )
        self._sets(
            element,
            "dataOutput",
            "outputSet",
            "dataOutputRefs",
            ("optionalOutputRefs", "whileExecutingOutputRefs"),
        )
        for set_element in bpmn_children(element, "inputSet"):
            self._paired_sets(set_element, "outputSetRefs", "inputSetRefs")
        for set_element in bpmn_children(element, "outputSet"):
            self._paired_sets(set_element, "inputSetRefs", "outputSetRefs")

    def _sets(self, spec, data_kind: str, set_kind: str, refs: str, subsets: tuple) -> None:
        listed = set()
        for set_element in bpmn_children(spec, set_kind):
            members = {text_of(r) for r in bpmn_children(set_element, refs)}
            listed |= members
            for subset in subsets:
                for ref in bpmn_children(set_element, subset):
                    if text_of(ref) not in members:
                        self.error(
                            spec,
                            f"'{text_of(ref)}' is listed as {subset} of an {set_kind} "
                            f"but not among its {refs}.",
                            "io-set",
                        )
        for data in bpmn_children(spec, data_kind):
            if data.get("id") not in listed:
                self.error(
                    spec,
                    f"The {words(data_kind)} '{data.get('id')}' belongs to no "
                    f"{words(set_kind)}: list it in one.",
                    "io-set",
                )

    def _paired_sets(self, set_element, refs: str, back: str) -> None:
        for ref in bpmn_children(set_element, refs):
            other = self.index.get(text_of(ref))
            if other is not None and set_element.get("id") not in {
                text_of(r) for r in bpmn_children(other, back)
            }:
                self.error(
                    set_element,
                    f"The set '{set_element.get('id')}' refers to "
                    f"'{other.get('id')}', which does not refer back to it.",
                    "io-set",
                )

    # Data associations (EXT.013, EXT.091, EXT.092) and assignments.

    def _data_association(self, element) -> None:
        sources = bpmn_children(element, "sourceRef")
        targets = bpmn_children(element, "targetRef")
        transformation = bpmn_children(element, "transformation")
        if len(sources) > 1 and not transformation:
            self.error(
                element,
                "A data association without a transformation can only have one source.",
                "data-association",
            )
        if len(sources) == 1 and targets and not transformation:
            source_item = self.index.item(self.index.get(text_of(sources[0])))
            target_item = self.index.item(self.index.get(text_of(targets[0])))
            if (
                source_item is not None
                and target_item is not None
                and not _same_item(source_item, target_item)
            ):
                self.error(
                    element,
                    f"The data association from '{text_of(sources[0])}' to "
                    f"'{text_of(targets[0])}' connects different item definitions: use the "
                    "same item definition or add a transformation.",
                    "data-association",
                )
        if bpmn_children(element, "assignment"):
            self.error(
                element,
                "Data association assignments are not supported: map variables "
                "with baton:inputOutput instead.",
                "assignment",
            )

    def _formal_body(self, element) -> None:
        if not text_of(element):
            self.error(
                element,
                f"The {words(local_name(element.tag))} is empty: a formal expression needs a body.",
                "empty-expression",
            )

    def _complex_behavior(self, element) -> None:
        for condition in bpmn_children(element, "condition"):
            self._formal_body(condition)

    # Resources: who performs a task is set with baton: attributes, not BPMN resources.

    def _resource_role(self, element) -> None:
        self.error(
            element,
            f"{words(local_name(element.tag))} resources are not "
            "supported: assign the task with assignee, candidate users or candidate "
            "groups instead.",
            "resource",
        )

    # Events: their data inputs and outputs match their definitions (EXT.093, EXT.094).

    def _event_data(self, element, data_kind: str) -> None:
        data = bpmn_children(element, data_kind)
        definitions = [c for c in element if local_name(c.tag).endswith("EventDefinition")]
        if not data or not definitions:
            return
        if len(data) != len(definitions):
            self.error(
                element,
                f"{_name(element)} has {len(data)} "
                f"{words(data_kind)}s for {len(definitions)} event definitions: give "
                "each definition one.",
                "event-data",
            )
            return
        for item_aware, definition in zip(data, definitions, strict=True):
            if not _same_item(self.index.item(item_aware), self._definition_item(definition)):
                self.error(
                    element,
                    f"The {words(data_kind)} '{item_aware.get('id')}' of "
                    f"{_name(element)} does not carry the item of its event definition.",
                    "event-data",
                )

    def _definition_item(self, definition):
        kind = local_name(definition.tag)
        if kind == "messageEventDefinition":
            message = self.index.get(definition.get("messageRef"))
            return self.index.get(message.get("itemRef")) if message is not None else None
        for attribute in ("signalRef", "errorRef", "escalationRef"):
            target = self.index.get(definition.get(attribute))
            if target is not None:
                return self.index.get(target.get("structureRef"))
        return None

    def _throw_event(self, element) -> None:
        self._event_data(element, "dataInput")

    def _catch_event(self, element) -> None:
        self._event_data(element, "dataOutput")

    # Activities: services, messages, calls and multi-instance data.

    def _activity(self, element, kind: str) -> None:
        spec = (bpmn_children(element, "ioSpecification") or [None])[0]
        if kind == "serviceTask" and element.get("operationRef"):
            self._operation(element, spec)
        if kind in ("sendTask", "receiveTask") and element.get("messageRef"):
            self._message_task(element, kind, spec)
        if kind == "callActivity":
            self._call(element, spec)
        for multi in bpmn_children(element, "multiInstanceLoopCharacteristics"):
            self._multi_instance_data(element, multi, spec)

    def _operation(self, task, spec) -> None:
        """A service task's data must match its operation (EXT.042 to EXT.045)."""
        operation = self.index.get(task.get("operationRef"))
        input_sets = bpmn_children(spec, "inputSet") if spec is not None else []
        output_sets = bpmn_children(spec, "outputSet") if spec is not None else []
        if len(input_sets) != 1:
            self.error(
                task,
                f"{_name(task)} calls an operation, so it needs exactly "
                f"one input set, not {len(input_sets)}.",
                "service-operation",
            )
        if len(output_sets) > 1:
            self.error(
                task,
                f"{_name(task)} calls an operation, so it can have at most one output set.",
                "service-operation",
            )
        if operation is None or spec is None:
            return
        for data_kind, ref in (("dataInput", "inMessageRef"), ("dataOutput", "outMessageRef")):
            messages = bpmn_children(operation, ref)
            message = self.index.get(text_of(messages[0])) if messages else None
            for data in bpmn_children(spec, data_kind):
                if message is not None and not _same_item(
                    self.index.item(data), self.index.get(message.get("itemRef"))
                ):
                    self.error(
                        task,
                        f"The {words(data_kind)} '{data.get('id')}' of "
                        f"{_name(task)} does not carry the item of the operation's "
                        "message.",
                        "service-operation",
                    )

    def _message_task(self, task, kind: str, spec) -> None:
        """A send task sends, a receive task receives, one message item (EXT.046 to EXT.052)."""
        data_kind, set_kind = (
            ("dataInput", "inputSet") if kind == "sendTask" else ("dataOutput", "outputSet")
        )
        sets = bpmn_children(spec, set_kind) if spec is not None else []
        data = bpmn_children(spec, data_kind) if spec is not None else []
        if len(sets) > 1 or len(data) > 1:
            self.error(
                task,
                f"{_name(task)} handles one message, so it can have at "
                f"most one {words(set_kind)} and one {words(data_kind)}.",
                "message-task",
            )
        message = self.index.get(task.get("messageRef"))
        for item_aware in data:
            if message is not None and not _same_item(
                self.index.item(item_aware), self.index.get(message.get("itemRef"))
            ):
                self.error(
                    task,
                    f"The {words(data_kind)} '{item_aware.get('id')}' of "
                    f"{_name(task)} does not carry the item of message "
                    f"'{message.get('id')}'.",
                    "message-task",
                )

    def _call(self, task, spec) -> None:
        """A call activity's data must match what it calls (EXT.063)."""
        called = self.index.get(task.get("calledElement"))
        if called is None or local_name(called.tag) not in CALLABLE_KINDS:
            return
        called_spec = (bpmn_children(called, "ioSpecification") or [None])[0]
        if spec is None and called_spec is None:
            return
        for kind in ("dataInput", "dataOutput", "inputSet", "outputSet"):
            mine = bpmn_children(spec, kind) if spec is not None else []
            theirs = bpmn_children(called_spec, kind) if called_spec is not None else []
            items_differ = kind.startswith("data") and not all(
                _same_item(self.index.item(a), self.index.item(b))
                for a, b in zip(mine, theirs, strict=False)
            )
            if len(mine) != len(theirs) or items_differ:
                self.error(
                    task,
                    f"The {words(kind)}s of {_name(task)} do not match those of "
                    f"'{called.get('id')}', which it calls.",
                    "call-data",
                )
                return

    def _multi_instance_data(self, task, multi, spec) -> None:
        """Multi-instance data refers to the task's own inputs and outputs (EXT.068 to EXT.070)."""
        for ref, item_tag, data_kind in (
            ("loopDataInputRef", "inputDataItem", "dataInput"),
            ("loopDataOutputRef", "outputDataItem", "dataOutput"),
        ):
            refs = bpmn_children(multi, ref)
            if not refs:
                continue
            target = self.index.get(text_of(refs[0]))
            if target is None:
                continue  # a process variable, as Camunda reads it
            own = bpmn_children(spec, data_kind) if spec is not None else []
            if target not in own and local_name(target.tag) not in ("property", "dataObject"):
                self.error(
                    task,
                    f"The {ref} of {_name(task)} names '{target.get('id')}', which is "
                    f"not a {words(data_kind)} of the task.",
                    "multi-instance-data",
                )
                continue
            for item in bpmn_children(multi, item_tag):
                self._scalar_of(task, item, target)

    def _scalar_of(self, task, item, collection) -> None:
        item_definition = self.index.item(item)
        collection_definition = self.index.item(collection)
        if item_definition is None or collection_definition is None:
            return
        if _collection(item_definition) or item_definition.get(
            "structureRef"
        ) != collection_definition.get("structureRef"):
            self.error(
                task,
                f"The data item '{item.get('id')}' of {_name(task)} must be a single "
                f"element of '{collection.get('id')}'.",
                "multi-instance-data",
            )


def _check_bindings(checker: _Checker, callable_element) -> None:
    """A callable element exposed as a service binds its data to its operations (EXT.064/065)."""
    interfaces = [
        checker.index.get(text_of(r))
        for r in bpmn_children(callable_element, "supportedInterfaceRef")
    ]
    interfaces = [i for i in interfaces if i is not None]
    if not interfaces:
        return
    bindings = bpmn_children(callable_element, "ioBinding")
    if not bindings:
        checker.error(
            callable_element.get("id"),
            f"{_name(callable_element)} "
            "supports an interface, so it needs an ioBinding for its operation.",
            "io-binding",
        )
    for binding in bindings:
        operation = checker.index.get(binding.get("operationRef"))
        if operation is None:
            continue
        for attribute, message_ref in (
            ("inputDataRef", "inMessageRef"),
            ("outputDataRef", "outMessageRef"),
        ):
            data = checker.index.get(binding.get(attribute))
            messages = bpmn_children(operation, message_ref)
            message = checker.index.get(text_of(messages[0])) if messages else None
            if (
                data is not None
                and message is not None
                and not _same_item(
                    checker.index.item(data), checker.index.get(message.get("itemRef"))
                )
            ):
                checker.error(
                    callable_element.get("id"),
                    f"The ioBinding of "
                    f"{_name(callable_element)} binds '{data.get('id')}' to a message of "
                    "another item definition.",
                    "io-binding",
                )


def _collection(element) -> bool:
    return (element.get("isCollection") or "false").strip().lower() == "true"


def _same_item(first, second) -> bool:
    """Tell whether two item definitions describe the same data (both absent counts as same)."""
    if first is None or second is None:
        return first is second
    if first is second:
        return True
    structure = first.get("structureRef")
    return (
        bool(structure)
        and structure == second.get("structureRef")
        and _collection(first) == _collection(second)
    )
