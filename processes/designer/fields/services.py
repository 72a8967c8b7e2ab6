"""How service, send and business rule tasks work: a handler, HTTP, a worker, an expression.

The kind is ``baton:type``; each kind has its own attributes (the HTTP call, its own
``baton:http`` element), and choosing a kind removes those of the others, so the engine never
finds two implementations. Camunda's ``class`` and ``delegateExpression`` are read as a
handler and removed when the handler is written.
"""

import re
from urllib.parse import urlsplit

from lxml import etree

from processes.bpmn.extensions import DIALECTS, read_extensions
from processes.bpmn.xml import text_of
from processes.connectors.registry import handler_names

from ..selection import baton_element
from . import checks
from .base import AttributeField, Column, Field, Invalid, ListField, extension_elements, update

SERVICE_LIKE = frozenset({"serviceTask", "sendTask", "businessRuleTask"})
KINDS = {
    "handler": "a registered handler",
    "http": "an HTTP call",
    "external": "an external worker",
    "expression": "an expression",
}
# The attributes each kind uses, in any dialect; the HTTP call is an extension element.
KIND_ATTRIBUTES = {
    "handler": ("handler", "class", "delegateExpression"),
    "http": (),
    "external": ("topic",),
    "expression": ("expression",),
}
RESULT_KINDS = frozenset({"http", "expression"})  # a handler returns its variables itself
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MAX_TIMEOUT = 60  # seconds: the HTTP connector never waits longer
TOPIC = re.compile(r"^[\w.-]+$")
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~\w-]+$", re.ASCII)


def implementation_kind(sel) -> str:
    """The kind of implementation the engine reads from the task ("" for none)."""
    implementation = read_extensions(sel.element, sel.id, []).implementation
    return implementation.kind if implementation else ""


class ImplementationField(Field):
    name = "implementation"
    label = "Implementation"
    widget = "select"
    section = "Implementation"
    kinds = SERVICE_LIKE
    reload = True
    help = "How the task does its work. Choosing another kind removes the settings of this one."

    def current(self, sel):
        return implementation_kind(sel)

    def choices(self, sel):
        if sel.kind == "sendTask":
            blank = [("", "none: only send the task's message")]
        else:
            blank = [] if self.current(sel) else [("", "not chosen yet")]
        return blank + list(KINDS.items())

    def clean(self, value, sel):
        if value in KINDS or (value == "" and sel.kind == "sendTask"):
            return value
        raise Invalid(f"Choose how the task does its work: one of {', '.join(KINDS)}.")

    def edits(self, value, sel) -> list[dict]:
        properties = sel.attr_edit("type", value or None)
        for kind, names in KIND_ATTRIBUTES.items():
            if kind != value:
                properties |= _dropped(sel, names)
        if value not in RESULT_KINDS:
            properties |= _dropped(sel, ("resultVariable",))
        if value != "http" and sel.extensions("http"):
            properties["extensionElements"] = extension_elements(sel, {"http"}, [])
        return [update(properties)]


class ImplementationDetail(Field):
    """A setting of some kinds of implementation: shown only when one of them is chosen."""

    section = "Implementation"
    kinds = SERVICE_LIKE
    for_kinds: frozenset[str] = frozenset()

    def applies(self, sel) -> bool:
        return super().applies(sel) and implementation_kind(sel) in self.for_kinds


class HandlerField(ImplementationDetail, AttributeField):
    name = attribute = "handler"
    label = "Handler"
    widget = "select"
    for_kinds = frozenset({"handler"})
    help = (
        "A Python function registered with @service_handler or in BATON_SERVICE_HANDLERS; "
        "it returns the variables to set."
    )

    def current(self, sel):
        return sel.attr("handler") or sel.attr("class") or sel.attr("delegateExpression") or ""

    def choices(self, sel):
        current, names = self.current(sel), handler_names()
        choices = [(name, name) for name in names]
        if not current:
            return [("", "choose a handler"), *choices]
        return choices if current in names else [*choices, (current, f"{current} (not registered)")]

    def clean(self, value, sel):
        value, names = value.strip(), handler_names()
        if value in names:
            return value
        if not value:
            raise Invalid("Choose the handler that does the work.")
        raise Invalid(
            f"No handler is registered as '{value}': choose one of {', '.join(names) or 'none'}, "
            "or register it with @service_handler or in BATON_SERVICE_HANDLERS."
        )

    def edits(self, value, sel) -> list[dict]:
        aliases = _dropped(sel, ("class", "delegateExpression"))
        return [update(sel.attr_edit("handler", value) | aliases)]


class TopicField(ImplementationDetail, AttributeField):
    name = attribute = "topic"
    label = "Topic"
    for_kinds = frozenset({"external"})
    placeholder = "invoice-payment"
    help = "External workers fetch the tasks of their topic through the API and complete them."

    def clean(self, value, sel):
        value = value.strip()
        if not value:
            raise Invalid("Name the topic that workers fetch, such as invoice-payment.")
        if not TOPIC.match(value):
            raise Invalid(
                f"'{value}' is not a topic: name it in one word, such as invoice-payment, using "
                "letters, digits, '.', '-' and '_'."
            )
        return value


class ExpressionField(ImplementationDetail, AttributeField):
    name = attribute = "expression"
    label = "Expression"
    for_kinds = frozenset({"expression"})
    placeholder = "${amount * 1.2}"
    help = "Evaluated when the task runs; its value goes into the result variable."

    def clean(self, value, sel):
        value = value.strip()
        if not value:
            raise Invalid("Write the expression to evaluate, such as ${amount * 1.2}.")
        checks.expression(value, "expression")
        return value


