"""A district (or province) a move leaves without communes loses its aggregate rows at once."""

from __future__ import annotations

from ketnghia.dashboards.tests.conftest import load_program
from ketnghia.geo.services import unit_move
from ketnghia.indicators.cache import data_version
from ketnghia.indicators.models import Aggregate
from ketnghia.indicators.services import aggregates_check


def test_a_district_left_without_communes_keeps_no_rows(tree, users):
    load_program(tree, users)
    # Đắk Glei's only commune of the program is Đắk Choong.
    assert Aggregate.objects.filter(unit=tree.dak_glei).exists()
    before = data_version(unit_path=tree.province.path)
    unit_move(unit=tree.dak_choong, new_parent=tree.dak_ha, actor=None)
    assert not Aggregate.objects.filter(unit=tree.dak_glei).exists()
    assert Aggregate.objects.filter(unit=tree.dak_ha, period=2015).exists()
    assert aggregates_check() == []
    assert data_version(unit_path=tree.province.path).token != before.token
