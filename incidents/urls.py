from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("team/", views.work_queue, name="work_queue"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/new/", views.review_create, name="review_create"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/edit/", views.review_edit, name="review_edit"),
    path("reviews/<int:pk>/status/", views.review_status, name="review_status"),
    path("reviews/<int:pk>/pause/", views.review_pause, name="review_pause"),
    path("reviews/<int:pk>/resume/", views.review_resume, name="review_resume"),
    path("reviews/<int:pk>/milestones/new/", views.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/complete/", views.milestone_complete, name="milestone_complete"),
    path("reviews/<int:pk>/people/new/", views.person_create, name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/consent/", views.person_consent, name="person_consent"),
    path("people/<int:pk>/avoid-dates/new/", views.person_avoid_date, name="person_avoid_date"),
    path(
        "people/<int:pk>/do-not-contact/", views.person_do_not_contact, name="person_do_not_contact"
    ),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
]
