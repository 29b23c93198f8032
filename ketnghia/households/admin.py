from typing import Any

from django.http import HttpRequest

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.households.models import PersonalIdDisclosure


class PersonalIdDisclosureAdmin(ScopedModelAdmin):
    """The log of who saw whose personal ID numbers; read only."""

    unit_path_field = "household__unit_path"
    list_display = ["at", "user", "household", "channel"]
    list_filter = ["channel"]
    list_select_related = ["user", "household"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin_site.register(PersonalIdDisclosure, PersonalIdDisclosureAdmin)
