"""Public pages (no login), and the team's page for a request for support (namespace "public").

The page about peer support (public:about) lists supporters, so it is supporters.views_public's;
the root URL configuration adds it to this namespace."""

from django.urls import path

from incidents import views_public

app_name = "public"

urlpatterns = [
    path("peer-support/ask/", views_public.referral_form, name="referral_form"),
    path("peer-support/ask/thank-you/", views_public.referral_thanks, name="referral_thanks"),
    path("peer-support/families/ask/", views_public.family_request, name="family_request"),
    path(
        "peer-support/families/ask/thank-you/",
        views_public.family_request_thanks,
        name="family_request_thanks",
    ),
    path("privacy/", views_public.privacy, name="privacy"),
    path("accessibility/", views_public.accessibility, name="accessibility"),
    path("referrals/<int:pk>/", views_public.referral_detail, name="referral_detail"),
]
