from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.forms import ConsentForm, PersonForm, ReviewForm
from incidents.models import (
    AffectedPerson,
    Consent,
    ConsentRecord,
    Review,
    ReviewStatus,
    ReviewStatusChange,
)
from incidents.selectors import work_queue_for
from peersupport.models import AuditEvent
from tests.factories import AffectedPersonFactory, ReviewFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def review_data(service, lead, **overrides):
    today = TODAY()
    data = {
        "reference": "LR-2026-001",
        "incident_date_day": (today - timedelta(days=3)).day,
        "incident_date_month": (today - timedelta(days=3)).month,
        "incident_date_year": (today - timedelta(days=3)).year,
        "reported_date_day": (today - timedelta(days=1)).day,
        "reported_date_month": (today - timedelta(days=1)).month,
        "reported_date_year": (today - timedelta(days=1)).year,
        "service": service.pk,
        "category": "suicide",
        "response_type": "psii",
        "harm_level": "death",
        "lead_investigator": lead.pk,
        "summary": "Suspected suicide of a person under the care of the community team.",
    }
    data.update(overrides)
    return data


def test_team_user_logs_a_review_with_deadlines_status_row_and_audit(
    client_for, team_user, service
):
    response = client_for(team_user).post(
        reverse("incidents:review_create"), review_data(service, team_user)
    )
    assert response.status_code == 302
    review = Review.objects.get(reference="LR-2026-001")
    assert review.organisation == service.organisation
    assert review.candour_due_on is not None
    assert (
        ReviewStatusChange.objects.filter(review=review, to_status=ReviewStatus.LOGGED).count() == 1
    )
    assert AuditEvent.objects.filter(action="review.created", object_id=str(review.pk)).exists()
    assert review.history.count() == 1


def test_duplicate_reference_in_the_same_organisation_is_refused(
    client_for, team_user, service, review
):
    response = client_for(team_user).post(
        reverse("incidents:review_create"),
        review_data(service, team_user, reference=review.reference.lower()),
    )
    assert response.status_code == 200
    assert "already exists in your organisation" in response.content.decode()
    assert Review.objects.filter(reference__iexact=review.reference).count() == 1


def test_same_reference_in_another_organisation_is_allowed(other_team_user, review):
    ReviewFactory(
        organisation=other_team_user.team_membership.organisation, reference=review.reference
    )


def test_incident_date_in_the_future_and_reported_before_incident_are_refused(team_user, service):
    tomorrow = TODAY() + timedelta(days=1)
    form = ReviewForm(
        review_data(
            service,
            team_user,
            incident_date_day=tomorrow.day,
            incident_date_month=tomorrow.month,
            incident_date_year=tomorrow.year,
        ),
        organisation=service.organisation,
    )
    assert not form.is_valid()
    assert form.errors["incident_date"] == ["Date of the incident must be today or in the past"]
    earlier = TODAY() - timedelta(days=10)
    form = ReviewForm(
        review_data(
            service,
            team_user,
            reported_date_day=earlier.day,
            reported_date_month=earlier.month,
            reported_date_year=earlier.year,
        ),
        organisation=service.organisation,
    )
    assert not form.is_valid()
    assert "same as or after the date of the incident" in form.errors["reported_date"][0]


def test_lead_investigator_must_be_a_team_user_of_the_organisation(
    team_user, other_team_user, service
):
    form = ReviewForm(review_data(service, other_team_user), organisation=service.organisation)
    assert not form.is_valid()
    assert "lead_investigator" in form.errors


def person_data(**overrides):
    data = {
        "kind": "family",
        "relationship": "Mother",
        "bereaved": "on",
        "full_name": "  Ann   Hughes ",
        "email": "Ann.Hughes@Example.com",
        "phone": "07700 900 982",
        "preferred_channel": "email",
        "language": "English",
    }
    data.update(overrides)
    return data


def test_person_form_normalises_phone_and_email_and_name():
    form = PersonForm(person_data())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+447700900982"
    assert form.cleaned_data["email"] == "ann.hughes@example.com"
    assert form.cleaned_data["full_name"] == "Ann Hughes"


