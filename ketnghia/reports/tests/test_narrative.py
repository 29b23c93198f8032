"""The summary paragraph: numbers in each language's format, the right verbs, plurals."""

from __future__ import annotations

import pytest

from ketnghia.reports import narrative
from ketnghia.reports.domain import Series
from ketnghia.reports.tests.factories import report, with_entry, without

NBSP = "\u00a0"


def _vi(base=None) -> str:
    return narrative.summary(base or report(), language="vi")


def _en(base=None) -> str:
    return narrative.summary(base or report(), language="en")


def test_vietnamese_paragraph_carries_every_figure_in_vietnamese_format() -> None:
    text = _vi()
    assert f"giảm từ 57,7{NBSP}% năm 2007 xuống còn 34,0{NBSP}% năm 2015" in text
    assert "giảm 23,7 điểm phần trăm" in text
    assert f"18/53 xã có tỷ lệ hộ nghèo dưới 30{NBSP}%" in text
    assert f"tỷ lệ hộ nghèo của 20 xã trọng điểm là 44,0{NBSP}%" in text
    assert f"Tất cả 53 xã (100{NBSP}%) đã có đường ô tô đến trung tâm xã." in text
    assert f"23/53 xã (43,4{NBSP}%)" in text
    assert f"118/409 thôn, làng (28,9{NBSP}%)" in text
    assert "4.321/5.000 hộ" in text
    assert "4.812 lượt hoạt động" in text
    assert "giai đoạn 2007–2015" in text
    assert text.endswith(".")


def test_english_paragraph_uses_english_separators() -> None:
    text = _en()
    assert "fell from 57.7% in 2007 to 34.0% in 2015, down 23.7 percentage points" in text
    assert "18 of 53 communes had a poverty rate below 30%" in text
    assert "the 20 key communes stood at 44.0%" in text
    assert "All 53 communes have a car road to the commune centre (100%)." in text
    assert "4,321 of 5,000 households" in text
    assert "4,812 activities" in text


@pytest.mark.parametrize(
    ("before", "after", "vi", "en"),
    [
        (
            57.7,
            34.0,
            "giảm từ 57,7 % năm 2007 xuống còn 34,0 % năm 2015",
            "fell from 57.7% in 2007 to 34.0% in 2015",
        ),
        (
            20.0,
            25.5,
            "tăng từ 20,0 % năm 2007 lên 25,5 % năm 2015",
            "rose from 20.0% in 2007 to 25.5% in 2015",
        ),
        (
            34.0,
            34.0,
            "không đổi, ở mức 34,0 % cả năm 2007 và năm 2015",
            "was unchanged at 34.0% in 2007 and 2015",
        ),
        # 34,04 and 33,96 both print as 34,0: no change, not "giảm 0,0 điểm"
        (34.04, 33.96, "không đổi, ở mức 34,0 %", "was unchanged at 34.0%"),
        # 34,05 prints as 34,1 (half up), 34,04 as 34,0: a fall of 0,1 point
        (34.05, 34.04, "giảm 0,1 điểm phần trăm", "down 0.1 percentage points"),
        (35.0, 34.0, "giảm 1,0 điểm phần trăm", "down 1.0 percentage point."),
        (0.0, 12.5, "tăng từ 0 % năm 2007 lên 12,5 %", "rose from 0% in 2007 to 12.5%"),
        (100.0, 99.96, "không đổi, ở mức 100 %", "was unchanged at 100%"),
    ],
)
def test_verbs_follow_the_printed_numbers(before: float, after: float, vi: str, en: str) -> None:
    base = with_entry(report(), "poverty_rate_baseline", numerator=before * 100)
    base = with_entry(base, "poverty_rate", numerator=after * 100)
    assert vi.replace(" %", f"{NBSP}%") in _vi(base)
    assert en in _en(base)


@pytest.mark.parametrize(
    ("below", "total", "vi", "en"),
    [
        (18, 53, "18/53 xã", "18 of 53 communes had"),
        (1, 53, "1/53 xã", "1 of 53 communes had"),
        (0, 53, "0/53 xã", "0 of 53 communes had"),
        (1, 1, "1/1 xã", "1 of 1 commune had"),
        (1234, 2500, "1.234/2.500 xã", "1,234 of 2,500 communes"),
    ],
)
def test_counts_of_communes(below: int, total: int, vi: str, en: str) -> None:
    base = with_entry(report(), "communes_below_30", numerator=below, denominator=total)
    assert vi in _vi(base)
    assert en in _en(base)