class HttpField(ImplementationDetail):
    """One part of the HTTP call; a change rewrites the whole ``baton:http`` element."""

    for_kinds = frozenset({"http"})
    part = ""

    def current(self, sel):
        return _http(sel)[self.part]

    def edits(self, value, sel) -> list[dict]:
        element = _http_element(_http(sel) | {self.part: value})
        return [update({"extensionElements": extension_elements(sel, {"http"}, [element])})]


class UrlField(HttpField):
    name = "http_url"
    part = "url"
    label = "URL"
    placeholder = "https://api.example.com/orders/${orderId}"
    help = "An http or https address; ${...} parts are filled in from the variables."

    def clean(self, value, sel):
        value = value.strip()
        if not value:
            raise Invalid("The URL is required, such as https://api.example.com/orders.")
        checks.maybe_expression(value, "URL")
        parts = urlsplit(value)
        if not value.startswith(("${", "#{")) and (
            parts.scheme not in ("http", "https") or not parts.netloc
        ):
            raise Invalid(
                f"'{value}' is not an http or https URL: start it with https:// and the host."
            )
        return value


class MethodField(HttpField):
    name = "http_method"
    part = "method"
    label = "Method"
    widget = "select"

    def choices(self, sel):
        return [(method, method) for method in METHODS]

    def clean(self, value, sel):
        value = value.strip().upper()
        if value not in METHODS:
            raise Invalid(f"'{value}' is not a method Baton sends: choose {', '.join(METHODS)}.")
        return value


class HeadersField(HttpField, ListField):
    name = "http_headers"
    part = "headers"
    label = "Headers"
    item_label = "header"
    columns = (Column("name", "Name"), Column("value", "Value"))
    help = "Values may use ${...}. An Idempotency-Key header is always added."

    def clean(self, value, sel):
        seen, cleaned = set(), []
        for where, row in self.clean_rows(value):
            if not row["name"]:
                raise Invalid(f"{where} has a value but no name: name it, such as Accept.")
            if not HEADER_NAME.match(row["name"]):
                raise Invalid(
                    f"{where}: '{row['name']}' is not a header name; use letters, digits and "
                    "-, such as Content-Type."
                )
            if row["name"].lower() in seen:
                raise Invalid(f"{where}: the header {row['name']} is already set above.")
            seen.add(row["name"].lower())
            checks.maybe_expression(row["value"], f"value of {row['name']}")
            cleaned.append(row)
        return cleaned


class BodyField(HttpField):
    name = "http_body"
    part = "body"
    label = "Body"
    widget = "textarea"
    placeholder = '${{"orderId": orderId, "amount": amount}}'
    help = "Sent as text; an expression giving a map or a list is sent as JSON."

    def clean(self, value, sel):
        return checks.maybe_expression(value.strip(), "body")


class TimeoutField(HttpField):
    name = "http_timeout"
    part = "timeout"
    label = "Timeout (seconds)"
    placeholder = "10"
    help = f"How long to wait for the answer, at most {MAX_TIMEOUT} seconds."

    def clean(self, value, sel):
        value = value.strip()
        if not value:
            return ""
        try:
            seconds = float(value)
        except ValueError:
            raise Invalid(
                f"The timeout is a number of seconds, such as 10, not '{value}'."
            ) from None
        if not 0 < seconds <= MAX_TIMEOUT:
            raise Invalid(
                f"The timeout must be more than 0 and at most {MAX_TIMEOUT} seconds; for longer "
                "work, use an external worker."
            )
        return f"{seconds:g}"


class ResultVariableField(ImplementationDetail, AttributeField):
    name = attribute = "resultVariable"
    label = "Result variable"
    for_kinds = RESULT_KINDS
    placeholder = "result"
    help = "Receives the expression's value, or the HTTP response (status, body and headers)."

    def clean(self, value, sel):
        return checks.variable(value.strip(), "result variable")


def _dropped(sel, names) -> dict:
    """Properties removing the attributes ``names``, in every dialect the element has them."""
    return {
        f"{sel.prefix(namespace)}:{name}": None
        for namespace in DIALECTS
        for name in names
        if sel.element.get(f"{{{namespace}}}{name}") is not None
    }


def _http(sel) -> dict:
    """The parts of the task's HTTP call, as the fields show them."""
    found = sel.extensions("http")
    if not found:
        return {"url": "", "method": "GET", "timeout": "", "headers": [], "body": ""}
    element = found[0]
    namespace = etree.QName(element).namespace
    bodies = element.findall(f"{{{namespace}}}body")
    return {
        "url": element.get("url", ""),
        "method": (element.get("method") or "GET").upper(),
        "timeout": element.get("timeout", ""),
        "headers": [
            {"name": header.get("name", ""), "value": header.get("value", "")}
            for header in element.findall(f"{{{namespace}}}header")
        ],
        "body": text_of(bodies[0]) if bodies else "",
    }


def _http_element(parts: dict):
    element = baton_element(
        "http", {"url": parts["url"], "method": parts["method"], "timeout": parts["timeout"]}
    )
    for header in parts["headers"]:
        element.append(baton_element("header", header))
    if parts["body"]:
        element.append(baton_element("body", text=parts["body"]))
    return element


FIELDS = [
    ImplementationField(), HandlerField(), TopicField(), ExpressionField(), UrlField(),
    MethodField(), HeadersField(), BodyField(), TimeoutField(), ResultVariableField(),
]
