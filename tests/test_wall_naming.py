"""The confidentiality wall against a determined insider (issue 13, findings 1 and 6).

Finding 1 (un-naming): a supervisor named on a review, and so kept from its people's notes,
took their own name off the review, read the notes, and put it back. Now only the review's lead
investigator and administrators change who is named, every change is audited with who was
added and removed, and anyone ever named stays barred.

Finding 6 (across organisations): a supervisor in one organisation read the notes about a
person of another organisation whose supporter serves both. Now a supporter has a supervisor
for each organisation, and only the one for the person's organisation reads the notes.
"""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services as review_services
from incidents.access import ever_named_on, reviews_ever_named
from incidents.models import NamingRole, ReviewNaming
from peersupport import outbox
from peersupport.models import AuditEvent, Message
from peersupport.roles import Role
from supporters import services as support
from supporters.access import may_read_note, supervised_supporters
from supporters.matching import shortlist
from supporters.models import SupervisorAssignment, SupportOffer
from supporters.practice import services as practice
from tests.factories import (
    AffectedPersonFactory,
    PeerSupporterFactory,
    ReviewFactory,
    TeamMemberFactory,
)

pytestmark = pytest.mark.django_db

NOTE = "Pangolin-note-9043: dreading the inquest"


def _supervises(supporter, user):
    """`user` becomes the supporter's supervisor, for the user's own organisation."""
    supporter.supervisor = user
    supporter.save()
    SupervisorAssignment.objects.update_or_create(
        supporter=supporter,
        organisation=user.team_membership.organisation,
        defaults={"supervisor": user},
    )


def _active_offer(person, supporter):
    """Support under way, made directly so no eligibility rule is in the way of the scene."""
    return SupportOffer.objects.create(person=person, supporter=supporter, status="active")


def _contact(offer, note=NOTE):
    return practice.record_contact(
        offer,
        offer.supporter,
        happened_on=timezone.localdate(),
        mode="phone",
        minutes=30,
        topics=["emotional"],
        note=note,
    )


def _edit_data(review, **overrides):
    data = {
        "reference": review.reference,
        "incident_date_day": review.incident_date.day,
        "incident_date_month": review.incident_date.month,
        "incident_date_year": review.incident_date.year,
        "reported_date_day": review.reported_date.day,
        "reported_date_month": review.reported_date.month,
        "reported_date_year": review.reported_date.year,
        "service": review.service_id,
        "category": review.category,
        "response_type": review.response_type,
        "harm_level": review.harm_level,
        "lead_investigator": review.lead_investigator_id,
        "team_members": list(review.team_members.values_list("pk", flat=True)),
        "summary": review.summary,
    }
    data.update(overrides)
    return data


def _supervisee_page(client_for, user, supporter):
    return client_for(user).get(reverse("oversight:supervisee", args=[supporter.pk]))


@pytest.fixture
def una(make_user, organisation):
    """A team member of the organisation: a supervisor, and named on the review below."""
    user = make_user(Role.TEAM, "una.named@example.org", first_name="Una")
    TeamMemberFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def scene(review, una, make_supporter):
    """Una supervises a supporter of one of the review's people and is a named team member."""
    review_services.save_review(review, by=review.lead_investigator, team_members=[una])
    supporter = make_supporter("sam.supporter@example.org", first_name="Sam")
    _supervises(supporter, una)
    person = AffectedPersonFactory(review=review, full_name="Joan Whitfield")
    offer = _active_offer(person, supporter)
    _contact(offer)
    return {"supporter": supporter, "offer": offer, "review": review}


# Finding 1: un-naming ----------------------------------------------------------------------


def test_finding_1_a_named_team_member_cannot_take_their_own_name_off_the_review(
    client_for, una, scene
):
    review = scene["review"]
    client = client_for(una)
    assert NOTE not in _supervisee_page(client_for, una, scene["supporter"]).content.decode()

    response = client.post(
        reverse("incidents:review_edit", args=[review.pk]),
        _edit_data(review, team_members=[]),
        follow=True,
    )

    assert response.status_code == 200
    assert list(review.team_members.all()) == [una]
    assert "Only the lead investigator or an administrator can change who is named" in (
        response.content.decode()
    )
    assert NOTE not in _supervisee_page(client_for, una, scene["supporter"]).content.decode()


def test_finding_1_once_named_a_supervisor_never_reads_the_notes_even_when_un_named(
    client_for, team_user, una, scene
):
    review = scene["review"]
    # The lead investigator (who may) takes Una's name off the review.
    response = client_for(team_user).post(
        reverse("incidents:review_edit", args=[review.pk]), _edit_data(review, team_members=[])
    )
    assert response.status_code == 302
    assert not review.team_members.exists()

    html = _supervisee_page(client_for, una, scene["supporter"]).content.decode()
    assert NOTE not in html
    assert "Note hidden: you are or were named on this person's review" in html
    assert not may_read_note(una, scene["offer"].contacts.get())


