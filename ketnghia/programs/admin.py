from typing import Any

from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.core.errors import Problem
from ketnghia.programs import services
from ketnghia.programs.models import Program, ProgramCommune


class ProgramAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    """Programs whose communes all lie in the administrator's province (or with none yet)."""

    list_display = ["code", "name", "legal_document", "start_date", "end_date"]
    search_fields = ["code", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        scope = self._scope(request)
        if scope.everything:
            return queryset
        elsewhere = ProgramCommune.objects.exclude(scope.q("commune__path")).values("program")
        return queryset.exclude(pk__in=elsewhere)

    def in_scope(self, request: HttpRequest, obj: Any) -> bool:
        if obj is None or self._scope(request).everything:
            return True
        return self.get_queryset(request).filter(pk=obj.pk).exists()

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        return super().write_problems(request, obj) + services.program_write_problems(
            program=obj, actor=request.user
        )

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.program_save(program=obj, actor=request.user)


class ProgramCommuneAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "commune__path"
    list_display = ["program", "commune", "is_key", "valid_from", "valid_to", "decision"]
    list_filter = ["program", "is_key"]
    raw_id_fields = ["commune"]
    list_select_related = ["program", "commune"]

    def write_problems(self, request: HttpRequest, obj: Any) -> list[Problem]:
        return super().write_problems(request, obj) + services.program_commune_write_problems(
            membership=obj, actor=request.user
        )

    def save_record(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        services.program_commune_save(membership=obj, actor=request.user)

    # Deleting a place on a list is a change of the list: through the service, which refreshes
    # the commune's figures (the admin's own delete would leave them stale).
    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.program_communes_delete(memberships=[obj], actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        services.program_communes_delete(
            memberships=queryset.select_related("commune", "program"), actor=request.user
        )


admin_site.register(Program, ProgramAdmin)
admin_site.register(ProgramCommune, ProgramCommuneAdmin)
