"""Attachments: judged by their content, stored under a generated name, served only as a
download through the gate — and the census meeting minutes are one."""

from __future__ import annotations

import io
import uuid
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from ketnghia.census import services
from ketnghia.census.models import RoundState
from ketnghia.census.tests.factories import make_round
from ketnghia.core.attachments import attachment_store, attachment_url
from ketnghia.core.errors import InvalidInput
from ketnghia.core.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
HTML = b"<!doctype html><script>alert(document.cookie)</script>"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _docx() -> bytes:
    """A minimal Word document: its declaration names the main document part."""
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/word/document.xml" ContentType="{main}"/>'
            "</Types>",
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


def _odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _zip_without_declaration() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def _bomb() -> bytes:
    """A .docx whose declaration inflates to 20 MB of blanks before it names its type."""
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", " " * 20_000_000 + f'ContentType="{main}"')
    return buffer.getvalue()


def _store(name: str, content: bytes, tree, user=None) -> Attachment:
    return attachment_store(
        uploaded_file=SimpleUploadedFile(name, content),
        actor=user,
        unit_path=tree.ngok_wang.path,
        purpose="test",
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("bien-ban.pdf", PDF, "application/pdf"),
        ("anh.PNG", PNG, "image/png"),
        ("anh.jpeg", JPEG, "image/jpeg"),
        ("bien-ban.docx", _docx(), "application/vnd.openxmlformats-officedocument"),
        ("bang.xlsx", _xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml"),
        ("bien-ban.odt", _odt(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_allowed_files_are_stored_under_a_generated_name(tree, users, name, content, content_type):
    attachment = _store(name, content, tree, users.commune_officer)
    assert attachment.content_type.startswith(content_type)
    assert (attachment.original_name, attachment.size) == (name, len(content))
    stored = attachment.stored.name.rsplit("/", 1)[-1]
    assert name.rsplit(".", 1)[0] not in stored and len(stored.split(".")[0]) == 32
    assert attachment.stored.read() == content
    assert attachment.uploaded_by == users.commune_officer


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("bien-ban.pdf", HTML, "not a PDF"),  # a file that lies about its type
        ("trang.html", HTML, "not a PDF"),
        ("bien-ban.pdf", PNG, "PNG"),  # real content, wrong name
        ("bien-ban.docx", _xlsx(), "XLSX"),
        ("bien-ban.docx", _zip_without_declaration(), "not a PDF"),
        ("bien-ban.pdf", b"", "empty"),
        ("bom.docx", _bomb(), "not a PDF"),  # read only up to a bound, then refused
    ],
)
def test_files_that_lie_about_their_type_are_refused_and_nothing_is_written(
    tree, settings, name, content, says
):
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        _store(name, content, tree)
    (problem,) = refused.value.problems
    assert name in str(problem.message) and says in str(problem.message)
    assert problem.location.file == name
    assert not Attachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "attachments").exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read(tree, settings):
    settings.KETNGHIA_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(InvalidInput) as refused:
        _store("bien-ban.pdf", PDF + b"0" * 1024, tree)
    assert "bien-ban.pdf" in str(refused.value.problems[0].message)
    assert not Attachment.objects.exists()


def test_the_download_is_gated_and_never_inline(client, tree, users):
    attachment = _store("biên bản.pdf", PDF, tree, users.commune_officer)
    url = attachment_url(attachment)
    assert str(attachment.key) in url and str(attachment.pk) not in url.split("/")
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    for who in ("commune_officer", "district_officer", "province_viewer"):
        client.force_login(getattr(users, who))
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF
    client.force_login(users.twinning_member)  # twinned with Đắk Choong, not Ngọk Wang
    assert client.get(url).status_code == 404
    other = attachment_store(
        uploaded_file=SimpleUploadedFile("khac.pdf", PDF),
        actor=None,
        unit_path=tree.dak_mar.path,
        purpose="test",
    )
    client.force_login(users.commune_officer)
    assert client.get(attachment_url(other)).status_code == 404
    bogus = reverse("core:attachment_download", kwargs={"key": uuid.UUID(int=0)})
    assert client.get(bogus).status_code == 404


# --- The census meeting minutes ------------------------------------------------------------


def _meeting_url(year: int) -> str:
    return reverse("census:round_meeting", kwargs={"commune": "23500", "year": year})


@pytest.fixture
def collected(tree, users):
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    services.census_round_advance(
        census_round=census_round, target=RoundState.COLLECTED, actor=users.commune_officer
    )
    return census_round


@pytest.mark.parametrize(
    ("name", "content", "limit"),
    [("bien-ban.html", HTML, None), ("bien-ban.pdf", HTML, None), ("lon.pdf", PDF * 40, 1024)],
)
def test_minutes_that_are_refused_show_beside_the_form_and_nothing_is_written(
    client, users, collected, settings, name, content, limit
):
    if limit:
        settings.KETNGHIA_ATTACHMENT_MAX_BYTES = limit
    client.force_login(users.commune_officer)
    data = {"meeting_date": "01/10/2015", "participants": 40, "agreeing": 31}
    response = client.post(
        _meeting_url(2015), {**data, "minutes": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    form = response.context["meeting_form"]
    assert name in " ".join(form.errors["minutes"])
    assert 'data-testid="field-error"' in response.content.decode()
    collected.refresh_from_db()
    assert collected.meeting_date is None and collected.meeting_minutes is None
    assert not Attachment.objects.exists()


def test_the_round_page_links_the_minutes_through_the_gated_download(client, users, collected):
    client.force_login(users.commune_officer)
    data = {"meeting_date": "01/10/2015", "participants": 40, "agreeing": 31}
    minutes = SimpleUploadedFile("Biên bản họp.pdf", PDF)
    assert client.post(_meeting_url(2015), {**data, "minutes": minutes}).status_code == 302
    collected.refresh_from_db()
    assert collected.meeting_date == date(2015, 10, 1)
    attachment = collected.meeting_minutes
    assert (attachment.unit_path, attachment.purpose) == (collected.unit_path, "census.minutes")
    page = client.get(reverse("census:round_detail", kwargs={"commune": "23500", "year": 2015}))
    html = page.content.decode()
    assert f'href="{attachment_url(attachment)}"' in html and "Biên bản họp.pdf" in html
    api = client.get(reverse("api:census_round_list", kwargs={"commune": "23500"}))
    assert api.json()["results"][0]["minutes_url"] == attachment_url(attachment)
    download = client.get(attachment_url(attachment))
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_api_refuses_minutes_that_lie_about_their_type(client, users, collected):
    client.force_login(users.commune_officer)
    url = reverse("api:census_round_meeting", kwargs={"commune": "23500", "year": 2015})
    response = client.post(
        url,
        {
            "meeting_date": "01/10/2015",
            "participants": 20,
            "agreeing": 12,
            "minutes": SimpleUploadedFile("bien-ban.pdf", HTML),
        },
    )
    assert response.status_code == 400
    assert "bien-ban.pdf" in response.json()["errors"][0]["message"]
    assert not Attachment.objects.exists()
