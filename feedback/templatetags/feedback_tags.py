"""Template helpers for surveys on the team's pages.

    {% load feedback_tags %}

Tags
* `{% waiting_surveys person as surveys %}`: the person's surveys the team may still stop,
  oldest first: held while a concern is open, or made and not yet sent
  (feedback.invitations.waiting_surveys). Each has `is_held`.
"""

from django import template

from feedback import invitations

register = template.Library()


@register.simple_tag
def waiting_surveys(person) -> list:
    """The person's held or unsent surveys, with what each is about."""
    if person is None:
        return []
    surveys = list(
        invitations.waiting_surveys(person).select_related("review").order_by("created_at", "pk")
    )
    for survey in surveys:
        survey.is_held = survey.held_since is not None
    return surveys
