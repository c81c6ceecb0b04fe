from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from feedback import urls as feedback_urls
from incidents import urls_public as incidents_public_urls
from incidents.admin import AffectedPersonAdmin
from peersupport import views
from peersupport.dashboard import admin as dashboard_admin  # noqa: F401  registers ChartEvent's admin
from peersupport.dashboard import views as dashboard_views
from peersupport.dashboard import views_pack as dashboard_pack
from peersupport.privacy.views import PERSON_ADMIN_PAGES
from peersupport.team_messages import views as views_messages
from supporters import views_public as supporters_public

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Peer support administration"
admin.site.site_title = "Peer support administration"
# Privacy operations add their pages to a person's admin page (before admin.site.urls is read).
AffectedPersonAdmin.extra_pages = PERSON_ADMIN_PAGES

# The survey results page is reporting's (feedback may not import it): it keeps its path among
# feedback's pages and its name, feedback:survey_results.
feedback_pages = [
    *feedback_urls.urlpatterns,
    path("surveys/results/", dashboard_views.survey_results, name="survey_results"),
]

# The pages about peer support list supporters (supporters.views_public; incidents may not import
# them): they keep their paths among the public pages, in the "public" namespace.
public_pages = [
    path("peer-support/", supporters_public.about, name="about"),
    path("peer-support/families/", supporters_public.families, name="families"),
    path(
        "peer-support/families/guides/<slug:slug>/",
        supporters_public.family_guide,
        name="family_guide",
    ),
    path("peer-support/resources/", supporters_public.resources, name="resources"),
    *incidents_public_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/measures.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path("dashboard/summary/", dashboard_pack.summary, name="dashboard_summary"),
    path("dashboard/measures/<slug:slug>/", dashboard_pack.measure_page, name="dashboard_measure"),
    path("dashboard/pack/", dashboard_pack.pack, name="dashboard_pack"),
    path("alerts/", views.alerts, name="alerts"),
    path("messages/", views_messages.messages_page, name="messages"),
    path("messages/<int:pk>/retry/", views_messages.message_retry, name="message_retry"),
    path("letters/", views_messages.letters, name="letters"),
    path("letters/<int:pk>/", views_messages.letter, name="letter"),
    path("letters/<int:pk>/print/", views_messages.letter_print, name="letter_print"),
    path("letters/<int:pk>/posted/", views_messages.letter_posted, name="letter_posted"),
    # Invited accounts keep the email an administrator gave them: no self-service email pages.
    path("accounts/email/", views.not_offered, name="account_email"),
    path("accounts/confirm-email/", views.not_offered, name="account_email_verification_sent"),
    re_path(
        r"^accounts/confirm-email/(?P<key>[-:\w]+)/$",
        views.not_offered,
        name="account_confirm_email",
    ),
    path("accounts/session/", views.session_status, name="session_status"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("incidents.urls")),
    path("", include("supporters.urls")),
    path("", include(("supporters.practice.urls", "practice"), namespace="practice")),
    path("", include(("supporters.oversight.urls", "oversight"), namespace="oversight")),
    path("", include((public_pages, "public"), namespace="public")),
    path("", include((feedback_pages, feedback_urls.app_name))),
]
