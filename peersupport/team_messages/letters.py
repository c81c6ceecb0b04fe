"""Printing a letter: the one moment its answer link is made.

A letter's text is drawn when the team prints it. Any answer link in it (an offer's, a
survey's) is made then, shown once as a QR code on the printed page, and recorded on the letter
by its token hash only. Opening the letter's page makes no link and shows none; a reprint
revokes the link in the copy printed before and makes a new one. Printing is audited.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from feedback import tokens
from peersupport import audit, links, outbox
from peersupport.models import Letter


@dataclass
class Printed:
    letter: Letter
    context: dict  # the letter's message context, with its new answer_url when it has one


def print_letter(letter: Letter, *, by, copies_seen: int, request=None) -> Printed | None:
    """Draw `letter` with a new answer link, revoke the previous copy's, record and audit it.

    `copies_seen` is how many copies the page the team printed from knew of: when someone
    printed it since (or the print is sent again by reloading the page) nothing is printed
    and None is returned, so no copy's link is revoked by accident.
    """
    with transaction.atomic():
        letter = Letter.objects.select_for_update().select_related("message").get(pk=letter.pk)
        if letter.copies != copies_seen:
            return None
        message = letter.message
        with links.collecting() as issued:
            context = outbox.KINDS[message.kind].context(message)
        # One link per letter: the last one made is the one in the letter's answer_url.
        for spare in issued[:-1]:
            spare.revoke()
        revoked = tokens.revoke(letter.link_hash)
        moment = timezone.now()
        letter.printed_at = letter.printed_at or moment
        letter.last_printed_at = moment
        letter.printed_by = by
        letter.copies += 1
        letter.link_hash = issued[-1].token_hash if issued else ""
        letter.save(
            update_fields=["printed_at", "last_printed_at", "printed_by", "copies", "link_hash"]
        )
        audit.record(
            "letter.reprinted" if letter.copies > 1 else "letter.printed",
            request=request,
            actor=by,
            obj=letter,
            person=message.person_id,
            copy=letter.copies,
            link=bool(issued),
            previous_link_revoked=revoked,
        )
    return Printed(letter, context)
