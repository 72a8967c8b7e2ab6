"""The script of a script task: lines of ``name = expression``, run in the sandboxed evaluator.

Each line sets a variable, so a script needs no result variable (the engine has none for
scripts). A script format from another tool (JavaScript, Groovy) cannot run here: writing
the script removes it, since what is written is ours.
"""

from processes.bpmn.validate import SCRIPT_FORMATS

from . import checks
from .base import Field, Invalid, update


class ScriptField(Field):
    name = "script"
    label = "Script"
    widget = "textarea"
    section = "Script"
    kinds = frozenset({"scriptTask"})
    placeholder = "total = price * quantity\nvat = total * 0.2"
    help = "One variable per line, as name = expression; later lines see earlier ones."

    def current(self, sel):
        return sel.child_text("script")

    def clean(self, value, sel):
        value = value.strip()
        if not value:
            raise Invalid("Write what the script computes, as lines of name = expression.")
        return checks.script(value)

    def edits(self, value, sel) -> list[dict]:
        properties = {"script": value}
        if sel.element.get("scriptFormat") not in SCRIPT_FORMATS:
            properties["scriptFormat"] = None
        return [update(properties)]


FIELDS = [ScriptField()]
