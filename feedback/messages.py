"""Survey message kinds: what each says, and what must still hold just before it is sent.

Every survey message re-checks that its invitation is still open: not answered, not expired,
not opted out (and the outbox itself refuses any message to a person who opted out of all
messages, or asked not to be contacted). The link is made fresh when the message is built.
"""

from django.urls import reverse
from django.utils import timezone

from feedback.invitations import PERSON_KINDS, SUPPORTER_KINDS, supporters_opted_out, survey_url
from feedback.models import Invitation
from incidents.validators import display_phone
from peersupport import outbox
from supporters.wording import greeting_name, person_first_name, site_url


def _invitation(message) -> Invitation | None:
    return (
        Invitation.objects.select_related("person", "user", "organisation", "questionnaire")
        .filter(pk=message.cause_id)
        .first()
    )


def _note_sent(invitation, kind) -> None:
    """The first invitation (or reminder) message to go marks when the invitation was sent:
    the response rate counts invitations sent, not those written."""
    field = "reminded_at" if kind.endswith("reminder") else "sent_at"
    Invitation.objects.filter(pk=invitation.pk, **{f"{field}__isnull": True}).update(
        **{field: timezone.now()}
    )


def _still_open(message) -> str | None:
    invitation = _invitation(message)
    if invitation is None:
        return "The survey invitation was removed."
    if invitation.cancelled_at is not None:
        return "The team cancelled the survey."
    if invitation.held_since is not None:
        return "Held while a concern about them is open."
    if invitation.completed_at is not None:
        return "The survey has been answered."
    if invitation.opted_out_at is not None:
        return "They opted out of surveys."
    if invitation.expires_at <= timezone.now():
        return "The survey has closed."
    if invitation.user_id is not None:
        if not invitation.user.is_active:
            return "The supporter's account is not active."
        if supporters_opted_out().filter(user=invitation.user_id).exists():
            return "They opted out of supporters' surveys."
    return None


def _common(invitation, message) -> dict:
    organisation = invitation.organisation
    _note_sent(invitation, message.kind)
    return {
        "invitation": invitation,
        "organisation": organisation,
        "phone": display_phone(organisation.phone),
        "expires_on": timezone.localtime(invitation.expires_at).date(),
        "site_url": site_url(),
    }


def _person_context(message) -> dict:
    invitation = _invitation(message)
    person = invitation.person
    return {
        **_common(invitation, message),
        "person": person,
        "name": person_first_name(person),
        # Who the survey is written for: the team that asks, and its words, differ for staff.
        "reader": person.kind,
        "about_review": invitation.review_id is not None,
        "answer_url": survey_url(invitation),
    }


def _supporter_context(message) -> dict:
    invitation = _invitation(message)
    context = {
        **_common(invitation, message),
        "name": greeting_name(invitation.user),
        # An in-app alert links to the page that opens the supporter's own survey once they
        # are logged in: no token is ever kept in an alert.
        "link": reverse("feedback:survey_mine"),
    }
    if message.channel != "in_app":
        context["answer_url"] = survey_url(invitation)
    return context


def register():
    for kind in PERSON_KINDS:
        outbox.register(kind, context=_person_context, check=_still_open)
    for kind in SUPPORTER_KINDS:
        outbox.register(kind, context=_supporter_context, check=_still_open)
