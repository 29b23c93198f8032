"""The network picture of a commune as plain boxes and lines, drawn as inline SVG by the page.

Pure: twinning units → the commune → its villages, each village with how many of its poor
and near-poor households have a Party member in charge. A village with a gap (no office, no
committee member or an uncovered household) is marked.
"""

from __future__ import annotations

from dataclasses import dataclass

ROW = 34
BOX_HEIGHT = 26
COLUMNS = (8, 250, 470)
WIDTHS = (220, 190, 300)
TOP = 8


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    width: int
    label: str
    gap: bool = False

    @property
    def height(self) -> int:
        return BOX_HEIGHT

    @property
    def text_x(self) -> int:
        return self.x + 8

    @property
    def text_y(self) -> int:
        return self.y + 17


@dataclass(frozen=True)
class Line:
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass(frozen=True)
class VillageFigure:
    name: str
    covered: int
    poor: int
    has_office: bool
    has_committee_member: bool

    @property
    def gap(self) -> bool:
        return self.covered < self.poor or not self.has_office or not self.has_committee_member


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    boxes: list[Box]
    lines: list[Line]


def picture(
    *, organisations: list[str], commune: str, villages: list[VillageFigure], covered_label: str
) -> Picture:
    """Lay out the picture; `covered_label` formats "covered/poor" (e.g. "%(covered)s/%(poor)s hộ")."""
    rows = max(len(villages), len(organisations), 1)
    height = TOP * 2 + rows * ROW
    middle = TOP + (rows * ROW - BOX_HEIGHT) // 2
    commune_box = Box(COLUMNS[1], middle, WIDTHS[1], commune, gap=not organisations)
    boxes = [commune_box]
    lines = []
    for index, name in enumerate(organisations):
        box = Box(COLUMNS[0], TOP + index * ROW, WIDTHS[0], name)
        boxes.append(box)
        lines.append(
            Line(
                box.x + box.width, box.y + BOX_HEIGHT // 2, commune_box.x, middle + BOX_HEIGHT // 2
            )
        )
    for index, village in enumerate(villages):
        label = f"{village.name} · " + covered_label % {
            "covered": village.covered,
            "poor": village.poor,
        }
        box = Box(COLUMNS[2], TOP + index * ROW, WIDTHS[2], label, gap=village.gap)
        boxes.append(box)
        lines.append(
            Line(
                commune_box.x + commune_box.width,
                middle + BOX_HEIGHT // 2,
                box.x,
                box.y + BOX_HEIGHT // 2,
            )
        )
    return Picture(width=COLUMNS[2] + WIDTHS[2] + 8, height=height, boxes=boxes, lines=lines)
