"""Support pages: the workflow through the web, scope, the delivery lists and the signed scan."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document

from ketnghia.core.models import PersonalDataDisclosure
from ketnghia.core.tests.rendering import render
from ketnghia.households.models import Household
from ketnghia.support import services
from ketnghia.support.documents import SIGN_COLUMN
from ketnghia.support.models import Cycle, CycleState, SignedList
from ketnghia.support.tests.conftest import open_cycle

pytestmark = pytest.mark.django_db


def _approved(setting, tree, users) -> Cycle:
    cycle = open_cycle(setting, tree, users)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    services.cycle_submit(cycle=cycle, actor=users.commune_officer)
    return services.cycle_approve(cycle=cycle, actor=users.district_officer, on=date(2016, 4, 2))


def test_the_menu_has_a_support_area_and_its_pages_open(client, setting, users):
    client.force_login(users.district_officer)
    home = client.get(reverse("support:documents"))
    assert home.status_code == 200
    assert reverse("support:documents") in home.content.decode()
    assert "123/QĐ-UBND" in home.content.decode()  # a district reads the province's decision
    for name in ("support:funds", "support:packages", "support:cycles"):
        assert client.get(reverse(name)).status_code == 200
    packages = client.get(reverse("support:packages")).content.decode()
    start = packages.index('data-testid="target-rule">')
    assert "«hộ nghèo» == 1 và «xã trọng điểm» == 1" in packages[start : start + 200]


def test_the_whole_workflow_through_the_pages(client, setting, tree, users):
    client.force_login(users.commune_officer)
    response = client.post(
        reverse("support:cycles"),
        {
            "package": setting.package.pk,
            "fund": setting.fund.pk,
            "commune": tree.ngok_wang.pk,
            "name": "Bò giống 2016",
            "decision_date": "01/04/2016",
            "census_as_of": "31/12/2015",
        },
    )
    assert response.status_code == 302, response.content.decode()
    cycle = Cycle.objects.get(name="Bò giống 2016")
    url = reverse("support:cycle", args=[cycle.pk])

    def step(slug: str, data: dict | None = None):
        return client.post(reverse("support:cycle_action", args=[cycle.pk, slug]), data or {})

    assert step("propose").status_code == 302
    assert step("submit").status_code == 302
    # The preparer sees no approve button and cannot approve by a forged post.
    assert "Phê duyệt" not in client.get(url).content.decode()
    refused = step("approve", {"on": "2016-04-02"})
    assert refused.status_code == 400
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.SUBMITTED

    client.force_login(users.district_officer)
    assert step("approve", {"on": "2016-04-02"}).status_code == 302
    client.force_login(users.commune_officer)
    a = cycle.deliveries.get(household__code="A")
    bad = step("deliver", {"delivered_on": "2016-04-10", f"quantity-{a.pk}": "-1"})
    assert bad.status_code == 400 and "số" in bad.content.decode()
    assert (
        step("deliver", {"delivered_on": "2016-04-10", f"quantity-{a.pk}": "2"}).status_code == 302
    )
    assert step("reconcile").status_code == 400  # A's difference is not explained
    assert step("reconcile", {f"note-{a.pk}": "Thiếu giống"}).status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.RECONCILED


def test_a_district_sees_its_communes_cycles_and_nobody_else_does(client, setting, tree, users):
    cycle = _approved(setting, tree, users)
    url = reverse("support:cycle", args=[cycle.pk])
    client.force_login(users.district_officer)
    assert client.get(url).status_code == 200
    assert cycle.name in client.get(reverse("support:cycles")).content.decode()
    client.force_login(users.twinning_member)  # twinned with another commune
    assert client.get(url).status_code == 404
    assert cycle.name not in client.get(reverse("support:cycles")).content.decode()


def _docx_text(content: bytes) -> str:
    """Return every paragraph's text, nested tables (the kept-together last rows) included."""
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]

    def walk(tables) -> None:
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    texts.extend(p.text for p in cell.paragraphs)
                    walk(cell.tables)

    walk(document.tables)
    return "\n".join(texts)


def test_the_delivery_list_masks_ids_for_the_district_and_logs_the_commune(
    client, setting, tree, users
):
    cycle = _approved(setting, tree, users)
    url = reverse("support:list_docx", args=[cycle.pk, tree.village_a.code])
    client.force_login(users.district_officer)
    masked = _docx_text(client.get(url).content)
    assert "0*********89" in masked and "001234567889" not in masked
    assert not PersonalDataDisclosure.objects.exists()
    client.force_login(users.commune_officer)
    full = _docx_text(client.get(url).content)
    assert "001234567889" in full and SIGN_COLUMN in full
    row = PersonalDataDisclosure.objects.get()
    assert (row.output, row.subjects) == ("support.delivery_list_docx", 2)


def test_the_delivery_list_sorts_names_the_vietnamese_way(client, setting, tree, users):
    Household.objects.filter(code="D").update(head_name="Đinh Thị Ánh")
    cycle = open_cycle(setting, tree, users)
    services.cycle_propose(cycle=cycle, actor=users.commune_officer)
    cycle.deliveries.filter(household__code="D").update(recipient_name="Đinh Thị Ánh")
    client.force_login(users.commune_officer)
    response = client.get(reverse("support:list_xlsx", args=[cycle.pk, tree.village_a.code]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=6, values_only=True) if row[0]]
    # Given names first: "Ánh" before "An"? No — a before á: An (Nguyễn Văn An), then Ánh.
    assert names[:2] == ["Nguyễn Văn An", "Đinh Thị Ánh"]
    header = next(sheet.iter_rows(min_row=5, max_row=5, values_only=True))
    assert SIGN_COLUMN in header


def test_the_signed_scan_is_attached_back_and_a_wrong_file_is_refused(client, setting, tree, users):
    cycle = _approved(setting, tree, users)
    url = reverse("support:signed_upload", args=[cycle.pk, tree.village_a.code])
    client.force_login(users.commune_officer)
    bad = client.post(url, {"file": SimpleUploadedFile("scan.pdf", b"MZ not a pdf")})
    assert bad.status_code == 400 and not SignedList.objects.exists()
    good = client.post(url, {"file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n% ky nhan\n")})
    assert good.status_code == 302
    signed = SignedList.objects.get()
    assert signed.village == tree.village_a and signed.attachment.purpose == "support.signed_list"
    page = client.get(reverse("support:cycle", args=[cycle.pk])).content.decode()
    assert 'data-testid="signed-scan"' in page


def test_the_delivery_list_renders_as_a4_with_its_signature_column(setting, tree, users, client):
    cycle = _approved(setting, tree, users)
    client.force_login(users.commune_officer)
    content = client.get(reverse("support:list_docx", args=[cycle.pk, tree.village_a.code]))
    rendered = render({"list": content.content})["list"]
    assert rendered.is_a4
    text = " ".join(rendered.lines())
    assert "DANH SÁCH CẤP PHÁT" in text
    assert "Ký nhận" in text and "điểm chỉ" in text
    assert "NGƯỜI LẬP BIỂU" in text and "TM. UBND XÃ" in text
    assert "Nguyễn Văn An" in text
