"""Public pages anyone can read without logging in, and the team's page for a request for support.

The public pages say nothing about any person: supporters appear by the first name and role they
chose to share, and the thank-you page never repeats what was sent.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from incidents import selectors
from incidents.forms_public import ConvertReferralForm, FamilyRequestForm, ReferralForm
from incidents.models import AffectedPerson, Organisation, SelfReferral
from incidents.referrals import convert_referral, submit_referral
from peersupport import audit, ratelimit
from peersupport.access import role_required
from peersupport.forms import posted
from peersupport.models import PublicPage
from peersupport.public_page_defaults import DEFAULTS as PAGE_DEFAULTS
from peersupport.roles import Role

# Requests accepted from one address in an hour. Staff on one hospital network may share an
# address, so this is generous for people and still stops a script; settings may change it.
REFERRALS = ratelimit.Rule("referral", setting="REFERRALS_PER_HOUR", default=5)


# Public pages ----------------------------------------------------------------------------------


def _request_form(request, form_class, template, thanks):
    """A public form to ask for support. A robot that fills in the hidden box sees the thank-you
    page; nothing is saved. Past the hourly limit for an address (one count for both forms),
    the page asks people to phone instead."""
    organisations = list(Organisation.objects.order_by("name"))
    form = form_class(posted(request), organisations=organisations)
    if request.method == "POST" and organisations:
        attempt = ratelimit.hit(request, REFERRALS)
        if not attempt.allowed:
            return render(
                request,
                "public/referral_limited.html",
                {"phone_numbers": selectors.phone_numbers()},
                status=429,
            )
        if form.is_robot:
            return redirect(thanks)
        if form.is_valid():
            submit_referral(**form.referral_data())
            return redirect(thanks)
        attempt.give_back()  # a form sent back with mistakes does not count
    return render(
        request,
        template,
        {
            "form": form,
            "available": bool(organisations),
            "phone_numbers": selectors.phone_numbers(),
        },
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def referral_form(request):
    """A member of staff asks for support."""
    return _request_form(
        request, ReferralForm, "public/referral_form.html", "public:referral_thanks"
    )


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def family_request(request):
    """A family member, carer or service user asks for a supporter."""
    return _request_form(
        request, FamilyRequestForm, "public/family_request.html", "public:family_request_thanks"
    )


@login_not_required
@require_safe
def family_request_thanks(request):
    """Says the same whatever was sent: never that a review or a person exists."""
    return render(
        request, "public/family_request_thanks.html", {"phone_numbers": selectors.phone_numbers()}
    )


@login_not_required
@require_safe
def referral_thanks(request):
    return render(
        request, "public/referral_thanks.html", {"phone_numbers": selectors.phone_numbers()}
    )


def public_page(slug: str) -> PublicPage:
    """The page as administrators wrote it; restored from the defaults if its row is gone."""
    page = PublicPage.objects.filter(slug=slug).first()
    if page is None:
        title, body = PAGE_DEFAULTS[slug]
        page, _ = PublicPage.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": body}
        )
    return page


def page_blocks(body: str) -> list[dict]:
    """Plain text into headings ("## "), bulleted lists ("- ") and paragraphs, so the template
    can render it with the NHS styles while escaping everything an administrator typed."""
    blocks = []
    for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in chunk.split("\n") if line.strip()]
        if len(lines) == 1 and lines[0].startswith("## "):
            blocks.append({"kind": "heading", "text": lines[0][3:].strip()})
            continue
        current = None
        for line in lines:
            kind = "list" if line.startswith("- ") else "paragraph"
            if current is None or current["kind"] != kind:
                current = {"kind": kind, "lines": []}
                blocks.append(current)
            current["lines"].append(line[2:].strip() if kind == "list" else line)
    for block in blocks:
        if block["kind"] == "paragraph":
            block["text"] = "\n".join(block.pop("lines"))
        elif block["kind"] == "list":
            block["items"] = block.pop("lines")
    return blocks


def _render_page(request, slug):
    page = public_page(slug)
    return render(request, "public/page.html", {"page": page, "blocks": page_blocks(page.body)})


@login_not_required
@require_safe
def privacy(request):
    return _render_page(request, PublicPage.PRIVACY)


@login_not_required
@require_safe
def accessibility(request):
    return _render_page(request, PublicPage.ACCESSIBILITY)


# The team's page for a request -----------------------------------------------------------------


def get_referral_for_user(user, pk) -> SelfReferral:
    """A request for the team user's own organisation, or 404."""
    return get_object_or_404(
        SelfReferral.objects.for_user(user).select_related(
            "organisation", "review", "converted_by", "converted_person", "closed_by"
        ),
        pk=pk,
    )


@role_required(Role.TEAM)
@require_http_methods(["GET", "HEAD", "POST"])
def referral_detail(request, pk):
    """The request, and its two actions: add them as a person affected (or link a family's
    request to someone on a review) and offer support, or close it with a reason
    (incidents:referral_close)."""
    referral = get_referral_for_user(request.user, pk)
    if request.method == "POST" and referral.is_converted:
        messages.info(request, "This request has already been added.")
        return redirect("public:referral_detail", pk=referral.pk)
    if request.method == "POST" and referral.closed_at is not None:
        messages.info(request, "This request has been closed, so it cannot be added.")
        return redirect("public:referral_detail", pk=referral.pk)
    form = ConvertReferralForm(posted(request), user=request.user, referral=referral)
    if request.method == "POST" and form.is_valid():
        try:
            person = convert_referral(
                referral,
                by=request.user,
                review=form.cleaned_data["review"],
                person=form.cleaned_data.get("person"),
                request=request,
            )
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            linked = form.cleaned_data.get("person") is not None
            messages.success(
                request,
                f"Request linked to {person.full_name}. Their offer of support needs a supporter."
                if linked
                else f"{person.full_name} added. Their offer of support needs a supporter.",
            )
            return redirect("incidents:person_detail", pk=person.pk)
    if request.method != "POST":
        audit.record("referral.viewed", request=request, obj=referral)
    person_visible = (
        referral.is_converted
        and AffectedPerson.objects.visible_to(request.user)
        .filter(pk=referral.converted_person_id)
        .exists()
    )
    return render(
        request,
        "incidents/referral_detail.html",
        {"referral": referral, "form": form, "person_visible": person_visible},
    )
