"""A character grid for drawing boxes and orthogonal lines, and the line characters it uses.

Lines are not written as characters while drawing: each cell collects *arms* (bit sets of
:data:`N` :data:`E` :data:`S` :data:`W`, light or heavy), and :meth:`Canvas.finish` turns the
arms of a cell into the one box-drawing character that joins them (``┼``, ``┝``, ``╼``...), so
lines that cross, merge or turn meet cleanly whatever order they were drawn in. Text written
with :meth:`Canvas.put` wins over arms.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

N, E, S, W = 1, 2, 4, 8
"""Arm bits of a line cell: north, east, south, west."""

_DIRS = {"UP": (N,), "DOWN": (S,), "LEFT": (W,), "RIGHT": (E,), "VERTICAL": (N, S), "HORIZONTAL": (E, W)}
"""Direction words of the Unicode box-drawing names -> the arm bits they name."""


@lru_cache(maxsize=1)
def _box_table() -> dict[tuple[int, int], str]:
    """Map ``(light arms, heavy arms)`` bit sets to a box-drawing character.

    Built from the Unicode names of U+2500..U+257F ("DOWN LIGHT AND RIGHT HEAVY", ...), so
    mixed light/heavy junctions are drawn exactly.
    """
    table: dict[tuple[int, int], str] = {}
    for code in range(0x2500, 0x2580):
        char = chr(code)
        name = unicodedata.name(char, "")
        words = name.removeprefix("BOX DRAWINGS ").split()
        if not words or any(w in ("DASH", "DOUBLE", "ARC", "DIAGONAL", "SINGLE") for w in words):
            continue
        if any(w.endswith("DASH") for w in words):
            continue
        arms = {"LIGHT": 0, "HEAVY": 0}
        forward: str | None = None
        pending: list[int] = []
        for word in words:
            if word in arms:
                if pending:
                    for bit in pending:
                        arms[word] |= bit
                    pending = []
                else:
                    forward = word
            elif word in _DIRS:
                for bit in _DIRS[word]:
                    if forward:
                        arms[forward] |= bit
                    else:
                        pending.append(bit)
        if pending:
            continue
        table.setdefault((arms["LIGHT"], arms["HEAVY"]), char)
    return table


def box_table() -> dict[tuple[int, int], str]:
    """``(light arms, heavy arms)`` -> box-drawing character, for every such character.

    Tests use it backwards (character -> arms) to follow lines through a drawing.
    """
    return dict(_box_table())


def line_char(light: int, heavy: int, ascii_only: bool = False) -> str:
    """The character for a cell whose line arms are ``light`` and ``heavy`` (bit sets of N E S W).

    Args:
        light: Arms drawn with light lines.
        heavy: Arms drawn with heavy lines (a highlighted edge); wins over light.
        ascii_only: Use ``- | +`` (light) and ``= # #`` (heavy) instead of box drawing.

    Returns:
        One character; a blank for no arms.
    """
    light &= ~heavy
    arms = light | heavy
    if not arms:
        return " "
    if ascii_only:
        horizontal, vertical = arms & (E | W), arms & (N | S)
        if horizontal and not vertical:
            return "=" if heavy else "-"
        if vertical and not horizontal:
            return "#" if heavy else "|"
        return "#" if heavy and not light else "+"
    table = _box_table()
    if (light, heavy) in table:
        return table[(light, heavy)]
    if (0, arms) in table and heavy:
        return table[(0, arms)]
    return table.get((arms, 0), "┼")


class Canvas:
    """A grid of characters with line arms and style roles, turned into text at the end.

    Attributes:
        width: Cells per row.
        height: Rows.
        chars: ``[y][x]`` the written character, or ``None`` where the arms decide.
        light: ``[y][x]`` light arm bits.
        heavy: ``[y][x]`` heavy arm bits (a highlighted edge).
        roles: ``[y][x]`` the style role (see :data:`tutor.graph_layout.model.ROLES`) or ``None``.
    """

    def __init__(self, width: int, height: int) -> None:
        """An empty canvas of ``width`` x ``height`` cells."""
        self.width, self.height = width, height
        self.chars: list[list[str | None]] = [[None] * width for _ in range(height)]
        self.light = [[0] * width for _ in range(height)]
        self.heavy = [[0] * width for _ in range(height)]
        self.roles: list[list[str | None]] = [[None] * width for _ in range(height)]

    def arm(self, x: int, y: int, bits: int, heavy: bool = False) -> None:
        """Add line arms to a cell (cells off the canvas are ignored)."""
        if 0 <= x < self.width and 0 <= y < self.height:
            (self.heavy if heavy else self.light)[y][x] |= bits

    def path(self, points: list[tuple[int, int]], heavy: bool) -> None:
        """Draw a line through orthogonal waypoints ``(x, y)``."""
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            if x0 == x1 and y0 == y1:
                continue
            step_x = (x1 > x0) - (x1 < x0)
            step_y = (y1 > y0) - (y1 < y0)
            x, y = x0, y0
            while (x, y) != (x1, y1):
                nx, ny = x + step_x, y + step_y
                if step_x:
                    self.arm(x, y, E if step_x > 0 else W, heavy)
                    self.arm(nx, ny, W if step_x > 0 else E, heavy)
                else:
                    self.arm(x, y, S if step_y > 0 else N, heavy)
                    self.arm(nx, ny, N if step_y > 0 else S, heavy)
                x, y = nx, ny

    def put(self, x: int, y: int, text: str, role: str | None = None) -> None:
        """Write text starting at ``(x, y)``, with a style role if given."""
        for i, char in enumerate(text):
            if 0 <= x + i < self.width and 0 <= y < self.height:
                self.chars[y][x + i] = char
                if role:
                    self.roles[y][x + i] = role

    def clear(self, x: int, y: int) -> None:
        """Forget the character and role written at ``(x, y)``, so its arms decide again."""
        if 0 <= x < self.width and 0 <= y < self.height:
            self.chars[y][x] = None
            self.roles[y][x] = None

    def role(self, x: int, y: int, role: str) -> None:
        """Set the style role of a cell."""
        if 0 <= x < self.width and 0 <= y < self.height:
            self.roles[y][x] = role

    def finish(self, ascii_only: bool) -> tuple[tuple[str, ...], tuple[tuple[int, int, int, str], ...]]:
        """The finished drawing.

        Args:
            ascii_only: Draw lines with ``- | + = #`` instead of box drawing.

        Returns:
            ``(lines, spans)``: ``height`` rows of exactly ``width`` cells (trailing blanks
            kept), and style spans ``(row, start, end, role)``; a heavy line cell without a
            role gets ``"edge-highlight"``.
        """
        lines, spans = [], []
        for y in range(self.height):
            row = []
            for x in range(self.width):
                char = self.chars[y][x]
                if char is None:
                    char = line_char(self.light[y][x], self.heavy[y][x], ascii_only)
                    if self.heavy[y][x] and self.roles[y][x] is None:
                        self.roles[y][x] = "edge-highlight"
                row.append(char)
            lines.append("".join(row).rstrip().ljust(self.width))
            start = 0
            roles = self.roles[y]
            for x in range(1, self.width + 1):
                if x == self.width or roles[x] != roles[start]:
                    if roles[start]:
                        spans.append((y, start, x, roles[start]))
                    start = x
        return tuple(lines), tuple(spans)
