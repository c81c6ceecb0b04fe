"""Access-table rows for this area's URLs; merged into tests/access_table.py.

The team's messages and letters pages: the team's own organisation only. A message or letter
about a person of another organisation answers 404, a real one, not a missing id.
"""

from django.utils import timezone

from tests.access_table_base import HOME, NOT_FOUND, team_only


def _failed_message(world):
    """A failed email to the world's person, made once per world."""
    from peersupport.models import Message, MessageStatus

    message = getattr(world, "_failed_message", None)
    if message is None:
        message = Message.objects.create(
            kind="offer_to_person",
            channel="email",
            person=world.offer.person,
            cause_type="supporters.supportoffer",
            cause_id=str(world.offer.pk),
            due_at=timezone.now(),
            idempotency_key=f"access-failed-{world.offer.pk}",
            status=MessageStatus.FAILED,
            attempts=5,
            last_error="No email address recorded.",
        )
        world._failed_message = message
    return message


def _letter(world):
    """A letter to the world's person about their offer, made once per world."""
    from peersupport.models import Letter, Message, MessageStatus

    letter = getattr(world, "_letter", None)
    if letter is None:
        message = Message.objects.create(
            kind="offer_to_person",
            channel="letter",
            person=world.offer.person,
            cause_type="supporters.supportoffer",
            cause_id=str(world.offer.pk),
            due_at=timezone.now(),
            idempotency_key=f"access-letter-{world.offer.pk}",
            status=MessageStatus.SENT,
        )
        letter = Letter.objects.create(message=message, reference="ACCE-SS23")
        world._letter = letter
    return letter


ACCESS = {
    "messages": team_only(),
    "message_retry": team_only(HOME, other_team=NOT_FOUND),
    "letters": team_only(),
    "letter": team_only(other_team=NOT_FOUND),
    # Posted with no form: nothing printed, back to the letter's page.
    "letter_print": team_only(HOME, other_team=NOT_FOUND),
    "letter_posted": team_only(HOME, other_team=NOT_FOUND),
}
URL_KWARGS = {
    "message_retry": lambda w: {"pk": _failed_message(w).pk},
    "letter": lambda w: {"pk": _letter(w).pk},
    "letter_print": lambda w: {"pk": _letter(w).pk},
    "letter_posted": lambda w: {"pk": _letter(w).pk},
}
POST_ONLY = {"message_retry", "letter_print", "letter_posted"}
