"""Writes of census rounds: creating, taking workflow steps, complaints, overrides, revisions.

Each function is one transaction and leaves history (django-simple-history, `actor` as the
history user). An approved round is never changed: a correction is a new revision.
"""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.census import workflow
from ketnghia.census.models import CensusEntry, CensusRound, Complaint, RoundState, Status
from ketnghia.census.selectors import posting_min_working_days, round_facts
from ketnghia.census.summaries import round_refresh
from ketnghia.core import derived
from ketnghia.core.attachments import attachment_store
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.history import save_by
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.households.models import Household
from ketnghia.poverty.rules import classify_many, deprivation_matrix_from_bits
from ketnghia.poverty.selectors import standard_get

MINUTES_PURPOSE = "census.minutes"
# The source reported when a year's official figure may change (approval, return).
OFFICIAL_FIGURE = "census.official"


def _refuse(message: str, field: str = "") -> InvalidInput:
    return InvalidInput(Problem(message, Location(field=field)))


def _lock(census_round: CensusRound) -> None:
    """Lock the round's row and reload it, so a step never saves stale state over a newer one."""
    CensusRound.objects.select_for_update().filter(pk=census_round.pk).exists()
    census_round.refresh_from_db()


def _official_changed(census_round: CensusRound, actor: Actor) -> None:
    """Report that `census_round`'s year may have another official figure (its criteria results
    are recomputed when the transaction commits, through `core.derived`)."""
    derived.inputs_changed(
        commune_ids=[census_round.commune_id],
        years=[census_round.year],
        source=OFFICIAL_FIGURE,
        actor=actor,
    )


def _check_not_frozen(census_round: CensusRound) -> None:
    if workflow.is_frozen(census_round.state):
        raise _refuse(
            _("Round %(round)s is approved and can no longer change; start a revision instead.")
            % {"round": census_round}
        )


@transaction.atomic
def census_round_create(
    *, commune: Unit, year: int, standard_code: str, actor: Actor = None
) -> CensusRound:
    """Open the draft round of `commune` for `year`, listing last year's households.

    The draft carries last year's facts forward (official round, else the latest) so officers
    update rather than retype; entries are reclassified under this year's standard on import.
    """
    if commune.level != UnitLevel.COMMUNE:
        raise _refuse(
            _("A census round belongs to a commune, not to %(unit)s.") % {"unit": commune}
        )
    if CensusRound.objects.filter(commune=commune, year=year).exists():
        raise _refuse(
            _("%(commune)s already has a census round for %(year)s.")
            % {"commune": commune, "year": year},
            "year",
        )
    census_round = CensusRound(
        commune=commune, year=year, standard_code=standard_code, state_changed_at=timezone.now()
    )
    save_by(census_round, actor)
    round_refresh(census_round=census_round)
    return census_round


@transaction.atomic
def census_round_record_meeting(
    *,
    census_round: CensusRound,
    meeting_date: date,
    participants: int,
    agreeing: int,
    minutes: UploadedFile | None = None,
    actor: Actor = None,
) -> CensusRound:
    """Record the village meeting (date, participants, how many agreed, minutes).

    The minutes are stored through `core.attachments` (size and type checked by content); a
    refused file raises InvalidInput on the `minutes` field and nothing is written.
    """
    _lock(census_round)
    _check_not_frozen(census_round)
    census_round.meeting_date = meeting_date
    census_round.meeting_participants = participants
    census_round.meeting_agreeing = agreeing
    if minutes is not None:
        census_round.meeting_minutes = attachment_store(
            uploaded_file=minutes,
            actor=actor,
            unit_path=census_round.unit_path,
            purpose=MINUTES_PURPOSE,
            field="minutes",
        )
    save_by(census_round, actor)
    return census_round


@transaction.atomic
def census_round_record_posting(
    *, census_round: CensusRound, start: date, end: date, actor: Actor = None
) -> CensusRound:
    """Record when the draft list was posted publicly for complaints."""
    _lock(census_round)
    _check_not_frozen(census_round)
    problems = workflow.posting_checks(
        start,
        end,
        minimum_working_days=posting_min_working_days(),
        meeting_date=census_round.meeting_date,
    )
    if problems:
        raise InvalidInput([Problem(message, Location(field=field)) for field, message in problems])
    census_round.posting_start, census_round.posting_end = start, end
    save_by(census_round, actor)
    return census_round


