"""Census pages through the gate: the commune's census, a round with its procedure, a household."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ketnghia.census import services
from ketnghia.census.models import (
    CensusEntry,
    CensusRound,
    Complaint,
    RoundState,
)
from ketnghia.census.tests.census_files import headers, household, write_csv
from ketnghia.census.tests.factories import (
    census_job,
    make_round,
    other_commune_round,
    series,
    take_to_posted,
)
from ketnghia.census.tests.factories import household as registered
from ketnghia.imports.models import ImportJob, ImportJobState
from ketnghia.poverty.standards import get_standard


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _text(response) -> str:
    return response.content.decode()


def _visible(response) -> str:
    """Return the page's text as a reader sees it (tags dropped, spaces collapsed)."""
    html = _text(response).split('<main id="main"', 1)[-1]
    text = re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", "\u00a0")
    return re.sub(r"[ \t\n]+", " ", text)


def _round_url(commune: str, year: int, name: str = "round_detail", **kwargs) -> str:
    return reverse(f"census:{name}", kwargs={"commune": commune, "year": year, **kwargs})


# --- Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/census/23500/", "/census/23500/2015/", "/census/23500/households/A/"],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, tree, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_commune_officer_gets_404_for_another_communes_census(client, tree, users):
    other_commune_round(tree)
    client.force_login(users.commune_officer)
    for url in (
        "/census/23488/",
        "/census/23488/2015/",
        "/census/23488/households/M1/",
        "/census/23488/recompute/?year=2015&standard=vn-2006",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert 'data-testid="error-404"' in _text(response)
        assert "Đăk Mar" not in _text(response)
    # Writing to it answers the same 404, and writes nothing.
    response = client.post(
        _round_url("23488", 2015, "round_advance"), {"target": RoundState.COLLECTED}
    )
    assert response.status_code == 404
    assert CensusRound.objects.get(commune=tree.dak_mar).state == RoundState.DRAFT


def test_missing_and_forbidden_look_the_same(client, tree, users):
    other_commune_round(tree)
    client.force_login(users.commune_officer)
    assert client.get("/census/99999/").status_code == 404
    assert client.get("/census/23500/2031/").status_code == 404
    assert client.get("/census/23500/households/NOPE/").status_code == 404
    # A district is not a commune: it has no census page.
    client.force_login(users.district_officer)
    assert client.get("/census/615/").status_code == 404


def test_a_user_without_units_is_refused(client, tree, users):
    client.force_login(users.public_moderator)
    assert client.get("/census/23500/").status_code == 403


# --- The commune's census page --------------------------------------------------------------


def test_commune_page_shows_counts_rates_transitions_and_the_break_in_vietnamese(
    client, tree, users
):
    series(tree, users)
    client.force_login(users.commune_officer)
    response = client.get(reverse("census:commune_census", args=["23500"]))
    assert response.status_code == 200
    html = _text(response)
    assert '<html lang="vi">' in html
    assert "Hộ nghèo" in html and "Hộ cận nghèo" in html
    text = _visible(response)
    # 2014: 2 of 3 households poor; Vietnamese decimals and a percent sign set apart.
    row_2014 = html.split('<tr data-year="2014"', 1)[1].split("</tr>", 1)[0]
    assert "66,7\u00a0%" in row_2014
    assert "33,3\u00a0%" in row_2014
    # The standard changes in 2016: only that year carries the break marker.
    assert html.count('data-testid="series-break"') == 1
    row_2016 = html.split('<tr data-year="2016"', 1)[1].split("</tr>", 1)[0]
    # The standards by their legal names, never their codes.
    assert 'data-testid="series-break"' in row_2016 and "giai đoạn 2011–2015" in row_2016
    assert "vn-2011" not in row_2016 and "vn-2016" not in row_2016
    # Transitions of 2016: A and D exited, B fell back.
    moves = html.split('data-testid="census-transitions"', 1)[1]
    row = moves.split('<tr data-year="2016"', 1)[1].split("</tr>", 1)[0]
    cells = dict(re.findall(r'data-transition="(\w+)">(\d+)<', row))
    assert cells == {
        "remained_poor": "0",
        "exited_poverty": "2",
        "newly_poor": "0",
        "fell_back": "1",
        "new_household": "0",
        "left": "0",
    }
    assert "Đã được xã phê duyệt" in text


def test_commune_page_query_count_does_not_grow_with_households(
    client, tree, users, django_assert_num_queries
):
    series(tree, users)
    client.force_login(users.commune_officer)
    url = reverse("census:commune_census", args=["23500"])
    client.get(url)  # warm the session and the standards cache
    # session, user with their jurisdiction, demo marker, commune, rounds with their stored
    # summaries, local standards, villages: nothing per year (census.summaries).
    with django_assert_num_queries(7):
        client.get(url)
    census_2015 = CensusRound.objects.get(year=2015)
    for number in range(40):
        code = f"X{number}"
        CensusEntry.objects.create(
            round=census_2015,
            household=registered(tree.ngok_wang, code),
            household_code=code,
            head_name=f"Hộ {number}",
            area="rural",
            monthly_income_per_person=300_000,
            computed_status="poor",
            status="poor",
            rule="",
        )
    with django_assert_num_queries(7):
        client.get(url)


def test_recompute_shows_another_standard_and_leaves_the_official_result(client, tree, users):
    series(tree, users)
    client.force_login(users.province_viewer)
    url = reverse("census:round_recompute", args=["23500"])
    response = client.get(
        url,
        {"year": 2016, "standard": "vn-2011"},
        headers={"HX-Request": "true", "HX-Target": "recompute-result"},
    )
    assert response.status_code == 200
    html = _text(response)
    assert "<html" not in html  # the partial only
    # Under vn-2011 nobody of 2016 is poor (incomes 650.000 and above), official has one.
    assert re.search(r'data-testid="recomputed-poor">0<', html)
    assert CensusEntry.objects.filter(round__year=2016, status="poor").count() == 1
    # A 2016 round lacks indicators of vn-2022: said plainly, in Vietnamese.
    refused = client.get(url, {"year": 2016, "standard": "vn-2022"})
    assert refused.status_code == 200
    assert "Không thể tính lại" in _text(refused)


def test_opening_a_round_and_refusing_a_second_one_for_the_same_year(client, tree, users):
    client.force_login(users.commune_officer)
    url = reverse("census:round_create", args=["23500"])
    response = client.post(url, {"year": 2017, "standard": ""})
    assert response.status_code == 302
    census_round = CensusRound.objects.get(commune=tree.ngok_wang, year=2017)
    assert census_round.standard_code == "vn-2016"
    assert response["Location"] == _round_url("23500", 2017) + "?revision=1"
    again = client.post(url, {"year": 2017, "standard": "vn-2016"})
    assert again.status_code == 400
    assert "Xã Ngọk Wang đã có đợt rà soát năm 2017." in _text(again)
    assert CensusRound.objects.filter(year=2017).count() == 1


def test_a_province_viewer_sees_no_form_to_open_a_round(client, tree, users):
    series(tree, users)
    client.force_login(users.province_viewer)
    html = _text(client.get(reverse("census:commune_census", args=["23500"])))
    assert 'data-testid="create-form"' not in html
    assert (
        client.post(reverse("census:round_create", args=["23500"]), {"year": 2017}).status_code
        == 403
    )


# --- The round page -----------------------------------------------------------------------


def test_round_page_lists_households_and_searches_without_diacritics(client, tree, users):
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000, "B": 600_000, "D": 100_000})
    client.force_login(users.commune_officer)
    url = _round_url("23500", 2015)
    html = _text(client.get(url))
    assert all(f'data-household="{code}"' in html for code in "ABD")
    found = client.get(
        url, {"q": "nguyen van"}, headers={"HX-Request": "true", "HX-Target": "entries"}
    )
    assert re.findall(r'data-household="(\w+)"', _text(found)) == ["A"]
    assert "<html" not in _text(found)
    assert re.findall(r'data-household="(\w+)"', _text(client.get(url, {"q": "ĐINH"}))) == ["D"]
    assert 'data-testid="no-match"' in _text(client.get(url, {"q": "khong co ai"}))


