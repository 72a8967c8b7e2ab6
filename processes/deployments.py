"""Deploy BPMN files: validate, store byte for byte, and number the versions."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from processes.bpmn import Problem, load_definitions
from processes.bpmn.layout import layout
from processes.bpmn.render import diagrams
from processes.bpmn.writer import to_bytes
from processes.models import Deployment, ProcessDefinition
from processes.timer_starts import schedule_timer_starts


@dataclass
class DeployResult:
    deployment: Deployment
    definitions: list[ProcessDefinition]
    warnings: list[dict]
    created: bool  # False when the identical file had been deployed before


def deploy(data: bytes, *, name: str, user=None, as_documentation: bool = False) -> DeployResult:
    """Deploy ``data``; raise ``processes.bpmn.BpmnError`` listing problems if it is invalid.

    Deploying a file identical to an earlier one creates no new versions: the earlier
    deployment is returned. ``as_documentation`` stores every process as not executable
    and checks only that the model holds together, for models drawn to document a process
    (which tools such as Camunda Modeler mark executable all the same).
    """
    checksum = hashlib.sha256(data).hexdigest()
    existing = Deployment.objects.filter(checksum=checksum).first()
    if existing:
        return DeployResult(existing, list(existing.definitions.all()), existing.warnings, False)
    loaded = load_definitions(
        data, max_bytes=settings.BPMN_MAX_UPLOAD_BYTES, as_documentation=as_documentation
    )
    laid_out = b"" if diagrams(loaded.tree) else to_bytes(layout(loaded.tree))
    warnings = [problem_dict(p) for p in loaded.problems]
    attempts_left = 3
    while True:
        try:
            return _store(data, checksum, laid_out, warnings, loaded.definitions, name, user)
        except IntegrityError:
            # A concurrent deployment of the same key took the version number: count again.
            attempts_left -= 1
            if not attempts_left:
                raise


@transaction.atomic
def _store(data, checksum, laid_out, warnings, definitions, name, user) -> DeployResult:
    deployment = Deployment.objects.create(
        name=name, content=data, checksum=checksum, laid_out=laid_out,
        warnings=warnings, deployed_by=user,
    )
    created = []
    for process in definitions.processes.values():
        latest = ProcessDefinition.objects.filter(key=process.id).aggregate(v=Max("version"))["v"]
        created.append(
            ProcessDefinition.objects.create(
                deployment=deployment,
                key=process.id,
                version=(latest or 0) + 1,
                name=process.name or "",
                is_executable=process.is_executable,
            )
        )
    schedule_timer_starts(created)
    return DeployResult(deployment, created, warnings, True)


def problem_dict(problem: Problem) -> dict:
    """Return a problem as the JSON the pages and the API show."""
    return {
        "element_id": problem.element_id,
        "message": problem.message,
        "severity": problem.severity,
        "code": problem.code,
    }

