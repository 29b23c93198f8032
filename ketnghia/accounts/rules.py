"""Which jurisdiction each role needs: pure rules, no database."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Role(models.TextChoices):
    PROVINCE_ADMIN = "province_admin", gettext_lazy("Province administrator")
    PROVINCE_VIEWER = "province_viewer", gettext_lazy("Province viewer (steering committee)")
    DISTRICT_OFFICER = "district_officer", gettext_lazy("District officer")
    COMMUNE_OFFICER = "commune_officer", gettext_lazy("Commune officer")
    TWINNING_MEMBER = "twinning_member", gettext_lazy("Twinning-unit member")
    PUBLIC_EDITOR = "public_editor", gettext_lazy("Public bulletin editor")
    PUBLIC_MODERATOR = "public_moderator", gettext_lazy("Public comment moderator")


# The unit level a role's jurisdiction must have; None where the role answers for no unit.
JURISDICTION_LEVEL: dict[str, str | None] = {
    Role.PROVINCE_ADMIN: "province",
    Role.PROVINCE_VIEWER: "province",
    Role.DISTRICT_OFFICER: "district",
    Role.COMMUNE_OFFICER: "commune",
    Role.TWINNING_MEMBER: None,
    Role.PUBLIC_EDITOR: None,
    Role.PUBLIC_MODERATOR: None,
}


def jurisdiction_problems(
    *, role: str, jurisdiction_level: str | None, has_organisation: bool
) -> list[str]:
    """Return what is wrong with a role's jurisdiction (empty when it is right)."""
    if role not in JURISDICTION_LEVEL:
        return [_("Unknown role “%(role)s”.") % {"role": role}]
    problems = []
    needed = JURISDICTION_LEVEL[role]
    if needed is not None and jurisdiction_level is None:
        problems.append(_("This role needs a jurisdiction (a unit)."))
    elif needed is not None and jurisdiction_level != needed:
        problems.append(
            _("This role needs a jurisdiction of level %(needed)s, not %(given)s.")
            % {"needed": needed, "given": jurisdiction_level}
        )
    if role == Role.TWINNING_MEMBER and not has_organisation:
        problems.append(_("A twinning-unit member must belong to a twinning unit."))
    return problems