def test_round_page_paginates_households(client, tree, users):
    make_round(tree.ngok_wang, 2015, "vn-2011", {f"H{n:03}": 300_000 for n in range(60)})
    client.force_login(users.commune_officer)
    url = _round_url("23500", 2015)
    first = _text(client.get(url))
    second = _text(client.get(url, {"page": 2}))
    assert first.count("data-household=") == 50
    assert second.count("data-household=") == 10


def test_round_page_query_count_does_not_grow_with_households(
    client, tree, users, django_assert_num_queries
):
    small = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    big = make_round(tree.ngok_wang, 2016, "vn-2016", {f"H{n:03}": 300_000 for n in range(45)})
    client.force_login(users.commune_officer)
    client.get(_round_url("23500", 2015))
    # The user is read with their jurisdiction (accounts.backends): one query less than 14.
    with django_assert_num_queries(13) as small_queries:
        client.get(_round_url("23500", small.year))
    with django_assert_num_queries(len(small_queries)):
        client.get(_round_url("23500", big.year))


def test_commune_officer_takes_the_procedure_through_the_pages(client, tree, users):
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000, "B": 450_000})
    client.force_login(users.commune_officer)
    page = _round_url("23500", 2015)
    # The next step is shown with what it needs.
    assert 'data-testid="advance-button"' in _text(client.get(page))

    def post(name: str, data: dict, **extra):
        response = client.post(_round_url("23500", 2015, name, **extra), data)
        assert response.status_code == 302, _visible(response)[:2000]
        return response

    post("round_advance", {"target": RoundState.COLLECTED})
    html = _text(client.get(page))
    assert 'data-testid="step-problems"' in html
    assert "Nhập ngày họp thôn." in html  # what the meeting step still needs, in Vietnamese
    minutes = SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minutes", "application/pdf")
    post(
        "round_meeting",
        {"meeting_date": "01/10/2015", "participants": 40, "agreeing": 31, "minutes": minutes},
    )
    post("round_advance", {"target": RoundState.VILLAGE_MEETING})
    post("round_posting", {"start": "2015-10-02", "end": "2015-10-09"})
    post("round_advance", {"target": RoundState.POSTED})
    post(
        "complaint_record",
        {"received_on": "2015-10-03", "household_code": "B", "text": "Hộ tôi khó khăn hơn"},
    )
    complaint = Complaint.objects.get()
    assert complaint.household.code == "B"
    refused = client.post(
        _round_url("23500", 2015, "round_advance"), {"target": RoundState.COMMUNE_APPROVED}
    )
    assert refused.status_code == 400
    assert "Còn 1 khiếu nại chưa được giải quyết." in _text(refused)
    post(
        "complaint_resolve",
        {"resolved_on": "2015-10-05", "resolution": "Đã rà soát"},
        pk=complaint.pk,
    )
    post("entry_override", {"household_code": "B", "status": "poor", "reason": "Ốm đau kéo dài"})
    post("round_advance", {"target": RoundState.COMMUNE_APPROVED})
    census_round.refresh_from_db()
    assert census_round.state == RoundState.COMMUNE_APPROVED
    assert census_round.meeting_participants == 40 and census_round.meeting_minutes
    entry = census_round.entries.get(household_code="B")
    assert (entry.status, entry.override_approver) == ("poor", users.commune_officer)
    # An approved round shows no editing form, but offers a revision.
    html = _text(client.get(page))
    assert 'data-testid="meeting-form"' not in html and 'data-testid="override-form"' not in html
    assert 'data-testid="revise-form"' in html
    response = post("round_revise", {"revision": 1})
    assert response["Location"].endswith("?revision=2")
    revision = CensusRound.objects.get(year=2015, revision=2)
    assert revision.supersedes == census_round and revision.entries.count() == 2
    html = _text(client.get(page, {"revision": 1}))
    assert 'data-testid="revise-form"' not in html  # one revision at a time
    assert 'data-testid="revisions"' in html


