"""Programs and the revision of their commune lists, through the services and selectors."""

from __future__ import annotations

from datetime import date

import pytest

from ketnghia.core.errors import InvalidInput, NotFound
from ketnghia.core.gate import Action, scope_for
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.programs.selectors import (
    program_communes_on,
    program_get,
    program_key_communes_on,
)
from ketnghia.programs.services import program_communes_set, program_create

D2007 = date(2007, 1, 1)
D2012 = date(2012, 1, 1)


@pytest.fixture
def program(tree, users):
    return program_create(
        code="nq04",
        name="Nghị quyết 04",
        legal_document="04-NQ/TU",
        start_date=D2007,
        actor=users.province_admin,
    )


def _codes(units) -> list[str]:
    return [unit.code for unit in units]


def test_program_create_records_who_created_it(program, users):
    assert program_get("nq04") == program
    assert program.history.get().history_user == users.province_admin


def test_program_create_refuses_bad_input_and_writes_nothing(program, users):
    with pytest.raises(InvalidInput) as error:
        program_create(
            code="nq04",
            name="Again",
            legal_document="",
            start_date=D2012,
            end_date=D2007,
            actor=users.province_admin,
        )
    messages = " ".join(str(p) for p in error.value.problems)
    assert "before it starts" in messages
    assert "code" in messages
    assert Program.objects.count() == 1


def test_program_get_unknown_code_is_not_found(db):
    with pytest.raises(NotFound):
        program_get("nope")


def test_list_is_revised_over_time(program, tree, users):
    program_communes_set(
        program=program,
        communes=[tree.ngok_wang, tree.dak_mar],
        key_communes=[tree.dak_mar],
        valid_from=D2007,
        decision="QĐ 1",
        actor=users.province_admin,
    )
    program_communes_set(
        program=program,
        communes=[tree.dak_mar, tree.dak_choong],
        key_communes=[tree.dak_mar, tree.dak_choong],
        valid_from=D2012,
        decision="QĐ 2",
        actor=users.province_admin,
    )
    before, after = date(2011, 12, 31), D2012
    assert _codes(program_communes_on(program=program, on=before)) == ["23488", "23500"]
    assert _codes(program_key_communes_on(program=program, on=before)) == ["23488"]
    assert _codes(program_communes_on(program=program, on=after)) == ["23290", "23488"]
    assert _codes(program_key_communes_on(program=program, on=after)) == ["23290", "23488"]
    assert _codes(program_communes_on(program=program, on=date(2006, 1, 1))) == []
    closed = ProgramCommune.objects.get(commune=tree.ngok_wang)
    assert closed.valid_to == before
    # Đăk Mar stayed key throughout: its 2007 row goes on untouched.
    kept = ProgramCommune.objects.get(commune=tree.dak_mar)
    assert (kept.valid_from, kept.valid_to, kept.decision) == (D2007, None, "QĐ 1")


def test_change_of_key_status_keeps_one_open_row_per_commune(program, tree, users):
    for valid_from, keys in ((D2007, []), (D2012, [tree.dak_mar]), (date(2016, 1, 1), [])):
        program_communes_set(
            program=program,
            communes=[tree.dak_mar],
            key_communes=keys,
            valid_from=valid_from,
            decision="",
            actor=users.province_admin,
        )
    rows = list(ProgramCommune.objects.filter(commune=tree.dak_mar).order_by("valid_from"))
    assert [(r.is_key, r.valid_to) for r in rows] == [
        (False, date(2011, 12, 31)),
        (True, date(2015, 12, 31)),
        (False, None),
    ]
    assert _codes(program_key_communes_on(program=program, on=date(2014, 6, 1))) == ["23488"]


def test_the_same_list_twice_writes_nothing(program, tree, users):
    arguments = dict(
        program=program,
        communes=[tree.ngok_wang, tree.dak_mar],
        key_communes=[tree.dak_mar],
        valid_from=D2007,
        decision="QĐ 1",
        actor=users.province_admin,
    )
    program_communes_set(**arguments)
    history = ProgramCommune.history.count()
    plan = program_communes_set(**arguments)
    assert plan.is_empty
    assert ProgramCommune.objects.count() == 2
    assert ProgramCommune.history.count() == history


def test_history_names_the_actor(program, tree, users):
    program_communes_set(
        program=program,
        communes=[tree.dak_mar],
        key_communes=[],
        valid_from=D2007,
        decision="",
        actor=users.province_admin,
    )
    program_communes_set(
        program=program,
        communes=[],
        key_communes=[],
        valid_from=D2012,
        decision="",
        actor=users.province_viewer,
    )
    users_in_history = [h.history_user for h in ProgramCommune.history.order_by("history_date")]
    assert users_in_history == [users.province_admin, users.province_viewer]


@pytest.mark.parametrize(
    "case",
    ["village", "district", "key_not_target", "before_start", "out_of_order"],
)
def test_bad_revisions_are_refused_and_nothing_is_written(program, tree, users, case):
    program_communes_set(
        program=program,
        communes=[tree.dak_mar],
        key_communes=[],
        valid_from=D2012,
        decision="",
        actor=users.province_admin,
    )
    communes, keys, valid_from = [tree.ngok_wang], [], date(2016, 1, 1)
    expected = ""
    if case == "village":
        communes, expected = [tree.ngok_wang, tree.village_a], "Làng Kon Stiu (23500-01)"
    elif case == "district":
        communes, expected = [tree.dak_ha], "Huyện Đắk Hà (615)"
    elif case == "key_not_target":
        keys, expected = [tree.dak_choong], "Xã Đắk Choong (23290)"
    elif case == "before_start":
        valid_from, expected = date(2006, 12, 31), "before the program starts"
    elif case == "out_of_order":
        valid_from, expected = date(2010, 1, 1), "date order"
    rows_before = list(ProgramCommune.objects.values_list("pk", "valid_to"))
    with pytest.raises(InvalidInput) as error:
        program_communes_set(
            program=program,
            communes=communes,
            key_communes=keys,
            valid_from=valid_from,
            decision="",
            actor=users.province_admin,
        )
    assert expected in str(error.value)
    assert list(ProgramCommune.objects.values_list("pk", "valid_to")) == rows_before


def test_selectors_respect_the_scope(program, tree, users):
    program_communes_set(
        program=program,
        communes=[tree.ngok_wang, tree.dak_choong],
        key_communes=[tree.dak_choong],
        valid_from=D2007,
        decision="",
        actor=users.province_admin,
    )
    scope = scope_for(users.commune_officer, Action.VIEW)
    on = date(2015, 1, 1)
    assert _codes(program_communes_on(program=program, on=on, scope=scope)) == ["23500"]
    assert _codes(program_key_communes_on(program=program, on=on, scope=scope)) == []
