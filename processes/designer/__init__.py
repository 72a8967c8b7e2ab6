"""The designer's server side: the properties panel for the element selected on the canvas.

The canvas is bpmn-js in the browser; drafts are kept by ``processes.drafts``. What lives
here reads an element from the diagram's XML, checks each property as it is typed, and
answers with the edits that bpmn-js applies (so undo and redo work).
"""
