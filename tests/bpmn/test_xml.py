import time

import pytest

from processes.bpmn import BpmnError, BpmnXmlError, parse_xml
from processes.bpmn.xml import DEFINITIONS

from .documents import definitions, process

MODEL = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def refusal(data: bytes, **options) -> str:
    with pytest.raises(BpmnXmlError) as refused:
        parse_xml(data, **options)
    return refused.value.message


def test_it_parses_a_bpmn_document():
    tree = parse_xml(definitions(process('<startEvent id="start" name="Go"/>')))
    assert tree.getroot().tag == DEFINITIONS
    assert tree.getroot().find(".//{*}startEvent").get("name") == "Go"


def test_it_refuses_an_empty_file():
    assert "empty" in refusal(b"")
    assert "empty" in refusal(b"  \n ")


def test_it_refuses_an_oversized_file_before_parsing_it():
    data = b"<definitions " + MODEL.encode() + b">" + b" " * 2000 + b"<unclosed>"
    message = refusal(data, max_bytes=1000)
    assert "larger than" in message and "not well-formed" not in message


def test_it_refuses_billion_laughs_quickly():
    entities = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>'
        f"<definitions {MODEL}>&lol9;</definitions>"
    ).encode()
    started = time.perf_counter()
    assert "DOCTYPE" in refusal(data)
    assert time.perf_counter() - started < 1


def test_it_refuses_an_external_entity_and_never_reads_the_file():
    data = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        f'<definitions {MODEL}><process id="p" name="&secret;"/></definitions>'
    ).encode()
    message = refusal(data)
    assert "DOCTYPE" in message and "root:" not in message


def test_it_refuses_an_external_dtd_over_http():
    data = (
        f'<?xml version="1.0"?><!DOCTYPE definitions SYSTEM "http://example.invalid/evil.dtd">'
        f"<definitions {MODEL}/>"
    ).encode()
    assert "DOCTYPE" in refusal(data)


def test_it_refuses_a_doctype_in_utf16_too():
    data = f'<!DOCTYPE definitions [<!ENTITY x "y">]><definitions {MODEL}/>'.encode("utf-16")
    assert "DOCTYPE" in refusal(data)


def test_it_reads_bytes_as_the_declared_encoding_says():
    name = "Prüfung"
    latin = f'<?xml version="1.0" encoding="ISO-8859-1"?><definitions {MODEL} name="{name}"/>'
    assert parse_xml(latin.encode("latin-1")).getroot().get("name") == name


def test_it_trusts_the_declaration_over_what_utf8_bytes_look_like():
    # Declared ISO-8859-1 but saved as UTF-8: every byte is valid Latin-1, so the XML rules
    # make this a well-formed document whose text is what the declaration says it is.
    text = f'<?xml version="1.0" encoding="ISO-8859-1"?><definitions {MODEL} name="é"/>'
    assert parse_xml(text.encode("utf-8")).getroot().get("name") == "Ã©"


def test_it_refuses_invalid_utf8_and_says_where():
    data = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions {MODEL} name="'.encode() + b'\xe9"/>'
    )
    message = refusal(data)
    assert "encoding" in message and "line 2" in message


def test_it_refuses_an_encoding_it_cannot_read():
    data = f'<?xml version="1.0" encoding="NO-SUCH-CHARSET"?><definitions {MODEL}/>'.encode()
    assert "NO-SUCH-CHARSET" in refusal(data)


def test_it_refuses_malformed_xml_with_line_and_column():
    data = f"<definitions {MODEL}>\n  <process id='p'>\n</definitions>".encode()
    message = refusal(data)
    assert "not well-formed" in message and "line 3" in message and "column" in message


def test_it_refuses_xml_that_is_not_bpmn_and_names_the_root():
    message = refusal(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert "not a BPMN 2.0 file" in message and "<svg" in message


def test_it_refuses_definitions_in_another_namespace():
    assert "not a BPMN 2.0 file" in refusal(b'<definitions xmlns="urn:other"/>')


def test_it_refuses_nesting_deeper_than_the_parser_allows():
    data = f"<definitions {MODEL}>".encode() + b"<a>" * 300 + b"</a>" * 300 + b"</definitions>"
    assert "not well-formed" in refusal(data)


def test_it_keeps_comments():
    tree = parse_xml(f"<definitions {MODEL}><!-- kept --></definitions>".encode())
    assert "kept" in tree.getroot()[0].text


def test_every_refusal_is_a_bpmn_error_with_one_problem():
    with pytest.raises(BpmnError) as refused:
        parse_xml(b"not xml at all")
    assert [p.severity for p in refused.value.problems] == ["error"]
    assert refused.value.problems[0].code == "xml"
