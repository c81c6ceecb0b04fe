"""Validation and normalisation of contact details: UK phone numbers and email addresses."""

import phonenumbers
from django.core.exceptions import ValidationError

PHONE_ERROR = "Enter a UK phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"

# Ofcom reserves these ranges for drama and training; libphonenumber calls them invalid, but the
# demo data and staff training use them, so they are accepted.
OFCOM_DRAMA_PREFIXES = ("+447700900", "+441632960", "+441134960", "+442079460")


def normalise_uk_phone(value: str) -> str:
    """A UK (+44) phone number in international format (+447700900982), or a clear error."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_ERROR) from None
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    drama = formatted.startswith(OFCOM_DRAMA_PREFIXES) and len(formatted) == len("+447700900982")
    if (
        number.country_code != 44
        or number.extension
        or not (drama or phonenumbers.is_valid_number(number))
    ):
        raise ValidationError(PHONE_ERROR)
    return formatted


def display_phone(value: str) -> str:
    """A stored phone number written the way people read it in the UK."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# Ofcom's drama range for mobiles (07700 900000 to 900999): no real person has one, and the demo
# data, tests and staff training use it, but libphonenumber does not count it as a mobile.
DRAMA_MOBILES = "+447700900"


def is_mobile(value: str) -> bool:
    """Whether a UK number can take a text message."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return False
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if e164.startswith(DRAMA_MOBILES):
        return True
    return phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
