"""The OMG BPMN MIWG test suite (tests/conformance/miwg): what other tools export must import."""

from pathlib import Path

import pytest

from processes.bpmn import (
    BpmnError,
    compile_definitions,
    load_definitions,
    parse_xml,
    schema_warnings,
)

MIWG = Path(__file__).resolve().parents[1] / "conformance" / "miwg"
MODELS = sorted(MIWG.glob("reference/*.bpmn")) + sorted(MIWG.glob("bpmn-js-exports/*.bpmn"))
LENIENT = sorted(MIWG.glob("lenient-import/*.bpmn"))
DOCUMENTATION_MODELS = [
    path
    for path in MODELS
    if not any(
        p.is_executable
        for p in compile_definitions(parse_xml(path.read_bytes())).processes.values()
    )
]
# What a model drawn for documentation leaves out, although its process is marked executable
# (Camunda Modeler marks new processes so): refusing these is right when deploying for execution.
EXECUTION_DETAILS = {
    "event-reference",
    "timer",
    "expression",
    "gateway-conditions",
    "implementation",
    "multi-instance",
    "called-element",
    "resource",
    "is-immediate",
    "service-operation",
    "data-association",
}


def name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_suite_is_complete():
    assert len(list(MIWG.glob("reference/*.bpmn"))) == 21
    assert len(list(MIWG.glob("bpmn-js-exports/*.bpmn"))) == 21
    assert len(LENIENT) == 6


@pytest.mark.parametrize("path", MODELS, ids=name)
def test_every_model_imports_as_documentation_without_errors(path):
    result = load_definitions(path.read_bytes(), as_documentation=True)
    assert result.definitions.processes
    assert all(p.severity == "warning" for p in result.problems)


@pytest.mark.parametrize("path", DOCUMENTATION_MODELS, ids=name)
def test_models_without_executable_processes_import_as_they_are(path):
    result = load_definitions(path.read_bytes())
    assert all(p.severity == "warning" for p in result.problems)


@pytest.mark.parametrize("path", MODELS, ids=name)
def test_executable_models_are_refused_only_for_missing_execution_details(path):
    try:
        load_definitions(path.read_bytes())
    except BpmnError as refused:
        codes = {p.code for p in refused.problems if p.severity == "error"}
        assert codes <= EXECUTION_DETAILS, codes - EXECUTION_DETAILS


@pytest.mark.parametrize("path", MODELS, ids=name)
def test_every_model_is_valid_against_the_bpmn_schema(path):
    assert schema_warnings(parse_xml(path.read_bytes())) == []


@pytest.mark.parametrize("path", LENIENT, ids=name)
def test_invalid_exports_give_a_clear_error_or_warnings(path):
    try:
        result = load_definitions(path.read_bytes())
    except BpmnError as refused:
        assert refused.problems
        assert all(len(p.message) > 20 and p.message[0].isupper() for p in refused.problems)
    else:
        assert result.problems and all(p.severity == "warning" for p in result.problems)
