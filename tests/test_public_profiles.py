"""Who the families' page shows: supporters who agreed, separately and revocably, with a first
name and a few words the team checked; a change needs a new check; withdrawing is immediate."""

import pytest
from django.urls import reverse

from peersupport.models import AuditEvent
from supporters.models import Pool, PublicProfile, SupporterStatus
from supporters.public_profiles import agree, check, shown_to_families, withdraw

FAMILIES = reverse("public:families")
WORDS = "I lost my son and I know how long the wait for answers feels."


@pytest.fixture
def peer(make_supporter):
    return make_supporter(
        "lived.peer@example.org", first_name="Rosalind", pool=Pool.LIVED_EXPERIENCE
    )


@pytest.mark.django_db
def test_words_are_shown_only_after_consent_and_the_team_s_check(client, peer, team_user):
    profile = agree(peer, first_name="Ros", words=WORDS)
    assert shown_to_families() == []
    assert WORDS not in client.get(FAMILIES).content.decode()
    check(profile, by=team_user, shown=True)
    page = client.get(FAMILIES).content.decode()
    assert "Ros" in page and WORDS in page
    assert "Rosalind" not in page  # never the account's name


@pytest.mark.django_db
def test_changed_words_need_a_new_check(peer, team_user):
    check(agree(peer, first_name="Ros", words=WORDS), by=team_user, shown=True)
    agree(peer, first_name="Ros", words="Different words now.")
    assert shown_to_families() == []


@pytest.mark.django_db
def test_withdrawing_takes_the_words_down_at_once_and_keeps_no_copy(peer, team_user):
    check(agree(peer, first_name="Ros", words=WORDS), by=team_user, shown=True)
    withdraw(peer)
    profile = PublicProfile.objects.get()
    assert shown_to_families() == []
    assert (profile.first_name, profile.words, profile.consented_at) == ("", "", None)
    assert profile.withdrawn_at is not None
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "public_profile.agreed",
        "public_profile.checked",
        "public_profile.withdrawn",
    } <= actions


@pytest.mark.django_db
def test_only_active_family_peers_are_shown(make_supporter, peer, team_user):
    staff_peer = make_supporter("staff.peer@example.org", pool=Pool.STAFF)
    check(agree(staff_peer, first_name="Kim", words="Staff words."), by=team_user, shown=True)
    check(agree(peer, first_name="Ros", words=WORDS), by=team_user, shown=True)
    assert [row["first_name"] for row in shown_to_families()] == ["Ros"]
    peer.status = SupporterStatus.PAUSED
    peer.save(update_fields=["status"])
    assert shown_to_families() == []


@pytest.mark.django_db
def test_the_supporter_agrees_on_their_page_and_the_team_checks_or_sends_back(
    client_for, peer, team_user, other_team_user
):
    mine = client_for(peer.user)
    refused = mine.post(reverse("supporters:my_public_profile"), {"first_name": "Ros Smith"})
    assert "Enter only your first name" in refused.content.decode()
    assert "Tick the box to agree" in refused.content.decode()
    assert not PublicProfile.objects.exists()
    mine.post(
        reverse("supporters:my_public_profile"),
        {"first_name": "Ros", "words": WORDS, "agree": "on", "action": "agree"},
    )
    profile = PublicProfile.objects.get()
    team = client_for(team_user)
    assert WORDS in team.get(reverse("supporters:public_profiles")).content.decode()
    assert (
        WORDS
        not in client_for(other_team_user)
        .get(reverse("supporters:public_profiles"))
        .content.decode()
    )
    check_url = reverse("supporters:public_profile_check", args=[profile.pk])
    assert client_for(other_team_user).post(check_url, {"decision": "show"}).status_code == 404
    team.post(check_url, {"decision": "send_back"})
    assert shown_to_families() == []
    assert WORDS not in team.get(reverse("supporters:public_profiles")).content.decode()
    mine.post(
        reverse("supporters:my_public_profile"),
        {"first_name": "Ros", "words": WORDS + " Ask me anything.", "agree": "on"},
    )
    team.post(check_url, {"decision": "show"})
    assert len(shown_to_families()) == 1
    mine.post(reverse("supporters:my_public_profile"), {"action": "withdraw"})
    assert shown_to_families() == []


@pytest.mark.django_db
def test_anonymising_a_supporter_who_left_removes_their_words(peer, team_user):
    from peersupport.privacy.anonymise import anonymise_supporter

    check(agree(peer, first_name="Ros", words=WORDS), by=team_user, shown=True)
    anonymise_supporter(peer, reason="retention")
    profile = PublicProfile.objects.get()
    assert (profile.first_name, profile.words, profile.consented_at) == ("", "", None)
