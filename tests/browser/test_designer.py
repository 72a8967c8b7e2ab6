"""A process owner draws, configures, checks and deploys a process in the browser designer."""

import time
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from lxml import etree

from accounts.demo import create_demo_users
from processes.drafts import new_draft
from processes.models import Draft, ProcessDefinition
from tests.browser.conftest import log_in

BPMN_MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI_NAMESPACES = (
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


class Canvas:
    """Draw on the bpmn-js canvas with the mouse, as a person does."""

    def __init__(self, page):
        self.page = page

    def shape(self, element_id):
        return self.page.locator(f".djs-element[data-element-id='{element_id}']").first

    def select(self, element_id):
        """Click the shape, after closing any context pad that may cover it."""
        self.deselect()
        box = self.shape(element_id).bounding_box()
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        self.wait_for_panel(element_id)

    def wait_for_panel(self, element_id):
        self.page.locator(f"#panel:not([data-busy]) form[data-element-id='{element_id}']").wait_for()

    def select_flow(self, flow_id):
        """Click the flow's last segment near its end (a bent flow's box centre is off it)."""
        x, y = self.page.evaluate(
            """id => {
                const el = bpmnModeler.get('elementRegistry').get(id);
                const [a, b] = el.waypoints.slice(-2);
                const svg = document.querySelector('#canvas svg');
                const point = svg.createSVGPoint();
                point.x = a.x + (b.x - a.x) * 0.8; point.y = a.y + (b.y - a.y) * 0.8;
                const screen = point.matrixTransform(
                    document.querySelector('#canvas .viewport').getScreenCTM());
                return [screen.x, screen.y];
            }""",
            flow_id,
        )
        self.deselect()
        self.page.mouse.click(x, y)
        self.wait_for_panel(flow_id)

    def deselect(self):
        """Click an empty part of the canvas, closing any context pad."""
        box = self.page.locator("#canvas").bounding_box()
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] - 30)
        self.wait_for_panel(self.page.evaluate("bpmnModeler.get('canvas').getRootElement().id"))

    def context(self, action):
        self.page.locator(f".djs-context-pad [data-action='{action}']").click()

    def append(self, action, name=None):
        """Append from the selected shape; the new shape is selected with its label open."""
        self.context(action)
        if name:
            self.page.keyboard.type(name)
            self.page.keyboard.press("Enter")
        return self.selected()

    def selected(self):
        return self.page.evaluate(
            "bpmnModeler.get('selection').get().map(e => e.id)[0]"
        )

    def flow_between(self, source, target):
        return self.page.evaluate(
            """([s, t]) => bpmnModeler.get('elementRegistry').filter(
                e => e.type === 'bpmn:SequenceFlow' && e.source.id === s && e.target.id === t
            )[0].id""",
            [source, target],
        )


def panel_field(page, label):
    return page.locator("#panel").get_by_label(label, exact=True)


def settle(page):
    """Wait until the panel has its answers from the server."""
    page.locator("#panel:not([data-busy])").wait_for()


def wait_saved(page):
    page.locator("#save-status[data-state='saved']").wait_for()


