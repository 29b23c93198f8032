"""Chart images (PNG) for the Word report, drawn by matplotlib without a browser or network.

`matplotlib.figure.Figure` is used directly with the Agg canvas (no pyplot, so no global
state between requests or threads). Text is set in DejaVu Sans, which ships with matplotlib
and carries every Vietnamese letter with its tone marks (a test fails on a missing glyph).
Axis numbers go through `core.formatting`, so "57,7" reads as in the report's text.
"""

from __future__ import annotations

from io import BytesIO

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ketnghia.core.formatting import format_decimal, format_percent
from ketnghia.reports.domain import RankingRow, Series

FONT = "DejaVu Sans"
DPI = 150
LINE = "#1f4e79"
BREAK = "#b03a2e"
BELOW = "#2e7d32"
ABOVE = "#9e9e9e"

_TEXT = {
    "vi": {
        "year": "Năm",
        "break": "Đổi chuẩn nghèo",
        "unofficial": "gồm đợt chưa phê duyệt",
        "threshold": "Ngưỡng",
        "key": "xã trọng điểm",
        "rate": "Tỷ lệ hộ nghèo (%)",
        "target": "Mục tiêu",
    },
    "en": {
        "year": "Year",
        "break": "Poverty standard changed",
        "unofficial": "includes rounds in progress",
        "threshold": "Threshold",
        "key": "key commune",
        "rate": "Poverty rate (%)",
        "target": "Target",
    },
}


def _language(language: str) -> str:
    return "en" if language.lower().startswith("en") else "vi"


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    return figure


def _style(axes: object) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)  # type: ignore[attr-defined]


def trend_chart(
    series: Series, *, language: str = "vi", target: float | None = None, title: str | None = None
) -> bytes:
    """Return a PNG line chart of `series`, broken and marked where the standard changes."""
    lang = _language(language)
    text = _TEXT[lang]
    figure = _figure(6.3, 3.4)
    axes = figure.add_subplot()
    _style(axes)
    for segment in series.segments():
        years = [p.year for p in segment if p.value is not None]
        values = [p.value for p in segment if p.value is not None]
        axes.plot(years, values, color=LINE, marker="o", linewidth=2, markersize=5)
        for point in segment:
            if point.value is None:
                continue
            label = format_decimal(point.value, 1, language=lang)
            axes.annotate(
                label,
                (point.year, point.value),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
                fontfamily=FONT,
            )
            if not point.official:
                axes.plot(
                    [point.year],
                    [point.value],
                    marker="o",
                    markersize=9,
                    fillstyle="none",
                    color=BREAK,
                    linestyle="none",
                )
    top = max((p.value for p in series.points if p.value is not None), default=0.0)
    for marker in series.breaks:
        axes.axvline(marker.year - 0.5, color=BREAK, linestyle="--", linewidth=1)
        axes.text(
            marker.year - 0.45,
            top * 1.08 if top else 1,
            f"{text['break']} {marker.year}",
            rotation=90,
            va="top",
            ha="left",
            fontsize=7,
            color=BREAK,
            fontfamily=FONT,
        )
    if target is not None:
        axes.axhline(target, color=BELOW, linestyle=":", linewidth=1)
        axes.annotate(
            f"{text['target']} {format_percent(target, 0, language=lang)}",
            (1, target),
            xycoords=("axes fraction", "data"),
            xytext=(0, 3),
            textcoords="offset points",
            ha="right",
            fontsize=7,
            color=BELOW,
            fontfamily=FONT,
        )
    axes.set_ylim(bottom=0, top=(max(top, target or 0) * 1.15) or 1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: format_decimal(value, 0, language=lang))
    )
    axes.set_xlabel(text["year"], fontfamily=FONT)
    axes.set_ylabel(
        series.label.get(lang) if series.factor != 100 else text["rate"], fontfamily=FONT
    )
    axes.set_title(title or series.label.get(lang), fontfamily=FONT, fontsize=10)
    axes.grid(axis="y", alpha=0.3)
    return _png(figure)


def ranking_chart(
    ranking: tuple[RankingRow, ...] | list[RankingRow],
    *,
    threshold: float,
    language: str = "vi",
    title: str | None = None,
) -> bytes:
    """Return a PNG of horizontal bars, one per commune, lowest rate on top, the threshold drawn."""
    lang = _language(language)
    text = _TEXT[lang]
    rows = [row for row in ranking if row.value is not None]
    height = max(2.5, 0.6 + 0.16 * len(rows))
    figure = _figure(6.3, height)
    axes = figure.add_subplot()
    _style(axes)
    names = [f"{row.name} *" if row.is_key else row.name for row in rows]
    values = [row.value or 0.0 for row in rows]
    colours = [BELOW if row.below_threshold else ABOVE for row in rows]
    positions = list(range(len(rows)))
    axes.barh(positions, values, color=colours, height=0.7)
    axes.set_yticks(positions, labels=names, fontsize=6, fontfamily=FONT)
    axes.invert_yaxis()
    axes.axvline(threshold, color=BREAK, linestyle="--", linewidth=1)
    axes.text(
        threshold,
        -0.9,
        f"{text['threshold']} {format_percent(threshold, 0, language=lang)}",
        color=BREAK,
        fontsize=7,
        ha="center",
        va="bottom",
        fontfamily=FONT,
    )
    axes.xaxis.set_major_formatter(
        FuncFormatter(lambda value, _pos: format_decimal(value, 0, language=lang))
    )
    axes.set_xlabel(
        text["rate"] + (f" — * {text['key']}" if any(r.is_key for r in rows) else ""),
        fontfamily=FONT,
        fontsize=8,
    )
    if title:
        axes.set_title(title, fontfamily=FONT, fontsize=10)
    axes.grid(axis="x", alpha=0.3)
    return _png(figure)
