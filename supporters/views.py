from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_POST

from incidents.access import get_person_for_user, organisation_of
from incidents.models import AffectedPerson
from peersupport import audit
from peersupport.access import role_required
from peersupport.forms import posted
from peersupport.roles import Role
from supporters import services
from supporters.access import (
    assignments_for_supporter,
    ended_assignment_for_supporter,
    get_assignment_for_supporter,
    get_offer_for_team,
    get_supporter_for_team,
    supervisor_for,
    supporter_profile,
    supporters_for_team,
)
from supporters.forms import (
    AcceptCodeForm,
    AnswerForm,
    AssignForm,
    CloseForm,
    SupervisionForm,
    SupervisorForm,
    SupporterStatusForm,
    TrainingForm,
)
from supporters.matching import shortlist
from supporters.messages import person_message_context
from supporters.models import (
    ASSIGNED_STATUSES,
    OfferedVia,
    OfferStatus,
    Pool,
    SupporterStatus,
    TrainingRecord,
    caseload_annotation,
)
from supporters.scoring import asked_for, unmet_preferences
from supporters.supervision import supervision_interval


def _form_error(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# The team's pages ------------------------------------------------------------------------


def mandatory_training_expiry(supporters) -> dict[int, date | None]:
    """For each supporter, when their mandatory training next runs out: the earliest, over the
    mandatory courses, of the latest expiry of that course (a renewal replaces the old one)."""
    never = date.max
    latest = (
        TrainingRecord.objects.filter(  # scoped: supporters the caller may see
            supporter__in=supporters, course__mandatory=True
        )
        .values("supporter", "course")
        .annotate(latest=Max(Coalesce("expires_on", Value(never))))
    )
    earliest: dict[int, date] = {}
    for row in latest:
        earliest[row["supporter"]] = min(earliest.get(row["supporter"], never), row["latest"])
    return {pk: (None if when == never else when) for pk, when in earliest.items()}


@role_required(Role.TEAM)
def roster(request):
    supporters = (
        supporters_for_team(request.user)
        .select_related("user")
        .annotate(
            caseload=caseload_annotation(),
            last_supervision=Max("supervision__held_on"),
        )
    )
    today = timezone.localdate()
    interval = supervision_interval()
    supporters = list(supporters)
    expiries = mandatory_training_expiry(supporters)
    for s in supporters:
        s.next_expiry = expiries.get(s.pk)
    rows = [
        {
            "supporter": s,
            "supervision_due": (s.last_supervision + interval) if s.last_supervision else None,
            "supervision_overdue": s.last_supervision is None
            or s.last_supervision + interval < today,
        }
        for s in supporters
    ]
    return render(request, "supporters/roster.html", {"rows": rows, "today": today})


@role_required(Role.TEAM)
def supporter_detail(request, pk):
    supporter = get_supporter_for_team(request.user, pk)
    current = supporter.offers.filter(status__in=ASSIGNED_STATUSES)
    # A supporter may serve several organisations, and restricted reviews are only for their
    # named team: the rest are counted, never named.
    assignments = list(
        current.filter(person__in=AffectedPerson.objects.visible_to(request.user)).select_related(
            "person__review"
        )
    )
    caseload = current.count()
    return render(
        request,
        "supporters/supporter_detail.html",
        {
            "supporter": supporter,
            "training": supporter.training.select_related("course"),
            "supervision": supporter.supervision.select_related("supervisor"),
            "status_changes": supporter.status_changes.select_related("changed_by"),
            "assignments": assignments,
            "caseload": caseload,
            "not_shown": caseload - len(assignments),
            "organisation": organisation_of(request.user),
            "organisation_supervisor": supervisor_for(supporter, organisation_of(request.user)),
            "today": timezone.localdate(),
        },
    )


@role_required(Role.TEAM)
def supporter_status(request, pk):
    supporter = get_supporter_for_team(request.user, pk)
    form = SupporterStatusForm(posted(request), initial={"status": supporter.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.change_supporter_status(
                supporter,
                form.cleaned_data["status"],
                by=request.user,
                request=request,
                reason=form.cleaned_data["reason"],
                paused_until=form.cleaned_data["paused_until"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request, f"{supporter} is now {supporter.get_status_display().lower()}."
            )
            return redirect("supporters:supporter_detail", pk=supporter.pk)
    return render(
        request, "supporters/supporter_status.html", {"form": form, "supporter": supporter}
    )


@role_required(Role.TEAM)
def training_add(request, pk):
    supporter = get_supporter_for_team(request.user, pk)
    form = TrainingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.record_training(
            supporter,
            form.cleaned_data["course"],
            form.cleaned_data["completed_on"],
            by=request.user,
            request=request,
        )
        messages.success(request, "Training recorded.")
        return redirect("supporters:supporter_detail", pk=supporter.pk)
    return render(request, "supporters/training_form.html", {"form": form, "supporter": supporter})


@role_required(Role.TEAM)
def supervision_add(request, pk):
    supporter = get_supporter_for_team(request.user, pk)
    form = SupervisionForm(
        posted(request),
        organisation=organisation_of(request.user),
        initial={"supervisor": supporter.supervisor_id},
    )
    if request.method == "POST" and form.is_valid():
        services.record_supervision(
            supporter,
            form.cleaned_data["supervisor"],
            form.cleaned_data["held_on"],
            by=request.user,
            request=request,
        )
        messages.success(request, "Supervision session recorded.")
        return redirect("supporters:supporter_detail", pk=supporter.pk)
    return render(
        request, "supporters/supervision_form.html", {"form": form, "supporter": supporter}
    )


@role_required(Role.TEAM)
def supporter_supervisors(request, pk):
    """Name the supporter's supervisor for the team's own organisation; see the others'."""
    supporter = get_supporter_for_team(request.user, pk)
    organisation = organisation_of(request.user)
    current = supervisor_for(supporter, organisation)
    form = SupervisorForm(
        posted(request),
        organisation=organisation,
        initial={"supervisor": current.pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["supervisor"]
        try:
            services.name_supervisor(
                supporter, organisation, chosen, by=request.user, request=request
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            if chosen is None:
                messages.success(
                    request, f"Nobody is named as their supervisor for {organisation}."
                )
            else:
                messages.success(request, f"{chosen} is their supervisor for {organisation}.")
            return redirect("supporters:supporter_detail", pk=supporter.pk)
    named = {
        a.organisation_id: a.supervisor
        for a in supporter.supervisor_assignments.select_related("supervisor")
    }
    return render(
        request,
        "supporters/supervisors_form.html",
        {
            "form": form,
            "supporter": supporter,
            "organisation": organisation,
            "others": [
                (other, other.pk in named)
                for other in supporter.organisations.exclude(pk=organisation.pk)
            ],
        },
    )


def _pool_mismatch(person, supporter) -> bool:
    wanted = Pool.STAFF if person.kind == "staff" else Pool.LIVED_EXPERIENCE
    return supporter.pool != wanted


@role_required(Role.TEAM)
def match(request, pk):
    """The ranked shortlist for a person, with reasons; the excluded ones on request."""
    person = get_person_for_user(request.user, pk)
    offer = person.offers.open().first()  # needing a supporter, or with one
    if offer is None:
        messages.info(
            request, "This person has no open offer: they need consent to be contacted first."
        )
        return redirect("incidents:person_detail", pk=person.pk)
    override_pool = request.GET.get("override_pool") == "1"
    show_excluded = request.GET.get("show_excluded") == "1"
    candidates, excluded = shortlist(
        person, override_pool=override_pool, candidates_only=not show_excluded
    )
    # Supporters of other organisations are none of this team's business.
    excluded = [item for item in excluded if item.supporter.serves_review_organisation]
    if offer.supporter_id:
        candidates = [c for c in candidates if c.supporter.pk != offer.supporter_id]
    audit.record("person.viewed", request=request, obj=person, page="match")
    return render(
        request,
        "supporters/match.html",
        {
            "person": person,
            "offer": offer,
            "candidates": candidates,
            "excluded": excluded,
            "show_excluded": show_excluded,
            "override_pool": override_pool,
            "asked": list(asked_for(person).values()),
        },
    )


@role_required(Role.TEAM)
def assign(request, pk, supporter_pk):
    """Confirm a supporter for a person: preview the offer email, choose how it reaches them."""
    person = get_person_for_user(request.user, pk)
    offer = person.offers.open().first()  # needing a supporter, or with one
    if offer is None:
        return redirect("incidents:person_detail", pk=person.pk)
    supporter = get_supporter_for_team(request.user, supporter_pk)
    override = request.GET.get("override_pool") == "1" or _pool_mismatch(person, supporter)
    reassigning = offer.status != OfferStatus.NEEDS_SUPPORTER
    form = AssignForm(
        posted(request),
        needs_override=override,
        reassigning=reassigning,
        unmet=unmet_preferences(supporter, person),
        initial={"via": OfferedVia.EMAIL if person.email else OfferedVia.PHONE},
    )
    if request.method == "POST" and form.is_valid():
        reasons = form.reasons()
        try:
            if offer.status == OfferStatus.NEEDS_SUPPORTER:
                services.assign_supporter(
                    offer,
                    supporter,
                    by=request.user,
                    request=request,
                    via=form.cleaned_data.get("via", OfferedVia.EMAIL),
                    **reasons,
                )
            else:
                services.reassign(offer, supporter, by=request.user, request=request, **reasons)
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"{supporter} assigned to {person}.")
            return redirect("incidents:person_detail", pk=person.pk)
    already_agreed = offer.status in (OfferStatus.ACCEPTED, OfferStatus.ACTIVE)
    preview = _preview(
        person, supporter, "new_supporter_to_person" if already_agreed else "offer_to_person"
    )
    audit.record("person.viewed", request=request, obj=person, page="assign")
    return render(
        request,
        "supporters/assign.html",
        {
            "person": person,
            "offer": offer,
            "supporter": supporter,
            "form": form,
            "preview": preview,
            "reassigning": reassigning,
        },
    )


def _preview(person, supporter, kind):
    """The email the person will receive, as the outbox will render it. Their answer link is
    made only when the email is sent (a preview must not make one), so it shows a placeholder
    saying so: the preview never ends "use this link:" with nothing after it."""
    context = {
        **person_message_context(person, supporter),
        "answer_url": "[their own link, made when the email is sent]",
    }
    return {
        "subject": render_to_string(f"messages/{kind}-subject.txt", context).strip(),
        "body": render_to_string(f"messages/{kind}-body.txt", context),
    }


@role_required(Role.TEAM)
def offer_answer(request, pk):
    offer = get_offer_for_team(request.user, pk)
    form = AnswerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_answer(
                offer,
                form.cleaned_data["answer"],
                by=request.user,
                request=request,
                reason=form.cleaned_data["reason"],
                contact_again_on=form.cleaned_data["contact_again_on"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"Answer recorded: {offer.get_status_display().lower()}.")
            return redirect("incidents:person_detail", pk=offer.person_id)
    return render(
        request,
        "supporters/offer_answer.html",
        {"form": form, "offer": offer, "person": offer.person},
    )


@role_required(Role.TEAM)
def offer_close(request, pk):
    offer = get_offer_for_team(request.user, pk)
    form = CloseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.close_support(
                offer, form.cleaned_data["reason"], by=request.user, request=request
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "Support closed.")
            return redirect("incidents:person_detail", pk=offer.person_id)
    return render(
        request,
        "supporters/offer_close.html",
        {"form": form, "offer": offer, "person": offer.person},
    )


@role_required(Role.TEAM)
@require_POST
def offer_again(request, pk):
    person = get_person_for_user(request.user, pk)
    try:
        services.offer_again(person, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person} can now be matched with a supporter again.")
    return redirect("incidents:person_detail", pk=person.pk)


# The supporter's pages -------------------------------------------------------------------


@role_required(Role.SUPPORTER)
def my_people(request):
    """A supporter's home: only the people currently assigned to them."""
    supporter = supporter_profile(request.user)
    accepted = supporter is not None and services.has_accepted_current_code(supporter)
    assignments = []
    if supporter is not None and accepted:
        assignments = (
            assignments_for_supporter(supporter)
            .select_related("person__review")
            .order_by("status", "offered_at")
        )
    return render(
        request,
        "supporters/my_people.html",
        {
            "supporter": supporter,
            "code_accepted": accepted,
            "assignments": assignments,
            "has_left": supporter is not None and supporter.status == SupporterStatus.LEFT,
        },
    )


@role_required(Role.SUPPORTER)
def my_person(request, pk):
    """Once support has ended, an old link says so: never the person, nor the code first."""
    if (ended := ended_assignment_for_supporter(request.user, pk)) is not None:
        audit.record("support_ended.viewed", request=request, obj=ended, by_role="supporter")
        context = {"organisation": ended.person.organisation}
        return render(request, "supporters/support_ended.html", context)
    offer = get_assignment_for_supporter(request.user, pk)
    if not services.has_accepted_current_code(offer.supporter):
        return redirect("supporters:code_of_conduct")
    person = offer.person
    audit.record("person.viewed", request=request, obj=person, by_role="supporter")
    next_milestone = (
        person.review.milestones.filter(
            due_on__gte=timezone.localdate(), completed_on__isnull=True
        ).first()
        if person.review_id is not None
        else None
    )
    return render(
        request,
        "supporters/my_person.html",
        {
            "offer": offer,
            "person": person,
            "next_milestone": next_milestone,
            "may_see_details": (
                person.consent_to_share == "given"
                and offer.status in (OfferStatus.ACCEPTED, OfferStatus.ACTIVE)
            ),
            "avoid_dates": person.avoid_dates.filter(date__gte=timezone.localdate()),
        },
    )


@role_required(Role.SUPPORTER)
def code_of_conduct(request):
    supporter = supporter_profile(request.user)
    if supporter is None:
        raise PermissionDenied("Your peer supporter record has not been set up yet.")
    code = services.current_code()
    accepted = services.has_accepted_current_code(supporter)
    form = AcceptCodeForm(posted(request))
    if request.method == "POST" and form.is_valid() and code is not None:
        services.accept_code(supporter, request=request)
        messages.success(request, "Thank you. You can now see the people you are matched with.")
        return redirect("supporters:my_people")
    return render(
        request,
        "supporters/code_of_conduct.html",
        {"code": code, "accepted": accepted, "form": form},
    )