def test_finding_1_the_audit_row_says_who_was_added_and_removed(
    client_for, team_user, una, review, make_user, organisation
):
    cal = make_user(Role.TEAM, "cal.colleague@example.org", first_name="Cal")
    TeamMemberFactory(user=cal, organisation=organisation)
    review_services.save_review(review, by=team_user, team_members=[una])

    client_for(team_user).post(
        reverse("incidents:review_edit", args=[review.pk]),
        _edit_data(review, team_members=[cal.pk], lead_investigator=cal.pk),
    )

    event = AuditEvent.objects.filter(action="review.changed").latest("pk")

    def named(rows):
        return sorted((row["user"], row["role"]) for row in rows)

    assert named(event.detail["added"]) == [(cal.pk, "lead"), (cal.pk, "team_member")]
    assert named(event.detail["removed"]) == sorted(
        [(team_user.pk, "lead"), (una.pk, "team_member")]
    )
    assert event.detail["fields"] == ["lead_investigator"]
    history = ReviewNaming.objects.filter(review=review)
    assert history.current().filter(user=cal).count() == 2
    assert history.filter(user=una, removed_at__isnull=False, removed_by=team_user).exists()
    assert history.filter(user=team_user, role=NamingRole.LEAD, removed_by=team_user).exists()


def test_an_edit_that_names_nobody_new_says_so_in_the_audit(client_for, team_user, review):
    client_for(team_user).post(
        reverse("incidents:review_edit", args=[review.pk]),
        _edit_data(review, summary="A shorter summary."),
    )
    event = AuditEvent.objects.filter(action="review.changed").latest("pk")
    assert "summary" in event.detail["fields"]
    assert "added" not in event.detail and "removed" not in event.detail


def test_a_team_member_who_is_not_the_lead_is_not_offered_the_naming_fields(
    client_for, una, review
):
    html = client_for(una).get(reverse("incidents:review_edit", args=[review.pk]))
    html = html.content.decode()
    assert 'name="team_members"' not in html
    assert 'name="lead_investigator"' not in html
    assert "Only the lead investigator or an administrator can change who is named" in html


def test_a_forged_post_cannot_make_another_team_member_the_lead(client_for, una, review, team_user):
    response = client_for(una).post(
        reverse("incidents:review_edit", args=[review.pk]),
        _edit_data(review, lead_investigator=una.pk, summary="Changed by Una."),
        follow=True,
    )
    review.refresh_from_db()
    assert review.lead_investigator == team_user
    assert review.summary == "Changed by Una."  # the rest of the edit is theirs to make
    assert "Who is named was not changed" in response.content.decode()


def test_the_service_refuses_a_naming_change_by_anyone_but_the_lead_or_an_administrator(
    una, review
):
    with pytest.raises(PermissionDenied):
        review_services.save_review(review, by=una, team_members=[una])
    assert not review.team_members.exists()


def test_the_lead_investigator_may_change_who_is_named(client_for, team_user, una, review):
    response = client_for(team_user).post(
        reverse("incidents:review_edit", args=[review.pk]),
        _edit_data(review, team_members=[una.pk]),
    )
    assert response.status_code == 302
    assert list(review.team_members.all()) == [una]


def test_an_administrator_may_change_who_is_named(admin_user, una, review):
    review_services.save_review(review, by=admin_user, team_members=[una])
    assert list(review.team_members.all()) == [una]
    assert ReviewNaming.objects.current().filter(review=review, user=una).exists()


def test_ever_named_covers_the_lead_the_team_and_the_history(team_user, una, review):
    assert ever_named_on(team_user, review)
    assert not ever_named_on(una, review)
    review_services.save_review(review, by=team_user, team_members=[una])
    review_services.save_review(review, by=team_user, team_members=[])
    assert ever_named_on(una, review)
    assert list(reviews_ever_named(una)) == [review]


