from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.views.decorators.http import require_POST

from incidents import services
from incidents.access import (
    get_person_for_user,
    get_review_for_user,
    may_change_naming,
    organisation_of,
)
from incidents.forms import (
    AvoidDateForm,
    CloseReferralForm,
    CompleteMilestoneForm,
    ConsentForm,
    MilestoneForm,
    PauseForm,
    PersonForm,
    ReviewFilterForm,
    ReviewForm,
    ReviewStatusForm,
)
from incidents.models import AffectedPerson, ConsentRecord, Milestone, Review, ReviewStatus
from incidents.referrals import close_referral, closing_channel
from incidents.selectors import ReviewPaginator, work_queue_for
from incidents.validators import display_phone
from incidents.views_public import get_referral_for_user
from peersupport import audit
from peersupport.access import role_required
from peersupport.forms import posted
from peersupport.roles import Role

REVIEWS_PER_PAGE = 25
NAMING_REFUSED = (
    "Only the lead investigator or an administrator can change who is named on this review."
    " Who is named was not changed."
)


def _organisation_or_403(user):
    organisation = organisation_of(user)
    if organisation is None:
        raise PermissionDenied("You are not a member of an organisation's team yet.")
    return organisation


@role_required(Role.TEAM)
def work_queue(request):
    """The team's home: what needs acting on today."""
    return render(request, "incidents/work_queue.html", work_queue_for(request.user))


