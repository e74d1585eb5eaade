"""The "explain" view's charts: how each answer moved each modality's score, as server-rendered SVG bars.

Pure Python: coordinates only; the template draws them. Each chart has a text alternative (title, desc and a
table in the page).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trellis.choosing.recommender import ANSWERS, START, Recommendation

WIDTH = 640
LABEL_WIDTH = 250
AXIS = LABEL_WIDTH + 170  # x of the zero line
HALF = WIDTH - AXIS - 64  # the longest bar, leaving room for its value
ROW = 28
TOP = 8


@dataclass(frozen=True)
class Bar:
    answer: str
    label: str
    value: float
    effect: str  # "for" | "against"
    y: float
    x: float
    width: float

    @property
    def signed(self) -> str:
        return f"{'+' if self.value >= 0 else '−'}{abs(self.value):.3f}"

    @property
    def text_y(self) -> float:
        return self.y + ROW * 0.62

    @property
    def bar_y(self) -> float:
        return self.y + 5


@dataclass(frozen=True)
class Chart:
    modality: str
    label: str
    score: float
    bars: tuple[Bar, ...]
    height: float
    axis: float = AXIS
    width: int = WIDTH

    value_x: int = WIDTH - 2  # the values stand right-aligned in their own column

    @property
    def description(self) -> str:
        if not self.bars:
            return f"{self.label}: score {self.score:.2f}; no answer moved it."
        terms = " ".join(f"{'+' if b.value >= 0 else '−'} {abs(b.value):.3f} ({b.label})" for b in self.bars)
        return f"{self.label}: score {self.score:.2f} = 0.5 {terms}."


def charts(result: Recommendation, labels: Mapping[str, str]) -> list[Chart]:
    biggest = max((abs(c.value) for r in result.ranking for c in r.contributions), default=0.0) or 1.0
    out = []
    for ranked in result.ranking:
        order = {a: i for i, a in enumerate((START, *ANSWERS))}
        contributions = sorted(ranked.contributions, key=lambda c: order.get(c.answer, 99))
        bars = []
        for i, c in enumerate(contributions):
            width = max(1.0, abs(c.value) / biggest * HALF)
            positive = c.value >= 0
            x = AXIS if positive else AXIS - width
            bars.append(
                Bar(
                    answer=c.answer,
                    label=labels.get(c.answer, c.answer),
                    value=c.value,
                    effect="for" if positive else "against",
                    y=TOP + i * ROW,
                    x=round(x, 1),
                    width=round(width, 1),
                )
            )
        out.append(
            Chart(
                modality=ranked.modality,
                label=ranked.label,
                score=ranked.score,
                bars=tuple(bars),
                height=TOP * 2 + max(1, len(bars)) * ROW,
            )
        )
    return out
