from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.programs.models import Program, ProgramCommune


class ProgramAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    list_display = ["code", "name", "legal_document", "start_date", "end_date"]
    search_fields = ["code", "name"]


class ProgramCommuneAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "commune__path"
    list_display = ["program", "commune", "is_key", "valid_from", "valid_to", "decision"]
    list_filter = ["program", "is_key"]
    raw_id_fields = ["commune"]
    list_select_related = ["program", "commune"]


admin_site.register(Program, ProgramAdmin)
admin_site.register(ProgramCommune, ProgramCommuneAdmin)
