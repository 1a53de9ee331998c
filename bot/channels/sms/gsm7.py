"""SMS segment maths: GSM-7 / UCS-2 detection, segment counting, normalising and splitting.

Pure functions, no I/O. Character set per 3GPP TS 23.038 (basic set + extension table).
Carriers bill per segment, so everything here aims to keep texts in GSM-7 and in few parts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

GSM7_SINGLE = 160
GSM7_PART = 153  # 7 septets go to the concatenation header
UCS2_SINGLE = 70
UCS2_PART = 67

_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: sent as ESC + char, so each costs 2 septets.
_GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
_GSM7 = _GSM7_BASIC | _GSM7_EXTENSION

_NORMALIZE = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛′‹›", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—−", "-"),
        "…": "...",
        "•": "*",
        **dict.fromkeys("\u00a0\u202f\u2007\u2009\u200a", " "),
        # Invisible characters (zero-width, BOM, soft hyphen, bidi marks/isolates) are dropped:
        # any one of them alone would force the whole message into UCS-2.
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f", None),
        **dict.fromkeys("\u2066\u2067\u2068\u2069", None),
    }
)

# Letters NFKD cannot decompose into a base letter.
_FOLD_EXTRA = {"œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h"}

# Sentence end: terminal punctuation plus closing quotes/brackets, followed by whitespace.
_SENTENCE_END = re.compile(r"[.?!…]+['\"’”»)\]]*(?=\s)")


@dataclass(frozen=True)
class SegmentInfo:
    encoding: Encoding
    units: int
    segments: int


class _Packer:
    """Greedy packing of characters into concatenated parts.

    A character (extension pair or surrogate pair) never straddles two parts, so the part
    count can exceed ceil(units / part_size).
    """

    def __init__(self, single: int, part: int) -> None:
        self.single = single
        self.part = part
        self.units = 0
        self.parts = 1
        self.fill = 0

    def add(self, cost: int) -> None:
        self.units += cost
        if self.fill + cost > self.part:
            self.parts += 1
            self.fill = cost
        else:
            self.fill += cost

    @property
    def segments(self) -> int:
        return 1 if self.units <= self.single else self.parts


def _septets(ch: str) -> int:
    return 2 if ch in _GSM7_EXTENSION else 1


def _utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def is_gsm7(text: str) -> bool:
    return all(ch in _GSM7 for ch in text)


def encoding(text: str) -> Encoding:
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def length_units(text: str) -> int:
    """Septets for GSM-7 text (extension chars count 2), UTF-16 code units for UCS-2."""
    if is_gsm7(text):
        return sum(_septets(ch) for ch in text)
    return sum(_utf16_units(ch) for ch in text)


def segments(text: str) -> SegmentInfo:
    enc = encoding(text)
    if enc == "GSM-7":
        packer, cost = _Packer(GSM7_SINGLE, GSM7_PART), _septets
    else:
        packer, cost = _Packer(UCS2_SINGLE, UCS2_PART), _utf16_units
    for ch in text:
        packer.add(cost(ch))
    return SegmentInfo(encoding=enc, units=packer.units, segments=packer.segments)


def normalize(text: str) -> str:
    """Replace typographic punctuation and invisible characters with GSM-7 equivalents.

    Also composes to NFC, so an accent typed as base letter + combining mark (e.g. "e" +
    U+0301) becomes the single GSM-7 letter "é". Accented letters are otherwise kept.
    """
    return unicodedata.normalize("NFC", text).translate(_NORMALIZE)


def _fold_char(ch: str) -> str:
    if ch in _GSM7:
        return ch
    if ch in _FOLD_EXTRA:
        return _FOLD_EXTRA[ch]
    if not unicodedata.category(ch).startswith("L"):
        return ch
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base and is_gsm7(base) else ch


def fold_to_gsm7(text: str) -> str:
    """Write letters outside GSM-7 with their nearest GSM-7 letter ("ç" -> "c", "ê" -> "e").

    Letters that are GSM-7 keep their accent ("é", "à", "Ç"); characters with no sensible
    fallback (emoji, CJK, other scripts) are left untouched. A stray combining accent after a
    GSM-7 letter is dropped.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if unicodedata.combining(ch) and out and out[-1][-1] in _GSM7:
            continue
        out.append(_fold_char(ch))
    return "".join(out)


def prepare(text: str, *, fallback: bool) -> str:
    """normalize(); with ``fallback``, also fold accents, but only if that saves a segment."""
    normalized = normalize(text)
    if fallback:
        folded = fold_to_gsm7(normalized)
        if segments(folded).segments < segments(normalized).segments:
            return folded
    return normalized


def _fit_length(text: str, max_segments: int) -> int:
    """Length of the longest prefix of ``text`` that fits in ``max_segments`` segments.

    Fitting is monotone in prefix length (a UCS-2 text never fits where a shorter GSM-7
    prefix of it does not), so one forward pass suffices.
    """
    gsm, ucs = _Packer(GSM7_SINGLE, GSM7_PART), _Packer(UCS2_SINGLE, UCS2_PART)
    all_gsm = True
    for i, ch in enumerate(text):
        all_gsm = all_gsm and ch in _GSM7
        if all_gsm:
            gsm.add(_septets(ch))
        ucs.add(_utf16_units(ch))
        if (gsm if all_gsm else ucs).segments > max_segments:
            return i
    return len(text)


def _break_at(text: str, limit: int) -> int:
    """Where to cut ``text`` so that ``text[:cut]`` fits ``limit`` chars; prefers line breaks,
    then sentence ends, then whitespace, then a hard cut. ``text[0]`` is not whitespace."""
    window = text[: limit + 1]  # a whitespace just past the limit is a valid break
    newline = window.rfind("\n")
    if newline > 0:
        return newline
    ends = [m.end() for m in _SENTENCE_END.finditer(window)]
    if ends:
        return ends[-1]
    for i in range(limit, 0, -1):
        if text[i].isspace():
            return i
    return limit


def split(text: str, *, max_segments: int = 1) -> list[str]:
    """Split ``text`` into messages of at most ``max_segments`` segments each.

    Each chunk is sized by its own encoding, so a pure GSM-7 chunk may use 160 septets even if
    a neighbouring chunk is UCS-2. Chunks are stripped; whitespace-only text gives [].
    """
    if max_segments < 1:
        raise ValueError("max_segments must be >= 1")
    chunks: list[str] = []
    rest = text.strip()
    while rest:
        limit = _fit_length(rest, max_segments)
        if limit == len(rest):
            chunks.append(rest)
            break
        cut = _break_at(rest, limit)
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return chunks
