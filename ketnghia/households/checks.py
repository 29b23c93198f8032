"""What a household or member typed on the web must satisfy, checked by the app that owns
the rules (the census: a household is held to what a census file's row is held to, with the
same Vietnamese messages). The census registers its checks at start-up
(`household_checks_register`); households imports no census module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ketnghia.imports.values import Village


@dataclass(frozen=True)
class CheckedHousehold:
    code: str
    head_name: str
    village: Village | None
    area: str
    area_overridden: bool


@dataclass(frozen=True)
class CheckedMember:
    full_name: str
    sex: str
    birth_year: int | None
    ethnicity: str
    relation: str
    personal_id: str


class HouseholdChecks(Protocol):
    def check_household(
        self, *, code: str, head_name: str, village: str, area: str, commune: Any, year: int
    ) -> CheckedHousehold: ...

    def check_member(
        self,
        *,
        household_code: str,
        full_name: str,
        sex: str,
        birth_year: Any,
        ethnicity: str,
        relation: str,
        personal_id: str,
        year: int,
    ) -> CheckedMember: ...


_CHECKS: list[HouseholdChecks] = []


def household_checks_register(checks: HouseholdChecks) -> None:
    """Make `checks` the checks of every typed household and member."""
    _CHECKS[:] = [checks]


def _checks() -> HouseholdChecks:
    if not _CHECKS:
        raise RuntimeError("no household checks registered (the census app is not installed)")
    return _CHECKS[0]


def check_household(
    *, code: str, head_name: str, village: str, area: str, commune: Any, year: int
) -> CheckedHousehold:
    """Check a household of `commune` (a Unit); InvalidInput, located at the form's fields."""
    return _checks().check_household(
        code=code, head_name=head_name, village=village, area=area, commune=commune, year=year
    )


def check_member(**values: Any) -> CheckedMember:
    """Check a member (`HouseholdChecks.check_member`'s values); InvalidInput if wrong."""
    return _checks().check_member(**values)
