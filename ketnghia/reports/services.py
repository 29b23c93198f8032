"""Writes of saved review reports: the narrative the user edited, with the figures it describes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ketnghia.accounts.models import Actor
from ketnghia.core.errors import InvalidInput, Location, NotFound, Problem
from ketnghia.core.gate import Action, reaches
from ketnghia.core.history import save_by
from ketnghia.core.text import nfc
from ketnghia.geo.models import Unit
from ketnghia.programs.models import Program
from ketnghia.reports.docx_export import SECTIONS, Heading
from ketnghia.reports.domain import ReviewReport, report_to_dict
from ketnghia.reports.models import SavedReport

MAX_NARRATIVE = 20_000


def _problems(narrative_vi: str, narrative_en: str) -> list[Problem]:
    problems = []
    if not narrative_vi.strip():
        problems.append(
            Problem(_("The Vietnamese summary is empty."), Location(field="narrative_vi"))
        )
    for name, text in (("narrative_vi", narrative_vi), ("narrative_en", narrative_en)):
        if len(text) > MAX_NARRATIVE:
            problems.append(
                Problem(
                    _("The summary is longer than %(limit)s characters.")
                    % {"limit": MAX_NARRATIVE},
                    Location(field=name),
                )
            )
    return problems


@transaction.atomic
def saved_report_save(
    *,
    actor: Actor,
    program: Program,
    area: Unit,
    report: ReviewReport,
    narrative_vi: str,
    narrative_en: str,
    heading: Heading,
    sections: dict[str, str] | None = None,
) -> SavedReport:
    """Save `report`'s figures, the edited narrative and the heading for (program, area, years, threshold).

    Saving again for the same review replaces the text and the snapshot; the history keeps
    each version with who saved it. Refused (nothing written) when the actor may not view
    the area or a summary is empty or too long.
    """
    if actor is None or not reaches(actor, Action.VIEW, area.path):
        raise NotFound(_("Unit %(code)s not found.") % {"code": area.code})
    narrative_vi = nfc(narrative_vi.replace("\r\n", "\n")).strip()
    narrative_en = nfc(narrative_en.replace("\r\n", "\n")).strip()
    texts = {
        name: nfc((sections or {}).get(name, "").replace("\r\n", "\n")).strip()
        for name, _title in SECTIONS[1:]
    }
    problems = _problems(narrative_vi, narrative_en)
    for name, text in texts.items():
        if len(text) > MAX_NARRATIVE:
            problems.append(
                Problem(
                    _("The summary is longer than %(limit)s characters.")
                    % {"limit": MAX_NARRATIVE},
                    Location(field=name),
                )
            )
    for name, text in (
        ("issuer_superior", heading.superior),
        ("issuer", heading.issuer),
        ("document_number", heading.number),
        ("place", heading.place),
        ("signer_on_behalf", heading.on_behalf),
        ("signer_title", heading.signer_title),
        ("signer_name", heading.signer_name),
    ):
        limit = getattr(SavedReport._meta.get_field(name), "max_length", None)
        if limit is not None and len(text.strip()) > limit:
            problems.append(
                Problem(_("At most %(limit)s characters.") % {"limit": limit}, Location(field=name))
            )
    if problems:
        raise InvalidInput(problems)
    saved = (
        SavedReport.objects.select_for_update()
        .filter(
            program=program,
            area=area,
            baseline_year=report.baseline_year,
            review_year=report.review_year,
            threshold=report.threshold,
            official=report.official,
        )
        .first()
    )
    if saved is None:
        saved = SavedReport(
            program=program,
            area=area,
            baseline_year=report.baseline_year,
            review_year=report.review_year,
            threshold=report.threshold,
            official=report.official,
            created_by=actor,
        )
    saved.unit_path = area.path
    saved.narrative_vi = narrative_vi
    saved.narrative_en = narrative_en
    saved.figures = report_to_dict(report)
    saved.issuer_superior = heading.superior.strip()
    saved.issuer = heading.issuer.strip()
    saved.document_number = heading.number.strip()
    saved.place = heading.place.strip()
    saved.recipients = "\n".join(line.strip() for line in heading.recipients if line.strip())
    for name, text in texts.items():
        setattr(saved, name, text)
    saved.signer_on_behalf = heading.on_behalf.strip()
    saved.signer_title = heading.signer_title.strip()
    saved.signer_name = heading.signer_name.strip()
    save_by(saved, actor)
    return saved
