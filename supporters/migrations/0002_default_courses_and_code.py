"""Default training courses and the first code of conduct: administrators can change them later.

Keyed on the course name and the code's version, so it never overwrites a change made since.
"""

from django.db import migrations

COURSES = [
    # name, mandatory, valid for months (None: never expires)
    ("Peer support foundation training", True, 36),
    ("Safeguarding adults and children level 2", True, 36),
    ("Trauma Risk Management (TRiM) practitioner", False, 36),
    ("Suicide bereavement awareness", False, None),
]

CODE_OF_CONDUCT = """\
Being a peer supporter: what the role is, and what it is not

Thank you for giving your time. People who have been through a serious incident, or who have lost
someone, have told us that talking to someone who has been there too helped them more than
anything else. This page says what we ask of you in return. Please read it carefully; you will be
asked to read and accept it again whenever it changes.

What a peer supporter does
- Listens. Most of the time, that is the whole job: giving someone time and space, without
  judging, hurrying or trying to fix things.
- Shares your own experience, when it helps the other person and only as much as you are
  comfortable with. The conversation is about them, not you.
- Explains, in plain words, what usually happens during a review and who to ask about it.
- Signposts: helps the person find the right service (bereavement support, their GP, talking
  therapies, advice on money, housing or the inquest) and, if they want, to make the first call.

What a peer supporter does not do
- You are not a counsellor or therapist. Do not diagnose, treat, or give medical or legal advice.
- You are not part of the investigation. Do not ask about, collect or pass on evidence, and do
  not speak for the team or the organisation.
- You are not an advocate. You can help someone find an advocate, or the Patient Advice and
  Liaison Service (PALS; in Wales, the concerns team), but you do not make complaints or
  decisions for them.
- Do not make promises about what the review will find or what will happen next.

Confidentiality
- What people tell you stays between you and them, and your supervisor.
- The one exception is when someone may be at risk of harm, to themselves or to others, or
  there is a safeguarding worry about a child or an adult. Then you must raise a concern in this
  service straight away, and tell the person you are doing so unless that would put anyone at
  greater risk. If someone is in danger now, call 999.
- Never discuss the people you support with anyone else, including the investigation team, or
  on social media, even without names.

Notes
- Keep notes short and factual: when you spoke, how, and anything you agreed to do.
- Never write clinical opinions, diagnoses or your views on the incident or the people involved.
  Write each note as if the person will read it one day; they have the right to.

Looking after yourself
- Supporting someone can bring back your own experience. That is normal, and it is why
  supervision exists. Go to supervision at least every six weeks, and sooner if you need to.
- Fill in your wellbeing check-in after contacts. Ask for a debrief whenever you want one.
- You can pause or stop at any time. Tell the team and they will make sure the people you support
  are looked after.

Boundaries
- Do not accept gifts, money or favours. A thank-you card is fine.
- Do not connect with the people you support on social media, or give them your personal phone
  number or email address. Use the contact routes the team has agreed.
- Do not meet anyone alone at their home, or yours, unless it has been agreed with the team
  beforehand. A café, a hospital or community building, a phone or video call are all good
  choices.
- If you already know the person, or were involved in the incident in any way, tell the team
  before you have any contact: you will not be matched with them.
- Support comes to an end when the person is ready, when the review closes, or when they move
  on to specialist help. The team will help you close it well.

By accepting this code you agree to work within it. If you are ever unsure, ask your supervisor
or the team: there is no such thing as a silly question.
"""


def add_defaults(apps, schema_editor):
    Course = apps.get_model("supporters", "Course")
    CodeOfConduct = apps.get_model("supporters", "CodeOfConduct")
    for name, mandatory, months in COURSES:
        Course.objects.get_or_create(
            name=name, defaults={"mandatory": mandatory, "valid_for_months": months}
        )
    CodeOfConduct.objects.get_or_create(version=1, defaults={"text": CODE_OF_CONDUCT})


class Migration(migrations.Migration):
    dependencies = [("supporters", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
