"""Admin: criteria set versions (a version with results is read-only: copy it to a new one),
village facts, infrastructure and manual assessments of the administrator's province."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.criteria import services
from ketnghia.criteria.models import (
    CommuneInfrastructure,
    CriteriaSetVersion,
    ManualAssessment,
    VillageFacts,
)


@admin.action(description=_("Create a new version from each selected one"))
def new_version(
    modeladmin: Any, request: HttpRequest, queryset: QuerySet[CriteriaSetVersion]
) -> None:
    created = [services.criteria_set_version_copy(version=v, actor=request.user) for v in queryset]
    modeladmin.message_user(
        request,
        ngettext("%(count)s new version created.", "%(count)s new versions created.", len(created))
        % {"count": len(created)},
        messages.SUCCESS,
    )


class CriteriaSetVersionAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    list_display = [
        "code",
        "level",
        "version",
        "name",
        "first_year",
        "last_year",
        "active",
        "source",
    ]
    list_filter = ["level", "active"]
    actions = [new_version]
    readonly_fields = ["name", "first_year", "last_year", "based_on", "source", "created_at"]
    fields = ["code", "level", "version", "active", "definition", *readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["code", "level", "version"]
            if obj.has_results():
                fields.append("definition")
        return fields


class _RefreshingAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    """An input edited in the admin refreshes the stored results, as the services do."""

    unit_field = "unit"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        services.assessments_refresh(
            units=[getattr(obj, self.unit_field)], year=obj.year, actor=request.user
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        unit, year = getattr(obj, self.unit_field), obj.year
        super().delete_model(request, obj)
        services.assessments_refresh(units=[unit], year=year, actor=request.user)


class VillageFactsAdmin(_RefreshingAdmin):
    unit_field = "village"
    unit_path_field = "unit_path"
    list_display = [
        "village",
        "year",
        "party_cell_rating",
        "serious_crimes",
        "households_short_of_food",
    ]
    list_filter = ["year"]
    search_fields = ["village__code", "village__name"]
    raw_id_fields = ["village"]
    list_select_related = ["village"]


class CommuneInfrastructureAdmin(_RefreshingAdmin):
    unit_field = "commune"
    unit_path_field = "unit_path"
    list_display = [
        "commune",
        "year",
        "road_to_centre",
        "electricity_percent",
        "health_station_standard",
    ]
    list_filter = ["year", "road_to_centre"]
    search_fields = ["commune__code", "commune__name"]
    raw_id_fields = ["commune"]
    list_select_related = ["commune"]


class ManualAssessmentAdmin(_RefreshingAdmin):
    unit_path_field = "unit_path"
    list_display = [
        "unit",
        "year",
        "set_code",
        "criterion_code",
        "met",
        "assessor_name",
        "assessed_on",
    ]
    list_filter = ["year", "set_code"]
    raw_id_fields = ["unit", "assessor"]
    list_select_related = ["unit"]


admin_site.register(CriteriaSetVersion, CriteriaSetVersionAdmin)
admin_site.register(VillageFacts, VillageFactsAdmin)
admin_site.register(CommuneInfrastructure, CommuneInfrastructureAdmin)
admin_site.register(ManualAssessment, ManualAssessmentAdmin)
