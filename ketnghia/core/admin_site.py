"""The Django admin, open to province administrators through the gate."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ketnghia.core import gate


class KetnghiaAdminSite(admin.AdminSite):
    site_header = _("ketnghia administration")
    site_title = _("ketnghia")

    def has_permission(self, request: HttpRequest) -> bool:
        return gate.allows(request.user, "admin")


admin_site = KetnghiaAdminSite(name="admin")


class ScopedModelAdmin(admin.ModelAdmin):
    """A model admin whose rows are limited to the administrator's units.

    `unit_path_field` names the path of the unit each row belongs to ("path" for units,
    "unit__path" for records of a unit); None means the model is not tied to units.
    """

    unit_path_field: str | None = None

    def _scope(self, request: HttpRequest) -> gate.UnitScope:
        return gate.scope_for(request.user, gate.Action.ADMINISTER)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if self.unit_path_field is None:
            return queryset
        return self._scope(request).filter(queryset, self.unit_path_field)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return gate.allows(request.user, "admin")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return gate.allows(request.user, "admin")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return gate.allows(request.user, "admin")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return gate.allows(request.user, "admin")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return gate.allows(request.user, "admin")
