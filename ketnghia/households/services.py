"""Writes about households that are not part of a census import."""

from __future__ import annotations

from ketnghia.accounts.models import User
from ketnghia.households.models import Household, PersonalIdDisclosure


def personal_ids_disclose(*, household: Household, user: User, channel: str) -> None:
    """Log that `user` was shown `household`'s personal ID numbers in full.

    Only households that hold at least one ID number are logged: nothing personal was shown
    otherwise.
    """
    if household.members.exclude(personal_id="").exists():
        PersonalIdDisclosure.objects.create(household=household, user=user, channel=channel)
