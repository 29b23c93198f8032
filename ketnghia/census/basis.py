"""Why a household has its status, in a sentence an officer reads aloud at the village meeting.

Pure: from the entry's facts (income, deprivation count, the deciding rule's code that the
poverty rules store, e.g. `income<=1500000 and deprived>=3`) to "thu nhập 1.200.000 đ ≤
1.500.000 đ và thiếu hụt 3 chỉ số". A status set by hand rests on the override's reason, so
that is shown instead of the computed rule.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from ketnghia.core.formatting import NO_VALUE, format_count, format_money

# The clause codes of `poverty.rules.Clause.code`.
_RULE = re.compile(
    r"^income(?P<op><=|>)(?P<line>\d+)(?: and deprived(?P<deprived_op>>=|<)(?P<k>\d+))?$"
)


def basis_sentence(
    *, rule: str, income: int | None, deprivation_count: int, override_reason: str = ""
) -> str:
    """Return the basis of a status in words, in the active language.

    `override_reason` (a status set by hand) wins over the computed rule. A rule code this
    function does not know is returned as it is, so nothing is hidden.
    """
    if override_reason.strip():
        return _("set by hand: %(reason)s") % {"reason": override_reason.strip()}
    match = _RULE.match((rule or "").strip())
    if match is None or income is None:
        return rule or NO_VALUE
    values = {
        "income": format_money(income),
        "line": format_money(int(match["line"])),
        "count": format_count(deprivation_count),
        "k": format_count(int(match["k"])) if match["k"] else "",
    }
    if match["op"] == ">":
        return _("income %(income)s > %(line)s") % values
    if match["deprived_op"] == ">=":
        return _("income %(income)s ≤ %(line)s and deprived on %(count)s indicators") % values
    if match["deprived_op"] == "<":
        return (
            _(
                "income %(income)s ≤ %(line)s and deprived on %(count)s indicators (fewer than %(k)s)"
            )
            % values
        )
    return _("income %(income)s ≤ %(line)s") % values
