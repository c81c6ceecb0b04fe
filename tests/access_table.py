"""The access table: every URL name × every persona → the answer it must get.

Written as data so a reviewer reads the whole access policy in one place. A URL that has no
row fails `test_every_url_has_a_row`. Object URLs are tried with a real object belonging to
the team member's organisation, so "another organisation" is refused a real record, not a
missing id. Later steps add personas (a second supporter, a supervisor, an invitation holder).

Answers: OK (200), LOGIN (redirect to the login page), HOME (redirect elsewhere, e.g. after
an action, or an already-logged-in user sent on from the login page), FORBIDDEN (403),
NOT_FOUND (404).
"""

from tests.access_table_base import (  # noqa: F401
    FORBIDDEN,
    HOME,
    LOGIN,
    NOT_FOUND,
    OK,
    PERSONAS,
    everyone,
    logged_in,
    row,
    supporter_only,
    team_only,
)

# URL arguments, from the objects built by the test (`world`): nonsense keys for token pages.
URL_KWARGS = {
    "account_reset_password_from_key": lambda w: {"uidb36": "zz", "key": "not-a-real-key"},
    "account_confirm_email": lambda w: {"key": "not-a-real-key"},
    "incidents:review_detail": lambda w: {"pk": w.review.pk},
    "incidents:review_edit": lambda w: {"pk": w.review.pk},
    "incidents:review_status": lambda w: {"pk": w.review.pk},
    "incidents:review_pause": lambda w: {"pk": w.review.pk},
    "incidents:review_resume": lambda w: {"pk": w.review.pk},
    "incidents:milestone_add": lambda w: {"pk": w.review.pk},
    "incidents:milestone_complete": lambda w: {"pk": w.milestone.pk},
    "incidents:person_create": lambda w: {"pk": w.review.pk},
    "incidents:person_detail": lambda w: {"pk": w.person.pk},
    "incidents:person_edit": lambda w: {"pk": w.person.pk},
    "incidents:person_consent": lambda w: {"pk": w.person.pk},
    "incidents:person_avoid_date": lambda w: {"pk": w.person.pk},
    "incidents:person_do_not_contact": lambda w: {"pk": w.person.pk},
    "supporters:my_person": lambda w: {"pk": w.offer.pk},
    "supporters:supporter_detail": lambda w: {"pk": w.supporter.pk},
    "supporters:supporter_status": lambda w: {"pk": w.supporter.pk},
    "supporters:training_add": lambda w: {"pk": w.supporter.pk},
    "supporters:supervision_add": lambda w: {"pk": w.supporter.pk},
    "supporters:match": lambda w: {"pk": w.waiting_person.pk},
    "supporters:assign": lambda w: {"pk": w.waiting_person.pk, "supporter_pk": w.supporter.pk},
    "supporters:offer_again": lambda w: {"pk": w.waiting_person.pk},
    "supporters:offer_answer": lambda w: {"pk": w.offer.pk},
    "supporters:offer_close": lambda w: {"pk": w.offer.pk},
}

# Tried with POST (and no data): they change things and answer GET with 405.
POST_ONLY = {"incidents:review_resume", "incidents:person_do_not_contact", "supporters:offer_again"}