@pytest.mark.django_db(transaction=True)
def test_a_process_owner_draws_configures_fixes_and_deploys_and_an_employee_gets_the_task(page):
    create_demo_users()
    log_in(page, "olivia", "olivia-designs")
    page.get_by_role("link", name="Designer").click()
    page.get_by_label("Name").fill("Expense claim")
    page.get_by_label("Key").fill("expense_claim")
    page.get_by_role("button", name="Create and open").click()
    page.locator("#designer[data-ready='true']").wait_for()
    canvas = Canvas(page)
    watermark = page.locator(".bjs-powered-by")
    assert watermark.is_visible(), "bpmn.io's licence asks for its watermark"
    box = watermark.bounding_box()
    assert page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('.bjs-powered-by') !== null",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    ), "nothing covers the watermark"

    # The blank process has a start and an end event: start over from the palette.
    for element_id in ("end", "start"):
        canvas.select(element_id)
        canvas.context("delete")
    page.locator(".djs-palette [data-action='create.start-event']").click()
    box = page.locator("#canvas").bounding_box()
    page.mouse.click(box["x"] + 150, box["y"] + 200)
    start = canvas.selected()
    review = canvas.append("append.append-task", "Review claim")
    canvas.context("replace")
    page.locator(".djs-popup [data-id='replace-with-user-task']").click()
    review = canvas.selected()
    gateway = canvas.append("append.gateway", "Approved?")
    pay = canvas.append("append.append-task", "Pay claim")
    canvas.append("append.end-event", "Paid")
    canvas.select(gateway)
    explain = canvas.append("append.append-task", "Explain refusal")
    canvas.append("append.end-event", "Refused")
    assert start and review and pay and explain

    # The user task: who does it, and its form.
    canvas.select(review)
    page.locator("#panel .panel-kind", has_text="User task").wait_for()
    panel_field(page, "Candidate groups").fill("Employees")
    panel_field(page, "Candidate groups").press("Tab")
    page.locator("#panel").get_by_role("button", name="Add field").click()
    row = page.locator("#panel .panel-list .panel-row").first
    row.get_by_label("Variable", exact=True).fill("approved")
    row.get_by_label("Label", exact=True).fill("Approve the claim")
    row.get_by_label("Type", exact=True).select_option("boolean")
    page.wait_for_function(
        """id => bpmnModeler.get('elementRegistry').get(id).businessObject
            .extensionElements?.values[0]?.type === 'boolean'""",
        arg=review,
    )

    # Saved without conditions, the gateway is marked and its error listed.
    page.get_by_role("button", name="Save").click()
    wait_saved(page)
    problem = page.locator("#problems .problem-error", has_text=gateway)
    problem.wait_for()
    assert "without a condition" in problem.inner_text()
    assert "baton-error" in canvas.shape(gateway).get_attribute("class")
    page.get_by_role("button", name="Deploy").click()
    page.locator("#deploy-result.deploy-refused").wait_for()
    assert not ProcessDefinition.objects.filter(key="expense_claim").exists()

    # A condition that does not compile is refused beside the field.
    problem.get_by_role("button").click()
    canvas.select_flow(canvas.flow_between(gateway, pay))
    panel_field(page, "Condition").fill("${approved ==}")
    panel_field(page, "Condition").press("Tab")
    page.locator("#panel [data-error-for='condition']", has_text="does not compile").wait_for()
    assert panel_field(page, "Condition").get_attribute("aria-invalid") == "true"
    panel_field(page, "Condition").fill("${approved}")
    panel_field(page, "Condition").press("Tab")
    page.wait_for_function("!document.querySelector(\"#panel [data-error-for='condition']\").textContent")
    canvas.select_flow(canvas.flow_between(gateway, explain))
    panel_field(page, "Condition").fill("${not approved}")
    panel_field(page, "Condition").press("Tab")
    page.wait_for_function(
        "bpmnModeler.get('elementRegistry').filter(e => e.businessObject.conditionExpression).length === 2"
    )

    page.get_by_role("button", name="Save").click()
    wait_saved(page)
    assert page.locator("#problems .problem-error").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("button", name="Fit").click()
    canvas.select(review)
    page.locator("#panel [data-field='candidateGroups']").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "designer.png"), full_page=True)

    page.get_by_role("button", name="Deploy").click()
    page.locator("#deploy-result.deploy-ok").get_by_role("link", name="Expense claim v1").click()
    page.get_by_role("heading", name="Expense claim").wait_for()
    definition = ProcessDefinition.objects.get(key="expense_claim")
    draft_xml = Draft.objects.get(owner__username="olivia").xml
    assert 'candidateGroups="Employees"' in draft_xml and 'id="approved"' in draft_xml

    page.get_by_role("button", name="Start an instance").click()
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Started Expense claim").wait_for()
    assert definition.instances.count() == 1

    page.get_by_role("button", name="Log out olivia").click()
    log_in(page, "emma", "emma-works")
    page.get_by_role("link", name="Tasks").click()
    page.get_by_role("navigation", name="Worklists").get_by_role("link", name="Group tasks").click()
    assert page.get_by_role("row", name="Review claim").is_visible()


