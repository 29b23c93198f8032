"""The demo's economic models: several hundred, some replicated, with yearly results."""

from __future__ import annotations

import pytest

from ketnghia.core.gate import EVERYTHING
from ketnghia.demo.economy import DESCRIPTION, write_models
from ketnghia.economy.models import EconomicModel, ModelResult, Participation
from ketnghia.economy.selectors import model_rows
from ketnghia.economy.tests.conftest import Planted


@pytest.mark.django_db
def test_the_demo_writes_hundreds_of_models_some_replicated_once(planted: Planted) -> None:
    report = write_models(program=planted.program, seed=2007)
    assert report.models >= 300 and report.replications >= 100
    assert EconomicModel.objects.count() == report.models
    assert not EconomicModel.objects.exclude(description=DESCRIPTION).exists()
    assert not ModelResult.objects.filter(income_per_household__lt=0).exists()
    assert Participation.objects.exclude(reason="").exists()  # across a commune's border
    for participation in Participation.objects.select_related("model", "household")[:2000]:
        if participation.household.commune_id != participation.model.commune_id:
            assert participation.reason
    rows = model_rows(scope=EVERYTHING, program=planted.program)
    assert any(row.replicated_villages > 0 for row in rows)
    assert write_models(program=planted.program, seed=2007).models == 0
