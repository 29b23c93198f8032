"""Support's forms (pages in Vietnamese, so their messages are checked in Vietnamese): documents (with their file), funds and their ledger, packages (a bad target
rule named clearly), and a cycle's delivery import through the job page."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from ketnghia.imports.models import ImportJob
from ketnghia.support import services
from ketnghia.support.delivery_import.template import DATA_SHEET
from ketnghia.support.models import (
    Cycle,
    CycleState,
    Delivery,
    EntryKind,
    Fund,
    FundEntry,
    LegalDocument,
    Package,
)
from ketnghia.support.tests.conftest import open_cycle

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def test_the_support_pages_link_their_forms_for_an_editor_only(client, setting, users):
    client.force_login(users.province_admin)
    assert 'data-testid="document-new"' in client.get(reverse("support:documents")).content.decode()
    funds = client.get(reverse("support:funds")).content.decode()
    assert 'data-testid="fund-new"' in funds
    assert reverse("support:fund_entry", args=[setting.fund.pk]) in funds
    assert 'data-testid="package-new"' in client.get(reverse("support:packages")).content.decode()
    client.force_login(users.province_viewer)
    assert "document-new" not in client.get(reverse("support:documents")).content.decode()
    for name in ("support:document_new", "support:fund_new", "support:package_new"):
        assert client.get(reverse(name)).status_code in (403, 404)


def test_a_document_is_recorded_with_its_file(client, setting, tree, users):
    client.force_login(users.province_admin)
    page = client.get(reverse("support:document_new"))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    response = client.post(
        reverse("support:document_new"),
        {
            "program": setting.program.pk,
            "number": "45/QĐ-UBND",
            "issued_on": "15/02/2017",
            "issuer": "Ủy ban nhân dân tỉnh Kon Tum",
            "kind": "decision",
            "unit": tree.province.pk,
            "summary": "Hỗ trợ cây giống",
            "attachment_file": SimpleUploadedFile("qd.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()
    document = LegalDocument.objects.get(number="45/QĐ-UBND")
    assert document.attachment is not None and document.history.count() == 1
    again = client.post(
        reverse("support:document_new"),
        {
            "program": setting.program.pk,
            "number": "45/QĐ-UBND",
            "issued_on": "15/02/2017",
            "issuer": "x",
            "kind": "decision",
            "unit": tree.province.pk,
        },
    )
    assert again.status_code == 400 and "Văn bản này đã được ghi nhận." in again.content.decode()


def test_a_fund_is_opened_and_its_ledger_takes_allocations_and_adjustments(
    client, setting, tree, users
):
    client.force_login(users.province_admin)
    response = client.post(
        reverse("support:fund_new"),
        {
            "document": setting.document.pk,
            "year": "2017",
            "source": "central",
            "unit": tree.province.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    fund = Fund.objects.get(year=2017, source="central")
    url = reverse("support:fund_entry", args=[fund.pk])
    assert response["Location"] == url
    ok = client.post(url, {"kind": "allocation", "amount": "5.000.000", "entered_on": "01/03/2017"})
    assert ok.status_code == 302
    missing = client.post(
        url, {"kind": "adjustment", "amount": "-1.000.000", "entered_on": "02/03/2017"}
    )
    assert missing.status_code == 400 and "Hãy nêu lý do điều chỉnh." in missing.content.decode()
    too_much = client.post(
        url,
        {
            "kind": "adjustment",
            "amount": "-9.000.000",
            "entered_on": "02/03/2017",
            "reason": "Thu hồi",
        },
    )
    assert (
        too_much.status_code == 400
        and "thấp hơn số đã cam kết và đã cấp" in too_much.content.decode()
    )
    client.post(
        url,
        {
            "kind": "adjustment",
            "amount": "-1.000.000",
            "entered_on": "02/03/2017",
            "reason": "Điều chỉnh theo QĐ 50",
        },
    )
    entries = list(FundEntry.objects.filter(fund=fund).values_list("kind", "amount", "reason"))
    assert entries == [
        (EntryKind.ALLOCATION, 5_000_000, ""),
        (EntryKind.ADJUSTMENT, -1_000_000, "Điều chỉnh theo QĐ 50"),
    ]
    assert 'data-testid="ledger"' in client.get(url).content.decode()


def test_a_package_with_a_bad_rule_is_refused_clearly(client, setting, users):
    client.force_login(users.province_admin)
    data = {
        "document": setting.document.pk,
        "name": "Cây keo",
        "kind": "seedlings",
        "form": "in_kind",
        "unit": "cây",
        "unit_value": "2.000",
        "quantity": "100",
        "multiplier": "none",
        "cap": "",
        "recipient_level": "household",
        "target_rule": "poor == 1 and",
    }
    response = client.post(reverse("support:package_new"), data)
    assert response.status_code == 400
    assert "Điều kiện đối tượng viết sai" in response.content.decode()
    unknown = client.post(reverse("support:package_new"), {**data, "target_rule": "rich == 1"})
    assert unknown.status_code == 400 and "chỉ tiêu không có: rich" in unknown.content.decode()
    assert not Package.objects.filter(name="Cây keo").exists()
    good = client.post(reverse("support:package_new"), {**data, "target_rule": "near_poor == 1"})
    assert good.status_code == 302
    assert Package.objects.get(name="Cây keo").unit_value == 2000


def _approved(setting, tree, users) -> Cycle:
    cycle = open_cycle(setting, tree, users)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    services.cycle_submit(cycle=cycle, actor=users.commune_officer)
    return services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))


def _filled(client, cycle, quantity) -> SimpleUploadedFile:
    content = client.get(reverse("support:deliveries_template", args=[cycle.pk])).content
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book[DATA_SHEET]
    for row in sheet.iter_rows(min_row=4):
        row[4].value = quantity if quantity is not None else row[3].value
        row[5].value = date(2016, 4, 10)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("cap-phat.xlsx", buffer.getvalue())


def test_a_delivery_upload_is_previewed_on_the_job_page_then_confirmed(
    client, setting, tree, users, settings
):
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = False
    cycle = _approved(setting, tree, users)
    client.force_login(users.commune_officer)
    detail = client.get(reverse("support:cycle", args=[cycle.pk])).content.decode()
    assert reverse("support:deliveries_import", args=[cycle.pk]) in detail
    page = client.get(reverse("support:deliveries_import", args=[cycle.pk]))
    assert page.status_code == 200
    assert reverse("support:deliveries_xlsform", args=[cycle.pk]) in page.content.decode()
    bad = client.post(
        reverse("support:deliveries_import", args=[cycle.pk]), {"file": _filled(client, cycle, 7)}
    )
    assert bad.status_code == 302
    job = ImportJob.objects.latest("created_at")
    failed = client.get(bad["Location"]).content.decode()
    assert "import-problems" in failed and "vượt mức tối đa 3" in failed and job.errors
    assert client.get(reverse("imports:job_errors", args=[job.key])).status_code == 200
    response = client.post(
        reverse("support:deliveries_import", args=[cycle.pk]),
        {"file": _filled(client, cycle, None)},
    )
    preview = client.get(response["Location"]).content.decode()
    assert "confirm-form" in preview
    assert not Delivery.objects.filter(delivered_quantity__isnull=False).exists()
    job = ImportJob.objects.latest("created_at")
    client.post(reverse("imports:job_confirm", args=[job.key]))
    cycle.refresh_from_db()
    assert cycle.state == CycleState.DELIVERED
    assert timezone.now()  # the job ran in this process


def test_another_communes_officer_cannot_reach_the_import(client, setting, tree, users):
    from ketnghia.accounts.models import Role
    from ketnghia.accounts.services import user_create

    cycle = _approved(setting, tree, users)
    outsider = user_create(
        username="commune23488",
        password="Kh0ng-d0an-duoc",
        role=Role.COMMUNE_OFFICER,
        jurisdiction=tree.dak_mar,
    )
    client.force_login(outsider)
    for name in ("support:deliveries_import", "support:deliveries_template"):
        assert client.get(reverse(name, args=[cycle.pk])).status_code == 404


def test_a_correction_upload_shows_its_samples_and_asks_for_a_confirmation(
    client, setting, tree, users, settings
):
    settings.KETNGHIA_IMPORT_WORKER_PROCESS = False
    cycle = _approved(setting, tree, users)
    client.force_login(users.commune_officer)
    url = reverse("support:deliveries_import", args=[cycle.pk])
    client.post(url, {"file": _filled(client, cycle, None)})
    client.post(reverse("imports:job_confirm", args=[ImportJob.objects.latest("created_at").key]))
    response = client.post(url, {"file": _filled(client, cycle, 1)})
    preview = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-samples"' in preview and "→" in preview
    assert 'data-testid="import-reasons"' in preview and "confirm-form" in preview
    assert set(Delivery.objects.values_list("delivered_quantity", flat=True)) != {1}
