from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.accounts.models import User
from ketnghia.core.admin_site import ScopedModelAdmin, admin_site


class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin, ScopedModelAdmin):
    unit_path_field = "jurisdiction__path"
    list_display = ["username", "first_name", "last_name", "role", "jurisdiction", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["jurisdiction"]
    list_select_related = ["jurisdiction"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdiction", "organisation")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdiction", "organisation")}),
    )


admin_site.register(User, UserAdmin)
