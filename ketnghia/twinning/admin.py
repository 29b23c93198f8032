from typing import Any

from django.forms import ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.core.errors import Problem
from ketnghia.twinning import services
from ketnghia.twinning.models import Organisation, Twinning


class OrganisationAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "province__path"
    list_display = ["name", "short_name", "kind", "province"]
    search_fields = ["name", "short_name"]
    list_select_related = ["province"]

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        return super().write_problems(request, obj) + services.organisation_write_problems(
            organisation=obj, actor=request.user
        )

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.organisation_save(organisation=obj, actor=request.user)


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


admin_site.register(Organisation, OrganisationAdmin)
admin_site.register(Twinning, TwinningAdmin)
