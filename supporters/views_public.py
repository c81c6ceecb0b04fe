"""The public pages about peer support (no login): for staff (public:about) and for bereaved
families and service users (public:families, its guides and the public resource library).
They live with the supporters because they list them; their URLs are in the "public" namespace.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from incidents.selectors import phone_numbers
from supporters.models import PeerSupporter, Pool, Resource, SignpostService, SupporterStatus
from supporters.public_profiles import shown_to_families

# The plain guides to a learning review, in the order a family meets each stage. Each has a
# template, public/guides/<slug>.html.
GUIDES = {
    "terms-of-reference": (
        "What the review will look at",
        "The questions the review will try to answer, and how you can add yours.",
    ),
    "your-account": (
        "Telling the review what happened",
        "How you can tell the review team what you saw and what matters to you.",
    ),
    "draft-report": (
        "Reading the draft report",
        "What the draft is, how long you have to read it, and how to say what is missing.",
    ),
    "final-meeting": (
        "The last meeting",
        "When the team goes through the report with you, and what happens next.",
    ),
    "inquest": (
        "If there is an inquest",
        "What an inquest is, what happens on the day, and where to get free advice.",
    ),
}


def public_supporters() -> list[dict]:
    """Active supporters who chose to share a first name: that name and their role, nothing else.

    Grouped by pool (staff peers first). Reads only the shared fields, never the user's name.
    """
    rows = (
        # scoped: the public fields of active supporters who chose to share them
        PeerSupporter.objects.filter(status=SupporterStatus.ACTIVE, user__is_active=True)
        .exclude(public_first_name="")
        .order_by("public_first_name", "pk")
        .values_list("pool", "public_first_name", "public_role")
    )
    groups = {Pool.STAFF: [], Pool.LIVED_EXPERIENCE: []}
    for pool, first_name, role in rows:
        groups.setdefault(pool, []).append({"first_name": first_name, "role": role})
    titles = {
        Pool.STAFF: "Staff peer supporters",
        Pool.LIVED_EXPERIENCE: "Peer supporters for families, carers and patients",
    }
    return [
        {"title": titles.get(pool, "Peer supporters"), "people": people}
        for pool, people in groups.items()
        if people
    ]


@login_not_required
@require_safe
def about(request):
    """What peer support is, who the supporters are, how to ask, and what to do in an emergency."""
    return render(
        request,
        "public/about.html",
        {"supporter_groups": public_supporters(), "phone_numbers": phone_numbers()},
    )


def _guides():
    return [
        {"slug": slug, "title": title, "summary": summary}
        for slug, (title, summary) in GUIDES.items()
    ]


@login_not_required
@require_safe
def families(request):
    """Peer support for bereaved families and service users, in plain English."""
    return render(
        request,
        "public/families.html",
        {
            "guides": _guides(),
            "supporters": shown_to_families(),
            "phone_numbers": phone_numbers(),
        },
    )


@login_not_required
@require_safe
def family_guide(request, slug):
    """One stage of a learning review, and where peer support fits."""
    if slug not in GUIDES:
        raise Http404
    guides = _guides()
    index = list(GUIDES).index(slug)
    return render(
        request,
        f"public/guides/{slug}.html",
        {
            "guide": guides[index],
            "previous": guides[index - 1] if index else None,
            "next": guides[index + 1] if index + 1 < len(guides) else None,
            "phone_numbers": phone_numbers(),
        },
    )


@login_not_required
@require_safe
def resources(request):
    """Tier 0 for anyone: self-help, the family guides and other services. The supporters'
    pack needs a login (practice:resources)."""
    public = Resource.objects.exclude(kind=Resource.Kind.SUPPORTER_PACK)
    return render(
        request,
        "public/resources.html",
        {
            "guides": _guides(),
            "family_guides": public.filter(kind=Resource.Kind.FAMILY_GUIDE),
            "self_help": public.filter(kind=Resource.Kind.SELF_HELP),
            "services": SignpostService.objects.filter(for_families=True),
        },
    )
