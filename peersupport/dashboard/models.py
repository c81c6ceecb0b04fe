"""What the measures' queries counted, month by month (peersupport.dashboard.stored)."""

from django.db import models


class MonthlyFigures(models.Model):
    """One query's counts for one calendar month, in every finest cell (organisation, service,
    group): no names, no notes, no one's details, but counts before suppression, so only the
    dashboard reads them and it publishes them through peersupport.dashboard.suppression.

    `changed_at` is set when a change that moves this month's counts is committed after
    `counted_at` (when the count began): the month is recounted by the next refresh."""

    query = models.CharField(max_length=40)
    month = models.DateField()
    result = models.JSONField()
    counted_at = models.DateTimeField()
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "monthly figures"
        constraints = [
            models.UniqueConstraint(fields=["query", "month"], name="one_count_per_query_month")
        ]
        indexes = [models.Index(fields=["month", "query"], name="figures_by_month")]

    def __str__(self):
        return f"{self.query}, {self.month:%B %Y}"


class PublishedFigures(models.Model):
    """What suppression published for one run of months and set of measures
    (peersupport.dashboard.figures.published_for): working out what to withhold takes about a
    second at scale, whatever the number of people, so it is kept with the stored figures it
    protects. `counts` names those figures (when each month was counted): a recount makes a
    new protection, never a reuse of an older one."""

    view = models.CharField(max_length=64, unique=True)
    counts = models.CharField(max_length=64)
    published = models.JSONField()
    made_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "published figures"

    def __str__(self):
        return f"Published figures {self.view[:8]}"
