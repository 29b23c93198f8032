"""The baseline: the same census file imported with django-import-export.

`CensusEntryResource` is what a Django developer would write with the library to import the
census into the same models: a `ModelResource` over `CensusEntry`, keyed by household code
within the round (so a re-import updates rather than duplicates), that gets or creates each
row's `Household` and classifies the row under the round's standard with the same pure
`classify`. Library defaults throughout (row by row, one transaction, no bulk mode, no
`skip_unchanged`): the point is what the library gives, not how far it can be tuned.

Only what the file's Vietnamese conventions need is added: numbers such as "1.250.000" are
read with the project's own parser, dates as dd/mm/yyyy, and the area words.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.instance_loaders import CachedInstanceLoader

from ketnghia.census.importing import columns as cols
from ketnghia.census.models import CensusEntry, CensusRound
from ketnghia.core.text import fold, parse_amount
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.poverty.rules import classify
from ketnghia.poverty.standards import get_standard


class AmountWidget(widgets.IntegerWidget):
    """An integer written the Vietnamese way ("1.250.000")."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        if self.is_empty(value):
            return None
        return int(parse_amount(value))


class AreaWidget(widgets.CharWidget):
    """ "nông thôn" / "thành thị" (or rural / urban) to the stored value."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> str:
        return cols.AREA_WORDS[fold(str(value))]


class SurveyDateWidget(widgets.DateWidget):
    """A dd/mm/yyyy date, or a workbook's date cell."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        return super().clean(value, row, **kwargs)


def _label(key: str) -> str:
    return cols.column_label(get_standard("vn-2022"), key)


class CensusEntryResource(resources.ModelResource):
    """Import a census file into one round: a household and its entry per row."""

    household_code = fields.Field(
        attribute="household_code", column_name=_label(cols.HOUSEHOLD_CODE)
    )
    head_name = fields.Field(attribute="head_name", column_name=_label(cols.HEAD_NAME))
    area = fields.Field(attribute="area", column_name=_label(cols.AREA), widget=AreaWidget())
    member_count = fields.Field(
        attribute="member_count",
        column_name=_label(cols.MEMBER_COUNT),
        widget=widgets.IntegerWidget(),
    )
    surveyed_on = fields.Field(
        attribute="surveyed_on",
        column_name=_label(cols.SURVEYED_ON),
        widget=SurveyDateWidget(format="%d/%m/%Y"),
    )
    monthly_income_per_person = fields.Field(
        attribute="monthly_income_per_person",
        column_name=_label(cols.INCOME),
        widget=AmountWidget(),
    )

    class Meta:
        model = CensusEntry
        fields = (
            "household_code",
            "head_name",
            "area",
            "member_count",
            "surveyed_on",
            "monthly_income_per_person",
        )
        import_id_fields = ("household_code",)

    def __init__(self, *, census_round: CensusRound) -> None:
        super().__init__()
        self.census_round = census_round
        self.standard = get_standard(census_round.standard_code)
        self.villages = {
            village.name: village
            for village in Unit.objects.filter(parent=census_round.commune, level=UnitLevel.VILLAGE)
        }
        self.village_column = _label(cols.VILLAGE)
        self.indicator_columns = {
            code: cols.column_label(self.standard, cols.indicator_key(code))
            for code in self.standard.indicator_codes
        }

    def get_queryset(self):
        return CensusEntry.objects.filter(round=self.census_round)

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        village = self.villages[row[self.village_column]]
        household, _created = Household.objects.get_or_create(
            commune=self.census_round.commune,
            code=str(row[_label(cols.HOUSEHOLD_CODE)]),
            defaults={
                "head_name": row[_label(cols.HEAD_NAME)],
                "village": village,
                "registered_year": self.census_round.year,
            },
        )
        row["_household"] = household
        row["_village"] = village

    def before_save_instance(self, instance: CensusEntry, row: dict[str, Any], **kwargs: Any):
        flags = {code: int(row[column]) for code, column in self.indicator_columns.items()}
        result = classify(
            self.standard,
            area=instance.area,
            monthly_income_per_person=instance.monthly_income_per_person,
            deprivations=flags,
        )
        instance.round = self.census_round
        instance.household = row["_household"]
        instance.village_code = row["_village"].code
        instance.deprivations = sum(
            1 << position for position, code in enumerate(self.indicator_columns) if flags[code]
        )
        instance.deprivation_count = result.deprivation_count
        instance.computed_status = instance.status = result.status
        instance.rule = result.rule


class TunedCensusEntryResource(CensusEntryResource):
    """The same resource configured as the library's documentation recommends for bulk.

    `use_bulk` with `batch_size` (entries written with `bulk_create`/`bulk_update`),
    `skip_diff` (no copy of each original to compare), `CachedInstanceLoader` (the round's
    entries fetched in one query), and the households loaded once: the file's new households
    created with one `bulk_create` before the rows, then all of them looked up in a dict. Bulk
    mode sends no save signals, so django-simple-history writes no history rows here.
    """

    class Meta(CensusEntryResource.Meta):
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        instance_loader_class = CachedInstanceLoader

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        commune = self.census_round.commune
        code_column = _label(cols.HOUSEHOLD_CODE)
        known = set(Household.objects.filter(commune=commune).values_list("code", flat=True))
        new = []
        for row in dataset.dict:
            code = str(row[code_column])
            if code in known:
                continue
            known.add(code)
            village = self.villages[row[self.village_column]]
            household = Household(
                commune=commune,
                code=code,
                head_name=row[_label(cols.HEAD_NAME)],
                village=village,
                registered_year=self.census_round.year,
            )
            household.set_derived_fields()
            new.append(household)
        Household.objects.bulk_create(new, batch_size=1000)
        self.households = {h.code: h for h in Household.objects.filter(commune=commune)}

    def before_import_row(self, row: dict[str, Any], **kwargs: Any) -> None:
        row["_household"] = self.households[str(row[_label(cols.HOUSEHOLD_CODE)])]
        row["_village"] = self.villages[row[self.village_column]]


def baseline_import(*, census_round: CensusRound, path: Path, tuned: bool = False) -> int:
    """Read `path` as django-import-export does and import it; return the rows imported.

    `tuned`: with `TunedCensusEntryResource`, the library's bulk configuration.
    """
    if path.suffix.lower() == ".csv":
        # The admin decodes uploads as utf-8-sig too, so Excel's BOM does not spoil a header.
        dataset = CSV().create_dataset(path.read_text(encoding="utf-8-sig"))
    else:
        dataset = XLSX().create_dataset(path.read_bytes())
    resource = TunedCensusEntryResource if tuned else CensusEntryResource
    result = resource(census_round=census_round).import_data(
        dataset, dry_run=False, raise_errors=True
    )
    return result.totals["new"] + result.totals["update"]
