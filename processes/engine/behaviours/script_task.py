from processes.engine.behaviours.base import Behaviour
from processes.engine.errors import StepFailed, UnsupportedElement
from processes.engine.expressions import BpmnErrorThrown, ExpressionError, compile_script

SCRIPT_FORMATS = {None, "", "python", "baton"}


class ScriptTask(Behaviour):
    """Run the task's lines of ``name = expression`` in the sandboxed evaluator, never exec."""

    def __init__(self, node, plan):
        super().__init__(node, plan)
        if (node.script_format or "").lower() not in SCRIPT_FORMATS:
            raise UnsupportedElement(node.id, f"script task in {node.script_format}")
        self.script = compile_script(node.script or "")

    def execute(self, run, token) -> None:
        try:
            changes = self.script.run(run.variables_of(token), now=run.now)
        except ExpressionError as error:
            raise StepFailed(f"Script task '{self.node.id}': {error}") from None
        except BpmnErrorThrown as error:  # caught by a boundary event, else an incident
            run.throw_error(token, error.code, error.message or None, True)
            return
        run.set_variables(changes, token)
        run.leave(token)
