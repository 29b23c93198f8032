"""A small world for the menu, home and search tests: one of every role, rounds in progress.

Kon Tum's tree (conftest `tree`): nq04 over Ngọk Wang and Đăk Mar (Đắk Hà) and Đắk Choong
(Đắk Glei). 2015 approved everywhere; in 2016 Ngọk Wang (the commune officer's) is collected
with an open complaint, Đăk Mar waits for the district, Đắk Choong has no round yet. Đắk
Choong's twinning unit has a work team with one activity waiting for the commune's
confirmation and none in the last month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from ketnghia.accounts.models import Role, User
from ketnghia.accounts.services import user_create
from ketnghia.census import services as census_services
from ketnghia.census.models import Complaint, RoundState
from ketnghia.census.tests.factories import approve, make_round
from ketnghia.indicators.services import aggregates_rebuild
from ketnghia.programs.models import Program, ProgramCommune
from ketnghia.twinning.models import Activity, ActivityStatus, Organisation, WorkTeam

PASSWORD = "Kh0ng-d0an-duoc"


@dataclass
class World:
    program: Program
    editor: User


def build_world(tree, users) -> World:
    program = Program.objects.create(
        code="nq04", name="Nghị quyết 04-NQ/TU của Tỉnh ủy Kon Tum", start_date=date(2007, 1, 1)
    )
    officer = users.commune_officer
    for commune, key in ((tree.ngok_wang, True), (tree.dak_mar, False), (tree.dak_choong, False)):
        ProgramCommune.objects.create(
            program=program, commune=commune, is_key=key, valid_from=date(2007, 1, 1)
        )
        approve(
            make_round(commune, 2015, "vn-2011", {f"{commune.code}-1": 300_000, "A": 900_000}),
            officer,
        )
    open_round = make_round(tree.ngok_wang, 2016, "vn-2016", {"A": 900_000, "B": 500_000})
    census_services.census_round_advance(
        census_round=open_round, target=RoundState.COLLECTED, actor=officer
    )
    Complaint.objects.create(
        round=open_round, received_on=date(2016, 10, 3), text="Hộ B chưa được xét."
    )
    waiting = approve(make_round(tree.dak_mar, 2016, "vn-2016", {"M": 500_000}), officer)
    # It has waited for the district since long ago: late.
    waiting.state_changed_at = timezone.now() - timedelta(days=45)
    waiting.save(update_fields=["state_changed_at"])
    organisation = Organisation.objects.get()
    team = WorkTeam.objects.create(
        name="Tổ công tác Sở NN&PTNT tại Đắk Choong",
        organisation=organisation,
        commune=tree.dak_choong,
        start_date=date(2007, 6, 1),
    )
    Activity.objects.create(
        team=team,
        date=timezone.localdate() - timedelta(days=90),
        commune=tree.dak_choong,
        kind="visit",
        status=ActivityStatus.RECORDED,
    )
    aggregates_rebuild()
    editor = user_create(
        username="editor62",
        password=PASSWORD,
        role=Role.PUBLIC_EDITOR,
        jurisdiction=tree.province,
    )
    return World(program=program, editor=editor)