@pytest.mark.parametrize(
    "phone", ["12345", "0770090098", "not a number", "+1 202 555 0100", "020 7946 0123 ext 4"]
)
def test_person_form_refuses_a_bad_phone_number(phone):
    form = PersonForm(person_data(phone=phone))
    assert not form.is_valid()
    assert form.errors["phone"][0].startswith("Enter a UK phone number")


def test_person_form_refuses_a_bad_email_and_needs_the_preferred_channel_details():
    assert "email" in PersonForm(person_data(email="ann@")).errors
    form = PersonForm(person_data(email="", preferred_channel="email"))
    assert form.errors["email"] == ["Enter their email or choose another way to contact them"]
    form = PersonForm(person_data(preferred_channel="letter"))
    assert "address" in form.errors


def test_staff_member_needs_a_team():
    form = PersonForm(person_data(kind="staff", bereaved=""))
    assert form.errors["staff_team"] == ["Enter the team this member of staff works in"]


def test_consent_form_needs_how_and_share_only_with_contact():
    form = ConsentForm({"consent_to_contact": "given", "consent_to_share": "given"})
    assert form.errors["method"] == ["Select how they told you"]
    form = ConsentForm(
        {"consent_to_contact": "refused", "consent_to_share": "given", "method": "phone"}
    )
    assert "consent_to_share" in form.errors


