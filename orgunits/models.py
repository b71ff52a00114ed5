from django.db import models
from django.utils.translation import gettext_lazy as _


class Ministry(models.Model):
    """A Ressort of the state government."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    abbreviation = models.CharField(_("abbreviation"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ministry")
        verbose_name_plural = _("ministries")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceOfficeQuerySet(models.QuerySet):
    def selectable(self):
        """Return the offices a person may choose; dissolved ones are kept."""
        return self.filter(is_active=True)


class ServiceOffice(models.Model):
    """A Dienststelle: a court, prosecutor's office, prison or ministry."""

    # Kinds of office that head an Organisationseinheit. An office of any
    # other kind (an Amtsgericht, say) belongs to the org unit of the nearest
    # superior office of one of these kinds.
    ORG_UNIT_KINDS = frozenset(
        {
            "MINISTERIUM",
            "OLG",
            "LG",
            "GENSTA",
            "STA",
            "JVA",
            "JVKH",
            "SOTHA",
            "JAA",
            "BILDUNG",
            "VGH",
            "VG",
            "LAG",
            "ARBG",
            "LSG",
            "SG",
            "FG",
            "ANWGH",
            "VERFGH",
            "GRUNDBUCHZENTRALARCHIV",
        }
    )

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_(
            "XJustiz code, or an own code starting with X- for offices without one."
        ),
    )
    xjustiz_code = models.CharField(_("XJustiz code"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=200)
    common_name = models.CharField(_("common name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    town = models.CharField(_("town"), max_length=100, blank=True)
    ministry = models.ForeignKey(
        Ministry,
        verbose_name=_("ministry"),
        on_delete=models.PROTECT,
        related_name="service_offices",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("superior office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Dissolved offices stay for history but cannot be chosen."),
    )

    objects = ServiceOfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("service office")
        verbose_name_plural = _("service offices")
        ordering = ["name"]

    def __str__(self):
        return self.common_name or self.name

    @property
    def org_unit_office(self):
        """Return this office or the nearest superior one heading org units."""
        office = self
        seen = set()
        while office is not None and office.pk not in seen:
            if office.kind in self.ORG_UNIT_KINDS:
                return office
            seen.add(office.pk)
            office = office.parent
        return None


class CareerGroup(models.Model):
    """A Laufbahngruppe, or one of the portal's groups beside them."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("career group")
        verbose_name_plural = _("career groups")
        ordering = ["position", "name"]

    def __str__(self):
        return self.short_name


class OrgUnit(models.Model):
    """An Organisationseinheit: superior service office and career group."""

    service_office = models.ForeignKey(
        ServiceOffice,
        verbose_name=_("service office"),
        on_delete=models.PROTECT,
        related_name="org_units",
    )
    career_group = models.ForeignKey(
        CareerGroup,
        verbose_name=_("career group"),
        on_delete=models.PROTECT,
        related_name="org_units",
    )

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["service_office__name", "career_group__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_office", "career_group"],
                name="orgunit_unique_office_career_group",
            )
        ]

    def __str__(self):
        return f"{self.service_office} – {self.career_group}"
