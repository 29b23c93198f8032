from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.twinning.models import Organisation, Twinning


class OrganisationAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "province__path"
    list_display = ["name", "short_name", "kind", "province"]
    search_fields = ["name", "short_name"]
    list_select_related = ["province"]


class TwinningAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "commune__path"
    list_display = ["organisation", "commune", "start_date", "end_date", "decision"]
    raw_id_fields = ["commune"]
    list_select_related = ["organisation", "commune"]


admin_site.register(Organisation, OrganisationAdmin)
admin_site.register(Twinning, TwinningAdmin)
