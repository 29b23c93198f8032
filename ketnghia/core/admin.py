"""Admin pages of core's records: the personal-data disclosure log and attachments, read only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.core.models import Attachment, PersonalDataDisclosure


class _ReadOnly(ScopedModelAdmin):
    """Written by the system only: nobody adds, changes or deletes a row here."""

    unit_path_field = "unit_path"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PersonalDataDisclosureAdmin(_ReadOnly):
    """The log of who was shown whose personal data in full, through which output."""

    list_display = ["at", "user", "output", "channel", "household", "subjects", "kinds"]
    list_filter = ["channel", "output"]
    list_select_related = ["user", "household"]
    date_hierarchy = "at"


class AttachmentAdmin(_ReadOnly):
    """Uploaded files: who uploaded what, for which unit; downloads go through the gate."""

    list_display = ["uploaded_at", "original_name", "content_type", "size", "purpose"]
    list_filter = ["purpose", "content_type"]
    exclude = ["stored"]


admin_site.register(PersonalDataDisclosure, PersonalDataDisclosureAdmin)
admin_site.register(Attachment, AttachmentAdmin)
