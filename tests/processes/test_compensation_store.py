"""Compensation across commands: what the process scope may undo is kept with the instance."""

import pytest

from processes.deployments import deploy
from processes.instances import complete_task, start_instance
from processes.models import Task
from tests.engine.test_compensation import chain, compensate, undoable
from tests.samples import HEADER

pytestmark = pytest.mark.django_db


def test_a_throw_after_a_wait_undoes_what_completed_before_it():
    body = (
        '<startEvent id="s"/>' + undoable("book") + '<userTask id="confirm"/>'
        + compensate("undo") + '<endEvent id="e"/>' + chain("s", "book", "confirm", "undo", "e")
    )
    xml = HEADER + '<process id="p" isExecutable="true">' + body + "</process></definitions>"
    definition = deploy(xml.encode(), name="compensation.bpmn").definitions[0]
    instance = start_instance(definition, variables={"trace": []})
    instance.refresh_from_db()
    assert [record["activity"] for record in instance.compensable] == ["book"]
    complete_task(Task.objects.get(instance=instance).pk)
    instance.refresh_from_db()
    assert instance.state == "completed" and instance.variables["trace"] == ["undo_book"]
    assert instance.activities.get(element_id="book").outcome == "compensated"
