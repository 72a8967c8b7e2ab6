from processes.engine.behaviours.base import Behaviour


class StartEvent(Behaviour):
    """A none start event: the instance (or subprocess) begins here and moves on."""
