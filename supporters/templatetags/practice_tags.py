"""Template helpers for support in practice (templates/supporters/practice/ and the Contacts
section of a supporter's person page).

    {% load practice_tags %}

Tags
* `{% contacts_for offer user as contacts %}`: the offer's contacts, newest first, each with
  `topic_labels` (the topics in words) and `readable_note`: the note if `user` may read it
  behind the confidentiality wall (supporters.access.readable_contacts), otherwise None.
* `{% character_count form.note 500 %}`: a textarea as the NHS.UK character count component,
  using the `nhsuk` crispy pack's field description, so hint, error and ARIA match the pack.

Filters
* `phone|tel_href`: a phone number for a `tel:` link ("116 123" becomes "116123").
* `score|agreement_words`: a 1 to 5 check-in answer in words ("Strongly agree").
"""

import re

from django import template

from peersupport.templatetags.nhsuk import nhsuk_field
from supporters.access import readable_contacts
from supporters.models import Topic
from supporters.practice.forms import AGREEMENT_WORDS

register = template.Library()

_TOPIC_LABELS = dict(Topic.choices)


@register.simple_tag
def contacts_for(offer, user) -> list:
    """The offer's contacts, newest first, with the note only where `user` may read it."""
    contacts = list(
        offer.contacts.select_related("supporter", "offer__person__review").prefetch_related(
            "signposted_to"
        )
    )
    # The wall asked once for the offer's contacts, not once a contact (an N+1 on a long
    # support): the same rule as may_read_note.
    readable = set(readable_contacts(user).filter(offer=offer).values_list("pk", flat=True))
    for contact in contacts:
        contact.topic_labels = [_TOPIC_LABELS.get(topic, topic) for topic in contact.topics]
        contact.readable_note = contact.note if contact.pk in readable else None
    return contacts


@register.inclusion_tag("supporters/practice/character_count.html")
def character_count(field, maxlength):
    info = dict(nhsuk_field(field))
    info_id = f"{info['id']}-info"
    info["describedby"] = " ".join(i for i in (info_id, info["describedby"]) if i)
    return {"field": field, "info": info, "info_id": info_id, "maxlength": maxlength}


@register.filter
def tel_href(phone) -> str:
    return re.sub(r"[^\d+]", "", phone or "")


@register.filter
def agreement_words(score) -> str:
    return AGREEMENT_WORDS.get(score, "")