@role_required(Role.TEAM)
def review_list(request):
    organisation = _organisation_or_403(request.user)
    form = ReviewFilterForm(request.GET or None, organisation=organisation)
    reviews = (
        Review.objects.visible_to(request.user)
        .select_related("service", "lead_investigator")
        .annotate(
            people_count=Subquery(
                # scoped: a count per visible review
                AffectedPerson.objects.filter(review=OuterRef("pk"))
                .order_by()
                .values("review")
                .annotate(n=Count("pk"))
                .values("n")
            )
        )
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            reviews = reviews.matching(data["q"].strip())
        if data["status"]:
            reviews = reviews.filter(status=data["status"])
        if data["service"]:
            reviews = reviews.filter(service=data["service"])
        if data["response_type"]:
            reviews = reviews.filter(response_type=data["response_type"])
        if data["overdue"]:
            reviews = reviews.overdue()
    page = ReviewPaginator(reviews.order_by("-reported_date", "-id"), REVIEWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/review_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@role_required(Role.TEAM)
def review_create(request):
    organisation = _organisation_or_403(request.user)
    form = ReviewForm(
        posted(request), organisation=organisation, initial={"lead_investigator": request.user}
    )
    if request.method == "POST" and form.is_valid():
        review = form.save(commit=False)
        review.organisation = organisation
        services.save_review(
            review, by=request.user, request=request, team_members=form.cleaned_data["team_members"]
        )
        messages.success(request, f"Review {review.reference} logged.")
        return redirect("incidents:review_detail", pk=review.pk)
    return render(request, "incidents/review_form.html", {"form": form, "creating": True})


@role_required(Role.TEAM)
def review_edit(request, pk):
    review = get_review_for_user(request.user, pk)
    may_name = may_change_naming(request.user, review)
    form = ReviewForm(
        posted(request),
        instance=review,
        organisation=review.organisation,
        may_change_naming=may_name,
    )
    if request.method == "POST" and form.is_valid():
        review = form.save(commit=False)
        services.save_review(
            review,
            by=request.user,
            request=request,
            team_members=form.cleaned_data["team_members"] if may_name else None,
        )
        if form.naming_posted:
            messages.warning(request, NAMING_REFUSED)
        messages.success(request, "Review updated.")
        return redirect("incidents:review_detail", pk=review.pk)
    return render(
        request,
        "incidents/review_form.html",
        {
            "form": form,
            "review": review,
            "may_change_naming": may_name,
            "team_members": review.team_members.order_by("first_name", "last_name", "email"),
        },
    )


@role_required(Role.TEAM)
def review_detail(request, pk):
    review = get_review_for_user(request.user, pk)
    people = review.people.all()
    audit.record("review.viewed", request=request, obj=review)
    history = review.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )[:50]
    return render(
        request,
        "incidents/review_detail.html",
        {
            "review": review,
            "people": people,
            "milestones": review.milestones.all(),
            "status_changes": review.status_changes.select_related("changed_by"),
            "changes": _describe_history(history),
            "today": timezone.localdate(),
        },
    )


def _describe_history(records):
    """Turn simple-history records into 'who changed what, when' lines (field labels only).

    Diffs are taken from the history rows' own values, never `record.instance` (which fetches
    the excluded fields again), and many-to-many rows come in one query per field rather than
    two per record, so the page runs the same queries however long the history is.
    """
    records = list(records)
    if not records:
        return []
    history_model = type(records[0])
    model_meta = history_model.instance_type._meta
    m2m_names = [field.name for field in history_model._history_m2m_fields]
    m2m_rows = _m2m_rows_by_record(history_model, m2m_names, records)
    lines = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        if record.history_type == "+":
            fields = []
        elif previous is not None:
            delta = record.diff_against(previous, excluded_fields=m2m_names)
            names = [change.field for change in delta.changes] + [
                name
                for name in m2m_names
                if m2m_rows[name, record.pk] != m2m_rows[name, previous.pk]
            ]
            fields = [
                capfirst(str(model_meta.get_field(name).verbose_name)) for name in sorted(names)
            ]
        else:
            continue
        if record.history_type == "~" and not fields:
            continue
        lines.append(
            {
                "when": record.history_date,
                "who": record.history_user,
                "created": record.history_type == "+",
                "fields": fields,
            }
        )
    return lines


def _m2m_rows_by_record(history_model, m2m_names, records):
    """{(field name, history id): sorted rows} for each tracked many-to-many field."""
    ignored = {"id", "m2m_history_id", "history"}
    rows = {}
    for name in m2m_names:
        through = getattr(history_model, name).model
        compared = [f.attname for f in through._meta.fields if f.name not in ignored]
        found = {record.pk: [] for record in records}
        for history_id, *values in through.objects.filter(
            history__in=[record.pk for record in records]
        ).values_list("history_id", *compared):
            found[history_id].append(tuple(values))
        for history_id, values in found.items():
            rows[name, history_id] = sorted(values)
    return rows


@role_required(Role.TEAM)
def review_status(request, pk):
    review = get_review_for_user(request.user, pk)
    if review.status == ReviewStatus.PAUSED:
        messages.info(request, "This review is paused: resume it first.")
        return redirect("incidents:review_detail", pk=review.pk)
    form = ReviewStatusForm(posted(request), review=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_review_status(
                review,
                form.cleaned_data["status"],
                by=request.user,
                request=request,
                closed_on=form.cleaned_data.get("closed_on"),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Status changed to {review.get_status_display().lower()}.")
            return redirect("incidents:review_detail", pk=review.pk)
    return render(request, "incidents/review_status.html", {"form": form, "review": review})


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@role_required(Role.TEAM)
def review_pause(request, pk):
    review = get_review_for_user(request.user, pk)
    try:
        services.check_can_pause(review)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("incidents:review_detail", pk=review.pk)
    form = PauseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_review_status(
                review,
                ReviewStatus.PAUSED,
                by=request.user,
                request=request,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "Review paused.")
            return redirect("incidents:review_detail", pk=review.pk)
    return render(request, "incidents/review_pause.html", {"form": form, "review": review})


@role_required(Role.TEAM)
@require_POST
def review_resume(request, pk):
    review = get_review_for_user(request.user, pk)
    try:
        services.resume_review(review, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Review resumed: {review.get_status_display().lower()}.")
    return redirect("incidents:review_detail", pk=review.pk)


@role_required(Role.TEAM)
def milestone_add(request, pk):
    review = get_review_for_user(request.user, pk)
    form = MilestoneForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.add_milestone(
            review,
            form.cleaned_data["kind"],
            form.cleaned_data["due_on"],
            by=request.user,
            request=request,
        )
        messages.success(request, "Milestone added.")
        return redirect("incidents:review_detail", pk=review.pk)
    return render(request, "incidents/milestone_form.html", {"form": form, "review": review})


@role_required(Role.TEAM)
def milestone_complete(request, pk):
    milestone = get_object_or_404(
        Milestone.objects.filter(review__in=Review.objects.visible_to(request.user)), pk=pk
    )
    form = CompleteMilestoneForm(posted(request), initial={"completed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.complete_milestone(
            milestone, form.cleaned_data["completed_on"], by=request.user, request=request
        )
        messages.success(request, "Milestone marked as done.")
        return redirect("incidents:review_detail", pk=milestone.review_id)
    return render(
        request,
        "incidents/milestone_complete.html",
        {"form": form, "milestone": milestone, "review": milestone.review},
    )


@role_required(Role.TEAM)
def person_create(request, pk):
    review = get_review_for_user(request.user, pk)
    form = PersonForm(posted(request))
    consent_form = ConsentForm(
        posted(request),
        prefix="consent",
        initial={"consent_to_contact": "not_asked", "consent_to_share": "not_asked"},
    )
    if request.method == "POST" and form.is_valid() and consent_form.is_valid():
        person = form.save(commit=False)
        person.review = review
        person.organisation = review.organisation
        services.save_person(person, by=request.user, request=request)
        _record_consents(person, consent_form, request)
        messages.success(request, f"{person} added to review {review.reference}.")
        return redirect("incidents:person_detail", pk=person.pk)
    return render(
        request,
        "incidents/person_form.html",
        {"form": form, "consent_form": consent_form, "review": review, "creating": True},
    )


def _record_consents(person, consent_form, request):
    data = consent_form.cleaned_data
    for kind, field in (
        (ConsentRecord.Kind.CONTACT, "consent_to_contact"),
        (ConsentRecord.Kind.SHARE, "consent_to_share"),
    ):
        if data[field] != getattr(person, field) or person.consents.filter(kind=kind).count() == 0:
            services.record_consent(
                person, kind, data[field], data["method"], by=request.user, request=request
            )


@role_required(Role.TEAM)
def person_edit(request, pk):
    person = get_person_for_user(request.user, pk)
    form = PersonForm(posted(request), instance=person)
    if request.method == "POST" and form.is_valid():
        services.save_person(form.save(commit=False), by=request.user, request=request)
        messages.success(request, "Details updated.")
        return redirect("incidents:person_detail", pk=person.pk)
    audit.record("person.viewed", request=request, obj=person, page="edit")
    return render(
        request,
        "incidents/person_form.html",
        {"form": form, "person": person, "review": person.review},
    )


@role_required(Role.TEAM)
def person_consent(request, pk):
    person = get_person_for_user(request.user, pk)
    form = ConsentForm(
        posted(request),
        initial={
            "consent_to_contact": person.consent_to_contact,
            "consent_to_share": person.consent_to_share,
        },
    )
    if request.method == "POST" and form.is_valid():
        _record_consents(person, form, request)
        messages.success(request, "Consent recorded.")
        return redirect("incidents:person_detail", pk=person.pk)
    audit.record("person.viewed", request=request, obj=person, page="consent")
    return render(request, "incidents/person_consent.html", {"form": form, "person": person})


@role_required(Role.TEAM)
def person_avoid_date(request, pk):
    person = get_person_for_user(request.user, pk)
    form = AvoidDateForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.add_avoid_date(
            person,
            form.cleaned_data["date"],
            form.cleaned_data["reason"],
            by=request.user,
            request=request,
        )
        messages.success(request, "Date to avoid added.")
        return redirect("incidents:person_detail", pk=person.pk)
    audit.record("person.viewed", request=request, obj=person, page="avoid_date")
    return render(request, "incidents/person_avoid_date.html", {"form": form, "person": person})


@role_required(Role.TEAM)
@require_POST
def person_do_not_contact(request, pk):
    person = get_person_for_user(request.user, pk)
    value = request.POST.get("do_not_contact") == "on"
    services.set_do_not_contact(person, value, by=request.user, request=request)
    messages.success(
        request,
        "Do not contact is on: nobody will contact them." if value else "Do not contact is off.",
    )
    return redirect("incidents:person_detail", pk=person.pk)


@role_required(Role.TEAM)
def person_detail(request, pk):
    person = get_person_for_user(request.user, pk)
    audit.record("person.viewed", request=request, obj=person)
    history = person.history.select_related("history_user").order_by(
        "-history_date", "-history_id"
    )[:50]
    return render(
        request,
        "incidents/person_detail.html",
        {
            "person": person,
            "review": person.review,
            "consents": person.consents.select_related("recorded_by"),
            "avoid_dates": person.avoid_dates.all(),
            "changes": _describe_history(history),
        },
    )


@role_required(Role.TEAM)
def referral_close(request, pk):
    """Close a request for support with a reason; the person is told if we can reach them."""
    referral = get_referral_for_user(request.user, pk)
    if referral.is_converted or referral.closed_at:
        messages.info(request, "This request has already been added or closed.")
        return redirect("public:referral_detail", pk=referral.pk)
    form = CloseReferralForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            told_by = close_referral(
                referral, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            told = {"email": "We are emailing them", "sms": "We are sending them a text message"}
            phone = display_phone(referral.phone)
            messages.success(
                request,
                f"Request closed. {told[told_by]} to tell them."
                if told_by
                else f"Request closed. We could not tell them: phone them on {phone}.",
            )
            return redirect("public:referral_detail", pk=referral.pk)
    if request.method != "POST":
        audit.record("referral.viewed", request=request, obj=referral)
    context = {"referral": referral, "form": form, "told_by": closing_channel(referral)}
    return render(request, "incidents/referral_close.html", context)
