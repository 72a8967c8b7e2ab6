"""Serialise a BPMN document the server changed, keeping everything it did not touch."""

from lxml import etree


def to_bytes(tree) -> bytes:
    """Return the document as UTF-8 with an XML declaration, without reformatting it.

    Every element, attribute, namespace declaration and extension element is written
    back as parsed; comments, processing instructions and a DOCTYPE around the root stay
    too. The declaration is written by hand to use the double quotes modelling tools
    write; it keeps standalone="yes" (lxml cannot tell "no" from no declaration, and the
    two mean the same for a document without external markup declarations).
    """
    document = tree if hasattr(tree, "getroot") else tree.getroottree()
    standalone = ' standalone="yes"' if document.docinfo.standalone else ""
    body = etree.tostring(document, encoding="UTF-8", xml_declaration=False)
    return f'<?xml version="1.0" encoding="UTF-8"{standalone}?>\n'.encode() + body
