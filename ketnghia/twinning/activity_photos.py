"""Photos of an activity: JPEG or PNG attachments (`core.attachments`), downloaded through the gate.

Checked by content and size before anything is written (`KETNGHIA_ACTIVITY_PHOTO_MAX_BYTES`,
default 5 MB, under the attachments' own limit; at most `KETNGHIA_ACTIVITY_MAX_PHOTOS`, default
10, per activity), stored under a generated name at the activity's unit path, so whoever may
view the commune (or village) may download them and nobody else.
"""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.attachments import JPEG, PNG, attachment_check, attachment_store
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.models import Attachment
from ketnghia.core.text import format_number
from ketnghia.twinning.models import Activity

PURPOSE = "activity_photo"
PHOTO_TYPES = (JPEG, PNG)
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_PHOTOS = 10


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _refuse(message: str, name: str) -> InvalidInput:
    return InvalidInput(Problem(message, Location(file=name, field="photo")))


@transaction.atomic
def activity_photo_add(
    *, activity: Activity, uploaded_file: UploadedFile, actor: Actor
) -> Attachment:
    """Attach a photo to `activity`; refused (nothing written) when too large, not an image, or
    when the activity has its most photos already."""
    name = PurePath(uploaded_file.name or "").name
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    most = _limit("KETNGHIA_ACTIVITY_MAX_PHOTOS", DEFAULT_MAX_PHOTOS)
    if activity.photos.count() >= most:
        raise _refuse(_("An activity carries at most %(count)s photos.") % {"count": most}, name)
    limit = _limit("KETNGHIA_ACTIVITY_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)
    if uploaded_file.size is None or uploaded_file.size > limit:
        raise _refuse(
            _("The photo “%(name)s” is larger than the %(limit)s MB allowed.")
            % {"name": name, "limit": format_number(limit / (1024 * 1024), decimals=1)},
            name,
        )
    kind = attachment_check(uploaded_file=uploaded_file, field="photo")
    if kind not in PHOTO_TYPES:
        raise _refuse(
            _("The file “%(name)s” is not a photo: upload a JPEG or PNG image.") % {"name": name},
            name,
        )
    attachment = attachment_store(
        uploaded_file=uploaded_file,
        actor=actor,
        unit_path=activity.unit_path,
        purpose=PURPOSE,
        field="photo",
    )
    activity.photos.add(attachment)
    return attachment