def test_adding_a_person_records_consent_with_who_when_and_how(client_for, team_user, review):
    data = person_data()
    data.update(
        {
            "consent-consent_to_contact": "given",
            "consent-consent_to_share": "refused",
            "consent-method": "phone",
        }
    )
    response = client_for(team_user).post(
        reverse("incidents:person_create", args=[review.pk]), data
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    person = AffectedPerson.objects.get(full_name="Ann Hughes")
    assert person.consent_to_contact == Consent.GIVEN and person.consent_to_share == Consent.REFUSED
    records = {r.kind: r for r in person.consents.all()}
    assert records[ConsentRecord.Kind.CONTACT].recorded_by == team_user
    assert records[ConsentRecord.Kind.CONTACT].method == "phone"
    assert records[ConsentRecord.Kind.SHARE].decision == Consent.REFUSED


def test_person_without_consent_is_never_waiting_for_a_supporter(team_user, review):
    people = {}
    for decision in ("given", "not_asked", "refused"):
        person = AffectedPersonFactory(review=review, consent_to_contact="not_asked")
        services.record_consent(person, "contact", decision, "phone", by=team_user)
        people[decision] = person
    blocked = AffectedPersonFactory(review=review, consent_to_contact="not_asked")
    services.record_consent(blocked, "contact", "given", "phone", by=team_user)
    services.set_do_not_contact(blocked, True, by=team_user)
    assert work_queue_for(team_user)["waiting"] == [people["given"]]


def test_pausing_needs_a_reason_and_resuming_returns_to_the_stage(team_user, review):
    review.status_changes.all().delete()
    services.change_review_status(review, ReviewStatus.INVESTIGATING, by=team_user)
    with pytest.raises(ValidationError):
        services.change_review_status(review, ReviewStatus.PAUSED, by=team_user, reason="  ")
    services.change_review_status(
        review, ReviewStatus.PAUSED, by=team_user, reason="Waiting for the coroner"
    )
    services.resume_review(review, by=team_user)
    review.refresh_from_db()
    assert review.status == ReviewStatus.INVESTIGATING
    rows = list(review.status_changes.values_list("from_status", "to_status", "reason"))
    assert rows == [
        (ReviewStatus.LOGGED, ReviewStatus.INVESTIGATING, ""),
        (ReviewStatus.INVESTIGATING, ReviewStatus.PAUSED, "Waiting for the coroner"),
        (ReviewStatus.PAUSED, ReviewStatus.INVESTIGATING, ""),
    ]


def test_closing_needs_a_closing_date(team_user, review):
    with pytest.raises(ValidationError):
        services.change_review_status(review, ReviewStatus.CLOSED, by=team_user)
    services.change_review_status(review, ReviewStatus.CLOSED, by=team_user, closed_on=TODAY())
    review.refresh_from_db()
    assert review.closed_on == TODAY()


def test_status_page_refuses_close_without_date_with_a_clear_message(client_for, team_user, review):
    response = client_for(team_user).post(
        reverse("incidents:review_status", args=[review.pk]), {"status": "closed"}
    )
    assert response.status_code == 200
    assert "Enter the date the review closed" in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.LOGGED


def test_pause_page_without_reason_keeps_the_review_open(client_for, team_user, review):
    response = client_for(team_user).post(
        reverse("incidents:review_pause", args=[review.pk]), {"reason": ""}
    )
    assert "Enter why the review is paused" in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.LOGGED


def test_edit_is_kept_in_history_with_who_and_what(client_for, team_user, service):
    client = client_for(team_user)
    client.post(reverse("incidents:review_create"), review_data(service, team_user))
    review = Review.objects.get(reference="LR-2026-001")
    data = review_data(service, team_user, summary="A new short summary.")
    client.post(reverse("incidents:review_edit", args=[review.pk]), data)
    response = client.get(reverse("incidents:review_detail", args=[review.pk]))
    latest = review.history.first()
    assert latest.history_user == team_user
    newest_change = response.context["changes"][0]
    assert newest_change["who"] == team_user and newest_change["fields"] == ["Summary"]


def test_other_organisation_gets_404_on_review_and_person(
    client_for, other_team_user, review, person
):
    client = client_for(other_team_user)
    for url in [
        reverse("incidents:review_detail", args=[review.pk]),
        reverse("incidents:review_edit", args=[review.pk]),
        reverse("incidents:person_detail", args=[person.pk]),
        reverse("incidents:person_edit", args=[person.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert review.reference not in client.get(reverse("incidents:review_list")).content.decode()


def test_restricted_review_is_visible_only_to_its_named_team(
    client_for, make_user, team_user, review, organisation
):
    from peersupport.roles import Role
    from tests.factories import TeamMemberFactory

    colleague = make_user(Role.TEAM, "colleague@example.org")
    TeamMemberFactory(user=colleague, organisation=organisation)
    named = make_user(Role.TEAM, "named@example.org")
    TeamMemberFactory(user=named, organisation=organisation)
    review.restricted = True
    review.save()
    review.team_members.add(named)
    url = reverse("incidents:review_detail", args=[review.pk])
    assert client_for(colleague).get(url).status_code == 404
    assert client_for(named).get(url).status_code == 200
    assert client_for(team_user).get(url).status_code == 200  # the lead investigator


def test_review_list_searches_and_filters(client_for, team_user, service):
    ReviewFactory(
        organisation=service.organisation,
        service=service,
        reference="LR-A",
        steis_ref="2026/12345",
        status=ReviewStatus.INVESTIGATING,
    )
    ReviewFactory(
        organisation=service.organisation,
        service=service,
        reference="LR-B",
        summary="Fall on ward",
        status=ReviewStatus.CLOSED,
    )
    client = client_for(team_user)

    def refs(query):
        return {
            r.reference for r in client.get(reverse("incidents:review_list"), query).context["page"]
        }

    assert refs({"q": "12345"}) == {"LR-A"}
    assert refs({"q": "fall on"}) == {"LR-B"}
    assert refs({"status": "closed"}) == {"LR-B"}
    assert refs({}) == {"LR-A", "LR-B"}


def test_overdue_filter_and_work_queue_show_an_overdue_deadline(client_for, team_user, service):
    late = ReviewFactory(
        organisation=service.organisation,
        service=service,
        reference="LR-LATE",
        reported_date=date(2026, 1, 5),
        incident_date=date(2026, 1, 4),
    )
    services.save_review(late, by=team_user)
    ReviewFactory(organisation=service.organisation, service=service, reference="LR-FINE")
    client = client_for(team_user)
    listed = (
        client.get(reverse("incidents:review_list"), {"overdue": "on"}).context["page"].object_list
    )
    assert [r.reference for r in listed] == ["LR-LATE"]
    queue = work_queue_for(team_user)
    assert {(item.review.reference, item.overdue) for item in queue["deadlines"]} >= {
        ("LR-LATE", True)
    }


def test_work_queue_lists_milestones_this_week(team_user, review):
    services.add_milestone(review, "inquest", TODAY(), by=team_user)
    services.add_milestone(review, "final_meeting", TODAY() + timedelta(days=30), by=team_user)
    assert [m.kind for m in work_queue_for(team_user)["milestones"]] == ["inquest"]


def test_viewing_a_person_is_audited_without_their_details(client_for, team_user, person):
    client_for(team_user).get(reverse("incidents:person_detail", args=[person.pk]))
    event = AuditEvent.objects.get(action="person.viewed")
    assert event.object_id == str(person.pk)
    assert person.full_name not in str(event.detail)


def test_do_not_contact_is_recorded(client_for, team_user, person):
    client_for(team_user).post(
        reverse("incidents:person_do_not_contact", args=[person.pk]), {"do_not_contact": "on"}
    )
    person.refresh_from_db()
    assert person.do_not_contact is True
    assert person.may_be_offered_support is False


def _query_counts(client, urls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts[url] = len(queries)
    return counts


def test_list_and_detail_pages_run_the_same_number_of_queries_for_5_and_50_rows(
    client_for, team_user, service
):
    review = ReviewFactory(
        organisation=service.organisation, service=service, lead_investigator=team_user
    )
    client = client_for(team_user)
    urls = [
        reverse("incidents:review_list"),
        reverse("incidents:work_queue"),
        reverse("incidents:review_detail", args=[review.pk]),
    ]

    def add(count):
        for _ in range(count):
            other = ReviewFactory(
                organisation=service.organisation,
                service=service,
                lead_investigator=team_user,
                reported_date=date(2026, 1, 5),
                incident_date=date(2026, 1, 4),
            )
            services.save_review(other, by=team_user)
            AffectedPersonFactory(review=review)
            services.add_milestone(review, "inquest", TODAY(), by=team_user)

    add(5)
    with_5 = _query_counts(client, urls)
    add(45)
    with_50 = _query_counts(client, urls)
    assert with_5 == with_50
    assert max(with_50.values()) <= 25


def test_a_form_sent_with_nothing_chosen_shows_errors(client_for, team_user, review):
    response = client_for(team_user).post(reverse("incidents:review_status", args=[review.pk]), {})
    assert "Select the new status" in response.content.decode()


def test_detail_pages_run_the_same_number_of_queries_for_2_and_30_edits(
    client_for, make_user, team_user, service
):
    from peersupport.roles import Role
    from tests.factories import TeamMemberFactory

    colleagues = []
    for _ in range(2):
        colleague = make_user(Role.TEAM)
        TeamMemberFactory(user=colleague, organisation=service.organisation)
        colleagues.append(colleague)
    review = ReviewFactory(
        organisation=service.organisation, service=service, lead_investigator=team_user
    )
    person = AffectedPersonFactory(review=review)
    client = client_for(team_user)
    urls = [
        reverse("incidents:review_detail", args=[review.pk]),
        reverse("incidents:person_detail", args=[person.pk]),
    ]
    edits = 0

    def edit(count):
        nonlocal edits
        for _ in range(count):
            edits += 1
            review.summary = f"Summary, edit {edits}."
            services.save_review(review, by=team_user, team_members=[colleagues[edits % 2]])
            person.relationship = f"Relationship {edits}"
            services.save_person(person, by=team_user)

    edit(2)
    with_2 = _query_counts(client, urls)
    edit(28)
    with_30 = _query_counts(client, urls)
    assert with_2 == with_30
    changes = client.get(urls[0]).context["changes"]
    assert len(changes) > 10
    assert ["Summary"] in [change["fields"] for change in changes]
    assert ["Team members"] in [change["fields"] for change in changes]
    assert ["Relationship"] in [c["fields"] for c in client.get(urls[1]).context["changes"]]


def test_a_closed_or_paused_review_cannot_be_paused(team_user, review):
    services.change_review_status(review, ReviewStatus.CLOSED, by=team_user, closed_on=TODAY())
    with pytest.raises(ValidationError, match="This review is closed: it cannot be paused"):
        services.change_review_status(review, ReviewStatus.PAUSED, by=team_user, reason="Coroner")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLOSED
    services.change_review_status(review, ReviewStatus.INVESTIGATING, by=team_user)
    services.change_review_status(review, ReviewStatus.PAUSED, by=team_user, reason="Coroner")
    with pytest.raises(ValidationError, match="This review is already paused"):
        services.change_review_status(review, ReviewStatus.PAUSED, by=team_user, reason="Police")
    review.refresh_from_db()
    assert review.status_before_pause == ReviewStatus.INVESTIGATING


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (ReviewStatus.CLOSED, "This review is closed: it cannot be paused."),
        (ReviewStatus.PAUSED, "This review is already paused."),
    ],
)
def test_pause_page_for_a_closed_or_paused_review_says_why_not(
    client_for, team_user, review, status, message
):
    review.status = status
    review.closed_on = TODAY() if status == ReviewStatus.CLOSED else None
    review.status_before_pause = ReviewStatus.DRAFTING if status == ReviewStatus.PAUSED else ""
    review.save()
    client = client_for(team_user)
    url = reverse("incidents:review_pause", args=[review.pk])
    for response in (
        client.get(url, follow=True),
        client.post(url, {"reason": "Waiting for the coroner"}, follow=True),
    ):
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse(
            "incidents:review_detail", args=[review.pk]
        )
        assert message in response.content.decode()
    review.refresh_from_db()
    assert review.status == status
    assert review.status_changes.filter(to_status=ReviewStatus.PAUSED).count() == 0


@pytest.mark.parametrize(
    ("name", "page"),
    [
        ("incidents:person_edit", "edit"),
        ("incidents:person_consent", "consent"),
        ("incidents:person_avoid_date", "avoid_date"),
    ],
)
def test_pages_showing_a_persons_details_are_audited(client_for, team_user, person, name, page):
    response = client_for(team_user).get(reverse(name, args=[person.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="person.viewed")
    assert event.actor == team_user and event.object_id == str(person.pk)
    assert event.detail == {"page": page}
    assert person.full_name not in str(event.detail)


def test_trusted_proxy_count_is_read_from_the_environment(monkeypatch):
    import runpy

    import peersupport.settings

    monkeypatch.setenv("TRUSTED_PROXY_COUNT", "1")
    assert runpy.run_path(peersupport.settings.__file__)["TRUSTED_PROXY_COUNT"] == 1
    monkeypatch.delenv("TRUSTED_PROXY_COUNT")
    assert runpy.run_path(peersupport.settings.__file__)["TRUSTED_PROXY_COUNT"] == 0


def test_audit_behind_one_proxy_records_the_clients_address(
    client_for, team_user, person, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    client_for(team_user).get(
        reverse("incidents:person_edit", args=[person.pk]),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5",
    )
    assert AuditEvent.objects.get(action="person.viewed").ip_address == "203.0.113.5"


def test_review_search_matches_within_one_field_never_across_two(team_user, service):
    """The search reads one column of every field together (Review.search_text): a match must
    still lie inside one field, whatever the query, as with icontains on each."""
    review = ReviewFactory(
        organisation=service.organisation, service=service, reference="LR-A", steis_ref="2026/1"
    )
    reviews = Review.objects.visible_to(team_user)
    assert list(reviews.matching("r-a")) == [review]
    assert list(reviews.matching("A2026")) == []
    assert list(reviews.matching("A\x1f2026")) == []
