"""The one upload page of a spec (`imports.uploads`) for the files that had none: villages,
classifications, successions, the 2025 reform mapping (a province administrator's) and
commune infrastructure (whoever edits the communes). Each: a real workbook posted by the
right role → checked in the worker → its preview on the job page → confirmed → written; a
bad file → located problems and their workbook; the wrong role or another unit's user →
refused by the gate (403) or not found (404)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ketnghia.accounts.models import Role
from ketnghia.accounts.services import user_create
from ketnghia.conftest import make_unit
from ketnghia.criteria.models import CommuneInfrastructure
from ketnghia.geo.models import Succession, Unit, UnitClassification, UnitKind, UnitLevel
from ketnghia.imports.models import ImportJob, ImportJobState

pytestmark = pytest.mark.django_db

PASSWORD = "Kh0ng-d0an-duoc"


@pytest.fixture(autouse=True)
def _in_process(settings):
    # The worker runs in this process on the test database (as the other upload tests do).
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = False


def _xlsx(rows: Sequence[Sequence[object]], name: str = "tep.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Dữ liệu"
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def _upload(client, url: str, rows: Sequence[Sequence[object]]) -> tuple[ImportJob, str]:
    """Post a workbook; return its job and its job page."""
    response = client.post(url, {"file": _xlsx(rows)})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("created_at")
    assert response["Location"] == reverse("imports:job", args=[job.key])
    return job, client.get(response["Location"]).content.decode()


def _confirm(client, job: ImportJob) -> str:
    client.post(reverse("imports:job_confirm", args=[job.key]))
    job.refresh_from_db()
    assert job.state == ImportJobState.DONE and not job.dry_run
    return client.get(reverse("imports:job", args=[job.key])).content.decode()


def _other_province_admin():
    other = make_unit("64", "Tỉnh Gia Lai", UnitLevel.PROVINCE, UnitKind.TINH)
    return user_create(
        username="admin64", password=PASSWORD, role=Role.PROVINCE_ADMIN, jurisdiction=other
    )


def test_villages_are_uploaded_previewed_per_field_and_confirmed(client, tree, users):
    client.force_login(users.province_admin)
    unit_page = client.get(reverse("geo:unit_detail", args=["62"])).content.decode()
    url = reverse("geo:import_villages", args=["62"])
    assert url in unit_page
    page = client.get(url)
    assert page.status_code == 200 and "Mã xã" in page.content.decode()
    template = client.get(reverse("geo:import_villages_template", args=["62"]))
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(template.content)).active[1]]
    assert headers[:2] == ["Mã xã (*)", "Tên thôn (*)"]

    job, preview = _upload(
        client,
        url,
        [
            ["Mã xã", "Tên thôn", "Mã thôn", "Loại"],
            ["23500", "Làng Kon Stiu Mới", "23500-01", "làng"],
            ["23488", "Thôn 2", "", ""],
        ],
    )
    assert 'data-testid="import-preview"' in preview and "confirm-form" in preview
    assert 'data-testid="import-fields"' in preview and "→" in preview
    assert not Unit.objects.filter(name="Thôn 2").exists()
    assert Unit.objects.get(code="23500-01").name == "Làng Kon Stiu"

    done = _confirm(client, job)
    assert 'data-testid="import-done"' in done
    assert Unit.objects.get(code="23500-01").name == "Làng Kon Stiu Mới"
    village = Unit.objects.get(name="Thôn 2")
    assert village.parent == tree.dak_mar
    assert village.history.get().history_user == users.province_admin


def test_a_bad_village_file_lists_located_problems_and_its_workbook(client, tree, users):
    client.force_login(users.province_admin)
    job, page = _upload(
        client,
        reverse("geo:import_villages", args=["62"]),
        [["Mã xã", "Tên thôn"], ["99999", "Thôn Lạ"], ["23500", ""]],
    )
    assert job.state == ImportJobState.FAILED and job.errors
    assert 'data-testid="import-problems"' in page and "confirm-form" not in page
    assert "dòng 2" in page and "dòng 3" in page and "99999" in page
    errors = client.get(reverse("imports:job_errors", args=[job.key]))
    assert errors.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(errors.content)).sheetnames
    assert not Unit.objects.filter(name="Thôn Lạ").exists()


@pytest.mark.parametrize(
    "name", ["geo:import_villages", "geo:import_classifications", "geo:import_successions"]
)
def test_the_unit_tree_uploads_are_a_province_administrators_of_their_units(
    client, tree, users, name
):
    for user in (users.commune_officer, users.district_officer, users.province_viewer):
        client.force_login(user)
        assert client.get(reverse(name, args=["62"])).status_code == 403
        assert client.get(reverse(f"{name}_template", args=["62"])).status_code == 403
    client.force_login(_other_province_admin())
    assert client.get(reverse(name, args=["62"])).status_code == 404
    assert client.get(reverse(f"{name}_template", args=["62"])).status_code == 404
    response = client.post(reverse(name, args=["62"]), {"file": _xlsx([["Mã xã"], ["23500"]])})
    assert response.status_code == 404 and not ImportJob.objects.exists()


def test_another_provinces_units_in_a_file_are_unknown_codes(client, tree, users):
    client.force_login(_other_province_admin())
    job, page = _upload(
        client,
        reverse("geo:import_villages", args=["64"]),
        [["Mã xã", "Tên thôn"], ["23500", "Thôn Chen"]],
    )
    assert job.state == ImportJobState.FAILED
    assert "23500" in page and "dòng 2" in page and "Ngọk Wang" not in page
    assert not Unit.objects.filter(name="Thôn Chen").exists()


def test_classifications_are_uploaded_and_confirmed(client, tree, users):
    client.force_login(users.province_admin)
    job, preview = _upload(
        client,
        reverse("geo:import_classifications", args=["615"]),
        [
            ["Mã đơn vị", "Loại phân loại", "Giá trị", "Từ năm", "Đến năm", "Căn cứ pháp lý"],
            ["23500", "", "III", 2016, 2020, "QĐ 582/QĐ-TTg"],
        ],
    )
    assert "confirm-form" in preview and not UnitClassification.objects.exists()
    _confirm(client, job)
    found = UnitClassification.objects.get()
    assert (found.unit, found.value, found.start_year) == (tree.ngok_wang, "III", 2016)


def test_successions_are_uploaded_and_confirmed(client, tree, users):
    client.force_login(users.province_admin)
    job, preview = _upload(
        client,
        reverse("geo:import_successions", args=["62"]),
        [
            ["Mã đơn vị cũ", "Mã đơn vị mới", "Ngày hiệu lực", "Tỷ lệ", "Ghi chú"],
            ["23488", "23500", date(2020, 1, 1), "", "sáp nhập"],
        ],
    )
    assert "confirm-form" in preview and not Succession.objects.exists()
    _confirm(client, job)
    succession = Succession.objects.get()
    assert (succession.old_unit, succession.new_unit) == (tree.dak_mar, tree.ngok_wang)
    assert succession.share == Decimal(1)
    tree.dak_mar.refresh_from_db()
    assert tree.dak_mar.valid_to == date(2019, 12, 31)


def test_a_succession_reaching_outside_the_unit_is_refused(client, tree, users):
    client.force_login(users.province_admin)
    job, page = _upload(
        client,
        reverse("geo:import_successions", args=["615"]),  # Đắk Hà: 23290 is Đắk Glei's
        [["Mã đơn vị cũ", "Mã đơn vị mới", "Ngày hiệu lực"], ["23290", "23500", "01/01/2020"]],
    )
    assert job.state == ImportJobState.FAILED and "23290" in page
    assert not Succession.objects.exists()


REFORM_HEADER = ["Mã xã cũ", "Mã xã mới", "Tên xã mới", "Mã tỉnh mới", "Tên tỉnh mới", "Tỷ lệ"]


def test_the_reform_mapping_is_uploaded_and_confirmed(client, tree, users):
    client.force_login(users.province_admin)
    url = reverse("reform:import", args=["62"])
    # Linked from the province's page (and from the reform's figures: `reform` tests).
    assert url in client.get(reverse("geo:unit_detail", args=["62"])).content.decode()
    job, preview = _upload(
        client,
        url,
        [
            REFORM_HEADER,
            ["23500", "23501", "Xã Đăk Hà Mới", "51", "Tỉnh Quảng Ngãi", ""],
            ["23488", "23501", "Xã Đăk Hà Mới", "51", "Tỉnh Quảng Ngãi", ""],
            ["23290", "23291", "Xã Đăk Glei Mới", "51", "Tỉnh Quảng Ngãi", ""],
        ],
    )
    assert "confirm-form" in preview and not Succession.objects.exists()
    fields = preview.split('data-testid="import-fields"', 1)[1].split("</ul>", 1)[0]
    assert "đơn vị tạo mới: 3" in fields and "kế thừa tạo mới: 4" in fields  # + the province's
    _confirm(client, job)
    new = Unit.objects.get(name="Xã Đăk Hà Mới")
    assert set(
        Succession.objects.filter(new_unit=new).values_list("old_unit__code", flat=True)
    ) == {
        "23500",
        "23488",
    }
    tree.ngok_wang.refresh_from_db()
    assert tree.ngok_wang.valid_to == date(2025, 6, 30)


def test_the_reform_mapping_is_refused_to_others_and_its_bad_rows_located(client, tree, users):
    client.force_login(users.district_officer)
    assert client.get(reverse("reform:import", args=["62"])).status_code == 403
    client.force_login(_other_province_admin())
    assert client.get(reverse("reform:import", args=["62"])).status_code == 404
    client.force_login(users.province_admin)
    job, page = _upload(
        client,
        reverse("reform:import", args=["62"]),
        [REFORM_HEADER, ["23500", "", "Xã Mới", "51", "Tỉnh Quảng Ngãi", "2"]],
    )
    assert job.state == ImportJobState.FAILED and job.errors and "dòng 2" in page
    assert client.get(reverse("imports:job_errors", args=[job.key])).status_code == 200
    assert not Unit.objects.filter(name="Xã Mới").exists()


INFRASTRUCTURE_HEADER = [
    "Mã xã",
    "Năm",
    "Đường ô tô đến trung tâm xã",
    "Tỷ lệ hộ dùng điện lưới (%)",
]


def test_infrastructure_is_uploaded_by_the_communes_officer_and_confirmed(client, tree, users):
    client.force_login(users.commune_officer)
    url = reverse("criteria:import_infrastructure", args=["23500"])
    assert url in client.get(reverse("criteria:infrastructure")).content.decode()
    job, preview = _upload(client, url, [INFRASTRUCTURE_HEADER, ["23500", 2020, "quanh năm", 95]])
    assert "confirm-form" in preview and not CommuneInfrastructure.objects.exists()
    _confirm(client, job)
    stored = CommuneInfrastructure.objects.get()
    assert (stored.commune, stored.year, stored.road_to_centre) == (
        tree.ngok_wang,
        2020,
        "all_season",
    )

    job, preview = _upload(client, url, [INFRASTRUCTURE_HEADER, ["23500", 2020, "mùa khô", 95]])
    assert 'data-testid="import-fields"' in preview and "confirm-form" in preview


def test_infrastructure_of_another_commune_is_refused(client, tree, users):
    client.force_login(users.province_viewer)
    assert client.get(reverse("criteria:import_infrastructure", args=["62"])).status_code == 403
    client.force_login(users.commune_officer)
    assert client.get(reverse("criteria:import_infrastructure", args=["23488"])).status_code == 404
    job, page = _upload(
        client,
        reverse("criteria:import_infrastructure", args=["23500"]),
        [INFRASTRUCTURE_HEADER, ["23488", 2020, "quanh năm", 95], ["23500", 1800, "", ""]],
    )
    assert job.state == ImportJobState.FAILED and "dòng 2" in page and "dòng 3" in page
    assert not CommuneInfrastructure.objects.exists()


def test_a_file_that_is_not_a_table_is_refused_on_the_form(client, tree, users):
    client.force_login(users.province_admin)
    response = client.post(
        reverse("geo:import_villages", args=["62"]),
        {"file": SimpleUploadedFile("anh.png", b"\x89PNG")},
    )
    assert response.status_code == 400 and not ImportJob.objects.exists()
