"""Read the execution properties that BPMN leaves to extensions: who does a task, its form,
how a service task is implemented, retries, variable mappings, SLAs.

Our namespace is ``baton:`` (``http://baton-bpm.org/schema/1.0/bpmn``), declared for the
designer in ``baton.json``. Camunda 7 files run unchanged: their ``camunda:`` attributes and
elements are read as aliases of ours, and so are the ``activiti:`` ones Camunda inherited.
Most names are shared; ``CAMUNDA_ATTRIBUTES`` and ``CAMUNDA_ELEMENTS`` hold the few that
are not. Other vendors' extensions are ignored.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import Problem
from .xml import text_of

BATON = "http://baton-bpm.org/schema/1.0/bpmn"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ACTIVITI = "http://activiti.org/bpmn"
DIALECTS = (BATON, CAMUNDA, ACTIVITI)
EXTENSION_ELEMENTS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}extensionElements"
EMPTY: Mapping = MappingProxyType({})


def no_mapping() -> Mapping:
    """Return the shared empty read-only mapping (a dataclass default must be a factory)."""
    return EMPTY


@dataclass(frozen=True, slots=True)
class FormField:
    """A field of a task or start form, with its validation and, for enums, its options."""

    id: str
    label: str | None = None
    type: str = "string"
    default: str | None = None
    required: bool = False
    readonly: bool = False
    min: str | None = None
    max: str | None = None
    minlength: int | None = None
    maxlength: int | None = None
    pattern: str | None = None
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class HttpCall:
    """An HTTP request made by a service task; texts may hold ``${...}`` expressions."""

    url: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    timeout: float | None = None


@dataclass(frozen=True, slots=True)
class Implementation:
    """How a service, send or business rule task does its work.

    ``kind`` is "handler" (a registered Python function), "http", "external" (a worker
    fetches tasks of ``topic``) or "expression". ``result_variable`` receives the result.
    """

    kind: str
    handler: str | None = None
    topic: str | None = None
    expression: str | None = None
    http: HttpCall | None = None
    result_variable: str | None = None


@dataclass(frozen=True, slots=True)
class VariableMapping:
    """A variable passed into or out of a called process (``all`` passes every variable)."""

    source: str | None = None
    source_expression: str | None = None
    target: str | None = None
    all: bool = False
    local: bool = False


@dataclass(frozen=True, slots=True)
class ExtensionProps:
    """Execution properties of one element; those that do not apply keep their defaults.

    ``collection`` and ``element_variable`` come from multi-instance characteristics,
    ``sla`` and ``requested_at_variable`` from a process; ``business_key`` is the
    expression a call activity passes as the business key of the process it calls.
    """

    assignee: str | None = None
    candidate_users: tuple[str, ...] = ()
    candidate_groups: tuple[str, ...] = ()
    due_date: str | None = None
    follow_up_date: str | None = None
    priority: str | None = None
    form_key: str | None = None
    form_fields: tuple[FormField, ...] = ()
    implementation: Implementation | None = None
    retries: int | None = None
    retry_cycle: str | None = None
    async_before: bool = False
    async_after: bool = False
    inputs: Mapping[str, str] = field(default_factory=no_mapping)
    outputs: Mapping[str, str] = field(default_factory=no_mapping)
    call_inputs: tuple[VariableMapping, ...] = ()
    call_outputs: tuple[VariableMapping, ...] = ()
    business_key: str | None = None
    binding: str | None = None
    version: int | None = None
    initiator: str | None = None
    quality_gate: str | None = None
    sla: str | None = None
    requested_at_variable: str | None = None
    collection: str | None = None
    element_variable: str | None = None


NO_PROPS = ExtensionProps()
BINDINGS = ("latest", "deployment", "version")
IMPLEMENTATION_KINDS = ("handler", "http", "external", "expression")
CONSTRAINTS = ("required", "readonly", "min", "max", "minlength", "maxlength", "pattern")


class _Reader:
    """Collect the properties of one element, and the problems found on the way."""

    def __init__(self, element_id: str | None, problems: list[Problem]):
        self.element_id = element_id
        self.problems = problems
        self.values: dict = {}
        self.implementations: dict[str, dict] = {}

    def problem(self, message: str, code: str, severity: str = "error") -> None:
        self.problems.append(Problem(self.element_id, message, severity, code))

    def integer(self, name: str, text: str) -> int | None:
        try:
            return int(text.strip())
        except ValueError:
            self.problem(f"'{name}' must be a whole number, not '{text}'.", "extension-value")
            return None

    def boolean(self, name: str, text: str) -> bool:
        if text.strip().lower() not in ("true", "false"):
            self.problem(f"'{name}' must be true or false, not '{text}'.", "extension-value")
        return text.strip().lower() == "true"


def _names(text: str) -> tuple[str, ...]:
    """Split "a, b, ${c(d, e)}" at the commas outside expressions."""
    items, depth, current = [], 0, ""
    for char in text:
        depth += char == "{"
        depth -= char == "}" and depth > 0
        if char == "," and not depth:
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    return tuple(item.strip() for item in items if item.strip())


def _set(field_name: str, convert: Callable[[str], object] = str) -> Callable:
    def read(reader: _Reader, name: str, text: str) -> None:
        reader.values[field_name] = convert(text)

    return read


def _set_integer(field_name: str) -> Callable:
    def read(reader: _Reader, name: str, text: str) -> None:
        reader.values[field_name] = reader.integer(name, text)

    return read


def _set_boolean(field_name: str) -> Callable:
    def read(reader: _Reader, name: str, text: str) -> None:
        reader.values[field_name] = reader.boolean(name, text)

    return read


def _implementation(kind: str, key: str) -> Callable:
    def read(reader: _Reader, name: str, text: str) -> None:
        reader.implementations.setdefault(kind, {})[key] = text.strip()

    return read


def _binding(reader: _Reader, name: str, text: str) -> None:
    if text not in BINDINGS:
        reader.problem(
            f"'{name}' must be one of {', '.join(BINDINGS)}, not '{text}'.", "extension-value"
        )
    reader.values["binding"] = text


def _implementation_type(reader: _Reader, name: str, text: str) -> None:
    if text in IMPLEMENTATION_KINDS:
        reader.implementations.setdefault(text, {})
    else:
        reader.problem(
            f"The implementation type '{text}' is not supported: use one of "
            f"{', '.join(IMPLEMENTATION_KINDS)}.",
            "unsupported-extension",
        )


# Attributes read from our namespace and, with the same name, from camunda: and activiti:.
ATTRIBUTES: dict[str, Callable] = {
    "assignee": _set("assignee"),
    "candidateUsers": _set("candidate_users", _names),
    "candidateGroups": _set("candidate_groups", _names),
    "dueDate": _set("due_date"),
    "followUpDate": _set("follow_up_date"),
    "priority": _set("priority"),
    "formKey": _set("form_key"),
    "type": _implementation_type,
    "handler": _implementation("handler", "handler"),
    "expression": _implementation("expression", "expression"),
    "topic": _implementation("external", "topic"),
    "resultVariable": _set("result_variable"),
    "asyncBefore": _set_boolean("async_before"),
    "asyncAfter": _set_boolean("async_after"),
    "retries": _set_integer("retries"),
    "retryCycle": _set("retry_cycle"),
    "calledElementBinding": _binding,
    "calledElementVersion": _set_integer("version"),
    "initiator": _set("initiator"),
    "qualityGate": _set("quality_gate"),
    "sla": _set("sla"),
    "requestedAtVariable": _set("requested_at_variable"),
    "collection": _set("collection"),
    "elementVariable": _set("element_variable"),
}

# Camunda (and Activiti) attributes that have another name, or no equivalent, in ours.
CAMUNDA_ATTRIBUTES: dict[str, Callable] = {
    "class": _implementation("handler", "handler"),
    "delegateExpression": _implementation("handler", "handler"),
    "async": _set_boolean("async_before"),
}


def _value(element, name: str) -> str | None:
    """Return an attribute of one of our (or Camunda's) extension elements."""
    return element.get(name)


def _split_tag(tag) -> tuple[str | None, str]:
    """Return the namespace and local name of a tag (None and "" for comments)."""
    if not isinstance(tag, str) or not tag.startswith("{"):
        return None, tag if isinstance(tag, str) else ""
    namespace, _, local = tag[1:].partition("}")
    return namespace, local


def _children(element, name: str) -> list:
    """Return the children of an extension element, in its namespace, with a local name."""
    namespace = _split_tag(element.tag)[0]
    return element.findall(f"{{{namespace}}}{name}")


def _form_field(reader: _Reader, element) -> None:
    field_id = _value(element, "id")
    if not field_id:
        reader.problem(
            "A form field has no id: give every field the variable name it sets.", "form-field"
        )
        return
    values = {
        "id": field_id,
        "label": _value(element, "label"),
        "type": _value(element, "type") or "string",
        "default": _value(element, "defaultValue"),
    }
    for flag in ("required", "readonly"):
        if _value(element, flag) is not None:
            values[flag] = reader.boolean(flag, _value(element, flag))
    # Baton's shorthand: the limits as attributes, e.g. <baton:formField min="0.01"/>.
    for limit in ("min", "max", "pattern"):
        if _value(element, limit) is not None:
            values[limit] = _value(element, limit)
    for limit in ("minlength", "maxlength"):
        if _value(element, limit) is not None:
            values[limit] = reader.integer(limit, _value(element, limit))
    for validation in _children(element, "validation"):
        for constraint in _children(validation, "constraint"):
            _constraint(reader, field_id, constraint, values)
    options = tuple(
        (_value(option, "id") or "", _value(option, "name") or _value(option, "id") or "")
        for option in _children(element, "value")
    )
    if values["type"] == "enum" and not options:
        reader.problem(
            f"The enum form field '{field_id}' has no values to choose from.", "form-field"
        )
    reader.values.setdefault("form_fields", []).append(FormField(**values, options=options))


def _constraint(reader: _Reader, field_id: str, element, values: dict) -> None:
    name, config = _value(element, "name"), _value(element, "config")
    if name not in CONSTRAINTS:
        reader.problem(
            f"The form field '{field_id}' has a validation '{name}' that is not supported "
            f"(supported: {', '.join(CONSTRAINTS)}); it is ignored.",
            "form-field",
            "warning",
        )
    elif name in ("required", "readonly"):
        values[name] = config is None or reader.boolean(name, config)
    elif name in ("minlength", "maxlength"):
        values[name] = reader.integer(name, config or "")
    else:
        values[name] = config


def _input_output(reader: _Reader, element) -> None:
    for key, tag in (("inputs", "inputParameter"), ("outputs", "outputParameter")):
        mapping = reader.values.setdefault(key, {})
        for parameter in _children(element, tag):
            name = _value(parameter, "name")
            if not name:
                reader.problem(f"An {tag} has no name.", "input-output")
            elif len(parameter):
                reader.problem(
                    f"The {tag} '{name}' uses a list, map or script; write it as one "
                    "expression such as ${[a, b]} instead.",
                    "unsupported-extension",
                )
            else:
                mapping[name] = text_of(parameter)


def _variable_mapping(key: str) -> Callable:
    def read(reader: _Reader, element) -> None:
        if _value(element, "businessKey") is not None:
            reader.values["business_key"] = _value(element, "businessKey")
        names = ("source", "sourceExpression", "target", "variables")
        if all(_value(element, name) is None for name in names):
            return
        mapping = VariableMapping(
            source=_value(element, "source"),
            source_expression=_value(element, "sourceExpression"),
            target=_value(element, "target"),
            all=_value(element, "variables") == "all",
            local=(_value(element, "local") or "false").lower() == "true",
        )
        if not (mapping.all or (mapping.target and (mapping.source or mapping.source_expression))):
            reader.problem(
                f"A call activity '{key}' mapping needs a source (or sourceExpression) and a "
                'target, or variables="all".',
                "call-mapping",
            )
        reader.values.setdefault(key, []).append(mapping)

    return read


def _http(reader: _Reader, element) -> None:
    url = _value(element, "url")
    if not url:
        reader.problem("The HTTP call has no url.", "http")
    timeout = _value(element, "timeout")
    headers = tuple(
        (_value(header, "name") or "", _value(header, "value") or "")
        for header in _children(element, "header")
    )
    bodies = _children(element, "body")
    reader.implementations.setdefault("http", {})["http"] = HttpCall(
        url=url or "",
        method=(_value(element, "method") or "GET").upper(),
        headers=headers,
        body=text_of(bodies[0]) if bodies else None,
        timeout=_seconds(reader, timeout) if timeout else None,
    )


def _seconds(reader: _Reader, text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        reader.problem(f"The HTTP timeout must be a number of seconds, not '{text}'.", "http")
        return None


def _form_data(reader: _Reader, element) -> None:
    for form_field in _children(element, "formField"):
        _form_field(reader, form_field)


def _retry_time_cycle(reader: _Reader, element) -> None:
    reader.values["retry_cycle"] = text_of(element)


def _unsupported(what: str) -> Callable:
    def read(reader: _Reader, element) -> None:
        reader.problem(
            f"{what} is not supported and is ignored.", "unsupported-extension", "warning"
        )

    return read


# Extension elements read from our namespace and, with the same name, from camunda:/activiti:.
ELEMENTS: dict[str, Callable] = {
    "formField": _form_field,
    "inputOutput": _input_output,
    "in": _variable_mapping("call_inputs"),
    "out": _variable_mapping("call_outputs"),
    "http": _http,
}

CAMUNDA_ELEMENTS: dict[str, Callable] = {
    "formData": _form_data,
    "failedJobRetryTimeCycle": _retry_time_cycle,
    "executionListener": _unsupported("An execution listener"),
    "taskListener": _unsupported("A task listener"),
    "connector": _unsupported("A Camunda connector"),
    "formProperty": _unsupported("An Activiti form property"),
}


def read_extensions(element, element_id: str | None, problems: list[Problem]) -> ExtensionProps:
    """Return the extension properties of a BPMN element, appending problems found."""
    reader = _Reader(element_id, problems)
    for key, text in element.attrib.items():
        namespace, name = _split_tag(key)
        if namespace in DIALECTS:
            read = ATTRIBUTES.get(name) or (namespace != BATON and CAMUNDA_ATTRIBUTES.get(name))
            if read:
                read(reader, name, text)
    extensions = element.find(EXTENSION_ELEMENTS)
    if extensions is not None:
        for child in extensions:
            namespace, name = _split_tag(child.tag)
            if namespace in DIALECTS:
                read = ELEMENTS.get(name) or (namespace != BATON and CAMUNDA_ELEMENTS.get(name))
                if read:
                    read(reader, child)
    if not reader.values and not reader.implementations:
        return NO_PROPS
    return _props(reader)


def _props(reader: _Reader) -> ExtensionProps:
    values = reader.values
    result_variable = values.pop("result_variable", None)
    if reader.implementations:
        values["implementation"] = _chosen_implementation(reader, result_variable)
    for key in ("inputs", "outputs"):
        if key in values:
            values[key] = MappingProxyType(values[key])
    for key in ("form_fields", "call_inputs", "call_outputs"):
        if key in values:
            values[key] = tuple(values[key])
    return ExtensionProps(**values)


def _chosen_implementation(reader: _Reader, result_variable: str | None) -> Implementation:
    kinds = list(reader.implementations)
    if len(kinds) > 1:
        reader.problem(
            f"The task has several implementations ({', '.join(kinds)}): keep only one.",
            "implementation",
        )
    kind = kinds[0]
    return Implementation(
        kind=kind, result_variable=result_variable, **reader.implementations[kind]
    )
