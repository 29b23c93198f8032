from simple_history.admin import SimpleHistoryAdmin

from ketnghia.core.admin_site import ScopedModelAdmin, admin_site
from ketnghia.poverty.models import LocalStandard


class LocalStandardAdmin(SimpleHistoryAdmin, ScopedModelAdmin):
    list_display = [
        "code",
        "name_vi",
        "base_code",
        "first_year",
        "last_year",
        "rural_poor",
        "urban_poor",
    ]
    fieldsets = [
        (None, {"fields": ["code", "name_vi", "name_en", "base_code", "legal_basis"]}),
        (None, {"fields": [("first_year", "last_year")]}),
        (None, {"fields": [("rural_poor", "rural_near_poor", "rural_average")]}),
        (None, {"fields": [("urban_poor", "urban_near_poor", "urban_average")]}),
    ]


admin_site.register(LocalStandard, LocalStandardAdmin)
