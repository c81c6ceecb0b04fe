"""The confidentiality wall: a contact note is readable only by its writer and the writer's
named supervisor, never by anyone named on the person's review (even if they supervise).

A known note is written, then every page reachable by following links as each persona (and
every URL in the access table) is fetched and searched for it. The supervisor who is not named
on the review must find it: the control that proves the search can fail.
"""

import re
from collections import deque

import pytest
from django.urls import reverse

from peersupport.roles import Role
from supporters import services
from supporters.practice import services as practice
from tests.access_table import ACCESS, POST_ONLY, URL_KWARGS
from tests.factories import TeamMemberFactory

NOTE = "Zebra-crossing-note-7731"
OTHER_NOTE = "Okapi-note-4417"
# The person's own subject access export, made by an administrator, is the one place a note
# may appear (it holds everything about them); it is skipped here and tested on its own.
SKIP = re.compile(
    r"logout|/delete/|/password/|/2fa/|/subject-access/|\.(css|js|png|svg|ico)$|/static/"
)
LINK = re.compile(r'href="(/[^"#]*)"')


def crawl(client, start_urls, limit=400):
    """Fetch every internal page reachable from start_urls; return {url: html}."""
    seen, pages, queue = set(), {}, deque(start_urls)
    while queue and len(seen) < limit:
        url = queue.popleft().replace("&amp;", "&")
        if url in seen or SKIP.search(url):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        queue.extend(link for link in LINK.findall(html) if link not in seen)
    return pages


@pytest.fixture
def wall(team_user, organisation, review, consenting_person, make_supporter, make_user):
    """Two supporters of the same person's review: one supervised by the review's own lead
    investigator (who must still not read the note), one by an uninvolved supervisor."""
    supervisor = make_user(Role.TEAM, "uninvolved.supervisor@example.org", first_name="Una")
    TeamMemberFactory(user=supervisor, organisation=organisation)
    supervised_by_lead = make_supporter(
        "by.lead@example.org", first_name="Lee", supervisor=team_user
    )
    supervised_by_other = make_supporter(
        "by.other@example.org", first_name="Oli", supervisor=supervisor
    )
    offer = consenting_person.offers.get()
    offer = services.assign_supporter(offer, supervised_by_lead, by=team_user, via="phone")
    services.record_answer(offer, "accepted", by=team_user)
    practice.record_contact(
        offer,
        supervised_by_lead,
        happened_on=review.reported_date,
        mode="phone",
        minutes=30,
        topics=["emotional"],
        note=NOTE,
    )
    second = services.reassign(offer, supervised_by_other, by=team_user)
    practice.record_contact(
        second,
        supervised_by_other,
        happened_on=review.reported_date,
        mode="phone",
        minutes=20,
        topics=["emotional"],
        note=OTHER_NOTE,
    )
    return {
        "supervisor": supervisor,
        "lead_supporter": supervised_by_lead,
        "other": supervised_by_other,
        "person": consenting_person,
        "offer": second,
    }


def _table_urls(world):
    urls = []
    for name in ACCESS:
        if name in POST_ONLY:
            continue
        try:
            urls.append(
                reverse(name, kwargs=URL_KWARGS[name](world) if name in URL_KWARGS else None)
            )
        except Exception:  # noqa: S112 - a row whose objects this world lacks is crawled anyway
            continue
    return urls


class _World:
    def __init__(self, wall, review):
        self.review = review
        self.person = wall["person"]
        self.waiting_person = wall["person"]
        self.supporter = wall["other"]
        self.offer = wall["offer"]
        self.milestone = None


@pytest.mark.django_db
def test_no_page_shows_a_note_to_the_team_managers_administrators_or_a_named_supervisor(
    wall, team_user, review, make_user, client_for
):
    world = _World(wall, review)
    start = [
        "/",
        "/team/",
        "/reviews/",
        f"/reviews/{review.pk}/",
        f"/people/{wall['person'].pk}/",
        "/supporters/",
        "/dashboard/",
        "/alerts/",
        "/admin/",
        "/supervision/",
        "/concerns/",
        *_table_urls(world),
    ]
    plain = make_user(Role.TEAM, "plain.member@example.org", first_name="Pip")
    TeamMemberFactory(user=plain, organisation=review.organisation)
    person_page = f"/people/{wall['person'].pk}/"
    for label, user, at_least in [
        ("lead investigator who supervises the writer", team_user, 20),
        ("team member who is neither lead nor supervisor", plain, 20),
        ("manager", make_user(Role.MANAGER), 3),
        ("administrator", make_user(Role.ADMINISTRATOR), 20),
    ]:
        pages = crawl(client_for(user), start)
        assert len(pages) >= at_least, (label, sorted(pages))
        if user in (team_user, plain):
            assert person_page in pages, label  # the crawl reached the person's own page
        leaks = [url for url, html in pages.items() if NOTE in html or OTHER_NOTE in html]
        assert leaks == [], f"{label} can read a note at {leaks}"


@pytest.mark.django_db
def test_the_admin_contact_pages_never_show_the_note(wall, make_user, client_for):
    from supporters.models import Contact

    client = client_for(make_user(Role.ADMINISTRATOR))
    admin_pages = crawl(client, ["/admin/supporters/contact/"])
    written = Contact.objects.get(note=NOTE)
    change = reverse("admin:supporters_contact_change", args=[written.pk])
    history = reverse("admin:supporters_contact_history", args=[written.pk])
    assert change in admin_pages, sorted(admin_pages)
    for url in (change, history):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert NOTE not in html, url
        assert OTHER_NOTE not in html, url
    # The control: the change page is the contact's own, showing what the team may see.
    assert "<title>Contact on " in admin_pages[change]
    assert "emotional" in admin_pages[change].lower()
    leaks = [url for url, html in admin_pages.items() if NOTE in html or OTHER_NOTE in html]
    assert leaks == []


@pytest.mark.django_db
def test_the_writer_and_the_uninvolved_supervisor_can_read_their_notes(wall, client_for):
    from supporters.access import may_read_note
    from supporters.models import Contact

    written = Contact.objects.get(note=NOTE)
    other = Contact.objects.get(note=OTHER_NOTE)
    assert may_read_note(wall["lead_supporter"].user, written)
    assert may_read_note(wall["supervisor"], other)
    assert not may_read_note(wall["supervisor"], written)
    pages = crawl(client_for(wall["supervisor"]), ["/supervision/"])
    assert any(OTHER_NOTE in html for html in pages.values()), (
        "the control: the search must find a note"
    )
