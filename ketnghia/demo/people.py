"""Invented people of Kon Tum's highland villages: names, households' members, ID numbers. Pure.

Naming follows the patterns of the province's peoples, from syllable lists, so no name is taken
from any record:

* Xơ-đăng, Ba-na, Gié-Triêng, Brâu and Rơ-măm people are mostly called by a one-syllable name
  after "A" for a man and "Y" for a woman ("A Thuận", "Y Hoa"); some Xơ-đăng families (Kon
  Plông, Kon Rẫy) use a Kinh-style "Đinh Văn …" / "Đinh Thị …", and many Brâu share "Thao".
* Gia-rai names start with the clan ("Siu", "Rơ Châm", "Ksor"…), with "H'" before a woman's name.
* Kinh names are family name, middle name ("Văn", "Thị"…) and given name.

Personal ID numbers are 12 digits like the citizen ID card's (province, sex and century, birth
year, 6 digits) but start with "000", which is no province's code: a demo number can never be a
real person's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate
from typing import NamedTuple

KINH = "01"
GIA_RAI = "10"
BA_NA = "13"
XO_DANG = "14"
GIE_TRIENG = "27"
BRAU = "52"
RO_MAM = "54"

# Which peoples live in each district's especially difficult communes (rough shares, invented
# from the general picture: Xơ-đăng in the north and east, Ba-na around Kon Rẫy and Đắk Hà,
# Gia-rai and Rơ-măm in Sa Thầy, Gié-Triêng and Brâu towards the Lao border).
PEOPLES_BY_DISTRICT: dict[str, dict[str, int]] = {
    "608": {BA_NA: 70, GIA_RAI: 30},
    "610": {XO_DANG: 60, GIE_TRIENG: 40},
    "611": {GIE_TRIENG: 50, XO_DANG: 35, BRAU: 15},
    "612": {XO_DANG: 85, GIE_TRIENG: 10, BA_NA: 5},
    "613": {XO_DANG: 95, BA_NA: 5},
    "614": {BA_NA: 50, XO_DANG: 50},
    "615": {XO_DANG: 55, BA_NA: 45},
    "616": {GIA_RAI: 65, XO_DANG: 25, RO_MAM: 10},
    "617": {XO_DANG: 100},
    "618": {GIA_RAI: 60, XO_DANG: 40},
}
DEFAULT_PEOPLES = {XO_DANG: 60, BA_NA: 40}
# Share of Kinh households in a village: settlers live in the "thôn" more than in the "làng".
KINH_SHARE = {"thon": 0.18, "lang": 0.03}
# Districts where some Xơ-đăng families carry a Kinh-style family name.
DINH_DISTRICTS = frozenset({"613", "614"})

# One-syllable names heard in the highlands, and common Kinh given names (both used by minority
# families too). Combined at random; no list of real people went into them.
HIGHLAND_MALE = (
    "Thuận", "Hmia", "Blông", "Kâu", "Nhưn", "Rin", "Jrông", "Pông", "Khiêm", "Rớt",
    "Nhim", "Phiên", "Đoan", "Hyên", "Brếp", "Thoan", "Dứt", "Kră", "Plơi", "Sơn",
    "Wơn", "Kuin", "Lư", "Bá", "Hùng", "Dũng", "Toan", "Ngưu", "Hrin", "Mlơ",
    "Trênh", "Blưh", "Pêng", "Rai", "Thiên", "Klăng", "Jen", "Chương", "Vinh", "Tư",
)  # fmt: skip
HIGHLAND_FEMALE = (
    "Hoa", "Blui", "Nga", "Thơm", "Hlin", "Mai", "Xuân", "Nhiên", "Bé", "Hmư",
    "Jơ", "Lan", "Ngọc", "Rin", "Phương", "Khuyên", "Dơ", "Hnga", "Trang", "Bơ",
    "Jin", "Thu", "Hiên", "Nhoan", "Kim", "Lưu", "Đào", "Pia", "Glan", "Liên",
)  # fmt: skip
GIA_RAI_CLANS = ("Siu", "Rơ Châm", "Ksor", "Rơ Mah", "Kpă", "Nay", "Rah Lan", "Puih")
KINH_FAMILY = {
    "Nguyễn": 30, "Trần": 10, "Lê": 8, "Phạm": 6, "Hoàng": 4, "Huỳnh": 4, "Phan": 4,
    "Vũ": 3, "Võ": 4, "Đặng": 2, "Bùi": 2, "Đỗ": 2, "Hồ": 3, "Ngô": 2, "Dương": 1, "Đinh": 2,
}  # fmt: skip
KINH_MALE_MIDDLE = {"Văn": 70, "Đức": 8, "Minh": 8, "Quang": 7, "Hữu": 7}
KINH_FEMALE_MIDDLE = {"Thị": 80, "Ngọc": 8, "Thu": 6, "Kim": 6}
KINH_MALE = (
    "Hùng", "Dũng", "Sơn", "Tuấn", "Thành", "Hải", "Long", "Nam", "Quân", "Trung",
    "Phúc", "Tài", "Tâm", "Bình", "Lợi", "Thắng", "Hòa", "Khánh", "Cường", "Vinh",
)  # fmt: skip
KINH_FEMALE = (
    "Hoa", "Lan", "Hương", "Mai", "Hằng", "Nga", "Thảo", "Trang", "Yến", "Liên",
    "Hạnh", "Loan", "Nhung", "Vân", "Dung", "Phượng", "Thủy", "Oanh", "Hiền", "Tuyết",
)  # fmt: skip

# Cumulative weights, computed once: `choices` is called for every person.
_KINH_FAMILY = (tuple(KINH_FAMILY), tuple(accumulate(KINH_FAMILY.values())))
_KINH_MALE_MIDDLE = (tuple(KINH_MALE_MIDDLE), tuple(accumulate(KINH_MALE_MIDDLE.values())))
_KINH_FEMALE_MIDDLE = (tuple(KINH_FEMALE_MIDDLE), tuple(accumulate(KINH_FEMALE_MIDDLE.values())))
# Children a highland couple has by the end of its childbearing years (0–7), in percent; one
# entry per percent, so a draw is one index (it is drawn for every household).
_CHILDREN = tuple(
    count for count, percent in enumerate((8, 14, 20, 20, 15, 10, 7, 6)) for _ in range(percent)
)

MALE, FEMALE = "male", "female"
HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD = "head", "spouse", "child", "parent", "grandchild"
# Citizens get an ID card from the age of 14.
ID_CARD_AGE = 14
ID_PREFIX = "000"  # not a province code: see the module docstring


class PersonPlan(NamedTuple):
    """One member of a household (a tuple: the demo makes some 200,000 of them)."""

    full_name: str
    sex: str
    birth_year: int
    ethnicity: str
    relation: str
    # The year the person moved out to found a household of their own (None: still here).
    moved_out: int | None = None

    def present(self, year: int) -> bool:
        """Return whether the person counts among the household's members in `year`."""
        return self.birth_year <= year and (self.moved_out is None or year < self.moved_out)


