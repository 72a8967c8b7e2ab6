from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from processes.bpmn.layout import layout
from processes.bpmn.writer import to_bytes

ROOT = Path(__file__).resolve().parents[2]
MIWG = ROOT / "tests" / "conformance" / "miwg"
XSD = ROOT / "frontend" / "node_modules" / "bpmn-moddle" / "resources" / "bpmn" / "xsd"
MIWG_MODELS = sorted(MIWG.glob("reference/*.bpmn")) + sorted(MIWG.glob("bpmn-js-exports/*.bpmn"))
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
DIAGRAM = "{http://www.omg.org/spec/BPMN/20100524/DI}BPMNDiagram"
DI_NAMESPACES = (
    "{http://www.omg.org/spec/BPMN/20100524/DI}",
    "{http://www.omg.org/spec/DD/20100524/DC}",
    "{http://www.omg.org/spec/DD/20100524/DI}",
)


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD / "BPMN20.xsd")))


def semantic(tree) -> Counter:
    return Counter(
        (el.tag, el.get("id")) for el in tree.iter()
        if isinstance(el.tag, str) and not el.tag.startswith(DI_NAMESPACES)
    )


def without_diagrams(path: Path):
    tree = etree.parse(str(path), PARSER)
    for diagram in list(tree.iter(DIAGRAM)):
        diagram.getparent().remove(diagram)
    return tree


@pytest.mark.parametrize(
    "path",
    sorted(MIWG.glob("reference/*.bpmn")) + sorted(MIWG.glob("bpmn-js-exports/C.*.bpmn")),
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_it_writes_laid_out_models_that_stay_valid_and_lose_nothing(path, schema):
    tree = without_diagrams(path)
    written = to_bytes(layout(tree))
    reread = etree.fromstring(written, PARSER).getroottree()
    assert schema.validate(reread), schema.error_log
    assert semantic(reread) == semantic(tree)
    assert list(reread.iter(DIAGRAM))


@pytest.mark.parametrize("path", MIWG_MODELS, ids=lambda p: p.stem)
def test_it_keeps_an_untouched_document_as_it_was(path):
    tree = etree.parse(str(path), PARSER)
    reread = etree.fromstring(to_bytes(tree), PARSER).getroottree()
    assert etree.tostring(reread, encoding="UTF-8") == etree.tostring(tree, encoding="UTF-8")
    assert reread.getroot().nsmap == tree.getroot().nsmap


def test_it_declares_utf8_and_reencodes_latin1_documents():
    source = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
        'targetNamespace="t"><process id="p" name="Rechnung kl\xe4ren"/></definitions>'
    ).encode("latin-1")
    written = to_bytes(etree.fromstring(source, PARSER).getroottree())
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert "Rechnung klären".encode() in written
    assert etree.fromstring(written, PARSER)[0].get("name") == "Rechnung klären"


def test_it_keeps_comments_instructions_and_standalone():
    source = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b"<!-- exported by hand -->"
        b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        b'xmlns:x="urn:vendor" id="d" targetNamespace="t" x:flag="1">'
        b'<?vendor keep?><extensionElements><x:setting x:a="b">text</x:setting>'
        b"</extensionElements><!-- inside --></definitions>"
    )
    written = to_bytes(etree.fromstring(source, PARSER).getroottree())
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n')
    assert written.split(b"?>\n", 1)[1] == source.split(b"?>\n", 1)[1]


def test_it_accepts_an_element_as_well_as_a_tree():
    tree = etree.parse(str(MIWG / "reference" / "A.1.0.bpmn"), PARSER)
    assert to_bytes(tree.getroot()) == to_bytes(tree)