def test_district_officer_can_accept_but_not_approve(client, tree, users):
    posted = take_to_posted(
        make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000}), users.commune_officer
    )
    client.force_login(users.district_officer)
    page = _round_url("23500", 2015)
    html = _text(client.get(page))
    assert 'data-testid="advance-button"' not in html
    assert 'data-testid="waiting-for"' in html and "Cán bộ xã" in html
    refused = client.post(
        _round_url("23500", 2015, "round_advance"), {"target": RoundState.COMMUNE_APPROVED}
    )
    assert refused.status_code == 400
    assert "Vai trò của bạn không được chuyển" in _text(refused)
    posted.refresh_from_db()
    assert posted.state == RoundState.POSTED

    services.census_round_advance(
        census_round=posted, target=RoundState.COMMUNE_APPROVED, actor=users.commune_officer
    )
    assert 'data-testid="advance-button"' in _text(client.get(page))
    accepted = client.post(
        _round_url("23500", 2015, "round_advance"), {"target": RoundState.DISTRICT_ACCEPTED}
    )
    assert accepted.status_code == 302
    posted.refresh_from_db()
    assert (posted.state, posted.district_accepted_by) == (
        RoundState.DISTRICT_ACCEPTED,
        users.district_officer,
    )


def test_province_viewer_sees_the_round_but_cannot_act(client, tree, users):
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    client.force_login(users.province_viewer)
    html = _text(client.get(_round_url("23500", 2015)))
    assert 'data-household="A"' in html
    for form in ("advance-form", "meeting-form", "posting-form", "override-form", "complaint-form"):
        assert f'data-testid="{form}"' not in html
    for name, data in (
        ("round_advance", {"target": RoundState.COLLECTED}),
        ("entry_override", {"household_code": "A", "status": "not_poor", "reason": "x"}),
        ("round_posting", {"start": "2015-10-02", "end": "2015-10-09"}),
    ):
        assert client.post(_round_url("23500", 2015, name), data).status_code == 403
    census_round.refresh_from_db()
    assert census_round.state == RoundState.DRAFT and census_round.posting_start is None
    assert census_round.entries.get().status == "poor"


