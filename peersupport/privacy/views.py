"""The administrators' privacy pages, inside the Django admin: a subject access export as a
readable page or JSON, and the answer to a request for erasure (anonymise now, or refuse and
record why). Administrators only; audited by the services they call (`subject_access`,
`anonymise`). They join the person's admin page through its hook
(`incidents.admin.AffectedPersonAdmin.extra_pages`), set by the root URL configuration from
`PERSON_ADMIN_PAGES`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from incidents.models import AffectedPerson
from peersupport.access import is_administrator
from peersupport.models import Anonymisation
from peersupport.privacy.anonymise import anonymise_person, is_anonymised, refuse_erasure
from peersupport.privacy.subject_access import subject_access_export


class ErasureForm(forms.Form):
    ANONYMISE, REFUSE = "anonymise", "refuse"

    decision = forms.ChoiceField(
        label="What is your decision on the request to erase their details?",
        choices=[
            (ANONYMISE, "Remove their details now (anonymise): this cannot be undone"),
            (REFUSE, "Refuse the request"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select your decision"},
    )
    reason = forms.CharField(
        label="Why is the request refused?",
        help_text="For example: the records are needed for an inquest. Do not include names.",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=1000,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REFUSE and not data.get("reason", "").strip():
            self.add_error("reason", "Enter why the request is refused")
        return data


def _person_for_administrator(request, pk) -> AffectedPerson:
    if not is_administrator(request.user):
        raise PermissionDenied
    return get_object_or_404(AffectedPerson, pk=pk)


def _context(request, person, title, **extra):
    return {
        **admin.site.each_context(request),
        "title": title,
        "person": person,
        "opts": AffectedPerson._meta,
        **extra,
    }


def subject_access(request, pk):
    """Everything held about the person. Made only by a deliberate POST (a button, never a
    link that a browser or a crawler might follow): a readable page, or JSON to download."""
    person = _person_for_administrator(request, pk)
    if request.method != "POST":
        return TemplateResponse(
            request,
            "admin/privacy/subject_access_start.html",
            _context(request, person, f"Subject access export: person {person.pk}"),
        )
    fmt = "json" if request.POST.get("format") == "json" else "html"
    data = subject_access_export(person, by=request.user, fmt=fmt, request=request)
    if fmt == "json":
        response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
        response["Content-Disposition"] = f'attachment; filename="subject-access-{person.pk}.json"'
        return response
    return TemplateResponse(
        request,
        "admin/privacy/subject_access.html",
        _context(request, person, f"Subject access export: person {person.pk}", data=data),
    )


def erasure(request, pk):
    """Answer a request to erase a person's details: anonymise, or refuse with a reason."""
    person = _person_for_administrator(request, pk)
    back = reverse("admin:incidents_affectedperson_change", args=[person.pk])
    done = is_anonymised(person)
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and not done and form.is_valid():
        try:
            if form.cleaned_data["decision"] == ErasureForm.ANONYMISE:
                anonymise_person(
                    person,
                    reason=Anonymisation.Reason.ERASURE_REQUEST,
                    by=request.user,
                    request=request,
                )
                messages.success(request, f"Person {person.pk}: their details were removed.")
            else:
                refuse_erasure(
                    person, reason=form.cleaned_data["reason"], by=request.user, request=request
                )
                messages.success(request, f"Person {person.pk}: the refusal was recorded.")
            return redirect(back)
        except ValidationError as error:
            form.add_error(None, error)
    return TemplateResponse(
        request,
        "admin/privacy/erasure.html",
        _context(
            request,
            person,
            f"Request to erase person {person.pk}",
            form=form,
            done=done,
            refusals=person.erasure_refusals.select_related("refused_by"),
            back=back,
        ),
    )


# The pages added to a person's admin page, as (route, view, URL name in the admin namespace).
PERSON_ADMIN_PAGES = [
    ("<int:pk>/subject-access/", subject_access, "incidents_affectedperson_subject_access"),
    ("<int:pk>/erasure/", erasure, "incidents_affectedperson_erasure"),
]
