"""Every column that stores a copy of a unit path, and the one way to rewrite them.

The gate filters by path prefix (`/62/615/23500/`), so several tables keep the path of their
unit beside the foreign key (a join-free, indexed prefix match). When a unit moves, every copy
below it must change in the same transaction: `rewrite_prefix` does that with one UPDATE per
column (string replace on the prefix, in the database) and writes the history rows in bulk.

A model that stores a unit path adds one line to `STORED_UNIT_PATHS`; `tests/test_unit_paths.py`
fails when a model has a `*path` field that is not listed here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection, models
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

if TYPE_CHECKING:
    from ketnghia.accounts.models import Actor

# (model label, field): each field holds the path of a unit, or of a unit above the row.
STORED_UNIT_PATHS: list[tuple[str, str]] = [
    ("geo.Unit", "path"),
    ("households.Household", "unit_path"),
    ("census.CensusRound", "unit_path"),
    ("core.PersonalDataDisclosure", "unit_path"),
    ("core.Attachment", "unit_path"),
    ("criteria.VillageFacts", "unit_path"),
    ("criteria.CommuneInfrastructure", "unit_path"),
    ("criteria.ManualAssessment", "unit_path"),
    ("criteria.Assessment", "unit_path"),
    ("twinning.Person", "unit_path"),
    ("twinning.Assignment", "unit_path"),
    ("twinning.WorkTeam", "unit_path"),
    ("twinning.Activity", "unit_path"),
    ("reports.SavedReport", "unit_path"),
    ("indicators.Aggregate", "unit_path"),
    ("support.LegalDocument", "unit_path"),
    ("support.Fund", "unit_path"),
    ("support.Cycle", "unit_path"),
    ("support.Delivery", "unit_path"),
    ("economy.EconomicModel", "unit_path"),
    ("portal.Bulletin", "unit_path"),
]


def stored_unit_paths() -> list[tuple[type[models.Model], str]]:
    return [(apps.get_model(label), field) for label, field in STORED_UNIT_PATHS]


def _write_history(
    model: type[models.Model], field: str, new_prefix: str, skip_pk: Any, actor: Actor
) -> None:
    """Insert one history row per rewritten row, set-based (INSERT … SELECT)."""
    history = getattr(model, "history", None)
    if history is None:
        return
    historical = history.model
    own = {f.attname: f.column for f in model._meta.concrete_fields if f.column}
    columns = [
        f.column
        for f in historical._meta.concrete_fields
        if f.attname in own and f.attname != "history_id"
    ]
    names = [attname for attname, column in own.items() if column in columns]
    rows = model._default_manager.filter(**{f"{field}__startswith": new_prefix}).order_by()
    if skip_pk is not None:
        rows = rows.exclude(pk=skip_pk)
    rows = rows.annotate(
        _h_date=Value(timezone.now(), output_field=models.DateTimeField()),
        _h_type=Value("~", output_field=models.CharField()),
        _h_user=Value(getattr(actor, "pk", None), output_field=models.IntegerField(null=True)),
        _h_reason=Value("unit moved", output_field=models.CharField()),
    ).values_list(*names, "_h_date", "_h_type", "_h_user", "_h_reason")
    select, params = rows.query.sql_with_params()
    quote = connection.ops.quote_name
    target = ", ".join(
        [quote(own[name]) for name in names]
        + [
            quote(c)
            for c in ("history_date", "history_type", "history_user_id", "history_change_reason")
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(historical._meta.db_table)} ({target}) {select}", params
        )


def rewrite_prefix(
    *, old_prefix: str, new_prefix: str, actor: Actor = None, skip: models.Model | None = None
) -> dict[str, int]:
    """Replace `old_prefix` by `new_prefix` in every stored unit path; return rows per column.

    Call inside the transaction that moves the unit. `skip` is a row already saved (with its
    history) by the caller, such as the moved unit itself.
    """
    if old_prefix == new_prefix:
        return {}
    counts: dict[str, int] = {}
    for model, field in stored_unit_paths():
        rows = model._default_manager.filter(**{f"{field}__startswith": old_prefix})
        if skip is not None and isinstance(skip, model):
            rows = rows.exclude(pk=skip.pk)
        updated = rows.update(
            **{field: Concat(Value(new_prefix), Substr(field, len(old_prefix) + 1))}
        )
        counts[f"{model._meta.label}.{field}"] = updated
        if updated:
            skip_pk = skip.pk if skip is not None and isinstance(skip, model) else None
            _write_history(model, field, new_prefix, skip_pk, actor)
    return counts


# Rows computed from the others (rebuilt when data changes), not data a unit holds.
_DERIVED = frozenset({"indicators.Aggregate"})


def rows_below(path: str, *, skip: models.Model | None = None) -> dict[str, int]:
    """Return, per stored path column, how many rows lie at or below `path` (none: absent).

    The unit itself (`skip`) and derived rows (aggregates) are not counted: what is left is
    what a unit holds, which a move to another commune would leave inconsistent.
    """
    counts: dict[str, int] = {}
    for model, field in stored_unit_paths():
        if model._meta.label in _DERIVED:
            continue
        rows = model._default_manager.filter(**{f"{field}__startswith": path})
        if skip is not None and isinstance(skip, model):
            rows = rows.exclude(pk=skip.pk)
        if count := rows.count():
            counts[f"{model._meta.label}.{field}"] = count
    return counts
