"""SVG path data for BPMN icons and markers, drawn for this project.

Task icons sit in a 20 x 20 box at the task's top-left corner. Event icons are centred
on (0, 0) for a 36-pixel event, gateway markers on (0, 0) for a 50-pixel diamond, and
activity and data markers on (0, 0) in a 14-pixel box; the renderer scales them.

An icon is a tuple of (style, path) pairs. The style names a CSS class suffix:
"line" strokes the path, "bold" strokes it thickly, "fill" fills it with the stroke
colour, "hollow" fills it with the background colour and "light" strokes it with the
background colour (the flap of a filled envelope).
"""

import math

Icon = tuple[tuple[str, str], ...]


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _polygon(points) -> str:
    """Close a path through the points."""
    return "M" + " L".join(f"{_n(x)},{_n(y)}" for x, y in points) + " Z"


def _circle(cx: float, cy: float, r: float) -> str:
    """Draw a circle as a path of two half arcs."""
    return (
        f"M{_n(cx - r)},{_n(cy)} a{_n(r)},{_n(r)} 0 1,0 {_n(2 * r)},0 "
        f"a{_n(r)},{_n(r)} 0 1,0 {_n(-2 * r)},0 Z"
    )


def _regular(sides: int, radius: float, cx: float = 0, cy: float = 0) -> str:
    """Draw a regular polygon with one corner pointing up."""
    step = 2 * math.pi / sides
    return _polygon(
        (cx + radius * math.sin(i * step), cy - radius * math.cos(i * step))
        for i in range(sides)
    )


def _cross(arm: float, half: float, degrees: float = 0) -> str:
    """Draw a plus sign of the given arm length and half width, turned by degrees."""
    outline = [
        (-half, -arm), (half, -arm), (half, -half), (arm, -half), (arm, half), (half, half),
        (half, arm), (-half, arm), (-half, half), (-arm, half), (-arm, -half), (-half, -half),
    ]
    cos, sin = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return _polygon((x * cos - y * sin, x * sin + y * cos) for x, y in outline)


def _gear(cx: float, cy: float, outer: float, inner: float, teeth: int) -> str:
    """Draw a toothed wheel with a hole in the middle."""
    points = []
    for i in range(teeth):
        centre = 360 * i / teeth
        for radius, offset in ((inner, -14), (outer, -8), (outer, 8), (inner, 14)):
            angle = math.radians(centre + offset)
            points.append((cx + radius * math.sin(angle), cy - radius * math.cos(angle)))
    return _polygon(points) + " " + _circle(cx, cy, inner * 0.45)


def _ticks(count: int, inner: float, outer: float) -> str:
    """Draw the hour marks of a clock face."""
    marks = []
    for i in range(count):
        angle = 2 * math.pi * i / count
        sin, cos = math.sin(angle), math.cos(angle)
        marks.append(f"M{_n(inner * sin)},{_n(-inner * cos)} L{_n(outer * sin)},{_n(-outer * cos)}")
    return " ".join(marks)


_ENVELOPE = "M-8,-5.5 H8 V5.5 H-8 Z"
_FLAP = "M-8,-5.5 L0,0.5 L8,-5.5"
_ERROR = _polygon([(-8, 8), (-3, -7), (1, 1), (7, -8), (3, 7), (-1, -1)])
_ESCALATION = "M0,-9 L7,8 L0,1 L-7,8 Z"
_SIGNAL = "M0,-9 L8.5,6 H-8.5 Z"
_COMPENSATION = "M-1,-6 L-9,0 L-1,6 Z M8,-6 L0,0 L8,6 Z"
_LINK = "M-8,-3.5 H1 V-8 L9,0 L1,8 V3.5 H-8 Z"
_CANCEL = _cross(10, 2.5, 45)
_MULTIPLE = _regular(5, 9)

TASK_ICONS: dict[str, Icon] = {
    "userTask": (
        ("hollow", "M3,19 V15.5 C3,12.5 5.6,10.7 10,10.7 C14.4,10.7 17,12.5 17,15.5 V19 Z"),
        ("line", "M6.5,14.5 V19 M13.5,14.5 V19"),
        ("hollow", _circle(10, 6.2, 3.8)),
        ("fill", "M6.3,5.6 C6.5,3.1 8,2 10,2 C12,2 13.5,3.1 13.7,5.6 "
                 "C12.4,4.6 11.1,4.4 10,5.1 C8.9,4.4 7.6,4.6 6.3,5.6 Z"),
    ),
    "manualTask": (
        ("hollow", "M8,5.5 H17.8 A1.3,1.3 0 0 1 17.8,8.1 H8 Z"),
        ("hollow", "M8,8.1 H16.7 A1.3,1.3 0 0 1 16.7,10.7 H8 Z"),
        ("hollow", "M8,10.7 H15.7 A1.3,1.3 0 0 1 15.7,13.3 H8 Z"),
        ("hollow", "M8,13.3 H14.2 A1.3,1.3 0 0 1 14.2,15.9 H8 Z"),
        ("hollow", "M9.5,5.5 H5.8 C3.2,5.5 1.5,7.5 1.5,10.7 C1.5,14 3.2,15.9 6,15.9 H9.5 "
                   "M5.8,5.5 L8.8,2.6 A1.3,1.3 0 0 1 10.6,4.4 L9.5,5.5"),
    ),
    "serviceTask": (("hollow", _gear(9.5, 9.5, 8, 5.6, 8)),),
    "scriptTask": (
        ("hollow", "M5,2 H16 C14,4 14,6.5 15.5,9.5 C17,12.5 17,15 15,18 H4 "
                   "C6,15 6,12.5 4.5,9.5 C3,6.5 3,4 5,2 Z"),
        ("line", "M6.5,6 H12.5 M7.5,9.5 H13.5 M7.5,13 H13.5"),
    ),
    "sendTask": (("fill", "M2,4 H18 V16 H2 Z"), ("light", "M2,4 L10,10.5 L18,4")),
    "receiveTask": (("hollow", "M2,4 H18 V16 H2 Z"), ("line", "M2,4 L10,10.5 L18,4")),
    "businessRuleTask": (
        ("hollow", "M2,3 H18 V17 H2 Z"),
        ("fill", "M2,3 H18 V7 H2 Z"),
        ("line", "M2,12 H18 M7,7 V17"),
    ),
}