def test_forms_show_errors_in_vietnamese_and_write_nothing(client, tree, users):
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    entry_history = census_round.entries.get().history.count()
    round_history = census_round.history.count()
    client.force_login(users.commune_officer)
    blank = client.post(_round_url("23500", 2015, "round_meeting"), {"participants": ""})
    assert blank.status_code == 400
    assert "Trường này là bắt buộc." in _text(blank)
    assert 'data-testid="meeting-form"' in _text(blank)
    no_reason = client.post(
        _round_url("23500", 2015, "entry_override"),
        {"household_code": "A", "status": "not_poor", "reason": ""},
    )
    assert no_reason.status_code == 400
    assert "Trường này là bắt buộc." in _text(no_reason)
    blank_reason = client.post(
        _round_url("23500", 2015, "entry_override"),
        {"household_code": "A", "status": "not_poor", "reason": "   "},
    )
    assert blank_reason.status_code == 400
    unknown = client.post(
        _round_url("23500", 2015, "entry_override"),
        {"household_code": "ZZ", "status": "not_poor", "reason": "Có việc làm"},
    )
    assert unknown.status_code == 400
    assert "ZZ" in _visible(unknown)
    bad_dates = client.post(
        _round_url("23500", 2015, "round_posting"), {"start": "2015-10-09", "end": "2015-10-02"}
    )
    assert bad_dates.status_code == 400
    assert "Ngày kết thúc niêm yết không thể trước ngày bắt đầu." in _text(bad_dates)
    not_a_date = client.post(
        _round_url("23500", 2015, "round_posting"), {"start": "hôm qua", "end": "2015-10-02"}
    )
    assert not_a_date.status_code == 400
    assert "Nhập một ngày hợp lệ." in _text(not_a_date)
    skip = client.post(_round_url("23500", 2015, "round_advance"), {"target": RoundState.POSTED})
    assert skip.status_code == 400
    census_round.refresh_from_db()
    assert census_round.state == RoundState.DRAFT
    assert census_round.meeting_participants is None and census_round.posting_start is None
    entry = census_round.entries.get()
    assert (entry.status, entry.override_reason) == ("poor", "")
    # No write at all from the refused forms: not even a history row.
    assert (entry.history.count(), census_round.history.count()) == (entry_history, round_history)


