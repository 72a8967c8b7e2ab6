"""An employee starts a process, claims a task, fixes a refused form and hands on the work."""

from pathlib import Path

import pytest

from accounts.demo import create_demo_users
from processes.demo import deploy_demo_processes
from tests.browser.conftest import log_in

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_an_employee_starts_claims_corrects_and_completes_then_a_manager_gets_the_next_task(page):
    create_demo_users()
    deploy_demo_processes()
    log_in(page, "emma", "emma-works")

    page.get_by_role("link", name="Start a process").click()
    page.get_by_role("row", name="Accounts payable").get_by_role("button", name="Start").click()
    page.get_by_label("Vendor").fill("ACME Tools")
    page.get_by_label("Invoice number").fill("INV-42")
    page.get_by_label("Amount (EUR)").fill("20000")
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Started Accounts payable").wait_for()

    page.get_by_role("link", name="Tasks").click()
    page.get_by_role("navigation", name="Worklists").get_by_role("link", name="Group tasks").click()
    row = page.get_by_role("row", name="Resolve mismatch")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "inbox.png"), full_page=True)
    row.get_by_role("button", name="Claim").click()

    page.get_by_role("heading", name="Resolve mismatch").wait_for()
    page.get_by_role("button", name="Complete").click()
    error = page.locator("#id_po_number_error")
    error.wait_for()
    assert "required" in error.inner_text().lower(), "the message is next to the field"
    assert page.get_by_label("Purchase order number").get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(SCREENSHOTS / "task.png"), full_page=True)

    page.get_by_label("Purchase order number").fill("PO-7")
    page.get_by_role("button", name="Complete").click()
    page.get_by_text("is done").wait_for()

    page.get_by_role("button", name="Log out emma").click()
    log_in(page, "max", "max-measures")
    page.get_by_role("link", name="Tasks").click()
    page.get_by_role("navigation", name="Worklists").get_by_role("link", name="Group tasks").click()
    # The next task may come after a step the worker runs: look again, as a person would.
    row = page.get_by_role("row", name="Approve invoice")
    for _ in range(50):
        if row.is_visible():
            break
        page.wait_for_timeout(200)
        page.reload()
    assert row.is_visible(), "the next person has it"
