"""The admin of indicator targets: a province administrator edits the targets of the programs
whose communes all lie in their province; every write goes through `services.target_save`."""

from __future__ import annotations

from typing import Any

from django.forms import ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.core.errors import Problem
from ketnghia.indicators import services
from ketnghia.indicators.models import Target
from ketnghia.programs.services import program_write_problems


class TargetAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    """Targets of the programs inside the administrator's province (as `ProgramAdmin`)."""

    scope_through = "program"
    list_display = ["program", "indicator", "year", "baseline", "baseline_year", "target"]
    list_filter = ["program", "indicator"]
    search_fields = ["indicator", "program__code", "program__name"]
    list_select_related = ["program"]

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        problems = super().write_problems(request, obj)
        if obj.program_id is not None:
            problems += program_write_problems(program=obj.program, actor=request.user)
        return problems + services.target_problems(target=obj)

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.target_save(target=obj, actor=request.user)


admin_site.register(Target, TargetAdmin)
