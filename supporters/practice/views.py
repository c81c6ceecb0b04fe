"""The supporter's pages for support in practice: recording a contact, raising a concern, a
wellbeing check-in, and the resource library and signposting directory.

Contacts and concerns are about one of the supporter's own current assignments (anyone
else's answers 404) and, like the person's page, need the current code of conduct accepted.
The rules themselves (the first contact makes support active, who a concern or a low
check-in alerts) live in supporters.practice.services.
"""

from functools import wraps
from urllib.parse import urlparse

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from peersupport.access import role_required
from peersupport.forms import posted
from peersupport.roles import Role
from supporters import services
from supporters.access import get_assignment_for_supporter, supporter_profile
from supporters.models import Resource, SignpostService
from supporters.practice import services as practice
from supporters.practice.forms import (
    DETAILS_MAX,
    NOTE_MAX,
    CheckInForm,
    ConcernForm,
    ContactForm,
)
from supporters.views import _form_error

RECENT_CHECKINS = 5


def _supporters_urls(view):
    """Let `{% url 'supporters:...' %}` work on these pages.

    peersupport/urls.py includes this module under the app namespace "supporters" with the
    instance namespace "practice"; the url tag would then look for "supporters:my_person"
    in the "practice" instance. Pointing current_app at the default instance fixes that, and
    "practice:..." names still resolve as instance namespaces.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.current_app = "supporters"
        return view(request, *args, **kwargs)

    return wrapped


# The supporter's pack first: these pages are mostly read by supporters.
RESOURCE_GROUPS = {
    Resource.Kind.SUPPORTER_PACK: "Your support pack",
    Resource.Kind.FAMILY_GUIDE: "Guides for families: what a review involves",
    Resource.Kind.SELF_HELP: "Self-help",
}


def _assignment(request, pk):
    """The supporter's own assignment, or None when they must accept the code first."""
    offer = get_assignment_for_supporter(request.user, pk)
    if not services.has_accepted_current_code(offer.supporter):
        return None
    return offer


@_supporters_urls
@role_required(Role.SUPPORTER)
def contact_add(request, pk):
    offer = _assignment(request, pk)
    if offer is None:
        return redirect("supporters:code_of_conduct")
    can_record = offer.status in practice.CONTACTABLE
    form = ContactForm(
        posted(request),
        person=offer.person,
        initial={"happened_on": timezone.localdate()},
    )
    if request.method == "POST" and can_record and form.is_valid():
        data = form.cleaned_data
        try:
            contact = practice.record_contact(
                offer,
                offer.supporter,
                happened_on=data["happened_on"],
                mode=data["mode"],
                minutes=data["minutes"],
                topics=data["topics"],
                signposted_to=data["signposted_to"],
                note=data["note"],
                request=request,
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            if data["worried"]:
                messages.success(
                    request, "Contact saved. Now tell the team what you are worried about."
                )
                url = reverse("practice:concern_raise", kwargs={"pk": offer.pk})
                return redirect(f"{url}?contact={contact.pk}")
            messages.success(request, "Contact saved.")
            return redirect("supporters:my_person", pk=offer.pk)
    return render(
        request,
        "supporters/practice/contact_form.html",
        {
            "form": form,
            "offer": offer,
            "person": offer.person,
            "can_record": can_record,
            "note_max": NOTE_MAX,
        },
    )


def _linked_contact(request, offer):
    """The contact named by ?contact=, if it is one of this offer's; otherwise None."""
    value = request.GET.get("contact", "")
    if not value.isdigit():
        return None
    return offer.contacts.filter(pk=int(value)).first()


@_supporters_urls
@role_required(Role.SUPPORTER)
def concern_raise(request, pk):
    offer = _assignment(request, pk)
    if offer is None:
        return redirect("supporters:code_of_conduct")
    contact = _linked_contact(request, offer)
    form = ConcernForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            practice.raise_concern(
                offer,
                offer.supporter,
                kind=form.cleaned_data["kind"],
                details=form.cleaned_data["details"],
                contact=contact,
                request=request,
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                "The team has been alerted. They will look at your concern and record what "
                "they do about it.",
            )
            return redirect("supporters:my_person", pk=offer.pk)
    return render(
        request,
        "supporters/practice/concern_form.html",
        {
            "form": form,
            "offer": offer,
            "person": offer.person,
            "contact": contact,
            "details_max": DETAILS_MAX,
        },
    )


@_supporters_urls
@role_required(Role.SUPPORTER)
def checkin(request):
    supporter = supporter_profile(request.user)
    if supporter is None:
        raise PermissionDenied("Your peer supporter record has not been set up yet.")
    form = CheckInForm(posted(request))
    if request.method == "POST" and form.is_valid():
        result = practice.record_checkin(
            supporter,
            empowered=form.cleaned_data["empowered"],
            coping=form.cleaned_data["coping"],
            wants_debrief=form.cleaned_data["wants_debrief"],
            request=request,
        )
        if not result.needs_attention:
            text = "Thank you for checking in."
        elif supporter.supervisor_id:
            text = (
                "Thank you for checking in and telling us how things are. Your supervisor "
                "will be in touch soon, so you do not have to manage this on your own."
            )
        else:
            text = (
                "Thank you for checking in and telling us how things are. You do not have a "
                "named supervisor yet, so please contact the team: they will make sure "
                "someone talks things through with you."
            )
        messages.success(request, text)
        return redirect("practice:checkin")
    return render(
        request,
        "supporters/practice/checkin.html",
        {"form": form, "recent": supporter.checkins.all()[:RECENT_CHECKINS]},
    )


def _is_external(url, request) -> bool:
    host = urlparse(url).netloc
    return bool(host) and host != request.get_host()


@_supporters_urls
@role_required(Role.SUPPORTER, Role.TEAM)
def resources(request):
    by_kind = {kind: [] for kind in RESOURCE_GROUPS}
    for resource in Resource.objects.all():
        resource.external = _is_external(resource.url, request)
        by_kind.setdefault(resource.kind, []).append(resource)
    labels = {**dict(Resource.Kind.choices), **RESOURCE_GROUPS}
    groups = [
        {"label": labels.get(kind, kind), "resources": items}
        for kind, items in by_kind.items()
        if items
    ]
    return render(request, "supporters/practice/resources.html", {"groups": groups})


@_supporters_urls
@role_required(Role.SUPPORTER, Role.TEAM)
def signposting(request):
    return render(
        request,
        "supporters/practice/signposting.html",
        {"services": SignpostService.objects.all()},
    )
