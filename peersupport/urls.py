from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from peersupport import views, views_dashboard, views_messages

admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Peer support administration"
admin.site.site_title = "Peer support administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
    path("dashboard/measures.csv", views_dashboard.dashboard_csv, name="dashboard_csv"),
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
    path("", include(("supporters.urls_practice", "practice"), namespace="practice")),
    path("", include(("supporters.urls_oversight", "oversight"), namespace="oversight")),
    path("", include(("incidents.urls_public", "public"), namespace="public")),
    path("", include("feedback.urls")),
]
