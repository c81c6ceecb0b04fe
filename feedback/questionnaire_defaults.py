"""The default questionnaires, loaded by migration 0003. Each question's `code` is what a
measure on the dashboard reads, so the wording can change in a new version while the code,
and so the measure, stays the same.

(slug, name, audience, intro, [(code, kind, text, hint, required), ...])
"""

_ENGAGE = (
    "engage_with_review",
    "scale",
    "Having a peer supporter made me feel more able to take part in the review.",
    "",
    True,
)
_SATISFACTION = (
    "satisfaction",
    "scale",
    "I am satisfied with the peer support I was given.",
    "",
    True,
)
_SUPPORTED = (
    "supported_by_process",
    "scale",
    "I felt supported during the review process.",
    "",
    True,
)
_FFT = (
    "fft",
    "fft",
    "Overall, how was your experience of our peer support service?",
    "",
    True,
)
_COMMENTS = (
    "comments",
    "text",
    "Is there anything else you would like to tell us?",
    "For example, what helped, or what we could do better. Please do not include anyone's name.",
    False,
)

DEFAULTS = [
    (
        "families-and-service-users",
        "How was your peer support? (families and service users)",
        "family_service_user",
        "We would like to know how peer support went for you, so that we can make it better for "
        "other people going through a review. It takes about 2 minutes. There are no right or "
        "wrong answers.",
        [_SATISFACTION, _ENGAGE, _SUPPORTED, _FFT, _COMMENTS],
    ),
    (
        "staff",
        "How was your peer support? (staff)",
        "staff",
        "We would like to know how peer support went for you, so that we can make it better for "
        "colleagues after a serious incident. It takes about 2 minutes. There are no right or "
        "wrong answers.",
        [
            _SATISFACTION,
            _ENGAGE,
            _SUPPORTED,
            (
                "staff_perception",
                "scale",
                "I feel my organisation supports staff well after a serious incident.",
                "",
                True,
            ),
            _FFT,
            _COMMENTS,
        ],
    ),
    (
        "peer-supporters",
        "Being a peer supporter",
        "supporter",
        "Every three months we ask our peer supporters how they are finding the role, so that "
        "we can look after you and the other supporters well. It takes about a minute.",
        [
            (
                "empowered",
                "scale",
                "I feel empowered to support the people I am matched with.",
                "",
                True,
            ),
            (
                "coping",
                "scale",
                "I am coping emotionally with being a peer supporter.",
                "",
                True,
            ),
            (
                "comments",
                "text",
                "Is there anything you would like to tell us about being a peer supporter?",
                "Please do not include anyone's name. If you need support now, talk to your "
                "supervisor.",
                False,
            ),
        ],
    ),
]

# Which questionnaire each kind of affected person is asked to answer.
SLUG_FOR_PERSON_KIND = {
    "family": "families-and-service-users",
    "service_user": "families-and-service-users",
    "staff": "staff",
}
SUPPORTER_SLUG = "peer-supporters"
