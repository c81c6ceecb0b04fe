"""Template helpers for the team's view of support in practice.

    {% load oversight_tags %}

Tags
* `{% contact_summaries person as contacts %}`: the person's contacts with their supporters,
  newest first: date, mode, minutes and topics only. The note is never loaded (the
  confidentiality wall: supporters.access.may_read_note), so no page using this tag can show it.

Filters
* `topics|topic_labels`: contact topic codes as their labels, e.g. ["Emotional support"].
"""

from django import template

from supporters.models import Contact, Topic

register = template.Library()

SUMMARY_FIELDS = ("id", "offer_id", "happened_on", "mode", "minutes", "topics")


@register.simple_tag
def contact_summaries(person) -> list:
    """What the team may see of a person's contacts: never the note."""
    if person is None:
        return []
    return list(
        Contact.objects.summaries()
        .filter(offer__person=person)
        .only(*SUMMARY_FIELDS)
        .order_by("-happened_on", "-id")
    )


@register.filter
def topic_labels(topics) -> list[str]:
    labels = dict(Topic.choices)
    return [labels.get(topic, topic) for topic in topics or ()]
