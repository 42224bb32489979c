"""Published figures: a small table of aggregates, computed by a beat task, never per request.

Only what may be published is stored here: a cell under ``TRANSPARENCY_MIN_CELL`` (and its
complementary cells) is written with ``value`` NULL, so no page, chart or download can show it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureSet(models.Model):
    """The figures of one stored period: a calendar month ("2026-11") or the last 30 days."""

    period = models.CharField(_("period"), max_length=20, unique=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends (exclusive)"))
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        ordering = ["period"]
        verbose_name = _("figure set")
        verbose_name_plural = _("figure sets")

    def __str__(self) -> str:
        return self.period


class Figure(models.Model):
    figure_set = models.ForeignKey(FigureSet, on_delete=models.CASCADE, related_name="figures")
    dataset = models.CharField(max_length=30)
    # "city", "none" (no single neighbourhood) or a neighbourhood's slug.
    area = models.CharField(max_length=100)
    # A breakdown within the data set (an alert or tip category, an action status); "" for none.
    category = models.CharField(max_length=100, blank=True)
    measure = models.CharField(max_length=40)
    # NULL: suppressed (fewer than the threshold, or hidden so that it cannot be subtracted out).
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["figure_set", "dataset", "area", "category", "measure"], name="transparency_figure_once"
            )
        ]
        indexes = [models.Index(fields=["figure_set", "dataset"])]

    def __str__(self) -> str:
        return f"{self.figure_set_id} {self.dataset} {self.area} {self.category} {self.measure}"