def test_an_unknown_revision_or_complaint_is_not_found(client, tree, users):
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    client.force_login(users.commune_officer)
    assert client.get(_round_url("23500", 2015), {"revision": "x"}).status_code == 404
    assert client.get(_round_url("23500", 2015), {"revision": 7}).status_code == 404
    response = client.post(
        _round_url("23500", 2015, "complaint_resolve", pk=999),
        {"resolved_on": "2015-10-05", "resolution": "x"},
    )
    assert response.status_code == 404


# --- The household page ---------------------------------------------------------------------


def _shown_id(response) -> str:
    return re.search(r'data-testid="personal-id">([^<]*)<', _text(response)).group(1)


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("commune_officer", "001234567889"),
        ("province_admin", "001234567889"),
        ("district_officer", "0*********89"),
        ("province_viewer", "0*********89"),
    ],
)
def test_personal_ids_are_masked_unless_the_gate_allows(client, tree, users, who, shown):
    series(tree, users)
    client.force_login(getattr(users, who))
    response = client.get(reverse("census:household_detail", args=["23500", "A"]))
    assert response.status_code == 200
    assert _shown_id(response) == shown
    if "*" in shown:
        assert "001234567889" not in _text(response)


def test_household_page_shows_members_statuses_by_year_and_overrides(client, tree, users):
    rounds = series(tree, users)
    revision = services.census_round_revise(census_round=rounds[1], actor=users.commune_officer)
    services.census_entry_override(
        entry=revision.entries.get(household_code="A"),
        status="near_poor",
        reason="Con trai đi làm có thu nhập",
        actor=users.commune_officer,
    )
    client.force_login(users.commune_officer)
    response = client.get(reverse("census:household_detail", args=["23500", "A"]))
    html = _text(response)
    assert "Nguyễn Văn An" in html and "Xơ-đăng" in html
    years = re.findall(r'<tr data-year="(\d+)"', html)
    assert years == ["2016", "2015", "2015", "2014"]
    assert "Con trai đi làm có thu nhập" in html and "commune23500" in html
    # The basis as a sentence; the rule's formula is nowhere, not even in a tooltip.
    assert "income&lt;=400000" not in html and "income<=400000" not in html
    assert 'data-testid="history"' in html


def test_the_household_link_of_a_round_opens_its_page(client, tree, users):
    make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    client.force_login(users.commune_officer)
    html = _text(client.get(_round_url("23500", 2015)))
    link = reverse("census:household_detail", args=["23500", "A"])
    assert f'href="{link}"' in html


# --- Import: template, upload, progress -----------------------------------------------------

VN_2022 = get_standard("vn-2022")


