"""The team's oversight of support in practice: concerns, supervision and group debriefs.

Contact notes sit behind the confidentiality wall (supporters.access.readable_contacts). The only
page here that may show a note is a supervisor's page about one of their own supervisees, and
only the notes the rule allows; everything else shows that a contact happened, never the note.
A supervisor's follow-up to a check-in is shown on the supervision pages only, which answer only
the supporter's supervisors (supporters.supervision.supervised_checkins).
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from incidents.access import organisation_of, reviews_ever_named
from incidents.models import AffectedPerson, Review
from peersupport import audit
from peersupport.access import role_required
from peersupport.forms import posted
from peersupport.roles import Role
from supporters.access import concerns_for_team, readable_contacts, supervised_supporters
from supporters.models import (
    ASSIGNED_STATUSES,
    Concern,
    Contact,
    GroupDebrief,
    WellbeingCheckIn,
)
from supporters.oversight.forms import (
    AcknowledgeConcernForm,
    CheckInFollowUpForm,
    GroupDebriefForm,
)
from supporters.practice import services as practice
from supporters.supervision import (
    ALREADY_FOLLOWED_UP,
    awaiting_follow_up,
    in_words,
    record_checkin_follow_up,
    supervised_checkins,
    supervision_interval,
)
from supporters.views import _form_error

RECENT_ACKNOWLEDGED = timedelta(days=90)
LIST_LIMIT = 100


def _concerns_for(user):
    """Concerns about people this user may see (their organisation's, restricted reviews only
    when named on them): supporters.access.concerns_for_team, which escalations also use."""
    return concerns_for_team(user).select_related(
        "offer__person__review", "raised_by__user", "acknowledged_by"
    )


# Concerns ---------------------------------------------------------------------------------


@role_required(Role.TEAM)
def concern_list(request):
    concerns = _concerns_for(request.user)
    since = timezone.now() - RECENT_ACKNOWLEDGED
    return render(
        request,
        "supporters/oversight/concern_list.html",
        {
            "open_concerns": list(concerns.open().order_by("raised_at", "pk")[:LIST_LIMIT]),
            "acknowledged": list(
                concerns.filter(acknowledged_at__gte=since).order_by("-acknowledged_at", "-pk")[
                    :LIST_LIMIT
                ]
            ),
            "recent_days": RECENT_ACKNOWLEDGED.days,
        },
    )


@role_required(Role.TEAM)
def concern_detail(request, pk):
    concern = get_object_or_404(_concerns_for(request.user), pk=pk)
    form = AcknowledgeConcernForm(posted(request)) if concern.acknowledged_at is None else None
    if request.method == "POST" and form is not None and form.is_valid():
        with transaction.atomic():
            # Locked, so two people acknowledging at once cannot both record an action.
            # scoped: the concern fetched above, re-read under a lock
            locked = Concern.objects.select_for_update().get(pk=concern.pk)
            if locked.acknowledged_at is not None:
                messages.info(request, "Someone else has already acknowledged this concern.")
                return redirect("oversight:concern_detail", pk=concern.pk)
            try:
                practice.acknowledge_concern(
                    locked,
                    by=request.user,
                    action_taken=form.cleaned_data["action_taken"],
                    request=request,
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request, "Concern acknowledged. It is no longer on the team's work queue."
                )
                return redirect("oversight:concern_detail", pk=concern.pk)
    audit.record("concern.viewed", request=request, obj=concern)
    return render(
        request,
        "supporters/oversight/concern_detail.html",
        {"concern": concern, "person": concern.offer.person, "form": form},
    )


# Supervision ------------------------------------------------------------------------------


def _supervision_row(supporter, latest, awaiting, today, interval):
    last = supporter.last_supervision
    due = last + interval if last else None
    latest_awaits = latest is not None and latest.needs_attention and not latest.followed_up_at
    return {
        "supporter": supporter,
        "checkin": latest,
        # Earlier check-ins still waiting for a follow-up, shown as a count with a link.
        "earlier_awaiting": awaiting - latest_awaits,
        "last_supervision": last,
        "supervision_due": due,
        "supervision_overdue": due is None or due < today,
    }


@role_required(Role.TEAM)
def supervision(request):
    """The supporters this team member is the named supervisor of; an empty state otherwise."""
    latest_checkin = WellbeingCheckIn.objects.filter(  # scoped: per supervised supporter
        supporter=OuterRef("pk")
    ).order_by("-created_at", "-pk")
    supporters = list(
        supervised_supporters(request.user)
        .select_related("user")
        .annotate(
            last_supervision=Max("supervision__held_on"),
            latest_checkin_id=Subquery(latest_checkin.values("pk")[:1]),
        )
        .order_by("user__first_name", "user__last_name", "pk")
    )
    checkins = WellbeingCheckIn.objects.select_related(  # scoped: ids from supervised supporters
        "followed_up_by"
    ).in_bulk([s.latest_checkin_id for s in supporters if s.latest_checkin_id])
    awaiting = dict(
        awaiting_follow_up(supervised_checkins(request.user))
        .values_list("supporter")
        .annotate(count=Count("pk"))
        .order_by()
    )
    today = timezone.localdate()
    interval = supervision_interval()
    rows = [
        _supervision_row(
            s, checkins.get(s.latest_checkin_id), awaiting.get(s.pk, 0), today, interval
        )
        for s in supporters
    ]
    return render(
        request,
        "supporters/oversight/supervision.html",
        {"rows": rows, "interval": in_words(interval)},
    )


def _contact_rows(user, supporter, offers):
    """Each current person's contacts, with the note only where the confidentiality wall
    (readable_contacts) lets this user read it, and otherwise why not. Notes are fetched only
    for those contacts, so a note this user may not read never reaches the page."""
    contacts = list(
        Contact.objects.summaries()  # scoped: visible offers; notes by readable_contacts
        .filter(offer__in=offers, supporter=supporter)
        .select_related("supporter", "offer__person__review", "offer__person__organisation")
        .order_by("-happened_on", "-pk")
    )
    notes = dict(
        readable_contacts(user).filter(pk__in=[c.pk for c in contacts]).values_list("pk", "note")
    )
    named_on = set(
        reviews_ever_named(user)
        .filter(pk__in={c.offer.person.review_id for c in contacts})
        .values_list("pk", flat=True)
    )
    by_offer = {}
    for contact in contacts:
        by_offer.setdefault(contact.offer_id, []).append(
            {
                "contact": contact,
                "may_read_note": contact.pk in notes,
                "note": notes.get(contact.pk, ""),
                "named_on_review": contact.offer.person.review_id in named_on,
            }
        )
    return by_offer


@role_required(Role.TEAM)
def supervisee(request, pk):
    """One supervisee: their check-ins, supervision and current people, for their supervisor."""
    supporter = get_object_or_404(supervised_supporters(request.user).select_related("user"), pk=pk)
    offers = list(
        supporter.offers.filter(status__in=ASSIGNED_STATUSES)
        .select_related("person__review")
        .order_by("offered_at", "pk")
    )
    visible = set(
        AffectedPerson.objects.visible_to(request.user)
        .filter(pk__in=[o.person_id for o in offers])
        .values_list("pk", flat=True)
    )
    contacts = _contact_rows(request.user, supporter, offers)
    people = [
        {
            "offer": offer,
            "person_visible": offer.person_id in visible,
            "contacts": contacts.get(offer.pk, []),
        }
        for offer in offers
    ]
    checkins = list(supporter.checkins.select_related("followed_up_by"))
    sessions = list(supporter.supervision.select_related("supervisor"))
    last = sessions[0].held_on if sessions else None
    due = last + supervision_interval() if last else None
    audit.record(
        "supervisee.viewed",
        request=request,
        obj=supporter,
        notes_shown=sum(row["may_read_note"] for rows in contacts.values() for row in rows),
        follow_ups_shown=sum(bool(checkin.follow_up) for checkin in checkins),
    )
    return render(
        request,
        "supporters/oversight/supervisee.html",
        {
            "supporter": supporter,
            "checkins": checkins,
            "sessions": sessions,
            "supervision_due": due,
            "supervision_overdue": due is None or due < timezone.localdate(),
            "people": people,
        },
    )


@role_required(Role.TEAM)
def checkin_follow_up(request, pk):
    """A supervisor records what they did about a check-in that needed attention; only the
    supporter's supervisors may open it, and a check-in that needed none has no such page."""
    checkin = get_object_or_404(
        supervised_checkins(request.user).select_related("supporter__user", "followed_up_by"),
        pk=pk,
    )
    if not checkin.needs_attention:
        raise Http404("This check-in did not need a follow-up.")
    already = "Someone has already recorded a follow-up to this check-in."
    if request.method == "POST" and checkin.followed_up_at is not None:
        messages.info(request, already)
        return redirect("oversight:checkin_follow_up", pk=checkin.pk)
    form = CheckInFollowUpForm(posted(request)) if checkin.followed_up_at is None else None
    if request.method == "POST" and form.is_valid():
        try:
            record_checkin_follow_up(
                checkin,
                by=request.user,
                follow_up=form.cleaned_data["follow_up"],
                request=request,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == ALREADY_FOLLOWED_UP:
                messages.info(request, already)
                return redirect("oversight:checkin_follow_up", pk=checkin.pk)
            _form_error(form, error)
        else:
            messages.success(
                request, "Follow-up recorded. The alert about this check-in is closed."
            )
            return redirect(
                f"{reverse('oversight:supervisee', args=[checkin.supporter_id])}#checkins"
            )
    audit.record(
        "wellbeing.viewed", request=request, obj=checkin, page="oversight:checkin_follow_up"
    )
    return render(
        request,
        "supporters/oversight/checkin_follow_up.html",
        {"checkin": checkin, "supporter": checkin.supporter, "form": form},
    )


# Group debriefs ---------------------------------------------------------------------------


def _debriefs_for(user, organisation):
    """The organisation's debriefs, leaving out any linked to a review this user may not see."""
    # scoped: the user's own organisation, and only reviews they may see
    return (
        GroupDebrief.objects.filter(organisation=organisation)
        .filter(Q(review__isnull=True) | Q(review__in=Review.objects.visible_to(user)))
        .select_related("review")
        .order_by("-held_on", "-pk")
    )


@role_required(Role.TEAM)
def debrief_list(request):
    organisation = organisation_of(request.user)
    debriefs = (
        GroupDebrief.objects.none()  # scoped: nothing at all
        if organisation is None
        else _debriefs_for(request.user, organisation)
    )
    return render(
        request,
        "supporters/oversight/debrief_list.html",
        {"debriefs": list(debriefs[:LIST_LIMIT]), "total": debriefs.count(), "limit": LIST_LIMIT},
    )


@role_required(Role.TEAM)
def debrief_add(request):
    organisation = organisation_of(request.user)
    form = GroupDebriefForm(posted(request), user=request.user)
    if request.method == "POST" and organisation is None:
        form.is_valid()
        form.add_error(None, "You need to belong to an organisation to record a debrief.")
    elif request.method == "POST" and form.is_valid():
        practice.record_debrief(
            organisation,
            by=request.user,
            request=request,
            team=form.cleaned_data["team"],
            held_on=form.cleaned_data["held_on"],
            facilitators=form.cleaned_data["facilitators"],
            attendance=form.cleaned_data["attendance"],
            follow_up=form.cleaned_data["follow_up"],
            review=form.cleaned_data["review"],
        )
        messages.success(request, "Group debrief recorded.")
        return redirect("oversight:debrief_list")
    return render(request, "supporters/oversight/debrief_form.html", {"form": form})
