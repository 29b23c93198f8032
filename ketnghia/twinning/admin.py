from typing import Any

from django.forms import ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.core.errors import Problem
from ketnghia.core.personal_data import Kind
from ketnghia.twinning import services
from ketnghia.twinning.models import (
    Activity,
    Assignment,
    NetworkRules,
    Organisation,
    Person,
    Twinning,
    WorkTeam,
)


class OrganisationAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "province__path"
    list_display = ["name", "short_name", "kind", "province", "district"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    list_select_related = ["province", "district"]

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        return super().write_problems(request, obj) + services.organisation_write_problems(
            organisation=obj, actor=request.user
        )

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.organisation_save(organisation=obj, actor=request.user)

    raw_id_fields = ["parent", "district"]


class TwinningAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "commune__path"
    list_display = ["organisation", "commune", "start_date", "end_date", "decision"]
    raw_id_fields = ["commune"]
    list_select_related = ["organisation", "commune"]

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        return super().write_problems(request, obj) + services.twinning_write_problems(
            twinning=obj, actor=request.user
        )

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.twinning_save(twinning=obj, actor=request.user)


class PersonAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "unit_path"
    personal_fields = {"phone": Kind.PHONE}
    list_display = ["full_name", "role", "commune", "village", "organisation", "active_from"]
    list_filter = ["role"]
    search_fields = ["full_name"]
    raw_id_fields = ["organisation", "commune", "village"]
    list_select_related = ["organisation", "commune", "village"]


class AssignmentAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "unit_path"
    list_display = ["kind", "responsible", "target", "start_date", "end_date", "decision_number"]
    list_filter = ["kind"]
    raw_id_fields = ["organisation", "person", "commune", "village", "household"]
    list_select_related = ["organisation", "person", "commune", "village", "household"]


class NetworkRulesAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    """A program's rules are the administrator's when the program is (`ProgramAdmin`)."""

    scope_through = "program"
    list_display = ["program", "one_twinning_unit_per_commune", "max_households_per_party_member"]
    list_select_related = ["program"]


class WorkTeamAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "unit_path"
    list_display = ["name", "organisation", "commune", "start_date", "end_date"]
    raw_id_fields = ["organisation", "commune", "members"]
    list_select_related = ["organisation", "commune"]


class ActivityAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "unit_path"
    list_display = ["date", "kind", "team", "commune", "village", "status", "resources_vnd"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["team", "commune", "village", "participants", "confirmed_by"]
    list_select_related = ["team", "commune", "village"]


admin_site.register(Organisation, OrganisationAdmin)
admin_site.register(Twinning, TwinningAdmin)
admin_site.register(Person, PersonAdmin)
admin_site.register(Assignment, AssignmentAdmin)
admin_site.register(NetworkRules, NetworkRulesAdmin)
admin_site.register(WorkTeam, WorkTeamAdmin)
admin_site.register(Activity, ActivityAdmin)
