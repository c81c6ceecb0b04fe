"""The starting text of the public pages every NHS public service must have: the privacy notice
and the accessibility statement. Seeded into PublicPage rows by peersupport migration 0007;
also used to restore a page whose row is missing, so the footer links never lead nowhere.
Administrators edit the text in Django's admin.

Format: plain text. A blank line starts a new paragraph; a line starting "## " is a heading; lines
starting "- " make a bulleted list; web addresses and email addresses become links.
"""

PRIVACY = """\
This notice explains what the peer support service holds about you, why, for how long, and who to ask about it.

## Who is responsible for your information

The service is run by the NHS organisations that use it. The organisation that logged the review you are affected by is responsible for your information (the "data controller"). If you asked for support yourself, it is the organisation you told us you work for. If you are a peer supporter, it is the organisation that manages you as a supporter.

## What we hold

If you are affected by a serious incident (a family member, a carer, a patient or service user, or a member of staff):
- your name, and the name you like to be called
- how to contact you, and when it is safe to
- your language, and anything that helps you communicate or read information
- how you are connected to the incident, and for staff, your role and team
- what you chose to tell us would help you feel comfortable with a supporter
- what you agreed to: being contacted about peer support, and sharing your contact details with a supporter, with who recorded it and when
- dates you asked us to avoid, such as an anniversary

If you asked for support yourself, we hold what you put in the form: your name, your work email address or phone number, your team, one sentence about what happened, the date if you gave it, and how and when to contact you. We do not keep the internet address of the computer or phone you used to send it.

About your support, we hold who your supporter is, when they were in touch, how, for how long and the general topics (for example, information about the review). A supporter may keep a short note. Only they and their supervisor for your organisation can read it, never the team running the review or anyone who is or ever was named on it; an administrator includes it only when you ask for a copy of your information.

If you are a peer supporter, we hold your training, supervision, the people you support, and your wellbeing check-ins.

We never hold clinical records in this service.

## Why we hold it

To offer you peer support after a serious incident, to keep that support safe and well run, and to learn whether it helps. The law that allows this is the UK General Data Protection Regulation: Article 6(1)(e), a task carried out in the public interest by an NHS body, and for information about health, Article 9(2)(h), health and social care, or for staff, Article 9(2)(b), employment.

We only contact you about peer support if you agree, and you can change your mind at any time. If a supporter believes someone is at risk of serious harm, they will tell the team so that person can be kept safe.

## Who can see it

- the learning and investigations team of the responsible organisation
- your supporter, once you have agreed to share your contact details with them
- your supporter's named supervisor for your organisation, who can read their notes about you, unless they are or ever were named on the review
- the service's administrators, to run it and to answer requests like the ones below

Managers see only numbers, never names, and small numbers are hidden so that nobody can be identified. We do not sell your information or use it for marketing.

## How long we keep it

We follow the NHS Records Management Code of Practice:
- records connected to a serious incident: 20 years from the date of the incident
- records connected to other incidents: 10 years from the date of the incident
- if you asked for support yourself and there is no review: 10 years after your support ends
- a peer supporter's own records: 6 years after they leave the service

After that, your information is deleted securely.

## Your rights

You can ask for a copy of everything we hold about you, including your supporter's notes. You can also ask us to correct it, to restrict how we use it, or object to us using it. Ask the data protection officer of the responsible organisation.

## Who to ask

Contact the data protection officer of the responsible organisation. Their details are on the organisation's website, or the peer support team can give them to you.

If you are unhappy with how we have used your information, you can complain to the Information Commissioner's Office: https://ico.org.uk/make-a-complaint/ or phone 0303 123 1113.
"""

ACCESSIBILITY = """\
This accessibility statement applies to the peer support service after serious incidents.

This service is run by the NHS organisations that use it. We want as many people as possible to be able to use it. For example, that means you should be able to:
- change colours, contrast levels and fonts using browser or device settings
- zoom in up to 400% without the text spilling off the screen
- navigate most of the service using a keyboard or speech recognition software
- listen to most of the service using a screen reader (including the most recent versions of JAWS, NVDA and VoiceOver)

We have also made the text as simple as possible to understand.

AbilityNet has advice on making your device easier to use if you have a disability: https://mcmw.abilitynet.org.uk/

## How accessible this service is

We know of no parts of this service that are not accessible. Every page is built with the NHS.UK design system and checked against the Web Content Accessibility Guidelines (WCAG) version 2.2, level A and AA, on a computer and on a phone.

## Feedback and contact information

If you need information from this service in a different format, like large print, easy read, an audio recording or braille, or you need a British Sign Language interpreter, tell the peer support team of your organisation. We will consider your request and get back to you within 5 working days.

## Reporting accessibility problems with this service

We are always looking to improve the accessibility of this service. If you find any problems not listed on this page or think we are not meeting accessibility requirements, contact the peer support team of your organisation.

## Enforcement procedure

The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 (the "accessibility regulations"). If you are not happy with how we respond to your complaint, contact the Equality Advisory and Support Service (EASS): https://www.equalityadvisoryservice.com/

## Technical information about this service's accessibility

The NHS organisations that run this service are committed to making it accessible, in accordance with the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018.

## Compliance status

This service is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard, because it has not yet been audited by an independent accessibility specialist. Automated checks of every page find no failures. When the audit is done, this statement will say what it found.

## What we are doing to improve accessibility

We check every page with automated accessibility tests each time the service changes, at computer and phone sizes, and we will commission an independent audit.

## Preparation of this accessibility statement

This statement was prepared on 23 November 2026. It was last reviewed on 23 November 2026.

This service was last tested on 23 November 2026 against the WCAG 2.2 AA standard. The test was carried out by the team that builds the service, using automated checks (axe-core) on every page.
"""

DEFAULTS = {
    "privacy": ("Privacy notice", PRIVACY),
    "accessibility": ("Accessibility statement", ACCESSIBILITY),
}