def test_naming_a_review_alerts_the_team_when_a_supporter_is_left_without_a_supervisor(
    team_user, una, review, make_supporter, make_user, organisation
):
    supporter = make_supporter("sam.supporter@example.org", first_name="Sam")
    _supervises(supporter, una)
    offer = _active_offer(AffectedPersonFactory(review=review), supporter)
    review_services.save_review(review, by=team_user, team_members=[])
    assert not Message.objects.filter(kind="supervisor_needed").exists()

    review_services.save_review(review, by=team_user, team_members=[una])

    alerts = Message.objects.filter(kind="supervisor_needed", cause_id=str(offer.pk))
    assert {m.user for m in alerts} >= {team_user, una}
    assert {m.channel for m in alerts} == {"in_app", "email"}
    assert "has no supervisor who may read their notes" in _alert_text(alerts)
    # Once someone who may read the notes is named, the alert is no longer needed.
    cal = _team(make_user, organisation, "cal.colleague@example.org")
    support.name_supervisor(supporter, organisation, cal, by=team_user)
    outbox.sweep()
    assert set(alerts.values_list("status", flat=True)) == {"cancelled"}


def _alert_text(messages):
    from django.template.loader import render_to_string

    from peersupport.channels import _one_line
    from supporters.messages import _supervisor_needed_context

    message = messages.first()
    return _one_line(
        render_to_string(
            "messages/supervisor_needed-alert.txt", _supervisor_needed_context(message)
        )
    )


def _team(make_user, organisation, email, first_name="Tom"):
    user = make_user(Role.TEAM, email, first_name=first_name)
    TeamMemberFactory(user=user, organisation=organisation)
    return user


# Finding 6: across organisations -----------------------------------------------------------


@pytest.fixture
def two_organisations(make_user, organisation, other_organisation):
    """Eleri serves both organisations. Ann supervises her for the first, Bryn for the second;
    Dee, of the second organisation's team, supports someone of the second organisation."""
    ann = _team(make_user, organisation, "ann.supervisor@example.org", "Ann")
    bryn = _team(make_user, other_organisation, "bryn.supervisor@example.org", "Bryn")
    eleri = PeerSupporterFactory(
        user=make_user(Role.SUPPORTER, "eleri@example.org", first_name="Eleri"),
        organisations=[organisation, other_organisation],
    )
    _supervises(eleri, ann)
    SupervisorAssignment.objects.create(
        supporter=eleri, organisation=other_organisation, supervisor=bryn
    )
    person = AffectedPersonFactory(
        review=ReviewFactory(organisation=other_organisation), full_name="Gwen Morgan"
    )
    offer = _active_offer(person, eleri)
    _contact(offer)
    return {"ann": ann, "bryn": bryn, "eleri": eleri, "offer": offer}


def test_finding_6_a_supervisor_never_reads_notes_about_another_organisations_person(
    client_for, two_organisations
):
    ann, eleri = two_organisations["ann"], two_organisations["eleri"]
    response = _supervisee_page(client_for, ann, eleri)
    assert response.status_code == 200  # Ann is still Eleri's supervisor
    html = response.content.decode()
    assert NOTE not in html
    assert "Gwen Morgan" not in html
    assert not may_read_note(ann, two_organisations["offer"].contacts.get())


def test_the_supervisor_for_the_persons_organisation_reads_the_note(client_for, two_organisations):
    bryn, eleri = two_organisations["bryn"], two_organisations["eleri"]
    assert eleri in supervised_supporters(bryn)
    html = _supervisee_page(client_for, bryn, eleri).content.decode()
    assert NOTE in html


def test_the_supervisor_for_the_organisation_is_still_barred_once_named_on_the_review(
    client_for, two_organisations
):
    bryn, offer = two_organisations["bryn"], two_organisations["offer"]
    review = offer.person.review
    review_services.save_review(review, by=review.lead_investigator, team_members=[bryn])
    review_services.save_review(review, by=review.lead_investigator, team_members=[])
    html = _supervisee_page(client_for, bryn, two_organisations["eleri"]).content.decode()
    assert NOTE not in html


def test_a_supervisor_who_moves_to_another_organisations_team_no_longer_reads_the_note(
    two_organisations, organisation
):
    bryn = two_organisations["bryn"]
    bryn.team_membership.organisation = organisation
    bryn.team_membership.save()
    assert not may_read_note(bryn, two_organisations["offer"].contacts.get())


def test_the_team_names_the_supervisor_for_its_own_organisation(
    client_for, two_organisations, other_organisation, make_user, other_team_user
):
    eleri = two_organisations["eleri"]
    carys = _team(make_user, other_organisation, "carys@example.org", "Carys")
    url = reverse("supporters:supporter_supervisors", args=[eleri.pk])
    client = client_for(other_team_user)
    page = client.get(url).content.decode()
    assert "Supervisor for Westvale University Health Board" in page
    assert "Northshire NHS Foundation Trust" in page  # her other organisation: named or not

    response = client.post(url, {"supervisor": carys.pk})

    assert response.status_code == 302
    assignment = SupervisorAssignment.objects.get(supporter=eleri, organisation=other_organisation)
    assert assignment.supervisor == carys
    event = AuditEvent.objects.get(action="supporter.supervisor_named")
    assert event.detail == {
        "organisation": other_organisation.pk,
        "supervisor": carys.pk,
        "previous": two_organisations["bryn"].pk,
    }
    # Ann's naming for the first organisation is untouched.
    assert (
        SupervisorAssignment.objects.get(
            supporter=eleri, organisation__name="Northshire NHS Foundation Trust"
        ).supervisor
        == two_organisations["ann"]
    )


