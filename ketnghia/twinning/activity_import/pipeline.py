"""Import of activity reports: ODK Central / KoBoToolbox CSV exports and the .xlsx template.

An import spec (`imports.spec`), run by `imports.run`. First every row is read in bounded memory
(`imports.readers`) and checked — cells, the work team (one the user may record for; any
other is "not found", whether it exists or not), its commune and village, participants
from the team, counts, and the rules of `services.activity_problems` — with no write; any
problem refuses the whole file, each located at file, sheet, row, column and field. Then,
in one transaction, the new and edited activities are written set-based with their history
rows in bulk, naming the file (`write.py`). What identifies a report (`identity.py`: Central's `KEY`, KoBo's
`meta/rootUuid` or instance id; for a template row, its parsed and normalised content) is
stored on the activity as its `source`, so importing the same export again creates nothing,
and a submission a reviewer edited updates its activity — one
the commune confirmed is left as confirmed and the edit reported — never a second one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core import gate
from ketnghia.core.errors import InvalidInput, Location, Problem
from ketnghia.core.text import fold
from ketnghia.geo.models import Unit, UnitLevel
from ketnghia.imports import ImportReport
from ketnghia.imports.mark import Mark, check_mark
from ketnghia.imports.readers import ProblemList, Row
from ketnghia.imports.spec import Field, ImportSpec, register, run
from ketnghia.imports.values import choice_words
from ketnghia.twinning import services
from ketnghia.twinning.activity_import import columns as cols
from ketnghia.twinning.activity_import.identity import plain_id, row_key
from ketnghia.twinning.activity_import.write import ActivityWrite, activities_write
from ketnghia.twinning.models import Activity, ActivityKind, ActivityStatus, Person, WorkTeam
from ketnghia.twinning.selectors import teams_user_may_record_for

# An activity file is a few hundred reports; beyond this it is not one.
DEFAULT_MAX_ROWS = 20_000
# A file that creates activities in more communes, or more activities, than these needs a
# confirmation after its preview (the page always shows the preview first).
DEFAULT_CONFIRM_ROWS = 50
_REJECTED = frozenset({"rejected", "validation_status_not_approved", "not approved"})
_CHOICE = re.compile(r"^[tp]?(\d+)$", re.IGNORECASE)
# A team cell: "t12", "12", or the template's list value "t12 — Tổ công tác …".
_TEAM = re.compile(r"^t?(\d+)(?:\s*(?:—|-|:)\s*.*)?$", re.IGNORECASE)
_CODE_IN_BRACKETS = re.compile(r"\(([^()]+)\)\s*$")


@dataclass
class CommuneCounts:
    code: str
    name: str
    new: int = 0
    already: int = 0
    updated: int = 0


@dataclass
class ActivityImportReport(ImportReport):
    """What an import did (or, in a dry run, would do), per commune.

    `new` counts the new activities (`created` once written), `updated` the stored ones an
    edited submission changes, `unchanged` (also `already_imported`) those imported before.
    """

    new: int = 0
    # Stored activities whose submission now goes by a newer id (content unchanged): the id
    # is written, so the next edit of the submission still finds its activity.
    relabelled: int = 0
    already_imported: int = 0
    rejected: int = 0
    photos_named: int = 0
    communes: list[CommuneCounts] = field(default_factory=list)
    # Edited submissions of activities the commune confirmed: reported, not applied, each
    # located at file, sheet and row.
    frozen: list[str] = field(default_factory=list)


class _Row(Row):
    """A row whose problems name the field (the form's name) beside the file's column."""

    def location(self, key: str = "") -> Location:
        return replace(super().location(key), field=key)


@dataclass
class _Planned(ActivityWrite):
    """A checked row: what it writes, where it is, and what identifies its report."""

    row: Row
    # The other ids the report may be stored under (its instance id, as imports before
    # Central's KEY came first stored it; the version an edit replaces, KoBo's deprecatedID)
    # and the key of its content, to tell an edit from a re-import (`identity.py`).
    aliases: tuple[str, ...]
    content: str


def teams_user_may_import_for(*, user: Any) -> dict[int, WorkTeam]:
    """Return the work teams (any period) `user` may record activities of, by id: the one
    rule, `selectors.teams_user_may_record_for`."""
    return {team.pk: team for team in teams_user_may_record_for(user=user)}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _refused(message: str, file_name: str) -> InvalidInput:
    return InvalidInput(Problem(message, Location(file=file_name)))


def _submission(row: Row, problems: ProblemList) -> tuple[str, tuple[str, ...]]:
    """Return the id a submission keeps across edits and the other ids it may be stored under.

    Central's KEY, then KoBo's rootUuid, before the instance ids an edit renews; "" for a
    template row (its content identifies it). The aliases: this version's instance ids and
    the version it replaces (KoBo's deprecatedID).
    """
    ids = [
        plain_id(key.parse(row, problems) or "")
        for key in (cols.KEY, cols.ROOT_UUID, cols.INSTANCE, cols.UUID)
    ]
    found = [text for text in ids if text]
    if not found:
        return "", ()
    aliases = [*found[1:], plain_id(cols.DEPRECATED.parse(row, problems) or "")]
    return found[0], tuple(dict.fromkeys(a for a in aliases if a and a != found[0]))


def stored_content(activity: Activity) -> str:
    """Return the content key of a stored activity (its participants prefetched or not)."""
    return row_key(activity, [p.pk for p in activity.participants.all()])


class _Checker:
    """Reads and checks the rows of one file; collects problems, writes nothing."""

    def __init__(
        self, *, actor: Actor, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> None:
        team = scope.get("team")
        if team is not None and not isinstance(team, WorkTeam):
            team = (
                WorkTeam.objects.select_related("commune", "organisation").filter(pk=team).first()
            )
        commune = scope.get("commune")
        if commune is not None and not isinstance(commune, Unit):
            commune = Unit.objects.filter(code=commune, level=UnitLevel.COMMUNE).first()
        self.team: WorkTeam | None = team
        self.commune: Unit | None = commune
        self.today: date = scope.get("today") or timezone.localdate()
        self.file_name = file_name
        self.problems = ProblemList()
        self.teams = teams_user_may_import_for(user=actor)
        self.view = (
            gate.scope_for(actor, gate.Action.VIEW) if actor is not None else gate.EVERYTHING
        )
        self.kinds = choice_words(ActivityKind)
        self._check_mark(mark)
        team_ids = {t.commune_id for t in self.teams.values()}
        # Each commune's villages by code and by folded name (the first of a name).
        self.villages: dict[int, dict[str, Unit]] = {}
        for village in Unit.objects.filter(parent_id__in=team_ids, level=UnitLevel.VILLAGE):
            own = self.villages.setdefault(village.parent_id, {})
            own.setdefault(village.code, village)
            own.setdefault(fold(village.name), village)
        self.members = {t.pk: {p.pk: p for p in t.members.all()} for t in self.teams.values()}
        # Each report's first row in the file, by what identifies it.
        self.sources: dict[str, int] = {}
        self._names: dict[int, dict[str, Person | None]] = {}

    def _check_mark(self, mark: Mark) -> None:
        """Refuse a template made for another team or commune, naming both."""
        if mark.team:
            marked = self.teams.get(int(mark.team)) if mark.team.isdigit() else None
            if self.team is not None and str(self.team.pk) != mark.team:
                raise _refused(
                    _(
                        "This file was made for work team %(other)s, not for %(team)s: "
                        "download this team's template."
                    )
                    % {
                        "other": marked or _("no. %(id)s") % {"id": mark.team},
                        "team": self.team,
                    },
                    self.file_name,
                )
            if marked is None:
                raise _refused(
                    _("Work team no. %(id)s, which this file was made for, was not found.")
                    % {"id": mark.team},
                    self.file_name,
                )
            self.team = self.team or marked
        expected = self.commune or (self.team.commune if self.team else None)
        if expected is not None:
            check_mark(
                mark,
                commune_code=expected.code,
                commune_name=expected.name,
                year=None,
                file_name=self.file_name,
                commune_named=self._commune_named,
            )

    def _commune_named(self, code: str) -> str | None:
        """Name a commune the user may see; None otherwise (nothing revealed)."""
        found = self.view.filter(Unit.objects.filter(code=code, level=UnitLevel.COMMUNE)).first()
        return found.name if found else None

    def add(self, row: Row, key: str, message: str) -> None:
        self.problems.add(row.problem(key, message))

    def twice(self, row: Row, key: str, first: int) -> None:
        self.add(
            row, key, _("The same report is already in row %(row)s of this file.") % {"row": first}
        )

    def _team(self, row: Row) -> WorkTeam | None:
        text = cols.TEAM.parse(row, self.problems)
        if not text:
            if self.team is None:
                self.add(
                    row,
                    cols.TEAM.key,
                    _(
                        "Which work team? Fill in the team column or choose the team when importing."
                    ),
                )
            return self.team
        match = _TEAM.match(text)
        found = self.teams.get(int(match.group(1))) if match else None
        if found is None:
            message = _("Work team “%(team)s” not found.") % {"team": text}
        elif self.team is not None and found.pk != self.team.pk:
            message = _("The row names work team %(other)s; this file is for %(team)s.") % {
                "other": found,
                "team": self.team,
            }
        elif self.commune is not None and found.commune_id != self.commune.pk:
            message = _("Work team %(team)s works in %(other)s, not in %(commune)s.") % {
                "team": found,
                "other": found.commune.name,
                "commune": self.commune.name,
            }
        else:
            return found
        self.add(row, cols.TEAM.key, message)
        return None

    def _commune(self, row: Row, team: WorkTeam) -> None:
        code = cols.COMMUNE.parse(row, self.problems)
        if code and code != team.commune.code:
            name = self._commune_named(code)
            self.add(
                row,
                cols.COMMUNE.key,
                _("Commune %(other)s is not the commune of work team %(team)s (%(commune)s).")
                % {
                    "other": f"{name} ({code})" if name else _("code %(code)s") % {"code": code},
                    "team": team,
                    "commune": team.commune.name,
                },
            )

    def _village(self, row: Row, team: WorkTeam) -> Unit | None:
        text = cols.VILLAGE.parse(row, self.problems)
        if not text:
            return None
        text = text.strip()
        bracket = _CODE_IN_BRACKETS.search(text)
        code = bracket.group(1).strip() if bracket else text
        own = self.villages.get(team.commune_id, {})
        found = own.get(code) or own.get(fold(text))
        if found is not None:
            return found
        other = self.view.filter(
            Unit.objects.filter(code=code, level=UnitLevel.VILLAGE), "path"
        ).first()
        if other is not None:
            message = _(
                "Village %(village)s is in another commune, not in %(commune)s (rule: an "
                "activity takes place in the team's commune)."
            ) % {"village": other.name, "commune": team.commune.name}
        else:
            message = _("Unknown village “%(village)s” in %(commune)s.") % {
                "village": text,
                "commune": team.commune.name,
            }
        self.add(row, cols.VILLAGE.key, message)
        return None

    def _kind(self, row: Row) -> str:
        text = cols.KIND.parse(row, self.problems)
        if not text:
            self.add(row, cols.KIND.key, _("The kind of activity is missing."))
            return ""
        kind = self.kinds.get(fold(text.strip()))
        if kind is None:
            self.add(
                row,
                cols.KIND.key,
                _("Unknown kind of activity “%(kind)s”; choose one of: %(kinds)s.")
                % {"kind": text, "kinds": ", ".join(str(k.label) for k in ActivityKind)},
            )
            return ""
        return kind

    def _participants(self, row: Row, team: WorkTeam) -> list[Person]:
        text = cols.PARTICIPANTS.parse(row, self.problems)
        if not text:
            return []
        members = self.members.get(team.pk, {})
        by_name = self._names.get(team.pk)
        if by_name is None:
            by_name = self._names[team.pk] = {}
            for member in members.values():
                key = fold(member.full_name)
                # Two members of one name: the name alone cannot say which (None): refused.
                by_name[key] = None if key in by_name else member
        if ";" in text:
            tokens = text.split(";")
        elif "," in text:
            tokens = text.split(",")
        elif all(_CHOICE.match(token) for token in text.split()):
            tokens = text.split()  # ODK's select_multiple: "p12 p15"
        else:
            tokens = [text]  # one name, spaces and all
        found: list[Person] = []
        for token in (t.strip() for t in tokens):
            if not token:
                continue
            match = _CHOICE.match(token)
            if not match and fold(token) in by_name and by_name[fold(token)] is None:
                self.add(
                    row,
                    cols.PARTICIPANTS.key,
                    _(
                        "“%(person)s” names two members of work team %(team)s: write the "
                        "member's number (p…) from the form instead."
                    )
                    % {"person": token, "team": team},
                )
                continue
            person = members.get(int(match.group(1))) if match else by_name.get(fold(token))
            if person is None:
                self.add(
                    row,
                    cols.PARTICIPANTS.key,
                    _(
                        "“%(person)s” is not a member of work team %(team)s (rule: participants "
                        "come from the team)."
                    )
                    % {"person": token, "team": team},
                )
            elif person not in found:
                found.append(person)
        return found

    def _count(self, row: Row, field: Field) -> int:
        value = field.parse(row, self.problems)
        if value is not None and value < 0:
            self.add(
                row,
                field.key,
                _("A count cannot be negative (found %(value)s).") % {"value": value},
            )
            return 0
        return value or 0

    def _amount(self, row: Row) -> int:
        value = cols.RESOURCES_VND.parse(row, self.problems)
        if value is None:
            return 0
        if value < 0 or value != value.to_integral_value():
            self.add(
                row,
                cols.RESOURCES_VND.key,
                _("Resources are a whole, non-negative number of dong (found %(value)s).")
                % {"value": value},
            )
            return 0
        return int(value)

    def check(self, row: Row) -> _Planned | None:
        team = self._team(row)
        day = cols.DATE.parse(row, self.problems, blank=_("The date of the activity is missing."))
        kind = self._kind(row)
        male, female, minority = (
            self._count(row, count)
            for count in (cols.REACHED_MALE, cols.REACHED_FEMALE, cols.REACHED_MINORITY)
        )
        total = cols.REACHED_TOTAL.parse(row, self.problems)
        if total is not None and total != male + female:
            self.add(
                row,
                cols.REACHED_TOTAL.key,
                _(
                    "%(total)s people reached in all, but %(men)s men and %(women)s women "
                    "(rule: men and women add up to the total)."
                )
                % {"total": total, "men": male, "women": female},
            )
        resources = self._amount(row)
        if team is None:
            return None
        self._commune(row, team)
        village = self._village(row, team)
        participants = self._participants(row, team)
        if day is None:
            return None
        for problem in services.activity_problems(
            team=team,
            date=day,
            # An unknown kind is reported above; the other rules are still checked.
            kind=kind or ActivityKind.VISIT,
            village=village,
            participants=participants,
            reached_male=male,
            reached_female=female,
            reached_minority=minority,
            resources_vnd=resources,
            today=self.today,
            member_ids=set(self.members.get(team.pk, {})),
        ):
            # The rule's field is the column's key (date, kind, village, participants…).
            self.add(row, problem.location.field, str(problem.message))
        if not kind:
            return None
        activity = Activity(
            team=team,
            commune=team.commune,
            date=day,
            kind=kind,
            village=village,
            reached_male=male,
            reached_female=female,
            reached_minority=minority,
            resources_vnd=resources,
            resources_in_kind=(cols.RESOURCES_IN_KIND.parse(row, self.problems) or "").strip(),
            notes=(cols.NOTES.parse(row, self.problems) or "").strip(),
        )
        activity.set_derived_fields()
        participant_ids = [p.pk for p in participants]
        # The parsed values, not the cells: a date cell and "16/11/2026", 12.0 and "12",
        # NFD and NFC, a no-break space and a space are the same report.
        content = row_key(activity, participant_ids)
        source, aliases = _submission(row, self.problems)
        activity.source = source or content
        return _Planned(activity, participant_ids, row=row, aliases=aliases, content=content)


@dataclass
class _Plan:
    """The difference between a file and the stored activities."""

    new: list[_Planned] = field(default_factory=list)
    edits: list[tuple[_Planned, Activity]] = field(default_factory=list)


class ActivitySpec(ImportSpec[_Checker, _Planned, _Plan, ActivityImportReport]):
    """Activity reports: an ODK Central / KoBoToolbox export, or the filled template.

    Scope: `team` (a WorkTeam or its id: the team of rows that name none), `commune` (a Unit
    or its code: only that commune's teams), `today` (the date "future" is measured from).
    """

    name = "twinning.activities"
    fields = cols.FIELDS
    chunk_rows = 1000

    @property
    def max_rows(self) -> int:  # type: ignore[override]
        return _setting("KETNGHIA_ACTIVITY_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)

    def too_many_rows(self, limit: int) -> str:
        return _("The file holds more than %(limit)s activity rows; split it.") % {"limit": limit}

    def make_report(self, *, file_name: str, dry_run: bool) -> ActivityImportReport:
        return ActivityImportReport(file=file_name, dry_run=dry_run)

    def context(
        self, *, actor: Actor, scope: Mapping[str, Any], mark: Mark, file_name: str
    ) -> _Checker:
        return _Checker(actor=actor, scope=scope, mark=mark, file_name=file_name)

    def check_rows(
        self,
        rows: Sequence[Row],
        context: _Checker,
        problems: ProblemList,
        report: ActivityImportReport,
    ) -> list[_Planned]:
        context.problems = problems  # the run's list: every chunk's problems together
        planned = []
        for read in rows:
            row = _Row(read.file, read.sheet, read.number, read.cells, read.headers)
            if fold(cols.REVIEW.parse(row, problems) or "") in _REJECTED:
                report.rejected += 1
                continue
            if not row.is_blank(cols.PHOTO.key):
                report.photos_named += 1
            plan = context.check(row)
            if plan is None:
                continue
            source = plan.activity.source
            if source in context.sources:
                key = cols.INSTANCE.key if not row.is_blank(cols.INSTANCE.key) else ""
                context.twice(row, key, context.sources[source])
                continue
            context.sources[source] = row.number
            planned.append(plan)
        return planned

    def plan(
        self,
        items: list[_Planned],
        context: _Checker,
        problems: ProblemList,
        report: ActivityImportReport,
    ) -> _Plan:
        stored = _stored(items)
        by_commune: dict[int, CommuneCounts] = {}
        plan = _Plan()
        matched: dict[int, int] = {}
        for item in items:
            team = item.activity.team
            counts = by_commune.setdefault(
                team.commune_id, CommuneCounts(code=team.commune.code, name=team.commune.name)
            )
            activity = stored.get(item.activity.source) or next(
                (stored[alias] for alias in item.aliases if alias in stored), None
            )
            if activity is None:
                counts.new += 1
                report.new += 1
                plan.new.append(item)
                continue
            if activity.pk in matched:
                # Two versions of one submission in one file (an edit and what it replaces).
                context.twice(item.row, "", matched[activity.pk])
                continue
            matched[activity.pk] = item.row.number
            if activity.team_id != team.pk:
                # Another organisation's team is not named.
                other = activity.team if activity.team_id in context.teams else _("another team")
                context.add(
                    item.row,
                    cols.TEAM.key,
                    _(
                        "This report was imported before as an activity of work team %(other)s; "
                        "an edit cannot move it to %(team)s."
                    )
                    % {"other": other, "team": team},
                )
                continue
            if item.content == stored_content(activity):
                if activity.source != item.activity.source:
                    plan.edits.append((item, activity))  # the same content, a newer version's id
                    report.relabelled += 1
                counts.already += 1
                report.already_imported += 1
            elif activity.status == ActivityStatus.CONFIRMED:
                counts.already += 1
                report.already_imported += 1
                report.frozen.append(
                    str(
                        Problem(
                            _(
                                "the report of %(activity)s was edited after the commune "
                                "confirmed the activity; the confirmed activity is kept "
                                "unchanged. If the edit is right, ask the commune to correct "
                                "the activity."
                            )
                            % {"activity": activity},
                            item.row.location(),
                        )
                    )
                )
            else:
                counts.updated += 1
                report.updated += 1
                plan.edits.append((item, activity))
        report.communes = sorted(by_commune.values(), key=lambda c: c.code)
        report.unchanged = report.already_imported
        return plan

    def changes_anything(self, plan: _Plan) -> bool:
        return bool(plan.new or plan.edits)

    def confirmation_reasons(
        self, plan: _Plan, context: _Checker, report: ActivityImportReport
    ) -> list[str]:
        many = _setting("KETNGHIA_ACTIVITY_IMPORT_CONFIRM_ROWS", DEFAULT_CONFIRM_ROWS)
        communes = sum(1 for c in report.communes if c.new or c.updated)
        # The activities created or changed: new, edited and relabelled.
        writes = len(plan.new) + len(plan.edits)
        if writes > many or communes > 1:
            return [
                _(
                    "The file creates or changes %(count)s activities in %(communes)s "
                    "commune(s): check the preview and confirm the import."
                )
                % {"count": writes, "communes": communes}
            ]
        return []

    def confirmation_message(self, reasons: list[str]) -> str:
        return " ".join(reasons)

    def write(
        self,
        plan: _Plan,
        context: _Checker,
        *,
        actor: Actor,
        reason: str,
        report: ActivityImportReport,
    ) -> None:
        try:
            with transaction.atomic():
                created = activities_write(
                    new=plan.new, edits=plan.edits, actor=actor, reason=reason
                )
        except IntegrityError:
            raise _refused(
                _("Another import of the same reports ran at the same time; import again."),
                context.file_name,
            ) from None
        report.created = len(created)


ACTIVITIES = register(ActivitySpec())


def activity_import(
    *,
    path: str | Path,
    user: Any,
    file_name: str | None = None,
    team: WorkTeam | None = None,
    commune: Unit | None = None,
    dry_run: bool = False,
    confirm: bool = False,
    today: date | None = None,
) -> ActivityImportReport:
    """Import the activity reports of a file for `user`; all or nothing, re-import a no-op.

    `team` (or the template's mark) is the team of rows that name none; `commune` restricts
    the file to one commune's teams (the commune page's upload). Raises InvalidInput with
    every problem, or ConfirmationNeeded (the preview in it) when the file creates more than
    `KETNGHIA_ACTIVITY_IMPORT_CONFIRM_ROWS` activities or touches several communes.
    """
    return run(
        ACTIVITIES,
        path,
        actor=user,
        scope={"team": team, "commune": commune, "today": today},
        file_name=file_name,
        dry_run=dry_run,
        confirm=confirm,
    )


def _stored(planned: list[_Planned]) -> dict[str, Activity]:
    """Return the stored activities the planned reports name, by source."""
    wanted = {p.activity.source for p in planned} | {a for p in planned for a in p.aliases}
    found = (
        Activity.objects.filter(source__in=wanted)
        .select_related("team")
        .prefetch_related("participants")
    )
    return {activity.source: activity for activity in found}
