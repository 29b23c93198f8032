"""Writes of the dashboards: a province's commune map, the provinces' stored dashboards."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.formatting import format_count
from ketnghia.core.history import save_by
from ketnghia.core.scoping import check_administers
from ketnghia.dashboards import rows
from ketnghia.dashboards.models import CommuneMap, DashboardRow
from ketnghia.dashboards.rules import MapLimits, parse_commune_map
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.indicators.cache import data_version
from ketnghia.indicators.models import Aggregate
from ketnghia.indicators.services import version_bump
from ketnghia.programs.models import Program

CODE_PROPERTY_MAX = 60


def map_limits() -> MapLimits:
    """Return the commune map's limits (setting `KETNGHIA_MAP_MAX_BYTES`, read at call time)."""
    default = MapLimits()
    return MapLimits(
        max_bytes=int(getattr(settings, "KETNGHIA_MAP_MAX_BYTES", default.max_bytes)),
        max_features=default.max_features,
        max_points=default.max_points,
    )


def _file_problem(message: str, file_name: str, field: str = "file") -> InvalidInput:
    return InvalidInput(Problem(message, Location(file=file_name, field=field)))


@transaction.atomic
def commune_map_save(
    *, province: Unit, uploaded_file: UploadedFile, code_property: str, actor: Actor
) -> CommuneMap:
    """Check an uploaded GeoJSON of `province`'s communes and make it the province's map.

    The size is checked before anything is read, then at most that many bytes are read;
    every problem of the file is listed (InvalidInput) and nothing is written.
    """
    file_name = uploaded_file.name or "map.geojson"
    check_administers(actor=actor, paths=[("province", province.path)])
    if province.level != UnitLevel.PROVINCE:
        raise InvalidInput(Problem(_("Choose a province."), Location(field="province")))
    code_property = code_property.strip()
    if not code_property or len(code_property) > CODE_PROPERTY_MAX:
        raise InvalidInput(
            Problem(
                _("Give the name of the property that holds the commune code (e.g. ma_xa)."),
                Location(field="code_property"),
            )
        )
    limits = map_limits()
    if uploaded_file.size is not None and uploaded_file.size > limits.max_bytes:
        raise _file_problem(
            _("The file is %(size)s bytes; a commune map may have at most %(limit)s bytes.")
            % {"size": format_count(uploaded_file.size), "limit": format_count(limits.max_bytes)},
            file_name,
        )
    uploaded_file.seek(0)
    content = uploaded_file.read(limits.max_bytes + 1)
    commune_codes = set(
        Unit.objects.filter(path__startswith=province.path, level=UnitLevel.COMMUNE).values_list(
            "code", flat=True
        )
    )
    data = parse_commune_map(
        content,
        file_name=file_name,
        code_property=code_property,
        commune_codes=commune_codes,
        province_name=province.name,
        limits=limits,
    )
    commune_map = CommuneMap.objects.filter(province=province).first() or CommuneMap(
        province=province
    )
    commune_map.code_property = code_property
    commune_map.file_name = file_name[:255]
    commune_map.commune_count = len(data.shapes)
    commune_map.data = data.as_json()
    commune_map.uploaded_by = actor
    save_by(commune_map, actor)
    version_bump(province_ids=[commune_map.province_id])  # the dashboards draw it
    return commune_map


@transaction.atomic
def commune_map_delete(*, commune_map: CommuneMap, actor: Actor) -> None:
    """Remove a province's commune map (its history keeps it)."""
    check_administers(actor=actor, paths=[("province", commune_map.province.path)])
    commune_map._history_user = actor  # type: ignore[attr-defined]
    province_id = commune_map.province_id
    commune_map.delete()
    version_bump(province_ids=[province_id])


def dashboard_rows_write(province_ids: list[int] | None) -> int:
    """Write again the stored dashboards of `province_ids` (every province when None): one
    row per program and variant (approved rounds only, or with the rounds in progress) for the
    last year with figures — the year the page opens on —, stamped with the province's data
    version; return how many. An earlier year is computed when asked for: shaping every year
    made each write grow with the years of rounds (18 dashboards on the demo's nine years).

    Run after `indicators.services.version_bump` (`dashboards.tasks`): in a rebuild's
    transaction, and by a task once a refresh, target or map change has committed.
    """
    provinces = Unit.objects.filter(level=UnitLevel.PROVINCE)
    if province_ids is not None:
        provinces = provinces.filter(pk__in=province_ids)
    by_id = {unit.pk: unit for unit in provinces}
    if not by_id:
        return 0
    stale = DashboardRow.objects.all()
    if province_ids is not None:
        stale = stale.filter(unit_id__in=list(by_id))
    stale.delete()
    shown = sorted(
        Aggregate.objects.filter(
            unit_id__in=list(by_id), indicator="poverty_rate", disaggregation=""
        )
        .values_list("program_id", "unit_id", "official")
        .distinct()
    )
    programs = Program.objects.in_bulk({program_id for program_id, _unit, _official in shown})
    versions: dict[int, str] = {}
    made: list[DashboardRow] = []
    for program_id, unit_id, official in shown:
        province, program = by_id[unit_id], programs[program_id]
        if unit_id not in versions:
            versions[unit_id] = data_version(unit_path=province.path).token
        last = rows.shape(program=program, province=province, year=None, official=official)
        made.append(
            DashboardRow(
                program=program,
                unit=province,
                year=last["dashboard"]["year"],
                official=official,
                version=versions[unit_id],
                data=last,
            )
        )
    DashboardRow.objects.bulk_create(made, batch_size=100)
    return len(made)
