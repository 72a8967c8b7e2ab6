"""The execution core: pure Python, no Django, deterministic given its inputs and clock.

``runtime.Engine`` takes one command and the live state of one instance and returns the new
state and the effects (``effects.py``) for the persistence layer to write. Each BPMN element
kind has one small behaviour in ``behaviours/``.
"""