@dataclass(frozen=True)
class Family:
    """What the members of one household share when they are named."""

    ethnicity: str
    family_name: str  # Kinh family name, Gia-rai clan, "Đinh", "Thao" or "" (A/Y names)


def choose_people(rng: random.Random, district_code: str) -> str:
    """Return the ethnicity code of a village's main people in `district_code`."""
    weights = PEOPLES_BY_DISTRICT.get(district_code, DEFAULT_PEOPLES)
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def new_family(rng: random.Random, ethnicity: str, district_code: str) -> Family:
    """Return the naming frame of a new family of `ethnicity`."""
    if ethnicity == KINH:
        family = rng.choices(_KINH_FAMILY[0], cum_weights=_KINH_FAMILY[1])[0]
        return Family(ethnicity, family)
    if ethnicity == GIA_RAI:
        return Family(ethnicity, rng.choice(GIA_RAI_CLANS))
    if ethnicity == XO_DANG and district_code in DINH_DISTRICTS and rng.random() < 0.4:
        return Family(ethnicity, "Đinh")
    if ethnicity == BRAU and rng.random() < 0.6:
        return Family(ethnicity, "Thao")
    return Family(ethnicity, "")


def person_name(rng: random.Random, family: Family, sex: str) -> str:
    """Return a name in the family's pattern ("A Thuận", "Siu H'Nga", "Nguyễn Văn Hùng")."""
    male = sex == MALE
    if family.ethnicity == KINH:
        middles, weights = _KINH_MALE_MIDDLE if male else _KINH_FEMALE_MIDDLE
        middle = rng.choices(middles, cum_weights=weights)[0]
        given = rng.choice(KINH_MALE if male else KINH_FEMALE)
        return f"{family.family_name} {middle} {given}"
    given = rng.choice(HIGHLAND_MALE if male else HIGHLAND_FEMALE)
    if family.ethnicity == GIA_RAI:
        return f"{family.family_name} {given}" if male else f"{family.family_name} H'{given}"
    if family.family_name == "Đinh":
        return f"Đinh {'Văn' if male else 'Thị'} {given}"
    if family.family_name:
        return f"{family.family_name} {given}"
    return f"{'A' if male else 'Y'} {given}"


