"""Facilitator addresses, as a channel knows the person: `telegram:<user id>`,
`tel:<E.164 number>`, `whatsapp:<E.164 number>`, `console:<name>`. One canonical form each, so that the address an
organiser types is the one a command arrives from."""

from __future__ import annotations

from bot.phones import to_e164

KINDS = "telegram:<user id>, tel:<phone number>, whatsapp:<phone number> or console:<name>"


class InvalidAddress(ValueError):
    """Why an address cannot be a facilitator's, with an example of one that can."""


def normalise(address: str, default_region: str = "US") -> str:
    """`tel:0712 345 678` (region KE) -> `tel:+254712345678`; `telegram:007` -> `telegram:7`.

    Raises InvalidAddress with the reason and an example."""
    kind, sep, rest = address.strip().partition(":")
    kind, rest = kind.lower(), rest.strip()
    if not sep or kind not in ("tel", "whatsapp", "telegram", "console"):
        raise InvalidAddress(
            f"{address!r} is not an address: write {KINDS}, e.g. tel:+254712345678"
        )
    if kind in ("tel", "whatsapp"):
        number = to_e164(rest, default_region)
        if number is None:
            raise InvalidAddress(
                f"{address!r} is not a valid phone number (read with DEFAULT_REGION="
                f"{default_region}): write it with its country code, e.g. {kind}:+254712345678"
            )
        return f"{kind}:{number}"
    if kind == "telegram":
        if not (rest.isascii() and rest.isdigit() and int(rest) > 0):
            raise InvalidAddress(
                f"{address!r} is not a Telegram user id: write the number (not the @username),"
                " e.g. telegram:123456789"
            )
        return f"telegram:{int(rest)}"
    if not rest or any(c.isspace() or c in ",@" for c in rest):
        raise InvalidAddress(
            f"{address!r} needs a name without spaces, commas or @ (the name given to"
            " `baraza chat --as`), e.g. console:org"
        )
    return f"console:{rest}"
