from processes.engine.behaviours.join import Join


class ParallelGateway(Join):
    """Fork to every outgoing flow; join once a token arrived for each incoming flow.

    Like Camunda, the join counts arrived tokens rather than checking which flows they came
    by (BPMN 2.0, 13.3.3 asks for one token per incoming flow; loops make the difference).
    """

    def arrived(self, run, token) -> None:
        if len(self.waiting(run, token)) + 1 >= len(self.node.incoming):
            self.fire(run, token)

    def outgoing(self, run, token) -> list[str]:
        return list(self.node.outgoing)
