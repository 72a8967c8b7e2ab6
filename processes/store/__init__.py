"""Persistence of the engine: load an instance's live state, apply the core's effects.

The engine core (``processes.engine``) knows nothing of the database; this package turns
what it returns into rows, with set-based writes, in the caller's transaction.
"""
