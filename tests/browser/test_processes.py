"""A process owner deploys a model in the browser and sees it drawn."""

from pathlib import Path

import pytest

from accounts.demo import create_demo_users
from tests.browser.conftest import log_in
from tests.samples import gateway_without_default, simple_process

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_an_owner_uploads_a_model_and_sees_its_diagram_and_versions(page, tmp_path):
    create_demo_users()
    log_in(page, "olivia", "olivia-designs")
    page.get_by_role("link", name="Processes").click()
    page.get_by_role("button", name="Deploy a BPMN file").click()

    model = tmp_path / "invoice.bpmn"
    model.write_bytes(simple_process())
    page.get_by_label("BPMN 2.0 file").set_input_files(str(model))
    page.get_by_role("button", name="Deploy").click()

    page.get_by_text("Deployed Invoice approval v1").wait_for()
    task = page.locator('#diagram g[data-element-id="task"]')
    assert task.is_visible()
    assert task.bounding_box()["width"] > 50, "the task is drawn at a readable size"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "definition.png"), full_page=True)

    page.get_by_role("link", name="Processes").click()
    assert page.get_by_role("cell", name="Invoice approval").is_visible()


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_marks_the_faulty_element_on_the_diagram(page, tmp_path):
    create_demo_users()
    log_in(page, "olivia", "olivia-designs")
    page.goto("/deploy/")
    model = tmp_path / "review.bpmn"
    model.write_bytes(gateway_without_default())
    page.get_by_label("BPMN 2.0 file").set_input_files(str(model))
    page.get_by_role("button", name="Deploy").click()

    page.get_by_text("The file was not deployed").wait_for()
    marked = page.locator("#diagram g.has-problem")
    assert marked.count() == 1
    assert marked.get_attribute("data-element-id") == "choice"
    page.locator('.element-ref[data-element-id="choice"]').click()
    assert "selected-problem" in marked.get_attribute("class")
    page.screenshot(path=str(SCREENSHOTS / "upload-problems.png"), full_page=True)
