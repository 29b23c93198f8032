"""The exit-rate difference as an indicator: stored by the engine with its interval."""

from __future__ import annotations

import pytest
from django.db import transaction

from ketnghia.core import derived
from ketnghia.core.gate import EVERYTHING
from ketnghia.economy import outcomes
from ketnghia.economy.panel import estimator_settings
from ketnghia.economy.tests.conftest import KIND, Planted
from ketnghia.indicators import selectors
from ketnghia.indicators.models import Aggregate
from ketnghia.indicators.services import aggregates_check, aggregates_rebuild
from ketnghia.support.services import SOURCE_DELIVERIES

CODE = "support_exit_rate_difference"
pytestmark = pytest.mark.django_db


def _rows(planted: Planted) -> dict[tuple[str, bool], Aggregate]:
    return {
        (row.unit_level, row.official): row
        for row in Aggregate.objects.filter(indicator=CODE, program=planted.program)
    }


def test_the_indicator_is_the_outcome_analysis_att_with_its_interval(planted, tree):
    aggregates_rebuild()
    # Only one kind was delivered: every kind together is that kind's analysis.
    expected = outcomes.analyse_kind(planted.panel, planted.rows, KIND, estimator_settings()).att
    assert expected is not None
    rows = _rows(planted)
    # The province and its district (both communes lie in Đăk Hà), both variants; no commune.
    assert set(rows) == {(level, o) for level in ("province", "district") for o in (True, False)}
    for row in rows.values():
        assert row.value == pytest.approx(expected.value * 100)
        assert row.numerator == pytest.approx(expected.value)
        assert row.denominator == 1.0
        assert row.ci_low == pytest.approx(expected.ci_low * 100)
        assert row.ci_high == pytest.approx(expected.ci_high * 100)
        assert row.ci_low < row.value < row.ci_high
        assert row.note == ""
        assert row.period == 2022
    assert rows[("province", True)].unit_id == tree.province.pk
    figure = selectors.program_figures(
        scope=EVERYTHING,
        program=planted.program,
        year=2022,
        codes=[CODE],
    )[CODE]
    assert figure.ci_low == pytest.approx(expected.ci_low * 100)
    assert figure.ci_high == pytest.approx(expected.ci_high * 100)
    assert aggregates_check() == []


def test_too_few_households_give_no_estimate_and_the_reason(planted, settings):
    settings.KETNGHIA_OUTCOME_MIN_GROUP = 100_000
    aggregates_rebuild()
    rows = _rows(planted)
    assert rows
    for row in rows.values():
        assert row.value is None
        assert row.ci_low is None and row.ci_high is None
        assert (row.numerator, row.denominator) == (0.0, 0.0)
        assert row.note == "Không năm bắt đầu nào có đủ hộ tương đồng để ước lượng."
    assert aggregates_check() == []


def test_a_delivery_change_re_estimates_through_core_derived(
    planted, tree, monkeypatch, django_capture_on_commit_callbacks
):
    aggregates_rebuild()
    before = _rows(planted)[("province", True)].value
    # Half the supported households' deliveries are taken back.
    kept = planted.rows[: len(planted.rows) // 2]
    monkeypatch.setattr(
        "ketnghia.economy.panel.support_rows",
        lambda program, *, kinds=None: [r for r in kept if not kinds or r[1] in kinds],
    )
    assert aggregates_check() != []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        derived.inputs_changed(commune_ids=[tree.ngok_wang.pk], source=SOURCE_DELIVERIES)
    after = _rows(planted)[("province", True)]
    expected = outcomes.analyse_kind(planted.panel, kept, KIND, estimator_settings()).att
    assert expected is not None
    assert after.value == pytest.approx(expected.value * 100)
    assert after.value != pytest.approx(before)
    # The refresh gives what a rebuild gives.
    assert aggregates_check() == []


def _review(planted: Planted):
    from ketnghia.reports.selectors import ReviewRequest, review_report

    request = ReviewRequest(
        program=planted.program, baseline_year=2016, review_year=2022, area=None
    )
    report = review_report(scope=EVERYTHING, request=request)
    return next(e for e in report.entries if e.code == CODE)


def test_the_review_figure_list_shows_the_estimate_with_its_interval(planted):
    from ketnghia.reports.docx_export import _value_text
    from ketnghia.reports.domain import entry_to_dict

    aggregates_rebuild()
    entry = _review(planted)
    expected = outcomes.analyse_kind(planted.panel, planted.rows, KIND, estimator_settings()).att
    assert expected is not None
    assert entry.value == pytest.approx(expected.value * 100)
    assert entry.ci_low == pytest.approx(expected.ci_low * 100)
    assert not entry.is_percent
    data = entry_to_dict(entry)
    assert data["estimated"] is True
    assert data["ci_high"] == pytest.approx(expected.ci_high * 100)
    assert data["unit"]["vi"] == "điểm phần trăm"
    assert "điểm phần trăm (khoảng tin cậy 95 %" in _value_text(entry)


def test_the_review_figure_list_gives_the_reason_when_not_estimated(planted, settings):
    from ketnghia.reports.docx_export import _value_text
    from ketnghia.reports.domain import entry_to_dict

    settings.KETNGHIA_OUTCOME_MIN_GROUP = 100_000
    aggregates_rebuild()
    entry = _review(planted)
    assert entry.value is None
    data = entry_to_dict(entry)
    assert data["estimated"] is False
    assert data["reason"] == "Không năm bắt đầu nào có đủ hộ tương đồng để ước lượng."
    assert _value_text(entry) == "— (Không năm bắt đầu nào có đủ hộ tương đồng để ước lượng.)"
