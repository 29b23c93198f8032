"""The summary paragraph of a review report, in Vietnamese and English, from its figures.

Pure: a `ReviewReport` in, text out. Every number goes through `core.formatting` (one
formatting path: "57,7 %", "1.148" in Vietnamese; "57.7%", "1,148" in English), and the
direction of a change is read from the numbers as they will be printed, so a rate shown as
"34,0 %" both years is "không đổi", never "giảm 0,0 điểm". A figure the report does not carry
(no data for the year, denominator 0) leaves its sentence out; nothing is invented.
The user edits the generated text before it is saved and exported (`reports.services`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ketnghia.core.formatting import format_count, format_decimal, format_percent, round_half_up
from ketnghia.reports.domain import Entry, Label, ReviewReport

RATE_DECIMALS = 1

VI = "vi"
EN = "en"


def _round(value: float) -> Decimal:
    return round_half_up(value, RATE_DECIMALS)


def percent(value: float | None, *, language: str) -> str:
    """Return a share in percent for prose: one decimal, but "100 %" and "0 %" whole."""
    if value is None:
        return format_percent(None, language=language)
    rounded = _round(value)
    if rounded in (Decimal(0), Decimal(100)):
        return format_percent(rounded, 0, language=language)
    return format_percent(value, RATE_DECIMALS, language=language)


def threshold_text(value: float, *, language: str) -> str:
    """Return a threshold as set: "30 %" for 30, "27,5 %" for 27.5."""
    decimals = 0 if _round(value) == round_half_up(value) else RATE_DECIMALS
    return format_percent(value, decimals, language=language)


def count(value: float, *, language: str) -> str:
    return format_count(value, language=language)


def _plural(number: float, singular: str, plural: str) -> str:
    return singular if round_half_up(number) == 1 else plural


def direction(before: float, after: float) -> int:
    """Return -1 (fall), 0 (no change) or 1 (rise), comparing the values as printed."""
    first, second = _round(before), _round(after)
    return (second > first) - (second < first)


def _usable(entry: Entry | None) -> Entry | None:
    if entry is None or entry.value is None or not entry.denominator:
        return None
    return entry


# --- Vietnamese -------------------------------------------------------------------------


def _vi_trend(report: ReviewReport, base: Entry | None, last: Entry | None) -> list[str]:
    if last is None:
        return []
    scope = _vi_scope(report)
    now = percent(last.value, language=VI)
    if base is None:
        return [f"Năm {last.year}, tỷ lệ hộ nghèo {scope} là {now}."]
    was = percent(base.value, language=VI)
    assert base.value is not None and last.value is not None
    change = direction(base.value, last.value)
    points = format_decimal(abs(_round(last.value) - _round(base.value)), 1, language=VI)
    if change < 0:
        text = (
            f"Tỷ lệ hộ nghèo {scope} giảm từ {was} năm {base.year} xuống còn {now} "
            f"năm {last.year} (giảm {points} điểm phần trăm)."
        )
    elif change > 0:
        text = (
            f"Tỷ lệ hộ nghèo {scope} tăng từ {was} năm {base.year} lên {now} "
            f"năm {last.year} (tăng {points} điểm phần trăm)."
        )
    else:
        text = (
            f"Tỷ lệ hộ nghèo {scope} không đổi, ở mức {now} cả năm {base.year} và năm {last.year}."
        )
    sentences = [text]
    breaks = _break_years(report)
    if breaks:
        years = ", ".join(str(year) for year in breaks)
        sentences.append(
            f"Lưu ý: chuẩn nghèo thay đổi từ năm {years} nên số liệu hai năm không hoàn toàn "
            "so sánh được với nhau."
        )
    if last.target is not None:
        target = percent(last.target, language=VI)
        if last.meets_target:
            sentences.append(f"Mục tiêu đề ra cho năm {last.year} ({target}) đã đạt.")
        else:
            sentences.append(f"Mục tiêu đề ra cho năm {last.year} ({target}) chưa đạt.")
    return sentences


def _vi_scope(report: ReviewReport) -> str:
    entry = report.entry("communes_below_30")
    if entry is not None and entry.denominator:
        return f"chung của {count(entry.denominator, language=VI)} xã thuộc chương trình"
    return "chung của các xã thuộc chương trình"


def _vi_groups(report: ReviewReport) -> list[str]:
    parts = []
    below = _usable(report.entry("communes_below_30"))
    if below is not None:
        parts.append(
            f"{count(below.numerator, language=VI)}/{count(below.denominator, language=VI)} xã "
            f"có tỷ lệ hộ nghèo dưới {threshold_text(report.threshold, language=VI)}"
        )
    key = _usable(report.entry("key_communes_poverty_rate"))
    if key is not None:
        communes = key.unit_count
        group = f"{count(communes, language=VI)} xã trọng điểm" if communes else "các xã trọng điểm"
        parts.append(f"tỷ lệ hộ nghèo của {group} là {percent(key.value, language=VI)}")
    if not parts:
        return []
    year = (below or key).year  # type: ignore[union-attr]
    return [f"Năm {year}, " + "; ".join(parts) + "."]


def _vi_share(entry: Entry, what: str) -> str:
    number, total = entry.numerator, entry.denominator
    if round_half_up(number) == round_half_up(total):
        everything = percent(100.0, language=VI)
        return f"{count(total, language=VI)}/{count(total, language=VI)} {what} ({everything})"
    return (
        f"{count(number, language=VI)}/{count(total, language=VI)} {what} "
        f"({percent(entry.value, language=VI)})"
    )


def _vi_outcomes(report: ReviewReport) -> list[str]:
    sentences = []
    road = _usable(report.entry("road_access_share"))
    if road is not None:
        if round_half_up(road.numerator) == round_half_up(road.denominator):
            sentences.append(
                f"Tất cả {count(road.denominator, language=VI)} xã "
                f"({percent(100.0, language=VI)}) đã có đường ô tô đến trung tâm xã."
            )
        else:
            sentences.append(f"{_vi_share(road, 'xã')} đã có đường ô tô đến trung tâm xã.")
    communes = _usable(report.entry("communes_meeting_criteria"))
    villages = _usable(report.entry("villages_meeting_criteria"))
    criteria = str(report.extra.get("criteria_vi") or "bộ tiêu chí của chương trình")
    if communes is not None and villages is not None:
        sentences.append(
            f"Về {criteria}, có {_vi_share(communes, 'xã')} và {_vi_share(villages, 'thôn, làng')} "
            "cơ bản đạt."
        )
    elif communes is not None:
        sentences.append(f"Có {_vi_share(communes, 'xã')} cơ bản đạt {criteria}.")
    elif villages is not None:
        sentences.append(f"Có {_vi_share(villages, 'thôn, làng')} cơ bản đạt {criteria}.")
    party = _usable(report.entry("poor_households_with_party_member"))
    if party is not None:
        sentences.append(
            f"Có {percent(party.value, language=VI)} hộ nghèo, hộ cận nghèo "
            f"({count(party.numerator, language=VI)}/{count(party.denominator, language=VI)} hộ) "
            "có đảng viên phụ trách."
        )
    activities = report.entry("twinning_activities")
    if activities is not None and activities.value is not None:
        first, last = activities.period or (report.baseline_year, report.review_year)
        sentences.append(
            f"Trong giai đoạn {first}–{last}, các đơn vị kết nghĩa đã thực hiện "
            f"{count(activities.value, language=VI)} lượt hoạt động giúp đỡ các xã."
        )
    return sentences


# --- English ----------------------------------------------------------------------------


def _en_trend(report: ReviewReport, base: Entry | None, last: Entry | None) -> list[str]:
    if last is None:
        return []
    scope = _en_scope(report)
    now = percent(last.value, language=EN)
    if base is None:
        return [f"In {last.year}, the poverty rate {scope} was {now}."]
    was = percent(base.value, language=EN)
    assert base.value is not None and last.value is not None
    change = direction(base.value, last.value)
    difference = abs(_round(last.value) - _round(base.value))
    points = format_decimal(difference, 1, language=EN)
    unit = _plural(float(difference), "percentage point", "percentage points")
    if change < 0:
        text = (
            f"The poverty rate {scope} fell from {was} in {base.year} to {now} in {last.year}, "
            f"down {points} {unit}."
        )
    elif change > 0:
        text = (
            f"The poverty rate {scope} rose from {was} in {base.year} to {now} in {last.year}, "
            f"up {points} {unit}."
        )
    else:
        text = f"The poverty rate {scope} was unchanged at {now} in {base.year} and {last.year}."
    sentences = [text]
    breaks = _break_years(report)
    if breaks:
        years = ", ".join(str(year) for year in breaks)
        sentences.append(
            f"Note: the poverty standard changed in {years}, so the two years are not "
            "strictly comparable."
        )
    if last.target is not None:
        target = percent(last.target, language=EN)
        state = "was met" if last.meets_target else "was not met"
        sentences.append(f"The target set for {last.year} ({target}) {state}.")
    return sentences


def _en_scope(report: ReviewReport) -> str:
    entry = report.entry("communes_below_30")
    if entry is not None and entry.denominator:
        number = entry.denominator
        return (
            f"across the program's {count(number, language=EN)} "
            f"{_plural(number, 'commune', 'communes')}"
        )
    return "across the program's communes"


def _en_of(number: float, total: float, singular: str, plural: str) -> str:
    return (
        f"{count(number, language=EN)} of {count(total, language=EN)} "
        f"{_plural(total, singular, plural)}"
    )


def _en_verb(number: float, singular: str, plural: str) -> str:
    return _plural(number, singular, plural)


def _en_groups(report: ReviewReport) -> list[str]:
    sentences = []
    below = _usable(report.entry("communes_below_30"))
    if below is not None:
        sentences.append(
            f"In {below.year}, {_en_of(below.numerator, below.denominator, 'commune', 'communes')} "
            f"had a poverty rate below "
            f"{threshold_text(report.threshold, language=EN)}."
        )
    key = _usable(report.entry("key_communes_poverty_rate"))
    if key is not None:
        communes = key.unit_count
        group = (
            f"the {count(communes, language=EN)} key {_plural(communes, 'commune', 'communes')}"
            if communes
            else "the key communes"
        )
        verb = "stood" if below is not None else f"stood in {key.year}"
        sentences.append(f"The rate of {group} {verb} at {percent(key.value, language=EN)}.")
    return sentences


def _en_share(entry: Entry, singular: str, plural: str) -> str:
    return (
        f"{_en_of(entry.numerator, entry.denominator, singular, plural)} "
        f"({percent(entry.value, language=EN)})"
    )


def _en_outcomes(report: ReviewReport) -> list[str]:
    sentences = []
    road = _usable(report.entry("road_access_share"))
    if road is not None:
        if round_half_up(road.numerator) == round_half_up(road.denominator):
            total = road.denominator
            everyone = (
                "The only commune has"
                if round_half_up(total) == 1
                else (f"All {count(total, language=EN)} communes have")
            )
            sentences.append(f"{everyone} a car road to the commune centre (100%).")
        else:
            verb = _en_verb(road.numerator, "has", "have")
            sentences.append(
                f"{_en_share(road, 'commune', 'communes')} {verb} a car road to the commune centre."
            )
    communes = _usable(report.entry("communes_meeting_criteria"))
    villages = _usable(report.entry("villages_meeting_criteria"))
    criteria = str(report.extra.get("criteria_en") or "the program's criteria")
    if communes is not None and villages is not None:
        sentences.append(
            f"{_en_share(communes, 'commune', 'communes')} and "
            f"{_en_share(villages, 'village', 'villages')} basically meet {criteria}."
        )
    elif communes is not None:
        verb = _en_verb(communes.numerator, "basically meets", "basically meet")
        sentences.append(f"{_en_share(communes, 'commune', 'communes')} {verb} {criteria}.")
    elif villages is not None:
        verb = _en_verb(villages.numerator, "basically meets", "basically meet")
        sentences.append(f"{_en_share(villages, 'village', 'villages')} {verb} {criteria}.")
    party = _usable(report.entry("poor_households_with_party_member"))
    if party is not None:
        verb = _en_verb(party.numerator, "has", "have")
        households = _en_of(party.numerator, party.denominator, "household", "households")
        sentences.append(
            f"{percent(party.value, language=EN)} of poor and near-poor households "
            f"({households}) {verb} a Party member in charge of them."
        )
    activities = report.entry("twinning_activities")
    if activities is not None and activities.value is not None:
        first, last = activities.period or (report.baseline_year, report.review_year)
        number = activities.value
        sentences.append(
            f"From {first} to {last}, twinning units carried out "
            f"{count(number, language=EN)} {_plural(number, 'activity', 'activities')} "
            "in the communes."
        )
    return sentences


# --- Both -------------------------------------------------------------------------------


def _break_years(report: ReviewReport) -> list[int]:
    series = report.series_for("poverty_rate")
    if series is None:
        return []
    return sorted(
        {m.year for m in series.breaks if report.baseline_year < m.year <= report.review_year}
    )


_PARTS: dict[str, tuple[Callable[..., list[str]], ...]] = {
    VI: (_vi_trend, _vi_groups, _vi_outcomes),
    EN: (_en_trend, _en_groups, _en_outcomes),
}


def summary(report: ReviewReport, *, language: str) -> str:
    """Return the summary paragraph of `report` in `language` ("vi" or "en")."""
    code = EN if language.lower().startswith("en") else VI
    trend, groups, outcomes = _PARTS[code]
    base = _usable(report.entry("poverty_rate_baseline"))
    last = _usable(report.entry("poverty_rate"))
    sentences = [*trend(report, base, last), *groups(report), *outcomes(report)]
    return " ".join(sentences)


def summaries(report: ReviewReport) -> Label:
    """Return the summary in both languages."""
    return Label(vi=summary(report, language=VI), en=summary(report, language=EN))