@transaction.atomic
def census_round_advance(*, census_round: CensusRound, target: str, actor: Actor) -> CensusRound:
    """Move a round one step along the procedure, if the actor's role and the facts allow it."""
    _lock(census_round)
    if not workflow.role_may_take(
        getattr(actor, "role", ""), target, is_superuser=getattr(actor, "is_superuser", False)
    ):
        raise _refuse(
            _("Your role may not move a round to “%(target)s”.")
            % {"target": RoundState(target).label}
        )
    problems = workflow.step_problems(round_facts(census_round=census_round), target)
    if problems:
        raise InvalidInput([Problem(message, Location(field="state")) for message in problems])
    was_frozen = workflow.is_frozen(census_round.state)
    census_round.state = target
    now = timezone.now()
    census_round.state_changed_at = now
    if target == RoundState.COMMUNE_APPROVED:
        census_round.commune_approved_at, census_round.commune_approved_by = now, actor
        census_round.return_reason = ""
    elif target == RoundState.DISTRICT_ACCEPTED:
        census_round.district_accepted_at, census_round.district_accepted_by = now, actor
    elif target == RoundState.PROVINCE_ACCEPTED:
        census_round.province_accepted_at, census_round.province_accepted_by = now, actor
    save_by(census_round, actor)
    if target == RoundState.COMMUNE_APPROVED:
        # The approved round is now the official one: criteria read their census facts from it.
        _official_changed(census_round, actor)
    if workflow.is_frozen(target) != was_frozen:
        # Which revision is the year's figure may have changed, and with it later transitions.
        round_refresh(census_round=census_round)
    return census_round


@transaction.atomic
def census_round_return(*, census_round: CensusRound, reason: str, actor: Actor) -> CensusRound:
    """Return a round the commune approved to the commune, with the district's reason.

    As DHIS2's un-approve: the commune's approval is withdrawn and the round goes back to the
    step before it (posted), so the commune can correct it and approve it again. The reason
    and who returned it stay in the round's history.
    """
    _lock(census_round)
    if not reason.strip():
        raise _refuse(_("Write why the round goes back to the commune."), "reason")
    if census_round.state != workflow.RETURNABLE_STATE:
        raise _refuse(
            _("Only a round approved by the commune and not yet accepted can be returned."),
            "state",
        )
    if CensusRound.objects.filter(supersedes=census_round).exists():
        raise _refuse(_("This round has a revision; return the revision instead."), "state")
    if not workflow.may_return(
        getattr(actor, "role", ""),
        census_round.state,
        is_superuser=getattr(actor, "is_superuser", False),
    ):
        raise _refuse(_("Your role may not return a round to the commune."), "state")
    census_round.state = workflow.RETURNED_TO_STATE
    census_round.state_changed_at = timezone.now()
    census_round.commune_approved_at = census_round.commune_approved_by = None
    census_round.return_reason = reason.strip()
    # The history row of this change carries the reason too (its field holds 100 characters).
    census_round._change_reason = census_round.return_reason[:100]  # type: ignore[attr-defined]
    save_by(census_round, actor)
    # The round is no longer approved: later transitions and the criteria read another round.
    round_refresh(census_round=census_round)
    _official_changed(census_round, actor)
    return census_round


@transaction.atomic
def complaint_record(
    *,
    census_round: CensusRound,
    received_on: date,
    text: str,
    household: Household | None = None,
    actor: Actor = None,
) -> Complaint:
    """Record a complaint received while the draft list is posted."""
    _check_not_frozen(census_round)
    if not text.strip():
        raise _refuse(_("Write what the complaint says."), "text")
    complaint = Complaint(
        round=census_round, received_on=received_on, text=text.strip(), household=household
    )
    save_by(complaint, actor)
    return complaint


