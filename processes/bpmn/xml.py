"""Turn uploaded bytes into an lxml tree without trusting them.

A BPMN file comes from a browser or an API client, so the parser expands no entities,
loads no DTD, opens no file or URL and keeps libxml2's limits on depth and text size.
Any DOCTYPE is refused before the document is read, which rules out entity expansion
("billion laughs"), external entities and external DTDs in one rule: BPMN never needs one.
Bytes are decoded by libxml2 as the XML declaration (or byte-order mark) says.
"""

import re

from lxml import etree

from .errors import BpmnXmlError

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMN = f"{{{BPMN_MODEL}}}"
DEFINITIONS = f"{BPMN}definitions"
MAX_BYTES = 10 * 1024 * 1024

_BAD_BYTES = {etree.ErrorTypes.ERR_INVALID_CHAR, etree.ErrorTypes.ERR_INVALID_ENCODING}
_UNKNOWN_ENCODINGS = {
    etree.ErrorTypes.ERR_UNSUPPORTED_ENCODING,
    etree.ErrorTypes.ERR_UNKNOWN_ENCODING,
}
_WHERE = re.compile(r",? line \d+, column \d+$")


class _Prolog(Exception):
    """Raised from the prolog scan to stop at the root element or at a DOCTYPE."""

    def __init__(self, doctype: bool):
        self.doctype = doctype


class _PrologTarget:
    """Parser target that stops as soon as it sees the DOCTYPE or the root element."""

    def doctype(self, name, public_id, system_url):
        raise _Prolog(doctype=True)

    def start(self, tag, attrib, nsmap=None):
        raise _Prolog(doctype=False)

    def close(self):
        return None


def _parser(target=None) -> etree.XMLParser:
    return etree.XMLParser(
        target=target,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_xml(data: bytes, *, max_bytes: int = MAX_BYTES) -> etree._ElementTree:
    """Return the tree of a BPMN 2.0 document, or raise BpmnXmlError saying what is wrong."""
    if not data or not data.strip():
        raise BpmnXmlError("The file is empty: upload a BPMN 2.0 (.bpmn) file.")
    if len(data) > max_bytes:
        raise BpmnXmlError(
            f"The file is {_size(len(data))}, larger than the {_size(max_bytes)} allowed: "
            "split the model into several files or remove embedded images."
        )
    _refuse_doctype(data)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from None
    if root.tag != DEFINITIONS:
        raise BpmnXmlError(
            f"This is not a BPMN 2.0 file: the root element is <{_tag_name(root)}>, "
            f"not <definitions> in the namespace {BPMN_MODEL}."
        )
    return root.getroottree()


def _refuse_doctype(data: bytes) -> None:
    """Read the prolog only, and refuse the document if it declares a DOCTYPE."""
    try:
        etree.fromstring(data, _parser(_PrologTarget()))
    except _Prolog as stop:
        if stop.doctype:
            raise BpmnXmlError(
                "The file contains a DOCTYPE declaration, which BPMN files never need and "
                "which can be used to attack the server: remove the <!DOCTYPE ...> line."
            ) from None
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from None


def _syntax_error(error: etree.XMLSyntaxError) -> BpmnXmlError:
    line, column = error.position if error.position else (error.lineno, None)
    where = f"line {line}" + (f", column {column}" if column else "")
    reason = _WHERE.sub("", error.msg or str(error)).strip()
    if error.code in _BAD_BYTES:
        return BpmnXmlError(
            f"The file's bytes do not match its character encoding at {where} ({reason}): "
            "save it as UTF-8, or correct the encoding named in the XML declaration."
        )
    if error.code in _UNKNOWN_ENCODINGS:
        return BpmnXmlError(
            f"The file's character encoding cannot be read ({reason}): save it as UTF-8."
        )
    return BpmnXmlError(f"The file is not well-formed XML: {reason} at {where}.")


def _tag_name(element) -> str:
    qname = etree.QName(element)
    return (
        f"{qname.localname} in the namespace {qname.namespace}"
        if qname.namespace
        else qname.localname
    )


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MB"
    return f"{count / 1024:.0f} KB" if count >= 1024 else f"{count} bytes"


def local_name(tag) -> str:
    """Return the local part of a tag, or "" for comments and processing instructions."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def bpmn_children(element, name: str) -> list:
    """Return the children of an element in the BPMN namespace with a given local name."""
    return element.findall(BPMN + name)


def text_of(element) -> str:
    """Return the text inside an element, stripped."""
    return "".join(element.itertext()).strip()
