"""A category the year's standard lacked (near-poor before 2011) is no figure, never a 0."""

from __future__ import annotations

import pytest

from ketnghia.dashboards import selectors
from ketnghia.indicators.domain import Figure


def _figure(code: str, year: int, value: float | None) -> Figure:
    fields = {name: None for name in Figure.__dataclass_fields__}
    fields.update(
        code=code,
        label_vi="",
        label_en="",
        factor=100,
        numerator=0,
        denominator=120,
        value=value,
        unit_code="62",
        unit_name="Tỉnh Kon Tum",
        unit_level="province",
        year=year,
        disaggregation="",
    )
    return Figure(**fields)


@pytest.mark.parametrize(("year", "lacking"), [(2008, True), (2010, True), (2011, False)])
def test_near_poor_is_lacking_only_under_the_2006_standard(year, lacking):
    assert selectors._category_lacking("near_poverty_rate", year) is lacking
    assert selectors._category_lacking("poverty_rate", year) is False


def test_the_chart_has_a_gap_and_the_card_a_dash_where_the_category_was_lacking():
    near = [_figure("near_poverty_rate", year, 0.0) for year in (2009, 2010, 2011)]
    near[-1] = _figure("near_poverty_rate", 2011, 7.5)
    line = selectors._line("Hộ cận nghèo", near)
    assert line.years == [2009, 2010, 2011]
    assert line.values == [None, None, 7.5]
    card = selectors._key_figure(near[0], disaggregation="")
    assert card.figure.value is None
    poor = selectors._key_figure(_figure("poverty_rate", 2009, 0.0), disaggregation="")
    assert poor.figure.value == 0.0
