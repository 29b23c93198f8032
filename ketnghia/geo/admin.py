from typing import Any

from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core import scoping
from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.core.errors import Problem
from ketnghia.geo import services
from ketnghia.geo.models import Succession, Unit, UnitClassification


class UnitAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    """Units of the province; a new parent moves the whole subtree (`geo.services.unit_move`)."""

    unit_path_field = "path"
    list_display = ["code", "name", "level", "kind", "is_urban", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind", "is_urban"]
    search_fields = ["code", "name", "search_name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A unit's code is its national identity: a new code is a new unit.
        return ["code"] if obj is not None else []

    def write_paths(self, request: HttpRequest, obj: Any) -> list[tuple[str, str | None]]:
        return []

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        return super().write_problems(request, obj) + services.unit_write_problems(
            unit=obj, actor=request.user
        )

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.unit_save(unit=obj, actor=request.user)


class UnitClassificationAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "unit__path"
    list_display = ["unit", "scheme", "value", "start_year", "end_year", "legal_basis"]
    list_filter = ["scheme", "value", "start_year"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]

    # A commune's region groups the indicators' figures: every write reports it.
    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        stored = scoping.stored_version(obj)
        super().save_record(request, obj, form, change)
        services.regions_changed(
            classifications=[obj, *([stored] if stored is not None else [])], actor=request.user
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        services.regions_changed(classifications=[obj], actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        deleted = list(queryset)
        super().delete_queryset(request, queryset)
        services.regions_changed(classifications=deleted, actor=request.user)


class SuccessionAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    """Successions between units of the province (across provinces: a superuser's work)."""

    unit_path_field = "old_unit__path"
    list_display = ["old_unit", "new_unit", "date", "share", "note"]
    raw_id_fields = ["old_unit", "new_unit"]
    list_select_related = ["old_unit", "new_unit"]


admin_site.register(Unit, UnitAdmin)
admin_site.register(UnitClassification, UnitClassificationAdmin)
admin_site.register(Succession, SuccessionAdmin)
