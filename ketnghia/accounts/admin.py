from typing import Any

from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.accounts import services
from ketnghia.accounts.models import User
from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.core.errors import Problem
from ketnghia.core.scoping import administer_problems

# What only a superuser sees and sets (and nobody sets `is_superuser` here at all).
_PRIVILEGES = ("is_superuser", "is_staff", "groups", "user_permissions")


class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin, ScopedModelAdmin):
    """Users of the administrator's province: by jurisdiction, or by their organisation's."""

    unit_path_field = "jurisdiction__path"
    forbidden_fields = _PRIVILEGES
    list_display = ["username", "first_name", "last_name", "role", "jurisdiction", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["jurisdiction"]
    readonly_fields = ["is_superuser"]
    list_select_related = ["jurisdiction"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdiction", "organisation")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role and jurisdiction"), {"fields": ("role", "jurisdiction", "organisation")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super(ScopedModelAdmin, self).get_queryset(request)
        scope = self._scope(request)
        if scope.everything:
            return queryset
        mine = scope.q("jurisdiction__path") | scope.q("organisation__province__path")
        visible = queryset.filter(mine).exclude(is_superuser=True)
        if not request.user.is_staff:
            visible = visible.exclude(is_staff=True)
        return visible

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None or self._scope(request).everything:
            return True
        if obj.is_superuser or (obj.is_staff and not request.user.is_staff):
            return False
        return not administer_problems(actor=request.user, paths=services.user_paths(obj))

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in _PRIVILEGES]})
            for name, options in fieldsets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.readonly_fields if request.user.is_superuser else ()

    def write_paths(self, request: HttpRequest, obj: Any) -> list[tuple[str, str | None]]:
        return []

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        return super().write_problems(request, obj) + services.user_write_problems(
            user=obj, actor=request.user
        )

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.user_save(user=obj, actor=request.user)


admin_site.register(User, UserAdmin)