def spouse_family(rng: random.Random, family: Family, district_code: str) -> Family:
    """Return the naming frame of a spouse: mostly of the same people, named in its pattern."""
    if family.ethnicity == KINH:
        return new_family(rng, KINH, district_code)
    return new_family(rng, family.ethnicity, district_code)


def _fresh_name(rng: random.Random, family: Family, sex: str, members: list[PersonPlan]) -> str:
    """Return a name no other member of the household has yet (a few tries, then any)."""
    taken = {member.full_name for member in members}
    for _attempt in range(8):
        name = person_name(rng, family, sex)
        if name not in taken:
            return name
    return name


def household_members(
    rng: random.Random,
    family: Family,
    district_code: str,
    *,
    formed_year: int,
    head_age: int,
    last_year: int,
    head: PersonPlan | None = None,
) -> list[PersonPlan]:
    """Return the members of a household formed in `formed_year`, head first.

    `head` is the grown child who founds the household, when there is one; otherwise a head of
    `head_age` is invented. Children are born up to `last_year`; a member counts in a year's
    census once born, so the household grows over the years. Highland families have more
    children than Kinh ones.
    """
    if head is None:
        head_sex = FEMALE if rng.random() < 0.14 else MALE
        head = PersonPlan(
            person_name(rng, family, head_sex),
            head_sex,
            formed_year - head_age,
            family.ethnicity,
            HEAD,
        )
        married = rng.random() < (0.88 if head_sex == MALE else 0.35)
    else:
        head = head._replace(relation=HEAD, moved_out=None)
        married = rng.random() < 0.9
    head_born = head.birth_year
    members = [head]
    if married:
        spouse_sex = FEMALE if head.sex == MALE else MALE
        other = spouse_family(rng, family, district_code)
        spouse_born = head_born + rng.randint(-2, 6) * (1 if head.sex == MALE else -1)
        members.append(
            PersonPlan(
                person_name(rng, other, spouse_sex),
                spouse_sex,
                spouse_born,
                other.ethnicity,
                SPOUSE,
            )
        )
    children = _CHILDREN[int(rng.random() * len(_CHILDREN))]
    if family.ethnicity == KINH:
        children = min(children, rng.choice((1, 2, 2, 3)))
    # Born from the head's 19th to 42nd year, up to the last census year, one a year at most:
    # a young household has had time for few children.
    first, last = head_born + 19, min(head_born + 42, last_year)
    if first <= last:
        years = range(first, last + 1)
        for born in sorted(rng.sample(years, min(children, len(years)))):
            sex = rng.choice((MALE, FEMALE))
            members.append(
                PersonPlan(
                    _fresh_name(rng, family, sex, members), sex, born, family.ethnicity, CHILD
                )
            )
    head_age = formed_year - head_born
    if head_age < 30 and rng.random() < 0.2:
        sex = rng.choice((MALE, FEMALE))
        members.append(
            PersonPlan(
                _fresh_name(rng, family, sex, members),
                sex,
                head_born - rng.randint(20, 28),
                family.ethnicity,
                PARENT,
            )
        )
    if head_age > 50 and rng.random() < 0.3:
        for _ in range(rng.randint(1, 2)):
            sex = rng.choice((MALE, FEMALE))
            born = min(last_year, formed_year + rng.randint(-6, 10))
            members.append(
                PersonPlan(
                    _fresh_name(rng, family, sex, members), sex, born, family.ethnicity, GRANDCHILD
                )
            )
    return members


def personal_id(index: int, sex: str, birth_year: int) -> str:
    """Return the synthetic 12-digit ID number of the `index`-th adult the demo makes.

    The last six digits walk through every value once (7919 is prime to 10**6), so numbers are
    unique for the first million people.
    """
    century = 0 if birth_year < 2000 else 2
    sex_digit = century + (0 if sex == MALE else 1)
    serial = (index * 7919 + 2007) % 1_000_000
    return f"{ID_PREFIX}{sex_digit}{birth_year % 100:02d}{serial:06d}"


def has_id_card(birth_year: int, year: int) -> bool:
    """Return whether a person born in `birth_year` holds an ID card in `year`."""
    return year - birth_year >= ID_CARD_AGE
