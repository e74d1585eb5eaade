"""The retention chart's geometry: two recall curves as SVG paths (the template draws them; no Django here)."""

from __future__ import annotations

from dataclasses import dataclass

from trellis.training.scheduling import Forecast

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    with_path: str
    without_path: str
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_ticks: list[tuple[float, str]]
    plot: tuple[int, int, int, int]  # left, top, right, bottom
    rows: list[tuple[int, int, int]]  # (day, recall with %, without %) for the table alternative


def _x(day: int, horizon: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * day / max(1, horizon)


def _y(recall: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - recall)


def _path(days: list[int], values: list[float]) -> str:
    horizon = days[-1] if days else 1
    return " ".join(
        f"{'M' if i == 0 else 'L'}{_x(d, horizon):.1f},{_y(v):.1f}"
        for i, (d, v) in enumerate(zip(days, values, strict=True))
    )


def retention_svg(forecast: Forecast) -> Chart:
    days = forecast.days
    horizon = days[-1] if days else 90
    marks = [d for d in (0, 7, 14, 30, 60, 90) if d <= horizon]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        with_path=_path(days, forecast.with_reinforcement),
        without_path=_path(days, forecast.without),
        y_ticks=[(_y(v / 100), f"{v}%") for v in (0, 25, 50, 75, 100)],
        x_ticks=[(_x(d, horizon), "today" if d == 0 else f"+{d} d") for d in marks],
        plot=(LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM),
        rows=[
            (d, round(100 * forecast.with_reinforcement[d]), round(100 * forecast.without[d]))
            for d in marks
            if d < len(forecast.with_reinforcement)
        ],
    )
