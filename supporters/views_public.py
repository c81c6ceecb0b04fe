"""The public page about peer support (no login): what it is, who the supporters are, how to
ask. It lives with the supporters because it lists them; its URL stays public:about."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from incidents.selectors import phone_numbers
from supporters.models import PeerSupporter, Pool, SupporterStatus


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