def _census_csv(tmp_path, rows, name: str = "ra-soat.csv") -> SimpleUploadedFile:
    path = write_csv(tmp_path / name, headers(VN_2022), rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


@pytest.fixture
def round_2024(tree) -> CensusRound:
    return services.census_round_create(commune=tree.ngok_wang, year=2024, standard_code="vn-2022")


def test_the_template_downloads_for_editors_only(client, tree, users, round_2024):
    client.force_login(users.commune_officer)
    url = _round_url("23500", 2024, "round_template")
    xlsx = client.get(url)
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="ra-soat-23500-2024.xlsx"' in xlsx["Content-Disposition"]
    assert xlsx.content[:2] == b"PK"
    csv = client.get(url, {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode("utf-8-sig").splitlines()[1].startswith("Mã hộ,Họ và tên chủ hộ,")
    client.force_login(users.province_viewer)
    assert client.get(url).status_code == 403
    client.force_login(users.district_officer)
    assert client.get(_round_url("23488", 2024, "round_template")).status_code == 404


def test_a_checked_then_imported_upload_and_its_report(
    client, tree, users, round_2024, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(users.commune_officer)
    rows = [
        household("H1", "Y Blong", "Làng Kon Stiu", "1.000.000", [1, 1, 1] + [0] * 9),
        household("H2", "A Thư", "Làng Kon Stiu", "2.000.000", [0] * 12),
    ]
    url = _round_url("23500", 2024, "round_import")
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(url, {"file": _census_csv(tmp_path, rows), "dry_run": "on"})
    assert checked.status_code == 302
    assert CensusEntry.objects.filter(round=round_2024).count() == 0
    html = _text(client.get(_round_url("23500", 2024)))
    assert 'data-testid="import-job" data-state="done"' in html
    assert "hx-trigger" not in html.split('data-testid="import-job"', 1)[1].split(">", 1)[0]

    with django_capture_on_commit_callbacks(execute=True):
        imported = client.post(url, {"file": _census_csv(tmp_path, rows)})
    assert imported.status_code == 302
    statuses = dict(round_2024.entries.values_list("household_code", "status"))
    assert statuses == {"H1": "poor", "H2": "average"}
    html = _text(client.get(_round_url("23500", 2024)))
    assert html.count('data-testid="import-job"') == 2
    assert 'data-testid="import-errors"' not in html


def test_a_refused_upload_lists_its_problems_and_offers_the_error_workbook(
    client, tree, users, round_2024, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(users.commune_officer)
    rows = [household("H1", "Y Blong", "Thôn 9", "-1", [0] * 12)]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _round_url("23500", 2024, "round_import"), {"file": _census_csv(tmp_path, rows)}
        )
    job = ImportJob.objects.get()
    assert job.state == ImportJobState.FAILED
    html = _text(client.get(_round_url("23500", 2024)))
    errors = html.split('data-testid="import-errors"', 1)[1].split("</table>", 1)[0]
    assert errors.count("<tr>") == 1 + job.report["error_count"]  # header + one per problem
    assert "<td>2</td>" in errors  # the spreadsheet's row number
    workbook = client.get(_round_url("23500", 2024, "import_errors", job=job.pk))
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert CensusEntry.objects.count() == 0


def test_the_progress_bar_polls_until_the_import_ends(client, tree, users, round_2024):
    running = census_job(
        round_2024,
        file_name="lon.csv",
        state=ImportJobState.RUNNING,
        rows_done=250,
        rows_total=1000,
    )
    client.force_login(users.commune_officer)
    url = _round_url("23500", 2024, "import_progress", job=running.pk)
    html = _text(client.get(url))
    assert "<html" not in html
    assert 'hx-trigger="every 1s"' in html and f'hx-get="{url}?revision=1"' in html
    assert ('aria-valuenow="25"' in html and "250 of 1000" in _visible(client.get(url))) or (
        "250" in html
    )
    ImportJob.objects.filter(pk=running.pk).update(
        state=ImportJobState.DONE,
        rows_done=1000,
        report={"report": {"rows": 1000, "created": 1000}},
    )
    html = _text(client.get(url))
    assert "hx-trigger" not in html and 'aria-valuenow="100"' in html
    assert 'data-testid="import-report"' in html
    # A viewer may not watch uploads; another commune's round has no such upload.
    client.force_login(users.province_viewer)
    assert client.get(url).status_code == 403
    client.force_login(users.district_officer)
    assert client.get(url).status_code == 200
    other = _round_url("23488", 2024, "import_progress", job=running.pk)
    assert client.get(other).status_code == 404


def test_upload_errors_show_in_the_page_and_store_nothing(client, tree, users, round_2024):
    client.force_login(users.commune_officer)
    url = _round_url("23500", 2024, "round_import")
    missing = client.post(url, {"dry_run": "on"})
    assert missing.status_code == 400
    assert "Trường này là bắt buộc." in _text(missing)
    approve_round = CensusRound.objects.filter(pk=round_2024.pk)
    approve_round.update(state=RoundState.COMMUNE_APPROVED)
    frozen = client.post(url, {"file": SimpleUploadedFile("a.csv", b"x")})
    assert frozen.status_code == 400
    assert not ImportJob.objects.exists()


def test_round_page_without_a_recorded_approver(client, tree, users):
    """Rounds approved before approvers were recorded (old data) still render."""
    from django.utils import timezone

    census_round = make_round(tree.ngok_wang, 2014, "vn-2011", {"A": 300_000})
    CensusRound.objects.filter(pk=census_round.pk).update(
        state=RoundState.COMMUNE_APPROVED, commune_approved_at=timezone.now()
    )
    client.force_login(users.commune_officer)
    response = client.get(reverse("census:round_detail", args=["23500", 2014]))
    assert response.status_code == 200