ACCESS = {
    "home": row(LOGIN, HOME, HOME, HOME, HOME, HOME),
    "healthz": everyone(OK),
    "dashboard": row(LOGIN, OK, OK, FORBIDDEN, OK, OK),
    # The team's pages (incidents). Another organisation's records answer 404.
    "incidents:work_queue": team_only(),
    "incidents:review_list": team_only(),
    "incidents:review_create": team_only(),
    "incidents:review_detail": team_only(other_team=NOT_FOUND),
    "incidents:review_edit": team_only(other_team=NOT_FOUND),
    "incidents:review_status": team_only(other_team=NOT_FOUND),
    "incidents:review_pause": team_only(other_team=NOT_FOUND),
    "incidents:review_resume": team_only(HOME, other_team=NOT_FOUND),
    "incidents:milestone_add": team_only(other_team=NOT_FOUND),
    "incidents:milestone_complete": team_only(other_team=NOT_FOUND),
    "incidents:person_create": team_only(other_team=NOT_FOUND),
    "incidents:person_detail": team_only(other_team=NOT_FOUND),
    "incidents:person_edit": team_only(other_team=NOT_FOUND),
    "incidents:person_consent": team_only(other_team=NOT_FOUND),
    "incidents:person_avoid_date": team_only(other_team=NOT_FOUND),
    "incidents:person_do_not_contact": team_only(HOME, other_team=NOT_FOUND),
    "alerts": logged_in(OK),
    # The supporter's own pages: a person only while assigned to them.
    "supporters:my_people": supporter_only(),
    "supporters:code_of_conduct": supporter_only(),
    "supporters:my_person": supporter_only(other_supporter=NOT_FOUND),
    # The team's supporter and offer pages.
    "supporters:roster": team_only(),
    "supporters:supporter_detail": team_only(other_team=NOT_FOUND),
    "supporters:supporter_status": team_only(other_team=NOT_FOUND),
    "supporters:training_add": team_only(other_team=NOT_FOUND),
    "supporters:supervision_add": team_only(other_team=NOT_FOUND),
    "supporters:match": team_only(other_team=NOT_FOUND),
    "supporters:assign": team_only(other_team=NOT_FOUND),
    "supporters:offer_again": team_only(HOME, other_team=NOT_FOUND),
    "supporters:offer_answer": team_only(other_team=NOT_FOUND),
    "supporters:offer_close": team_only(other_team=NOT_FOUND),
    # Accounts (django-allauth). Sign-up is closed and self-service email pages are not offered.
    "account_login": row(OK, HOME, HOME, HOME, HOME, HOME),
    "account_logout": logged_in(OK),
    # The timeout warning's check: says only how long the session has left (JSON).
    "session_status": everyone(OK),
    "account_inactive": everyone(OK),
    "account_signup": row(OK, HOME, HOME, HOME, HOME, HOME),
    "account_reauthenticate": logged_in(OK),
    "account_email": everyone(NOT_FOUND),
    "account_email_verification_sent": everyone(NOT_FOUND),
    "account_confirm_email": everyone(NOT_FOUND),
    "account_change_password": logged_in(OK),
    "account_set_password": logged_in(HOME),
    "account_reset_password": everyone(OK),
    "account_reset_password_done": everyone(OK),
    "account_reset_password_from_key": everyone(OK),
    "account_reset_password_from_key_done": everyone(OK),
    "account_confirm_login_code": logged_in(HOME),
    "account_request_reauthentication_code": logged_in(OK),
    "account_confirm_reauthentication_code": logged_in(HOME),
    # MFA (django-allauth). Pages for an authenticator the user has not set up answer 404.
    "mfa_index": logged_in(OK),
    "mfa_authenticate": logged_in(HOME),
    "mfa_reauthenticate": logged_in(HOME),
    "mfa_activate_totp": logged_in(HOME),
    "mfa_deactivate_totp": logged_in(NOT_FOUND),
    "mfa_view_recovery_codes": logged_in(NOT_FOUND),
    "mfa_generate_recovery_codes": logged_in(HOME),
    "mfa_download_recovery_codes": logged_in(NOT_FOUND),
    # Django's admin: only administrators; everyone else is refused at its login page.
    "admin:index": row(HOME, HOME, HOME, HOME, HOME, OK),
    "admin:login": row(LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, HOME),
    "admin:peersupport_user_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
    "admin:peersupport_auditevent_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
    "admin:incidents_review_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
    "admin:incidents_affectedperson_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
    "admin:incidents_deadlinerule_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
    "admin:supporters_peersupporter_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
    "admin:supporters_supportoffer_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
    "admin:peersupport_message_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
    "admin:peersupport_timingrule_changelist": row(LOGIN, HOME, HOME, HOME, HOME, OK),
}

# The admin's per-model URLs are guarded by the admin site itself; the rows above prove that
# guard for the index, its login and the models holding personal data.
UNLISTED_NAMESPACES = {"admin"}


# Each area's rows live beside the others in tests/access_rows/ and join the table here.
def _merge():
    from tests.access_rows import (
        boardpack,
        checkin_followups,
        dashboard,
        families,
        feedback,
        held_surveys,
        messages,
        oversight,
        practice,
        preferences,
        public,
        referral_closing,
        support_endings,
        surveys,
        wall,
    )

    for area in (
        practice,
        oversight,
        public,
        feedback,
        messages,
        surveys,
        dashboard,
        wall,
        support_endings,
        checkin_followups,
        held_surveys,
        referral_closing,
        families,
        preferences,
        boardpack,
    ):
        ACCESS.update(area.ACCESS)
        URL_KWARGS.update(area.URL_KWARGS)
        POST_ONLY.update(area.POST_ONLY)


_merge()
