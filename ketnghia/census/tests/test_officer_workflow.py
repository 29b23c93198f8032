"""The officer's workflow: dates in order, the posting's working days, the district's return
step and inbox, the basis of a status in words, categories a standard does not have."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from ketnghia.census import services, workflow
from ketnghia.census.basis import basis_sentence
from ketnghia.census.models import CensusEntry, CensusRound, RoundState
from ketnghia.census.tests.factories import approve, make_round, take_to_posted
from ketnghia.core.errors import InvalidInput
from ketnghia.core.formatting import format_count
from ketnghia.households.models import Household
from ketnghia.poverty.standards import get_standard

NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _visible(response) -> str:
    html = response.content.decode().split('<main id="main"', 1)[-1]
    text = re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", NBSP)
    return re.sub(r"[ \t\n]+", " ", text)


def _bulk_round(commune, year: int, standard: str, incomes: dict[str, int]) -> CensusRound:
    """A round of many households, written in bulk (the factories save one by one)."""
    census_round = services.census_round_create(commune=commune, year=year, standard_code=standard)
    households = Household.objects.bulk_create(
        Household(commune=commune, code=code, head_name=f"Hộ {code}", unit_path=commune.path)
        for code in incomes
    )
    CensusEntry.objects.bulk_create(
        CensusEntry(
            round=census_round,
            household=found,
            household_code=found.code,
            head_name=found.head_name,
            area="rural",
            monthly_income_per_person=incomes[found.code],
            computed_status="not_poor",
            status="not_poor",
            rule="",
        )
        for found in households
    )
    services.census_round_classify(census_round=census_round)
    return census_round


def _url(commune: str, year: int, name: str = "round_detail") -> str:
    return reverse(f"census:{name}", kwargs={"commune": commune, "year": year})


# --- Pure rules -----------------------------------------------------------------------------


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(-3, 60))
def test_working_days_match_a_day_by_day_count(start, length):
    end = start + timedelta(days=length)
    expected = sum(
        1 for n in range(max(0, length + 1)) if (start + timedelta(days=n)).weekday() < 5
    )
    assert workflow.working_days(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2025, 10, 6), date(2025, 10, 6), 1),  # a Monday
        (date(2025, 10, 6), date(2025, 10, 8), 3),
        (date(2025, 10, 10), date(2025, 10, 13), 2),  # Friday to Monday
        (date(2025, 10, 11), date(2025, 10, 12), 0),  # a weekend
        (date(2025, 10, 6), date(2025, 10, 19), 10),  # two weeks
        (date(2025, 10, 8), date(2025, 10, 6), 0),
    ],
)
def test_working_days_count_monday_to_friday_inclusive(start, end, days):
    assert workflow.working_days(start, end) == days


def test_a_one_day_posting_is_refused_under_the_default_three_working_days():
    problems = workflow.posting_problems(date(2025, 10, 6), date(2025, 10, 6))
    assert len(problems) == 1 and "3" in problems[0]
    assert workflow.posting_problems(date(2025, 10, 6), date(2025, 10, 8)) == []
    # Friday to Monday is four days but two working days.
    assert workflow.posting_problems(date(2025, 10, 10), date(2025, 10, 13))
    assert (
        workflow.posting_problems(date(2025, 10, 6), date(2025, 10, 6), minimum_working_days=1)
        == []
    )


def test_a_complaint_cannot_be_resolved_before_it_was_received():
    assert workflow.complaint_problems(date(2025, 10, 5), date(2025, 10, 4))
    assert workflow.complaint_problems(date(2025, 10, 5), date(2025, 10, 5)) == []


@pytest.mark.parametrize(
    ("rule", "income", "count", "vi"),
    [
        (
            "income<=1500000 and deprived>=3",
            1_200_000,
            3,
            f"thu nhập 1.200.000{NBSP}đ ≤ 1.500.000{NBSP}đ và thiếu hụt 3 chỉ số",
        ),
        (
            "income<=1500000 and deprived<3",
            900_000,
            1,
            f"thu nhập 900.000{NBSP}đ ≤ 1.500.000{NBSP}đ và thiếu hụt 1 chỉ số (dưới 3)",
        ),
        ("income<=400000", 300_000, 0, f"thu nhập 300.000{NBSP}đ ≤ 400.000{NBSP}đ"),
        ("income>520000", 2_000_000, 0, f"thu nhập 2.000.000{NBSP}đ > 520.000{NBSP}đ"),
    ],
)
def test_the_basis_reads_as_a_vietnamese_sentence(rule, income, count, vi):
    with translation.override("vi"):
        assert basis_sentence(rule=rule, income=income, deprivation_count=count) == vi
    with translation.override("en"):
        english = basis_sentence(rule=rule, income=income, deprivation_count=count)
    assert english.startswith("income ") and "VND" in english and "đ" not in english


def test_an_override_basis_is_its_reason_and_an_unknown_rule_stays_as_it_is():
    with translation.override("vi"):
        sentence = basis_sentence(
            rule="income<=400000", income=1, deprivation_count=0, override_reason="Ốm dài ngày"
        )
        assert sentence == "điều chỉnh thủ công: Ốm dài ngày"
        assert basis_sentence(rule="custom", income=1, deprivation_count=0) == "custom"


# --- Services -------------------------------------------------------------------------------


def test_posting_dates_are_checked_when_recorded(tree, users, settings):
    census_round = make_round(tree.ngok_wang, 2025, "vn-2022", {"A": 100_000})
    with pytest.raises(InvalidInput):
        services.census_round_record_posting(
            census_round=census_round,
            start=date(2025, 10, 6),
            end=date(2025, 10, 6),
            actor=users.commune_officer,
        )
    assert CensusRound.objects.get(pk=census_round.pk).posting_start is None
    settings.KETNGHIA_POSTING_MIN_WORKING_DAYS = 1
    services.census_round_record_posting(
        census_round=census_round,
        start=date(2025, 10, 6),
        end=date(2025, 10, 6),
        actor=users.commune_officer,
    )
    assert CensusRound.objects.get(pk=census_round.pk).posting_end == date(2025, 10, 6)


def test_a_complaint_resolved_before_it_was_received_is_refused(tree, users):
    census_round = make_round(tree.ngok_wang, 2025, "vn-2022", {"A": 100_000})
    complaint = services.complaint_record(
        census_round=census_round, received_on=date(2025, 10, 5), text="Sai thu nhập"
    )
    with pytest.raises(InvalidInput) as refused:
        services.complaint_resolve(
            complaint=complaint, resolution="Đã xác minh", resolved_on=date(2025, 10, 4)
        )
    assert refused.value.problems[0].location.field == "resolved_on"
    complaint.refresh_from_db()
    assert complaint.resolved_on is None and complaint.resolution == ""


def test_the_district_returns_an_approved_round_to_the_commune(tree, users):
    census_round = approve(
        make_round(tree.ngok_wang, 2025, "vn-2022", {"A": 100_000}), users.commune_officer
    )
    with pytest.raises(InvalidInput):
        services.census_round_return(
            census_round=census_round, reason="Thiếu biên bản", actor=users.commune_officer
        )
    with pytest.raises(InvalidInput):
        services.census_round_return(
            census_round=census_round, reason=" ", actor=users.district_officer
        )
    services.census_round_return(
        census_round=census_round, reason="Thiếu biên bản họp thôn 3", actor=users.district_officer
    )
    census_round.refresh_from_db()
    assert census_round.state == RoundState.POSTED
    assert not workflow.is_frozen(census_round.state)
    assert census_round.commune_approved_at is None
    assert census_round.return_reason == "Thiếu biên bản họp thôn 3"
    last = census_round.history.first()
    assert (last.history_user, last.state) == (users.district_officer, RoundState.POSTED)
    assert last.history_change_reason == "Thiếu biên bản họp thôn 3"
    # The commune corrects and approves again; the reason is cleared, the history keeps it.
    services.census_round_advance(
        census_round=census_round, target=RoundState.COMMUNE_APPROVED, actor=users.commune_officer
    )
    census_round.refresh_from_db()
    assert census_round.return_reason == ""
    assert census_round.history.filter(return_reason="Thiếu biên bản họp thôn 3").exists()
    # Once the district accepted it, it cannot be returned any more.
    services.census_round_advance(
        census_round=census_round, target=RoundState.DISTRICT_ACCEPTED, actor=users.district_officer
    )
    with pytest.raises(InvalidInput):
        services.census_round_return(
            census_round=census_round, reason="x", actor=users.district_officer
        )


# --- Pages ----------------------------------------------------------------------------------


def test_the_district_officer_returns_a_round_from_its_page(client, tree, users):
    census_round = approve(
        make_round(tree.ngok_wang, 2025, "vn-2022", {"A": 100_000}), users.commune_officer
    )
    client.force_login(users.commune_officer)
    assert 'data-testid="return-form"' not in client.get(_url("23500", 2025)).content.decode()
    client.force_login(users.district_officer)
    page = client.get(_url("23500", 2025)).content.decode()
    assert 'data-testid="return-form"' in page
    refused = client.post(_url("23500", 2025, "round_return"), {"reason": ""})
    assert refused.status_code == 400
    response = client.post(
        _url("23500", 2025, "round_return"), {"reason": "Số hộ thôn 2 chưa khớp"}
    )
    assert response.status_code == 302
    census_round.refresh_from_db()
    assert census_round.state == RoundState.POSTED
    client.force_login(users.commune_officer)
    page = client.get(_url("23500", 2025))
    assert "Số hộ thôn 2 chưa khớp" in _visible(page)
    assert 'data-testid="returned"' in page.content.decode()


def test_the_district_inbox_lists_its_communes_with_who_holds_each_round(
    client, tree, users, django_assert_max_num_queries
):
    approve(make_round(tree.ngok_wang, 2025, "vn-2022", {"A": 100_000}), users.commune_officer)
    take_to_posted(make_round(tree.dak_mar, 2025, "vn-2022", {"M1": 100_000}), users.province_admin)
    make_round(tree.dak_choong, 2025, "vn-2022", {"X": 100_000})  # another district
    client.force_login(users.district_officer)
    home = client.get("/").content.decode()
    assert reverse("census:district_inbox", kwargs={"district": "615"}) in home
    with django_assert_max_num_queries(12):
        response = client.get(reverse("census:district_inbox", kwargs={"district": "615"}))
    assert response.status_code == 200
    text = _visible(response)
    assert "Đắk Choong" not in text
    page = response.content.decode()
    ngok = page.split('data-commune="23500"', 1)[1].split("</tr>", 1)[0]
    mar = page.split('data-commune="23488"', 1)[1].split("</tr>", 1)[0]
    assert "table-warning" in ngok.split(">", 1)[0]
    assert "table-warning" not in mar.split(">", 1)[0]
    assert "Cán bộ huyện" in ngok or "District officer" in ngok
    assert "Cán bộ xã" in mar or "Commune officer" in mar
    assert re.search(r"\d{2}[-/.]\d{2}[-/.]\d{4}", ngok)
    # A commune officer reaches no district inbox; a commune code is not a district.
    client.force_login(users.commune_officer)
    assert (
        client.get(reverse("census:district_inbox", kwargs={"district": "615"})).status_code == 404
    )
    client.force_login(users.district_officer)
    assert (
        client.get(reverse("census:district_inbox", kwargs={"district": "23500"})).status_code
        == 404
    )
    assert (
        client.get(reverse("census:district_inbox", kwargs={"district": "610"})).status_code == 404
    )


def test_the_basis_column_speaks_vietnamese_and_shows_the_override_reason(client, tree, users):
    census_round = make_round(
        tree.ngok_wang, 2025, "vn-2022", {"A": 1_200_000, "B": 1_200_000}, masks={"A": 0b111}
    )
    entry = CensusEntry.objects.get(round=census_round, household_code="B")
    services.census_entry_override(
        entry=entry, status="poor", reason="Chủ hộ ốm nặng", actor=users.commune_officer
    )
    client.force_login(users.commune_officer)
    text = _visible(client.get(_url("23500", 2025)))
    line = get_standard("vn-2022").rural.poor
    assert f"thu nhập 1.200.000{NBSP}đ ≤ {format_count(line, language='vi')}{NBSP}đ" in text
    assert "và thiếu hụt 3 chỉ số" in text
    assert "income<=" not in text
    assert "điều chỉnh thủ công: Chủ hộ ốm nặng" in text


def test_categories_a_standard_lacks_show_a_dash_and_counts_are_grouped(client, tree, users):
    incomes = {f"H{n:04d}": 100_000 for n in range(1148)}
    _bulk_round(tree.ngok_wang, 2008, "vn-2006", incomes)
    client.force_login(users.commune_officer)
    page = client.get(reverse("census:commune_census", kwargs={"commune": "23500"}))
    html = page.content.decode()
    row = html.split('data-year="2008"', 1)[1].split("</tr>", 1)[0]
    near = row.split('data-status="near_poor"', 1)[1].split("</td>", 1)[0]
    assert "—" in near and "0,0" not in near
    poor = row.split('data-status="poor"', 1)[1].split("</td>", 1)[0]
    assert "1.148" in poor and f"100,0{NBSP}%" in poor.replace("&nbsp;", NBSP)
    round_page = client.get(_url("23500", 2008))
    assert "1.148 hộ" in _visible(round_page)
    counts = round_page.content.decode().split('data-testid="round-counts"', 1)[1]
    near_row = counts.split('data-status="near_poor"', 1)[1].split("</tr>", 1)[0]
    assert re.sub(r"<[^>]+>", "", near_row).strip().endswith("—")
    assert "ít nhất 3 ngày làm việc" in _visible(round_page)


def test_english_and_vietnamese_round_the_same_rate_the_same_way(client, tree, users, settings):
    incomes = {f"H{n:04d}": (100_000 if n < 482 else 5_000_000) for n in range(1129)}
    _bulk_round(tree.ngok_wang, 2008, "vn-2006", incomes)
    client.force_login(users.commune_officer)
    vi = _visible(client.get(_url("23500", 2008)))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = _visible(client.get(_url("23500", 2008)))
    assert f"42,7{NBSP}%" in vi
    assert "42.7%" in en and "42.6" not in en


def test_the_recompute_message_names_indicators_in_vietnamese(client, tree, users):
    make_round(tree.ngok_wang, 2016, "vn-2016", {"A": 100_000})
    client.force_login(users.commune_officer)
    response = client.get(
        reverse("census:round_recompute", kwargs={"commune": "23500"}),
        {"year": 2016, "standard": "vn-2022"},
    )
    text = _visible(response)
    target = get_standard("vn-2022")
    source = get_standard("vn-2016")
    missing = [i for i in target.indicators if i.code not in source.indicator_codes]
    assert missing
    assert missing[0].name.vi in text
    assert missing[0].code not in text


def test_the_api_returns_a_round_and_refuses_a_short_posting(client, tree, users):
    census_round = approve(
        make_round(tree.ngok_wang, 2025, "vn-2022", {"A": 100_000}), users.commune_officer
    )
    url = reverse("api:census_round_return", kwargs={"commune": "23500", "year": 2025})
    client.force_login(users.commune_officer)
    refused = client.post(url, {"reason": "x"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"]
    client.force_login(users.district_officer)
    response = client.post(url, {"reason": "Thiếu chữ ký"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == RoundState.POSTED
    census_round.refresh_from_db()
    assert census_round.return_reason == "Thiếu chữ ký"
    # The commune's posting API applies the same working-days rule.
    client.force_login(users.commune_officer)
    posting = client.post(
        reverse("api:census_round_posting", kwargs={"commune": "23500", "year": 2025}),
        {"start": "2025-10-10", "end": "2025-10-13"},
        content_type="application/json",
    )
    assert posting.status_code == 400
    assert "3 ngày làm việc" in posting.json()["errors"][0]["message"]
