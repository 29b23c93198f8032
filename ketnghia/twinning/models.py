"""The twinning and responsibility network of a program for especially difficult communes.

Four kinds of assignment, each over a period: an organisation twinned with a commune
(`Twinning`, which the scoping gate reads), a district office with villages, a commune Party
committee member with a village and a Party member with households (`Assignment`). A
reassignment closes one row and opens another, so the history of who was in charge of what is
the rows themselves. Work teams of the twinning units go down to the commune; what they did
there is the activity log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ketnghia.core.folding import Folded
from ketnghia.households.ethnicities import ETHNIC_GROUPS
from ketnghia.households.models import Sex


class OrganisationKind(models.TextChoices):
    PROVINCIAL_AGENCY = "provincial_agency", _("Provincial agency")
    ARMED_FORCES = "armed_forces", _("Armed-forces unit")
    ENTERPRISE = "enterprise", _("Enterprise")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    DISTRICT_OFFICE = "district_office", _("District office")


class Organisation(models.Model):
    """A body that can be assigned responsibility for a commune or village."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    province = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("province")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent body"),
    )
    # District offices and boards belong to a district; provincial bodies leave it empty.
    district = models.ForeignKey(
        "geo.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    # Both names folded by the database on every write, for the diacritic-insensitive search.
    search_name = models.GeneratedField(
        expression=Folded("name"),
        output_field=models.CharField(max_length=255),
        db_persist=True,
        db_index=True,
        editable=False,
    )
    search_short_name = models.GeneratedField(
        expression=Folded("short_name"),
        output_field=models.CharField(max_length=60),
        db_persist=True,
        db_index=True,
        editable=False,
    )

    history = HistoricalRecords(excluded_fields=["search_name", "search_short_name"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Twinning(models.Model):
    """An organisation twinned with an especially difficult commune for a period."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="twinnings",
        verbose_name=_("organisation"),
    )
    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="twinnings", verbose_name=_("commune")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=255, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("twinning")
        verbose_name_plural = _("twinnings")
        ordering = ["commune__path", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "commune", "start_date"], name="uniq_twinning_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ↔ {self.commune}"


class PersonRole(models.TextChoices):
    CADRE = "cadre", _("Cadre")
    COMMITTEE_MEMBER = "committee_member", _("Commune Party committee member")
    PARTY_MEMBER = "party_member", _("Party member")


class Person(models.Model):
    """A cadre, commune Party committee member or Party member: personal data, gate-scoped.

    `unit_path` is the path of the village, else the commune, else the organisation's district
    or province, so the gate filters people by prefix as it does households.
    """

    full_name = models.CharField(_("full name"), max_length=150)
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, choices=ETHNIC_GROUPS)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=PersonRole.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organisation"),
    )
    commune = models.ForeignKey(
        "geo.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    village = models.ForeignKey(
        "geo.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active until"), null=True, blank=True)
    # The code of its own ("M1") an assignment file gave this person when it created them:
    # the same file imported again finds them by it (with the commune), never by name.
    # A default in the database too: the demo loader inserts people in bulk (`core.bulk`).
    file_code = models.CharField(
        _("code in the import file"), max_length=40, blank=True, default="", db_default=""
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)
    # The name folded by the database on every write (bulk and imported rows alike).
    search_folded = models.GeneratedField(
        expression=Folded("full_name"),
        output_field=models.CharField(max_length=150),
        db_persist=True,
        db_index=True,
        editable=False,
    )

    history = HistoricalRecords(excluded_fields=["search_folded"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit_path", "full_name", "id"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        self.set_derived_fields()
        super().save(*args, **kwargs)

    def set_derived_fields(self) -> None:
        """Keep `unit_path` in step with the village, commune or organisation."""
        if self.village_id:
            self.unit_path = self.village.path
        elif self.commune_id:
            self.unit_path = self.commune.path
        elif self.organisation_id:
            organisation = self.organisation
            self.unit_path = (organisation.district or organisation.province).path
        else:
            self.unit_path = ""


class AssignmentKind(models.TextChoices):
    OFFICE_VILLAGE = "office_village", _("District office → village")
    COMMITTEE_VILLAGE = "committee_village", _("Committee member → village")
    MEMBER_HOUSEHOLD = "member_household", _("Party member → household")


class Assignment(models.Model):
    """Who answers for a village or a household over a period (below the twinning level).

    Exactly one of `organisation` (a district office) and `person` is set, and exactly one of
    `village` and `household`, as the kind says; `commune` is the commune of that unit.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=AssignmentKind.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("organisation"),
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("person"),
    )
    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "geo.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    household = models.ForeignKey(
        "households.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("household"),
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    decision_number = models.CharField(_("decision number"), max_length=120, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["unit_path", "start_date", "id"]
        indexes = [
            models.Index(fields=["kind", "commune"]),
            models.Index(fields=["household", "start_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.responsible} → {self.target}"

    def save(self, *args, **kwargs) -> None:
        self.set_derived_fields()
        super().save(*args, **kwargs)

    def set_derived_fields(self) -> None:
        self.unit_path = self.household.unit_path if self.household_id else self.village.path

    @property
    def responsible(self) -> Organisation | Person | None:
        return self.organisation if self.organisation_id else self.person

    @property
    def target(self) -> object:
        return self.household if self.household_id else self.village


class NetworkRules(models.Model):
    """The rules a program sets for its network (data, edited by an administrator)."""

    program = models.OneToOneField(
        "programs.Program",
        on_delete=models.CASCADE,
        related_name="network_rules",
        verbose_name=_("program"),
    )
    one_twinning_unit_per_commune = models.BooleanField(
        _("one twinning unit per commune at a time"), default=True
    )
    max_households_per_party_member = models.PositiveSmallIntegerField(
        _("most households per Party member"), default=10
    )
    committee_member_village_in_commune = models.BooleanField(
        _("a committee member's village lies in their commune"), default=True
    )
    party_member_household_in_commune = models.BooleanField(
        _("a Party member's household lies in their commune"), default=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("network rules")
        verbose_name_plural = _("network rules")

    def __str__(self) -> str:
        return str(self.program)


class WorkTeam(models.Model):
    """A twinning unit's work team sent to a commune for a period."""

    name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="teams", verbose_name=_("organisation")
    )
    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    members = models.ManyToManyField(
        Person, related_name="teams", blank=True, verbose_name=_("members")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)

    history = HistoricalRecords(m2m_fields=[members])

    class Meta:
        verbose_name = _("work team")
        verbose_name_plural = _("work teams")
        ordering = ["unit_path", "start_date", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.unit_path = self.commune.path
        super().save(*args, **kwargs)


class ActivityKind(models.TextChoices):
    VISIT = "visit", _("Visit")
    TRAINING = "training", _("Training")
    SUPPORT_HANDOVER = "support_handover", _("Support handover")
    MODEL_SETUP = "model_setup", _("Model set-up")
    MEETING = "meeting", _("Meeting")
    PROPAGANDA = "propaganda", _("Propaganda")


class ActivityStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    CONFIRMED = "confirmed", _("Confirmed by the commune")


class Activity(models.Model):
    """What a work team did on one day in a commune or one of its villages."""

    team = models.ForeignKey(
        WorkTeam, on_delete=models.PROTECT, related_name="activities", verbose_name=_("work team")
    )
    date = models.DateField(_("date"))
    commune = models.ForeignKey(
        "geo.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "geo.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("village"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    participants = models.ManyToManyField(
        Person, related_name="activities", blank=True, verbose_name=_("participants")
    )
    reached_male = models.PositiveIntegerField(_("people reached, men"), default=0)
    reached_female = models.PositiveIntegerField(_("people reached, women"), default=0)
    reached_minority = models.PositiveIntegerField(
        _("people reached, ethnic minorities"), default=0
    )
    resources_vnd = models.BigIntegerField(_("resources mobilised (VND)"), default=0)
    resources_in_kind = models.TextField(_("resources in kind"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.RECORDED
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The field submission it came from (ODK's instanceID, KoBoToolbox's _uuid) or an imported
    # template row's key: a second import of the same export finds it and creates nothing.
    source = models.CharField(_("source submission"), max_length=120, blank=True, default="")
    photos = models.ManyToManyField(
        "core.Attachment", blank=True, related_name="+", verbose_name=_("photos")
    )
    unit_path = models.CharField(max_length=255, db_index=True, editable=False)

    history = HistoricalRecords(m2m_fields=[participants])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-date", "id"]
        indexes = [models.Index(fields=["commune", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~models.Q(source=""), name="uniq_activity_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d/%m/%Y}"

    def save(self, *args, **kwargs) -> None:
        self.set_derived_fields()
        super().save(*args, **kwargs)

    def set_derived_fields(self) -> None:
        self.unit_path = (self.village or self.commune).path
