"""A Twilio webhook's form is read exactly as the standard library reads it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.sms.webhook import MAX_FIELDS, parse_form

_PIECES = st.sampled_from(["a", "B", "=", "&", "+", "%", "%2B", "%C3", "%A9", "%zz", ";", "é", " "])
_BYTES = st.sampled_from([b"\xff", b"\xc3", b"\xa9"])


def _read(body: bytes) -> list[tuple[str, str]] | None:
    form = parse_form(body)
    if form is None:
        return None
    return [(key, value) for key in form for value in form.getall(key)]


def _stdlib(body: bytes) -> list[tuple[str, str]] | None:
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=True,
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except ValueError:
        return None
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return [(key, value) for key, values in grouped.items() for value in values]


@settings(max_examples=400)
@given(st.lists(st.one_of(_PIECES.map(str.encode), _BYTES), max_size=30).map(b"".join))
def test_any_body_reads_as_parse_qsl_strictly_reads_it(body: bytes) -> None:
    assert _read(body) == _stdlib(body)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=20)), max_size=12))
def test_an_encoded_form_reads_back_as_it_was_sent(pairs: list[tuple[str, str]]) -> None:
    body = urlencode(pairs).encode()
    expected: dict[str, list[str]] = {}
    for key, value in pairs:
        expected.setdefault(key, []).append(value)
    assert _read(body) == [(k, v) for k, values in expected.items() for v in values]


def test_too_many_fields_are_refused() -> None:
    assert parse_form("&".join(["a=1"] * MAX_FIELDS).encode()) is not None
    assert parse_form("&".join(["a=1"] * (MAX_FIELDS + 1)).encode()) is None
