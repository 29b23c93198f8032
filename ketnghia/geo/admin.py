from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.geo.models import Succession, Unit, UnitClassification


class UnitAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "path"
    list_display = ["code", "name", "level", "kind", "is_urban", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind", "is_urban"]
    search_fields = ["code", "name", "search_name"]
    raw_id_fields = ["parent"]
    list_select_related = ["parent"]


class UnitClassificationAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "unit__path"
    list_display = ["unit", "scheme", "value", "start_year", "end_year", "legal_basis"]
    list_filter = ["scheme", "value", "start_year"]
    raw_id_fields = ["unit"]
    list_select_related = ["unit"]


class SuccessionAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    unit_path_field = "old_unit__path"
    list_display = ["old_unit", "new_unit", "date", "share", "note"]
    raw_id_fields = ["old_unit", "new_unit"]
    list_select_related = ["old_unit", "new_unit"]


admin_site.register(Unit, UnitAdmin)
admin_site.register(UnitClassification, UnitClassificationAdmin)
admin_site.register(Succession, SuccessionAdmin)