def test_the_team_cannot_name_a_supervisor_from_another_organisations_team(
    client_for, two_organisations, other_team_user
):
    eleri = two_organisations["eleri"]
    url = reverse("supporters:supporter_supervisors", args=[eleri.pk])
    response = client_for(other_team_user).post(url, {"supervisor": two_organisations["ann"].pk})
    assert response.status_code == 200
    assert "Select a member of Westvale University Health Board" in response.content.decode()
    with pytest.raises(ValidationError):
        support.name_supervisor(
            eleri,
            eleri.organisations.get(name__startswith="Westvale"),
            two_organisations["ann"],
            by=other_team_user,
        )


def test_removing_the_supervisor_for_an_organisation_alerts_its_team(
    client_for, two_organisations, other_team_user
):
    eleri = two_organisations["eleri"]
    url = reverse("supporters:supporter_supervisors", args=[eleri.pk])
    client_for(other_team_user).post(url, {"supervisor": ""})
    assert not SupervisorAssignment.objects.filter(
        supporter=eleri, organisation__name__startswith="Westvale"
    ).exists()
    alerted = Message.objects.filter(kind="supervisor_needed").values_list("user", flat=True)
    assert other_team_user.pk in set(alerted)
    assert two_organisations["ann"].pk not in set(alerted)  # not her organisation's person


def test_a_supporter_without_a_supervisor_for_the_organisation_is_not_shortlisted(
    two_organisations, other_organisation
):
    person = AffectedPersonFactory(review=ReviewFactory(organisation=other_organisation))
    SupervisorAssignment.objects.filter(organisation=other_organisation).delete()
    _, excluded = shortlist(person)
    reasons = {e.supporter: e.why for e in excluded}
    assert (
        "No supervisor named for Westvale University Health Board"
        in reasons[two_organisations["eleri"]]
    )


# Where the history and the supervisors began ------------------------------------------------


def _migration(app, name):
    return importlib.import_module(f"{app}.migrations.{name}")


def test_the_naming_history_starts_from_who_is_named_and_who_was_before(
    team_user, una, review, make_user, organisation
):
    cal = _team(make_user, organisation, "cal.colleague@example.org", "Cal")
    review.team_members.add(una, cal)  # before the history: only simple-history saw this
    review.team_members.remove(una)
    ReviewNaming.objects.all().delete()

    _migration("incidents", "0008_review_naming_history").seed(apps, None)

    current = set(ReviewNaming.objects.current().values_list("user", "role"))
    assert current == {(team_user.pk, "lead"), (cal.pk, "team_member")}
    assert ReviewNaming.objects.get(user=una).removed_at is not None
    assert ever_named_on(una, review)


def test_supervisors_are_seeded_only_for_the_supervisors_own_organisation(
    make_user, organisation, other_organisation
):
    ann = _team(make_user, organisation, "ann.supervisor@example.org", "Ann")
    eleri = PeerSupporterFactory(organisations=[organisation, other_organisation], supervisor=ann)

    _migration("supporters", "0006_supervisor_per_organisation").seed(apps, None)

    assert list(
        SupervisorAssignment.objects.filter(supporter=eleri).values_list(
            "organisation", "supervisor"
        )
    ) == [(organisation.pk, ann.pk)]


def test_the_privacy_notice_says_who_reads_the_notes(client):
    page = client.get(reverse("public:privacy")).content.decode()
    assert "Only they and their supervisor for your NHS body can read it" in page
    assert "no one who is or ever was named in the review can read it" in page


def test_an_existing_privacy_notice_is_reworded_unless_an_administrator_changed_it():
    from peersupport.models import PublicPage
    from peersupport.public_page_defaults import PRIVACY

    migration = _migration("supporters", "0007_privacy_notice_supervisor_per_organisation")
    old = PRIVACY
    for before, after in migration.REPLACEMENTS:
        old = old.replace(after, before)
    page = PublicPage.objects.get(slug="privacy")
    page.body = old
    page.save()
    migration.reword(apps, None)
    page.refresh_from_db()
    assert page.body == PRIVACY
