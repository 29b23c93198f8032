"""A full disk (or a read-only media folder) while an attachment is saved: a clear message
beside the field, no orphan row and no orphan file.

As root (CI) chmod does not stop writes, so the fault is made at the storage layer: a
file-system storage that writes the first block of the file to disk and then fails as a full
disk does (ENOSPC), or refuses to open the file as a read-only folder does (EROFS).
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ketnghia.census.models import RoundState
from ketnghia.census.tests.factories import make_round
from ketnghia.core.models import Attachment

PDF = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 20_000 + b"%%EOF\n"  # several blocks


class _DiskFills(File):
    """The upload, read in blocks: the second block hits a full disk."""

    def __init__(self, content: File) -> None:
        super().__init__(content.file, content.name)
        self.inner = content

    def chunks(self, chunk_size: int | None = None):
        # An upload held in memory comes as one chunk: cut it as a disk write would.
        data = b"".join(self.inner.chunks())
        yield data[: 64 * 1024]
        raise OSError(errno.ENOSPC, "No space left on device")


class FullDiskStorage(FileSystemStorage):
    """A file-system storage on a disk that fills up while the file is written."""

    def _save(self, name: str, content: File) -> str:
        return super()._save(name, _DiskFills(content))


class ReadOnlyStorage(FileSystemStorage):
    """A file-system storage whose folder is mounted read-only."""

    def _save(self, name: str, content: File) -> str:
        raise OSError(errno.EROFS, "Read-only file system", self.path(name))


def _files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("storage", "says"),
    [("FullDiskStorage", "ổ đĩa của máy chủ đã đầy"), ("ReadOnlyStorage", "không ghi được")],
)
def test_minutes_that_cannot_be_stored_are_refused_with_nothing_left(
    client, tree, users, settings, tmp_path, storage, says
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": f"{__name__}.{storage}",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    census_round = make_round(tree.ngok_wang, 2015, "vn-2011", {"A": 300_000})
    census_round.state = RoundState.COLLECTED
    census_round.save()
    client.force_login(users.commune_officer)
    url = reverse("census:round_meeting", kwargs={"commune": "23500", "year": 2015})
    minutes = SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")
    answer = client.post(
        url, {"meeting_date": "01/10/2015", "participants": 40, "agreeing": 31, "minutes": minutes}
    )
    assert answer.status_code == 400, (answer.status_code, answer.get("Location"))
    page = answer.content.decode()
    assert "bien-ban.pdf" in page and says in page, page[-3000:]
    assert "Traceback" not in page
    assert not Attachment.objects.exists()
    census_round.refresh_from_db()
    assert census_round.meeting_minutes is None and census_round.meeting_date is None
    assert _files(tmp_path / "media") == []


def test_a_row_that_cannot_be_saved_takes_its_file_with_it(tree, settings, tmp_path, monkeypatch):
    """The file is written first; when the row then fails, the file goes too."""
    from django.db import IntegrityError

    from ketnghia.core.attachments import attachment_store

    settings.MEDIA_ROOT = tmp_path / "media"

    def refuse(self, *args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Attachment, "save", refuse)
    with pytest.raises(IntegrityError):
        attachment_store(
            uploaded_file=SimpleUploadedFile("bien-ban.pdf", PDF),
            actor=None,
            unit_path=tree.ngok_wang.path,
            purpose="test",
        )
    assert _files(tmp_path / "media") == []
