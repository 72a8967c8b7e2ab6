"""What can go wrong when a command reaches the engine."""


class EngineError(Exception):
    """A command the engine cannot carry out; the message says why, for a person."""


class NotWaiting(EngineError):
    """The command names a token that is not waiting where the command expects."""


class UnsupportedElement(EngineError):
    """The model holds an element kind this engine cannot run."""

    def __init__(self, element_id: str, kind: str):
        self.element_id = element_id
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        super().__init__(f"'{element_id}' is {article} {kind}, which this engine cannot run.")


class StepFailed(EngineError):
    """A step failed at run time (a bad expression, no way out): an incident holds the token."""
