from django.urls import path

from supporters import views, views_profiles

app_name = "supporters"

urlpatterns = [
    path("my-people/", views.my_people, name="my_people"),
    path("my-people/<int:pk>/", views.my_person, name="my_person"),
    path("code-of-conduct/", views.code_of_conduct, name="code_of_conduct"),
    path("my-page-for-families/", views_profiles.my_public_profile, name="my_public_profile"),
    path(
        "supporters/page-for-families/",
        views_profiles.public_profiles_to_check,
        name="public_profiles",
    ),
    path(
        "supporters/page-for-families/<int:pk>/check/",
        views_profiles.public_profile_check,
        name="public_profile_check",
    ),
    path("supporters/", views.roster, name="roster"),
    path("supporters/<int:pk>/", views.supporter_detail, name="supporter_detail"),
    path("supporters/<int:pk>/status/", views.supporter_status, name="supporter_status"),
    path("supporters/<int:pk>/training/new/", views.training_add, name="training_add"),
    path("supporters/<int:pk>/supervision/new/", views.supervision_add, name="supervision_add"),
    path(
        "supporters/<int:pk>/supervisors/",
        views.supporter_supervisors,
        name="supporter_supervisors",
    ),
    path("people/<int:pk>/match/", views.match, name="match"),
    path("people/<int:pk>/match/<int:supporter_pk>/", views.assign, name="assign"),
    path("people/<int:pk>/offer-again/", views.offer_again, name="offer_again"),
    path("offers/<int:pk>/answer/", views.offer_answer, name="offer_answer"),
    path("offers/<int:pk>/close/", views.offer_close, name="offer_close"),
]