_CATCH_ICONS: dict[str, Icon] = {
    "message": (("hollow", _ENVELOPE), ("line", _FLAP)),
    "timer": (
        ("hollow", _circle(0, 0, 10.5)),
        ("line", _ticks(12, 8, 10.5)),
        ("line", "M0,0 L0.6,-7.5 M0,0 L5.5,1.5"),
    ),
    "error": (("hollow", _ERROR),),
    "escalation": (("hollow", _ESCALATION),),
    "signal": (("hollow", _SIGNAL),),
    "conditional": (
        ("hollow", "M-6.5,-8.5 H6.5 V8.5 H-6.5 Z"),
        ("line", "M-4,-5 H4 M-4,-1.5 H4 M-4,2 H4 M-4,5.5 H4"),
    ),
    "compensate": (("hollow", _COMPENSATION),),
    "link": (("hollow", _LINK),),
    "terminate": (("fill", _circle(0, 0, 10)),),
    "cancel": (("hollow", _CANCEL),),
    "multiple": (("hollow", _MULTIPLE),),
    "parallelMultiple": (("hollow", _cross(9, 2.5)),),
}

_THROW_ICONS: dict[str, Icon] = {
    "message": (("fill", _ENVELOPE), ("light", _FLAP)),
    "error": (("fill", _ERROR),),
    "escalation": (("fill", _ESCALATION),),
    "signal": (("fill", _SIGNAL),),
    "compensate": (("fill", _COMPENSATION),),
    "link": (("fill", _LINK),),
    "cancel": (("fill", _CANCEL),),
    "multiple": (("fill", _MULTIPLE),),
}


def event_icon(kind: str, throw: bool) -> Icon | None:
    """Return the icon of an event definition kind, filled when the event throws."""
    if throw and kind in _THROW_ICONS:
        return _THROW_ICONS[kind]
    return _CATCH_ICONS.get(kind)


GATEWAY_MARKERS: dict[str, Icon] = {
    "exclusive": (("fill", _cross(12, 2.4, 45)),),
    "parallel": (("fill", _cross(13.5, 2.4)),),
    "inclusive": (("bold", _circle(0, 0, 11.5)),),
    "complex": (("fill", _cross(13, 2.2)), ("fill", _cross(12, 2.2, 45))),
    "eventBased": (
        ("line", _circle(0, 0, 13)),
        ("line", _circle(0, 0, 10.5)),
        ("line", _regular(5, 6.5)),
    ),
    "eventBasedStart": (("line", _circle(0, 0, 12.5)), ("line", _regular(5, 7))),
    "eventBasedParallelStart": (("line", _circle(0, 0, 12.5)), ("line", _cross(8, 2.2))),
}

ACTIVITY_MARKERS: dict[str, Icon] = {
    "subprocess": (("hollow", "M-7,-7 H7 V7 H-7 Z"), ("line", "M-4,0 H4 M0,-4 V4")),
    "loop": (
        ("line", "M3,5.2 A6,6 0 1 0 -3,5.2"),
        ("line", "M-4.2,1.9 L-3,5.2 L-6.45,5.8"),
    ),
    "parallel": (("fill", "M-6,-6 h2.5 v12 h-2.5 Z M-1.25,-6 h2.5 v12 h-2.5 Z "
                          "M3.5,-6 h2.5 v12 h-2.5 Z"),),
    "sequential": (("fill", "M-6,-6 h12 v2.5 h-12 Z M-6,-1.25 h12 v2.5 h-12 Z "
                            "M-6,3.5 h12 v2.5 h-12 Z"),),
    "compensation": (("hollow", "M0,-5 L-7,0 L0,5 Z M7,-5 L0,0 L7,5 Z"),),
    "adhoc": (("line", "M-7,1.5 C-5,-3 -2,-3 0,0 C2,3 5,3 7,-1.5"),),
}

DATA_MARKERS: dict[str, Icon] = {
    "input": (("hollow", "M-6,-2 H0 V-5.5 L6,0 L0,5.5 V2 H-6 Z"),),
    "output": (("fill", "M-6,-2 H0 V-5.5 L6,0 L0,5.5 V2 H-6 Z"),),
    "collection": ACTIVITY_MARKERS["parallel"],
}