@pytest.mark.parametrize(
    ("roads", "total", "vi", "en"),
    [
        (53, 53, "Tất cả 53 xã (100 %)", "All 53 communes have a car road"),
        (52, 53, "52/53 xã (98,1 %) đã có đường ô tô", "52 of 53 communes (98.1%) have a car road"),
        (1, 53, "1/53 xã (1,9 %) đã có đường ô tô", "1 of 53 communes (1.9%) has a car road"),
        (1, 1, "Tất cả 1 xã (100 %)", "The only commune has a car road"),
    ],
)
def test_road_sentence(roads: int, total: int, vi: str, en: str) -> None:
    base = with_entry(report(), "road_access_share", numerator=roads, denominator=total)
    assert vi.replace(" %", f"{NBSP}%") in _vi(base)
    assert en in _en(base)


@pytest.mark.parametrize(
    ("activities", "en"),
    [
        (1, "1 activity in the communes"),
        (2, "2 activities"),
        (0, "0 activities"),
        (12345, "12,345 activities"),
    ],
)
def test_activities_singular_and_plural(activities: int, en: str) -> None:
    base = with_entry(report(), "twinning_activities", numerator=activities, value=activities)
    assert en in _en(base)
    assert f"{narrative.count(activities, language='vi')} lượt hoạt động" in _vi(base)


def test_one_meeting_commune_and_village_in_english() -> None:
    base = without(report(), "villages_meeting_criteria")
    base = with_entry(base, "communes_meeting_criteria", numerator=1, denominator=53)
    assert "1 of 53 communes (1.9%) basically meets the program's criteria." in _en(base)
    assert f"Có 1/53 xã (1,9{NBSP}%) cơ bản đạt bộ tiêu chí của chương trình." in _vi(base)


def test_missing_figures_leave_their_sentence_out() -> None:
    base = without(report(), "road_access_share", "twinning_activities", "poverty_rate_baseline")
    vi = _vi(base)
    assert "đường ô tô" not in vi
    assert "hoạt động" not in vi
    assert vi.startswith(
        f"Năm 2015, tỷ lệ hộ nghèo chung của 53 xã thuộc chương trình là 34,0{NBSP}%."
    )
    assert _en(base).startswith(
        "In 2015, the poverty rate across the program's 53 communes was 34.0%."
    )


def test_a_figure_without_denominator_is_not_described() -> None:
    base = with_entry(report(), "villages_meeting_criteria", numerator=0, denominator=0)
    assert "thôn, làng" not in _vi(base)
    assert "village" not in _en(base)


def test_break_in_series_is_noted_only_within_the_period() -> None:
    assert "chuẩn nghèo thay đổi từ năm 2011" in _vi()
    assert "the poverty standard changed in 2011" in _en()
    series = report().series[0]
    later = report(series=(Series(series.code, series.label, series.factor, series.points, ()),))
    assert "chuẩn nghèo" not in _vi(later)
    short = report(baseline_year=2011)
    short = with_entry(short, "poverty_rate_baseline", year=2011)
    # the standard changed in 2011, the baseline year itself: both years use the new standard
    assert "chuẩn nghèo thay đổi" not in _vi(short)


def test_target_met_and_not_met() -> None:
    met = with_entry(report(), "poverty_rate", target=35.0, baseline=57.7)
    assert f"Mục tiêu đề ra cho năm 2015 (35,0{NBSP}%) đã đạt." in _vi(met)
    assert "The target set for 2015 (35.0%) was met." in _en(met)
    missed = with_entry(report(), "poverty_rate", target=30.0, baseline=57.7)
    assert "chưa đạt" in _vi(missed)
    assert "was not met" in _en(missed)


def test_criteria_name_from_the_report() -> None:
    base = report(
        extra={
            "criteria_vi": "tiêu chí “no đủ – vững mạnh – an toàn”",
            "criteria_en": "the prosperous – strong – safe criteria",
        }
    )
    assert "Về tiêu chí “no đủ – vững mạnh – an toàn”, có 23/53 xã" in _vi(base)
    assert "basically meet the prosperous – strong – safe criteria." in _en(base)


def test_summaries_gives_both_languages() -> None:
    both = narrative.summaries(report())
    assert both.vi == _vi()
    assert both.en == _en()


def test_no_sentence_of_the_source_article() -> None:
    text = _vi()
    for phrase in ("đã giảm nhanh", "Đáng ghi nhận", "trong đó có 18/53", "Nhờ được tổ chức"):
        assert phrase not in text


def test_no_figures_no_text() -> None:
    empty = report(entries=(), series=())
    assert narrative.summary(empty, language="vi") == ""
    assert narrative.summary(empty, language="en") == ""
