"""The demo tells 18 months of story (issue 16, finding 8): under `make run` every chart on
the measures dashboard has points, and the headline has a figure in every one of the last 12
complete months. Figures are read through the code the page uses, after suppression."""

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command

from peersupport.dashboard.figures import build
from peersupport.dashboard.filters import Filters

HEADLINE = "offered"  # the measure's key, whichever definition it has


@pytest.fixture
def series(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    cache.clear()
    return {item.measure.slug: item for item in build(Filters.last(12), refresh=True)}


def _published(item) -> list:
    return [m for m in item.months if m.value is not None and not m.suppressed]


def test_the_headline_has_a_published_figure_in_every_one_of_the_last_12_months(series):
    headline = series[HEADLINE]
    assert len(headline.months) == 12
    missing = [
        (m.month, "withheld" if m.suppressed else "no data")
        for m in headline.months
        if m.value is None or m.suppressed
    ]
    assert not missing, missing


def test_every_measure_on_the_page_has_at_least_6_published_points(series):
    short = {
        slug: len(_published(item))
        for slug, item in series.items()
        if item.applicable and len(_published(item)) < 6
    }
    assert not short, short


def test_the_story_has_a_slow_month_and_an_improvement(series):
    """One month supporters were short and offers were slow; offers came sooner after the
    team began phoning people the day they are logged."""
    days = [m.value for m in series["days_to_offer"].months if m.value is not None]
    assert len(days) == 12
    assert max(days) >= 1.5 * sorted(days)[6]  # the slow month stands out
    assert sum(days[-6:]) / 6 < sum(days[:6]) / 6