FILES = Path(__file__).resolve().parents[1]
ROUND_TRIP = [
    FILES / "conformance" / "miwg" / "reference" / "C.1.0.bpmn",  # MIWG, see its ATTRIBUTION.md
    FILES / "designer" / "files" / "camunda_modeler_invoice.bpmn",
]


def _inventory(xml: bytes) -> dict:
    """What must survive a round trip: every element with an id, its foreign attributes and
    extension elements, and the position of every shape and edge."""
    root = etree.fromstring(xml)
    elements, shapes, extensions = {}, {}, Counter()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element)
        if element.get("id"):
            foreign = {k: v for k, v in element.attrib.items() if k.startswith("{")}
            elements[element.get("id")] = (name.localname, foreign)
        if name.localname in ("BPMNShape", "BPMNEdge"):
            points = [
                tuple(float(point.get(axis)) for axis in ("x", "y", "width", "height") if point.get(axis))
                for point in element.iter() if etree.QName(point).localname in ("Bounds", "waypoint")
            ]
            shapes[element.get("bpmnElement")] = points
        if name.namespace not in (BPMN_MODEL, *DI_NAMESPACES):
            owner = next(e.get("id") for e in element.iterancestors() if e.get("id"))
            extensions[(name.text, owner, tuple(sorted(element.attrib.items())))] += 1
    return {"elements": elements, "shapes": shapes, "extensions": extensions}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ROUND_TRIP, ids=lambda p: p.name)
def test_an_uploaded_model_saved_from_the_designer_keeps_every_element_and_its_layout(page, path):
    create_demo_users()
    log_in(page, "olivia", "olivia-designs")
    page.goto("/designer/")
    page.get_by_label("BPMN 2.0 file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and open").click()
    page.locator("#designer[data-ready='true']").wait_for()
    assert page.locator(".djs-shape").count() > 3, "the diagram is drawn"

    page.get_by_role("button", name="Save").click()
    wait_saved(page)

    saved = Draft.objects.get(owner__username="olivia").xml.encode()
    before, after = _inventory(path.read_bytes()), _inventory(saved)
    assert after["elements"] == before["elements"]
    assert after["shapes"] == before["shapes"]
    assert after["extensions"] == before["extensions"]


def _saved_xml(draft):
    draft.refresh_from_db()
    return draft.xml


@pytest.mark.django_db(transaction=True)
def test_panel_edits_undo_redo_and_save_themselves_even_when_the_tab_closes(page):
    create_demo_users()
    draft = new_draft(User.objects.get(username="olivia"), "Onboarding", "onboarding")
    log_in(page, "olivia", "olivia-designs")
    page.goto(f"/designer/{draft.pk}/")
    page.locator("#designer[data-ready='true']").wait_for()
    canvas = Canvas(page)
    name_of_end = "bpmnModeler.get('elementRegistry').get('end').businessObject.name"

    canvas.select("end")
    panel_field(page, "Name").fill("Hired")
    panel_field(page, "Name").press("Tab")
    page.wait_for_function(f"{name_of_end} === 'Hired'")
    wait_saved(page)  # without pressing Save
    assert 'name="Hired"' in _saved_xml(draft)

    canvas.select("end")
    page.keyboard.press("Control+z")
    page.wait_for_function(f"{name_of_end} === undefined")
    page.keyboard.press("Control+y")
    page.wait_for_function(f"{name_of_end} === 'Hired'")

    canvas.select("end")
    page.locator("#panel [name=name][value=Hired]").wait_for()
    for button, expected in (("Download BPMN", 'name="Hired"'), ("Download SVG", "<svg")):
        with page.expect_download() as download:
            page.get_by_role("button", name=button).click()
        assert expected in Path(download.value.path()).read_text()
    assert download.value.suggested_filename == "Onboarding.svg"
    panel_field(page, "Name").fill("Onboarded")
    panel_field(page, "Name").press("Tab")
    page.wait_for_function(f"{name_of_end} === 'Onboarded'")
    page.close(run_before_unload=True)  # before the autosave is due
    deadline = time.monotonic() + 10
    while 'name="Onboarded"' not in _saved_xml(draft) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert 'name="Onboarded"' in _saved_xml(draft)


