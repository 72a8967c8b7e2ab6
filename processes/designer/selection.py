"""The element the designer's panel edits, read from the diagram's XML as the modeler has it.

The browser sends the modeler's current XML with every panel request, so the panel always
shows what is on the canvas, including changes not saved yet. Values are read from our
``baton:`` attributes first and then from the Camunda and Activiti aliases, as the engine
reads them; the edits the panel makes write ours and remove the aliases they replace.
"""

import re

from lxml import etree

from processes.bpmn.extensions import ACTIVITI, BATON, CAMUNDA, EXTENSION_ELEMENTS
from processes.bpmn.xml import BPMN, BPMN_MODEL, local_name, parse_xml

ALIASES = (CAMUNDA, ACTIVITI)
PREFIXES = {BATON: "baton", CAMUNDA: "camunda", ACTIVITI: "activiti"}


class UnknownElement(LookupError):
    """The element id sent by the browser is not in its diagram."""


class Selection:
    """One element of a diagram, with the questions the panel's fields ask about it."""

    def __init__(self, root, element):
        self.root = root
        self.element = element
        self.kind = local_name(element.tag)

    @classmethod
    def of(cls, xml: str, element_id: str) -> "Selection":
        root = parse_xml(xml.encode()).getroot()
        element = by_id(root, element_id)
        if element is None:
            raise UnknownElement(f"The diagram has no element '{element_id}'.")
        return cls(root, element)

    @property
    def id(self) -> str:
        return self.element.get("id", "")

    @property
    def label(self) -> str:
        return self.element.get("name") or self.id

    @property
    def kind_label(self) -> str:
        """"userTask" as "User task"."""
        words = re.sub(r"(?<!^)([A-Z])", r" \1", self.kind).lower()
        return words[:1].upper() + words[1:]

    @property
    def process(self):
        """The process whose properties a process-level field edits (a pool's process)."""
        if self.kind == "participant":
            return by_id(self.root, self.element.get("processRef", ""))
        return self.element if self.kind == "process" else None

    def attr(self, name: str, element=None) -> str | None:
        """Our extension attribute ``name``, else its Camunda or Activiti alias."""
        element = self.element if element is None else element
        for namespace in (BATON, *ALIASES):
            value = element.get(f"{{{namespace}}}{name}")
            if value is not None:
                return value
        return None

    def attr_edit(self, name: str, value, element=None) -> dict:
        """Properties that set our attribute ``name`` and drop its aliases on the element."""
        element = self.element if element is None else element
        properties = {f"baton:{name}": value}
        for namespace in ALIASES:
            if element.get(f"{{{namespace}}}{name}") is not None:
                properties[f"{self.prefix(namespace)}:{name}"] = None
        return properties

    def prefix(self, namespace: str) -> str:
        """The prefix the document uses for ``namespace`` (how bpmn-js keys its attributes)."""
        for prefix, uri in self.root.nsmap.items():
            if uri == namespace and prefix:
                return prefix
        return PREFIXES.get(namespace, "ns")

    def child(self, name: str, element=None):
        """The first BPMN child element ``name``, or None."""
        element = self.element if element is None else element
        return element.find(BPMN + name)

    def child_text(self, name: str, element=None) -> str:
        found = self.child(name, element)
        return "".join(found.itertext()).strip() if found is not None else ""

    def event_definition(self, kind: str | None = None):
        """The event's (first) event definition, of ``kind`` if given."""
        for child in self.element:
            name = local_name(child.tag)
            wanted = name == f"{kind}EventDefinition" if kind else name.endswith("EventDefinition")
            if wanted and child.tag.startswith(BPMN):
                return child
        return None

    def extensions(self, *names: str) -> list:
        """Our extension elements ``names`` and their Camunda/Activiti aliases."""
        container = self.element.find(EXTENSION_ELEMENTS)
        if container is None:
            return []
        wanted = {f"{{{ns}}}{name}" for ns in (BATON, *ALIASES) for name in names}
        return [child for child in container if child.tag in wanted]

    def outgoing(self) -> list:
        """The sequence flows leaving this element, in document order."""
        parent = self.element.getparent()
        return [
            flow for flow in parent.findall(BPMN + "sequenceFlow")
            if flow.get("sourceRef") == self.id
        ]

    def roots(self, kind: str) -> list:
        """The definitions' root elements of ``kind`` (message, signal, error, escalation)."""
        return self.root.findall(BPMN + kind)

    def process_keys(self) -> list[str]:
        return [p.get("id") for p in self.root.findall(BPMN + "process") if p.get("id")]


def by_id(root, element_id: str):
    """The element with ``element_id`` anywhere in the document, or None."""
    if not element_id:
        return None
    found = root.xpath("//*[@id=$id]", id=element_id)
    return found[0] if found else None


def extension_elements_xml(selection: Selection, drop: set[str], add: list) -> str | None:
    """The element's ``extensionElements`` with the ``drop`` names replaced by ``add``.

    Extension elements the panel does not manage (another vendor's, a listener) are kept as
    they are. Returns the XML fragment the browser parses into the diagram, or None when
    nothing is left.
    """
    container = selection.element.find(EXTENSION_ELEMENTS)
    kept = [
        child for child in (container if container is not None else [])
        if not (local_name(child.tag) in drop and etree.QName(child).namespace in (BATON, *ALIASES))
    ]
    children = kept + add
    if not children:
        return None
    wrapper = etree.Element(
        EXTENSION_ELEMENTS, nsmap={"bpmn": BPMN_MODEL, "baton": BATON, **_used(selection.root)}
    )
    for child in children:
        wrapper.append(_copy(child))
    return etree.tostring(wrapper, encoding="unicode")


def baton_element(name: str, attributes: dict | None = None, text: str | None = None):
    """A new ``baton:name`` element with the attributes that have a value."""
    element = etree.Element(f"{{{BATON}}}{name}", nsmap={"baton": BATON})
    for key, value in (attributes or {}).items():
        if value not in (None, "", False):
            element.set(key, "true" if value is True else str(value))
    if text:
        element.text = text
    return element


def _copy(element):
    return etree.fromstring(etree.tostring(element))


def _used(root) -> dict:
    """The document's own prefixes, so copied vendor extensions keep theirs."""
    return {prefix: uri for prefix, uri in root.nsmap.items() if prefix and uri != BPMN_MODEL}
