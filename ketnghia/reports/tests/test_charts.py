"""Chart images: real PNGs, drawn offline, every Vietnamese letter in the font."""

from __future__ import annotations

import warnings
from io import BytesIO

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font
from PIL import Image

from ketnghia.reports import charts
from ketnghia.reports.tests.factories import report

VIETNAMESE = "ĂÂĐÊÔƠƯăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"


def _image(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(BytesIO(data))


def _has_colour(image: Image.Image, colour: tuple[int, ...]) -> bool:
    colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
    return any(all(abs(p[i] - colour[i]) < 8 for i in range(3)) for _n, p in colours)


def test_the_chart_font_has_every_vietnamese_letter() -> None:
    path = font_manager.findfont(charts.FONT, fallback_to_default=False)
    assert "DejaVuSans" in path
    font = FT2Font(path)
    missing = [letter for letter in VIETNAMESE if font.get_char_index(ord(letter)) == 0]
    assert missing == []


def test_trend_chart_draws_without_missing_glyphs() -> None:
    series = report().series[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = charts.trend_chart(series, language="vi", target=35.0, title="Tỷ lệ hộ nghèo ĐBKK")
    assert not [w for w in caught if "Glyph" in str(w.message)]
    image = _image(data)
    assert image.size == (round(6.3 * charts.DPI), round(3.4 * charts.DPI))
    # the break marker is drawn in its own colour: some pixels are that red
    red = tuple(int(charts.BREAK[i : i + 2], 16) for i in (1, 3, 5))
    assert _has_colour(image, red)


def test_trend_without_break_has_no_break_colour() -> None:
    base = report().series[0]
    series = type(base)(base.code, base.label, base.factor, base.points, ())
    image = _image(charts.trend_chart(series, language="en")).convert("RGB")
    red = tuple(int(charts.BREAK[i : i + 2], 16) for i in (1, 3, 5))
    assert not _has_colour(image, red)


def test_segments_are_cut_at_breaks() -> None:
    segments = report().series[0].segments()
    assert [[p.year for p in part] for part in segments] == [
        [2007, 2008, 2009, 2010],
        [2011, 2012, 2013, 2014, 2015],
    ]


def test_ranking_chart_grows_with_the_communes() -> None:
    ranking = report().ranking
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        small = _image(charts.ranking_chart(ranking, threshold=30.0))
        large = _image(charts.ranking_chart(ranking * 20, threshold=30.0, language="en"))
    assert not [w for w in caught if "Glyph" in str(w.message)]
    assert large.size[1] > small.size[1]


def test_charts_are_deterministic() -> None:
    series = report().series[0]
    assert charts.trend_chart(series) == charts.trend_chart(series)