@pytest.mark.django_db(transaction=True)
def test_each_kind_of_panel_edit_lands_in_the_saved_model(page):
    """An HTTP call with a header, a timer, a new message and a multi-instance loop."""
    create_demo_users()
    log_in(page, "olivia", "olivia-designs")
    page.goto("/designer/")
    page.get_by_label("BPMN 2.0 file").set_input_files(str(FILES / "designer" / "files" / "every_kind_of_edit.bpmn"))
    page.get_by_role("button", name="Upload and open").click()
    page.locator("#designer[data-ready='true']").wait_for()
    canvas = Canvas(page)

    canvas.select("book")
    panel_field(page, "Implementation").select_option("http")
    settle(page)
    panel_field(page, "URL").fill("https://carrier.example.com/bookings")
    panel_field(page, "URL").press("Tab")
    page.locator("#panel").get_by_role("button", name="Add header").click()
    row = page.locator("#panel [data-field='http_headers'] .panel-row").first
    row.get_by_label("Name", exact=True).fill("X-Order")
    row.get_by_label("Value", exact=True).fill("${order_id}")
    row.get_by_label("Value", exact=True).press("Tab")

    canvas.select("wait")
    panel_field(page, "Fires").select_option("timeCycle")
    settle(page)
    panel_field(page, "Timer").fill("r3/pt2h")
    panel_field(page, "Timer").press("Tab")
    reading = page.locator("#panel [data-reading-for='timer_value']")
    reading.filter(has_text="every 2 hours").wait_for()
    assert panel_field(page, "Timer").input_value() == "R3/PT2H"

    canvas.select("paid")
    panel_field(page, "Message").select_option(label="new message")
    settle(page)
    panel_field(page, "Message name").fill("Payment received")
    panel_field(page, "Message name").press("Tab")
    settle(page)

    canvas.select("pack")
    panel_field(page, "Repeat").select_option("parallel")
    settle(page)
    panel_field(page, "Collection").fill("${items}")
    panel_field(page, "Collection").press("Tab")
    page.wait_for_function(
        "bpmnModeler.get('elementRegistry').get('pack').businessObject"
        ".loopCharacteristics.get('baton:collection') === '${items}'"
    )

    page.get_by_role("button", name="Save").click()
    wait_saved(page)
    root = etree.fromstring(Draft.objects.get(owner__username="olivia").xml.encode())
    ns = {"bpmn": BPMN_MODEL, "baton": "http://baton-bpm.org/schema/1.0/bpmn"}
    book = root.find(".//bpmn:serviceTask[@id='book']", ns)
    assert book.get("{http://baton-bpm.org/schema/1.0/bpmn}type") == "http"
    http = book.find("bpmn:extensionElements/baton:http", ns)
    assert http.get("url") == "https://carrier.example.com/bookings"
    assert [(h.get("name"), h.get("value")) for h in http.findall("baton:header", ns)] == [
        ("X-Order", "${order_id}")
    ]
    assert root.find(".//bpmn:timerEventDefinition/bpmn:timeCycle", ns).text == "R3/PT2H"
    message_ref = root.find(".//bpmn:messageEventDefinition", ns).get("messageRef")
    assert root.find(f"bpmn:message[@id='{message_ref}']", ns).get("name") == "Payment received"
    loop = root.find(".//bpmn:task[@id='pack']/bpmn:multiInstanceLoopCharacteristics", ns)
    assert loop.get("{http://baton-bpm.org/schema/1.0/bpmn}collection") == "${items}"