@transaction.atomic
def complaint_resolve(
    *, complaint: Complaint, resolution: str, resolved_on: date, actor: Actor = None
) -> Complaint:
    """Record how a complaint was resolved."""
    _check_not_frozen(complaint.round)
    if not resolution.strip():
        raise _refuse(_("Write how the complaint was resolved."), "resolution")
    problems = workflow.complaint_problems(complaint.received_on, resolved_on)
    if problems:
        raise _refuse(problems[0], "resolved_on")
    complaint.resolution, complaint.resolved_on = resolution.strip(), resolved_on
    save_by(complaint, actor)
    return complaint


@transaction.atomic
def census_entry_override(
    *, entry: CensusEntry, status: str, reason: str, actor: Actor
) -> CensusEntry:
    """Set a household's status by hand, with the reason and the approving user, in history."""
    _check_not_frozen(entry.round)
    if status not in Status.values:
        raise _refuse(_("Unknown status “%(status)s”.") % {"status": status}, "status")
    if not reason.strip():
        raise _refuse(_("An override needs a written reason."), "override_reason")
    entry.status = status
    entry.override_reason = reason.strip() if status != entry.computed_status else ""
    entry.override_approver = actor if status != entry.computed_status else None
    save_by(entry, actor)
    round_refresh(census_round=entry.round)
    return entry


@transaction.atomic
def census_round_revise(*, census_round: CensusRound, actor: Actor = None) -> CensusRound:
    """Open a correction of an approved round: a new revision with the same entries.

    The approved round stays as it was (the official figure) until the revision is approved.
    """
    if not workflow.is_frozen(census_round.state):
        raise _refuse(_("Only an approved round can be revised; edit this one directly."))
    if CensusRound.objects.filter(supersedes=census_round).exists():
        raise _refuse(_("This round already has a revision."))
    latest = (
        CensusRound.objects.filter(commune=census_round.commune, year=census_round.year)
        .order_by("-revision")
        .first()
    )
    revision = CensusRound(
        commune=census_round.commune,
        year=census_round.year,
        revision=latest.revision + 1 if latest else 2,
        standard_code=census_round.standard_code,
        state=RoundState.COLLECTED,
        state_changed_at=timezone.now(),
        supersedes=census_round,
        meeting_date=census_round.meeting_date,
        meeting_participants=census_round.meeting_participants,
        meeting_agreeing=census_round.meeting_agreeing,
        posting_start=census_round.posting_start,
        posting_end=census_round.posting_end,
    )
    save_by(revision, actor)
    copied_fields = [
        f.attname
        for f in CensusEntry._meta.concrete_fields
        if f.attname not in {"id", "round_id", "import_batch_id"}
    ]
    CensusEntry.objects.bulk_create(
        CensusEntry(round=revision, **{name: getattr(entry, name) for name in copied_fields})
        for entry in census_round.entries.all()
    )
    round_refresh(census_round=revision)
    return revision


@transaction.atomic
def census_round_classify(*, census_round: CensusRound, actor: Actor = None) -> int:
    """Classify every entry of a round under its standard; return how many entries changed.

    Hand-set statuses (with a reason) are kept; the computed status beside them is refreshed.
    """
    _check_not_frozen(census_round)
    standard = standard_get(census_round.standard_code)
    entries = list(census_round.entries.all())
    if not entries:
        return 0
    matrix = None
    if standard.uses_deprivations:
        matrix = deprivation_matrix_from_bits(
            [e.deprivations for e in entries], len(standard.indicator_codes)
        )
    result = classify_many(
        standard,
        [e.area for e in entries],
        [e.monthly_income_per_person for e in entries],
        matrix,
    )
    changed = []
    for entry, status, count, rule in zip(
        entries, result.status, result.deprivation_count, result.rule, strict=True
    ):
        new = (str(status), int(count), str(rule))
        if (entry.computed_status, entry.deprivation_count, entry.rule) == new:
            continue
        entry.computed_status, entry.deprivation_count, entry.rule = new
        if not entry.override_reason:
            entry.status = entry.computed_status
        changed.append(entry)
    CensusEntry.objects.bulk_update(
        changed, ["computed_status", "deprivation_count", "rule", "status"], batch_size=2000
    )
    round_refresh(census_round=census_round)
    return len(changed)
