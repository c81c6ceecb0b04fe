"""The team's messages and letters pages.

Messages: what failed (with a "Try again" button), what is waiting, and what was cancelled
lately, for the team's own organisation only. Letters: the letters the letter channel has
prepared, to print and post. A letter's page shows no answer link; printing it (a POST, so a
link is never made by merely opening a page) answers with the printable letter, whose new
answer link is shown there once, as a QR code (peersupport.team_messages.letters).

Nothing here shows an email address or a message's body.
"""

from datetime import timedelta

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from feedback.tokens import DEFAULT_TTL
from incidents.access import organisation_of
from incidents.models import AffectedPerson, SelfReferral
from peersupport import audit, outbox
from peersupport.access import role_required
from peersupport.models import Letter, Message, MessageStatus
from peersupport.roles import Role
from peersupport.team_messages.letters import print_letter

PER_PAGE = 25
RECENTLY_CANCELLED = timedelta(days=30)

# What each kind of message is, in the team's words.
KIND_LABELS = {
    "offer_to_person": "Offer of peer support",
    "offer_reminder": "Reminder of the offer of peer support",
    "new_supporter_to_person": "Name of their new supporter",
    "supporter_assigned": "Supporter told about someone new",
    "support_accepted": "Supporter told the offer was accepted",
    "concern_raised": "Concern raised by a supporter",
    "concern_escalated": "Concern not acknowledged in time",
    "wellbeing_alert": "Supporter's wellbeing check-in needs a look",
    "no_supporter_alert": "Person waiting for a supporter",
    "no_supporter_escalation": "Person still waiting for a supporter",
    "offer_phone_task": "Phone someone who has not answered an offer",
    "staff_check_in": "Check-in with a member of staff",
    "no_contact_nudge": "No contact recorded lately",
    "milestone_nudge": "Review milestone coming up",
    "wellbeing_prompt": "Wellbeing check-in after a contact",
    "wellbeing_prompt_monthly": "Monthly wellbeing check-in",
    "supervision_due": "Supervision due",
    "training_expiring": "Training about to expire",
    "referral_acknowledgement": "Reply to someone who asked for support",
    "family_request_acknowledgement": "Reply to a family member or patient who asked for support",
    "referral_closed": "Reply to someone whose request for support was closed",
    "supervisor_needed": "Supporter without a supervisor who may read their notes",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def _organisation_or_403(user):
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied("You are not a member of an organisation's team yet.")
    return organisation


def messages_for(user):
    """Messages about the team user's organisation: to or about people they may see, to its
    team members, and replies to people who asked it for support. None for anyone else."""
    organisation = organisation_of(user)
    if organisation is None:
        return Message.objects.none()  # scoped: nothing at all
    people = AffectedPerson.objects.visible_to(user).values("pk")
    # cause_id is text; cast the ids so PostgreSQL compares like with like.
    referrals = (
        SelfReferral.objects.for_user(user)
        .annotate(pk_text=Cast("pk", CharField()))
        .values("pk_text")
    )
    return Message.objects.filter(  # scoped: people and referrals the user may see
        Q(person__in=people)
        | Q(person__isnull=True, user__team_membership__organisation=organisation)
        | Q(
            person__isnull=True,
            user__isnull=True,
            cause_type=SelfReferral._meta.label_lower,
            cause_id__in=referrals,
        )
    ).select_related("person", "user")


def letters_for(user):
    """Letters to people the team user may see."""
    people = AffectedPerson.objects.visible_to(user).values("pk")
    return Letter.objects.filter(  # scoped: letters to people the user may see
        message__person__in=people
    ).select_related("message__person__organisation", "posted_by")


def _page(request, queryset, param):
    """One list's page; it keeps the other lists' page numbers in its links."""
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    page.param, page.query = param, query.urlencode()
    return page


def _with_labels(page):
    for message in page:
        message.kind_label = kind_label(message.kind)
    return page


@role_required(Role.TEAM)
def messages_page(request):
    """Failed messages to try again, then what is waiting and what was cancelled lately."""
    _organisation_or_403(request.user)
    mine = messages_for(request.user)
    failed = mine.filter(status=MessageStatus.FAILED).order_by("-due_at", "-id")
    waiting = mine.filter(status=MessageStatus.PENDING).order_by("due_at", "id")
    cancelled = mine.filter(
        status=MessageStatus.CANCELLED, due_at__gte=timezone.now() - RECENTLY_CANCELLED
    ).order_by("-due_at", "-id")
    return render(
        request,
        "peersupport/messages.html",
        {
            "failed": _with_labels(_page(request, failed, "failed")),
            "waiting": _with_labels(_page(request, waiting, "waiting")),
            "cancelled": _with_labels(_page(request, cancelled, "cancelled")),
            "recent_days": RECENTLY_CANCELLED.days,
        },
    )


@role_required(Role.TEAM)
@require_POST
def message_retry(request, pk):
    message = get_object_or_404(messages_for(request.user), pk=pk)
    if message.status != MessageStatus.FAILED:
        messages.info(request, "That message is not waiting to be tried again.")
        return redirect("messages")
    outbox.retry(message)
    audit.record(
        "message.retried", request=request, obj=message, kind=message.kind, channel=message.channel
    )
    messages.success(
        request, f"{kind_label(message.kind)}: we will try to send it again in the next minute."
    )
    return redirect("messages")


@role_required(Role.TEAM)
def letters(request):
    """Letters to print and post, oldest first; those already posted below."""
    _organisation_or_403(request.user)
    mine = letters_for(request.user)
    to_post = mine.filter(posted_at__isnull=True).order_by("created_at", "id")
    posted = mine.filter(posted_at__isnull=False).order_by("-posted_at", "-id")
    return render(
        request,
        "peersupport/letters.html",
        {
            "to_post": _with_letter_labels(_page(request, to_post, "to_post")),
            "posted": _with_letter_labels(_page(request, posted, "posted")),
        },
    )


def _with_letter_labels(page):
    for letter in page:
        letter.kind_label = kind_label(letter.message.kind)
    return page


def _qr_code(url: str) -> str:
    """The answer link as an inline SVG QR code, drawn here so no image is fetched or stored."""
    svg = segno.make(url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", svgclass="app-letter__qr-code"
    )
    label = "QR code: scan it with your phone's camera to answer this letter"
    # Safe: segno writes only its own markup, and the link is drawn as modules, never as text.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308


def _reason_not_to_send(message) -> str | None:
    """Why the letter may no longer be needed (the outbox's own check before sending)."""
    if message.person.do_not_contact:
        return "The person asked not to be contacted."
    kind = outbox.KINDS.get(message.kind)
    return kind.check(message) if kind and kind.check else None


def _letter_context(letter):
    message = letter.message
    person = message.person
    return {
        "letter": letter,
        "person": person,
        "organisation": person.organisation,
        "kind_label": kind_label(message.kind),
        "not_needed": _reason_not_to_send(message),
        "link_days": DEFAULT_TTL.days,
    }


@role_required(Role.TEAM)
@require_safe
@never_cache
def letter(request, pk):
    """A letter's page: whether it was printed, by whom and when, and the button to print it.
    It makes no answer link and shows none."""
    letter = get_object_or_404(letters_for(request.user), pk=pk)
    audit.record("letter.viewed", request=request, obj=letter, person=letter.message.person_id)
    return render(request, "peersupport/letter.html", _letter_context(letter))


@role_required(Role.TEAM)
@require_POST
@never_cache
def letter_print(request, pk):
    """The printable letter, drawn now with a new answer link shown once as a QR code; a
    reprint revokes the link in the copy printed before."""
    letter = get_object_or_404(letters_for(request.user), pk=pk)
    copies_seen = request.POST.get("copies", "")
    printed = (
        print_letter(letter, by=request.user, copies_seen=int(copies_seen), request=request)
        if copies_seen.isdigit() and len(copies_seen) < 6
        else None
    )
    if printed is None:
        letter.refresh_from_db()
        messages.info(
            request,
            "This letter was printed again since you opened its page, so nothing was printed "
            "this time. Reprint it if you need another copy."
            if letter.copies
            else "Nothing was printed: try again.",
        )
        return redirect("letter", pk=letter.pk)
    letter, context = printed.letter, printed.context
    message = letter.message
    try:
        body = render_to_string(f"messages/{message.kind}-letter.html", context)
    except TemplateDoesNotExist:
        body = None
    return render(
        request,
        "peersupport/letter_print.html",
        {
            **_letter_context(letter),
            "phone": context.get("phone", ""),
            "body": body,
            "qr_code": _qr_code(context["answer_url"]) if context.get("answer_url") else None,
            "today": timezone.localdate(),
        },
    )


@role_required(Role.TEAM)
@require_POST
def letter_posted(request, pk):
    letter = get_object_or_404(letters_for(request.user), pk=pk)
    if letter.posted_at is not None:
        messages.info(request, f"Letter {letter.reference} was already marked as posted.")
        return redirect("letters")
    letter.posted_at, letter.posted_by = timezone.now(), request.user
    letter.save(update_fields=["posted_at", "posted_by"])
    audit.record("letter.posted", request=request, obj=letter, person=letter.message.person_id)
    messages.success(request, f"Letter {letter.reference} marked as posted.")
    return redirect("letters")
