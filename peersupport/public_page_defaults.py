"""The starting text of the public pages every NHS public service must have: the privacy notice
and the accessibility statement. Seeded into PublicPage rows by peersupport migration 0007;
also used to restore a page whose row is missing, so the footer links never lead nowhere.
Administrators edit the text in Django's admin.

Format: plain text. A blank line starts a new paragraph; a line starting "## " is a heading; lines
starting "- " make a bulleted list; web addresses and email addresses become links.
"""

PRIVACY = """\
This notice says what the peer support service keeps about you, why, for how long, and who to ask about it.

## Who is in charge of your details

The service is run by the NHS bodies that use it. The NHS body that runs the review you are part of is in charge of your details. The law calls this the "data controller". If you asked for support yourself, it is the NHS body you chose on the form. If you are a peer supporter, it is the NHS body that manages you as a supporter.

## What we hold

If a serious incident has affected you, as a family member, a carer, a patient or a member of staff, we keep:
- your name, and the name you like to be called
- how to reach you, and when it is safe to
- your language, and anything that helps you talk with us or read what we send
- how the incident affected you, and for staff, your job and team
- what you told us would help you feel at ease with a supporter
- what you agreed to, who wrote it down and when
- dates you asked us to avoid, such as an anniversary

## If you asked for support yourself

We keep what you put in the form. For staff, that is your name, work email or phone number, your team, one line about what happened, the date if you gave it, and how and when to reach you. For a family member or patient, that is your name, email or phone number, who you are, the review number if you gave it, how and when to reach you, and anything you said would help.

We do not keep the internet address of the computer or phone you used.

Only the peer support team of the NHS body you chose can read your request. The form does not check whether a review or a person exists, and the reply we send never says so.

The team then does one of two things:
- they add you to their records, or link your request to a review and to the record they already hold about you, and find you a supporter
- or they close your request and tell you why, for example if you sent it twice

A closed request is kept for the same time as other records, then deleted.

## About your support

We keep who your supporter is, when they were in touch, how, for how long and the main topics, for example news about the review. A supporter may keep a short note. Only they and their supervisor for your NHS body can read it. The team running the review cannot read it, and no one who is or ever was named in the review can read it. An admin adds it only when you ask for a copy of your details.

If you are a peer supporter, we keep your training, supervision, the people you support, and your wellbeing check-ins. If you agree to be shown on our page for families, we show only the first name and the few words you chose, once the team has checked them. You can take them down at any time.

We never keep health records in this service.

## Why we hold it

We keep it to offer you peer support after a serious incident, to keep that support safe, and to learn whether it helps. The law that lets us do this is the UK General Data Protection Regulation. The parts are Article 6(1)(e), a task in the public interest by an NHS body. For details about health, it is Article 9(2)(h), health and social care. For staff, it is Article 9(2)(b), work.

We only get in touch about peer support if you agree. You can change your mind at any time. If a supporter thinks someone could come to serious harm, they will tell the team so that person can be kept safe.

## Who can see it

- the learning review team of the NHS body in charge of your details
- your supporter, once you have agreed to share how to reach you with them
- your supporter's supervisor for your NHS body, who can read their notes about you, unless they are or ever were named in the review
- the service's admins, to run it and to answer the requests below

Managers see only numbers, never names. Small numbers are hidden so that no one can be picked out. We do not sell your details or use them to sell you things.

## How long we keep it

We follow the NHS rules for keeping records:
- records about a serious incident: 20 years from the date of the incident
- records about other incidents: 10 years from the date of the incident
- if you asked for support yourself and there is no review: 10 years after your support ends
- a peer supporter's own records: 6 years after they leave the service

After that, your details are deleted safely.

## Your rights

You can ask for a copy of all we keep about you, including your supporter's notes. You can also ask us to put it right, to limit how we use it, or to stop using it. Ask the data protection officer of the NHS body in charge of your details.

## Who to ask

Ask the data protection officer of the NHS body in charge of your details. You can find them on its website, or the peer support team can tell you.

If you are unhappy with how we have used your details, you can complain to the Information Commissioner's Office: https://ico.org.uk/make-a-complaint/ or phone 0303 123 1113.
"""

ACCESSIBILITY = """\
This page is about how easy it is to use the peer support service after serious incidents.

The service is run by the NHS bodies that use it. We want as many people as we can to be able to use it. For example, you should be able to:
- change colours and fonts in the settings of your browser or phone
- zoom in up to 400% and still read all the text
- move around most of the service with a keyboard or with your voice
- listen to most of the service with a screen reader, such as JAWS, NVDA or VoiceOver

We have also made the words as plain as we can.

AbilityNet has advice on making your phone or computer easier to use if you have a disability: https://mcmw.abilitynet.org.uk/

## How accessible this service is

We know of no parts of this service that are hard to use. Every page uses the NHS.UK design system. Every page is checked against the Web Content Accessibility Guidelines (WCAG) 2.2, levels A and AA, on a computer and on a phone.

## Feedback and contact information

You may need what we send in large print, easy read, audio or braille. You may need a British Sign Language interpreter. If so, tell the peer support team of your NHS body. We will reply within 5 working days.

## Reporting accessibility problems with this service

We always want to make the service easier to use. If you find a problem that is not on this page, or you think we do not meet the rules, tell the peer support team of your NHS body.

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) makes sure that public bodies follow the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. We call these "the rules" on this page. If you are not happy with how we reply to you, contact the Equality Advisory and Support Service (EASS): https://www.equalityadvisoryservice.com/

## Technical information about this service's accessibility

The NHS bodies that run this service want it to be easy to use for all. They follow the rules.

## Compliance status

This service partly meets the WCAG 2.2 AA standard. That is because no outside expert has checked it yet. Our own checks of every page find no problems. When the expert check is done, this page will say what it found.

## What we are doing to improve accessibility

We check every page each time the service changes, at computer and phone sizes. We will ask an outside expert to check it.

## Preparation of this accessibility statement

We wrote this page on 23 November 2026. We last checked it on 3 December 2026.

We last tested the service on 3 December 2026 against the WCAG 2.2 AA standard. The team that builds the service did the test. They used a tool called axe-core on every page.
"""

DEFAULTS = {
    "privacy": ("Privacy notice", PRIVACY),
    "accessibility": ("Accessibility statement", ACCESSIBILITY),
}
