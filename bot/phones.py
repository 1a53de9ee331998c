"""Phone numbers: one canonical form (E.164) for addresses, and a masked form for logs.

A number is an address and nothing else: it is stored only in the addresses table and
never written to the log in full.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


def to_e164(raw: str, default_region: str = "US") -> str | None:
    """`0712 345 678` (region KE) -> `+254712345678`; None if it is not a valid number.

    Numbers written with a country code (`+33 6 12 34 56 78`) ignore `default_region`.
    Short codes and alphanumeric senders are not valid numbers.
    """
    raw = raw.strip()
    if not raw or len(raw) > 40:
        return None
    try:
        number = phonenumbers.parse(raw, default_region.upper() or None)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def mask(number: str) -> str:
    """`+254712345678` -> `+2547…78`: enough to tell numbers apart in a log line."""
    if len(number) <= 7:
        return "…"
    return f"{number[:5]}…{number[-2:]}"


def mask_address(identity: str) -> str:
    """`tel:+254712345678` -> `tel:+2547…78`, `telegram:123456789` -> `telegram:12…89`: a
    facilitator or participant address as a log line may show it."""
    kind, _, address = identity.partition(":")
    if not address:
        return mask(identity)
    if kind == "tel":
        return f"{kind}:{mask(address)}"
    return f"{kind}:{address[:2]}…{address[-2:]}" if len(address) > 4 else f"{kind}:…"
