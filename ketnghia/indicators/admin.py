"""The admin of indicator targets: a province administrator edits the targets of the programs
whose communes all lie in their province; every write goes through `services.target_save`."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.core.errors import Problem
from ketnghia.indicators import services
from ketnghia.indicators.models import Target
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.programs.services import program_write_problems


class TargetAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    """Targets of the programs inside the administrator's province (as `ProgramAdmin`)."""

    list_display = ["program", "indicator", "year", "baseline", "baseline_year", "target"]
    list_filter = ["program", "indicator"]
    search_fields = ["indicator", "program__code", "program__name"]
    list_select_related = ["program"]

    def _programs(self, request: HttpRequest) -> QuerySet[Program]:
        scope = self._scope(request)
        programs = Program.objects.all()
        if scope.everything:
            return programs
        elsewhere = ProgramCommune.objects.exclude(scope.q("commune__path")).values("program")
        return programs.exclude(pk__in=elsewhere)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).filter(program__in=self._programs(request))

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None or self._scope(request).everything:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "program":
            kwargs["queryset"] = self._programs(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        problems = super().write_problems(request, obj)
        if obj.program_id is not None:
            problems += program_write_problems(program=obj.program, actor=request.user)
        return problems + services.target_problems(target=obj)

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.target_save(target=obj, actor=request.user)


admin_site.register(Target, TargetAdmin)
