import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.sms.gsm7 import (
    SegmentInfo,
    encoding,
    fold_to_gsm7,
    is_gsm7,
    length_units,
    normalize,
    prepare,
    segments,
    split,
)

EMOJI = "😀"


def _words(text: str) -> list[str]:
    return text.split()


# --- charset ---------------------------------------------------------------------------------


def test_real_gsm7_basic_set_characters_are_gsm7() -> None:
    assert is_gsm7("éèàùìòñüÄÖÑÜ§¿¡äöåÅÆæßÉÇøØ")
    assert is_gsm7("ΔΦΓΛΩΠΨΣΘΞ£$¥¤_@\n\r")
    assert is_gsm7("^{}\\[~]|€\f")


@pytest.mark.parametrize(
    "char",
    [*"çâêîôûëïáíóúœ‘’“”«»–—…•", "\u00a0", "\u202f", "\u2068", "\u2069", EMOJI],
)
def test_non_gsm7_characters_are_detected(char: str) -> None:
    assert not is_gsm7(f"abc{char}")
    assert encoding(f"abc{char}") == "UCS-2"


def test_one_non_gsm_char_makes_whole_text_ucs2() -> None:
    assert encoding("Hello") == "GSM-7"
    assert encoding("Hello ê") == "UCS-2"


# --- segment counting ------------------------------------------------------------------------


def test_empty_text_is_one_segment_of_zero_units() -> None:
    assert segments("") == SegmentInfo(encoding="GSM-7", units=0, segments=1)


@pytest.mark.parametrize(("length", "expected"), [(160, 1), (161, 2), (306, 2), (307, 3)])
def test_gsm7_segment_boundaries(length: int, expected: int) -> None:
    info = segments("a" * length)
    assert info == SegmentInfo(encoding="GSM-7", units=length, segments=expected)


@pytest.mark.parametrize(("length", "expected"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_ucs2_segment_boundaries(length: int, expected: int) -> None:
    info = segments("ê" * length)
    assert info == SegmentInfo(encoding="UCS-2", units=length, segments=expected)


def test_emoji_is_ucs2_and_counts_two_units() -> None:
    assert encoding(f"Hi {EMOJI}") == "UCS-2"
    assert length_units(EMOJI) == 2
    assert segments(EMOJI * 35) == SegmentInfo(encoding="UCS-2", units=70, segments=1)
    assert segments(EMOJI * 36).segments == 2


def test_extension_characters_count_two_septets() -> None:
    assert length_units("€") == 2
    assert length_units("[") == 2
    assert length_units("a€[") == 5
    assert segments("€" * 80) == SegmentInfo(encoding="GSM-7", units=160, segments=1)
    assert segments("€" * 81) == SegmentInfo(encoding="GSM-7", units=162, segments=2)


def test_extension_pair_never_straddles_parts() -> None:
    assert segments("a" * 152 + "€" + "a" * 6).segments == 1  # 160 septets
    assert segments("a" * 152 + "€" + "a" * 151).segments == 2
    # 306 septets would fit 2 x 153, but the € cannot be cut across part 1 and 2.
    info = segments("a" * 152 + "€" + "a" * 152)
    assert info.units == 306
    assert info.segments == 3


def test_surrogate_pair_never_straddles_parts() -> None:
    info = segments("ê" * 66 + EMOJI + "ê" * 66)
    assert info.units == 134
    assert info.segments == 3


# --- normalize / fold / prepare --------------------------------------------------------------


def test_normalize_replaces_typographic_characters() -> None:
    text = "L’avis “clair” – oui — non… a\u00a0b\u202fc \u2068Amina\u2069 «x» • y"
    result = normalize(text)
    assert result == 'L\'avis "clair" - oui - non... a b c Amina "x" * y'
    assert is_gsm7(result)


def test_normalize_removes_zero_width_and_keeps_accents() -> None:
    assert normalize("\ufeffé\u200bà\u200d ê\u200e") == "éà ê"


def test_normalize_composes_decomposed_accents() -> None:
    assert normalize("e\u0301cole") == "école"
    assert is_gsm7(normalize("e\u0301cole"))


def test_fold_to_gsm7_francais() -> None:
    assert encoding("Français") == "UCS-2"
    assert fold_to_gsm7("Français") == "Francais"


def test_fold_keeps_gsm7_accents_and_replaces_others() -> None:
    assert fold_to_gsm7("éèàùìòäöüñÇÉÄÖÜÑÅÆæß") == "éèàùìòäöüñÇÉÄÖÜÑÅÆæß"
    assert fold_to_gsm7("âáãêëîïíôóõûúýÿšž") == "aaaeeiiiooouuyysz"
    assert fold_to_gsm7("ÂÊÎÔÛÁÍÓÚÀÈÌÒÙËÏ") == "AEIOUAIOUAEIOUEI"
    assert fold_to_gsm7("cœur Œuvre") == "coeur OEuvre"


def test_fold_leaves_characters_without_fallback() -> None:
    assert fold_to_gsm7(f"ça {EMOJI} 水") == f"ca {EMOJI} 水"


def test_accented_french_with_e_diaeresis_is_ucs2_and_left_alone_when_short() -> None:
    text = "élève à Noël"
    assert encoding(text) == "UCS-2"  # ë is not in GSM-7; é, è, à are
    assert fold_to_gsm7(text) == "élève à Noel"
    assert prepare(text, fallback=True) == text  # folding would not save a part


def test_prepare_result_is_gsm7_after_typographic_replacement() -> None:
    text = "C’est “prêt” – merci — à\u00a0bientôt… \u2068Juma\u2069 a\u202fb"
    result = prepare(text, fallback=False)
    assert result == 'C\'est "prêt" - merci - à bientôt... Juma a b'
    assert is_gsm7(prepare("It’s “ok” – yes — no…\u00a0\u202f\u2068x\u2069", fallback=False))


def test_prepare_does_not_fold_when_no_segment_is_saved() -> None:
    text = "Merci, le reçu est arrivé."
    assert len(text) <= 70
    assert prepare(text, fallback=True) == text


def test_prepare_folds_when_it_saves_a_segment() -> None:
    text = ("La réunion du comité sera en tête de l'ordre du jour demain matin. " * 2)[:100]
    assert len(text) == 100
    assert segments(text) == SegmentInfo(encoding="UCS-2", units=100, segments=2)
    result = prepare(text, fallback=True)
    assert result == text.replace("ê", "e")
    assert segments(result) == SegmentInfo(encoding="GSM-7", units=100, segments=1)


def test_prepare_without_fallback_never_folds() -> None:
    text = "ê" + "a" * 99
    assert prepare(text, fallback=False) == text


# --- split -----------------------------------------------------------------------------------

SENTENCES = [
    "The water committee met on Tuesday to review the borehole repairs.",
    "Several members asked whether the budget would cover the new pump?",
    "The treasurer confirmed that funds are available for this quarter!",
    "A follow-up meeting is planned at the chief's office next week.",
    "Please reply YES if you can attend, or NO if you cannot come.",
    "Thank you for taking part in this dialogue with your neighbours.",
    "Results of the poll will be shared with everyone by SMS soon.",
    "Questions can be sent to this number at any time of the day.",
]


def test_split_english_text_at_sentence_ends() -> None:
    text = " ".join(SENTENCES)
    assert 480 <= len(text) <= 540
    chunks = split(text)
    assert len(chunks) > 1
    assert all(segments(chunk).segments == 1 for chunk in chunks)
    assert _words(" ".join(chunks)) == _words(text)
    assert all(chunk[-1] in ".?!" for chunk in chunks)


def test_split_text_with_lines_at_line_boundaries() -> None:
    lines = [f"Line {i}: " + "item " * 8 + "done" for i in range(10)]
    text = "\n".join(lines)
    chunks = split(text)
    assert len(chunks) > 1
    assert all(segments(chunk).segments == 1 for chunk in chunks)
    assert [line for chunk in chunks for line in chunk.split("\n")] == lines


def test_split_hard_splits_a_single_long_word() -> None:
    word = "x" * 300
    assert split(word) == ["x" * 160, "x" * 140]


def test_split_ucs2_text_at_70_units() -> None:
    assert split("ê" * 150) == ["ê" * 70, "ê" * 70, "ê" * 10]


def test_split_never_breaks_an_emoji() -> None:
    chunks = split("ê" + EMOJI * 50)
    assert chunks == ["ê" + EMOJI * 34, EMOJI * 16]
    assert all(segments(chunk).units <= 70 for chunk in chunks)


def test_split_sizes_each_chunk_by_its_own_encoding() -> None:
    gsm_part = "a" * 155
    chunks = split(gsm_part + " " + "ê" * 60)
    assert chunks == [gsm_part, "ê" * 60]


def test_split_extension_characters_count_double() -> None:
    assert split("€" * 100) == ["€" * 80, "€" * 20]


def test_split_short_text_returns_it_unchanged() -> None:
    assert split("Hello, see you tomorrow.") == ["Hello, see you tomorrow."]


def test_split_empty_or_whitespace_returns_empty_list() -> None:
    assert split("") == []
    assert split("   ") == []
    assert split("\n\t ") == []


def test_split_with_max_segments_allows_concatenated_messages() -> None:
    text = " ".join(SENTENCES * 2)
    chunks = split(text, max_segments=2)
    assert all(segments(chunk).segments <= 2 for chunk in chunks)
    assert any(segments(chunk).segments == 2 for chunk in chunks)
    assert _words(" ".join(chunks)) == _words(text)


def test_split_rejects_zero_max_segments() -> None:
    with pytest.raises(ValueError, match="max_segments"):
        split("hello", max_segments=0)


# --- properties ------------------------------------------------------------------------------

_tricky = st.text(alphabet=st.sampled_from([*"ab .?!\n€[ê", EMOJI, "\u00a0"]), max_size=600)


def _check_split(text: str, max_segments: int) -> None:
    assert segments(text).segments >= 1
    chunks = split(text, max_segments=max_segments)
    for chunk in chunks:
        assert chunk
        assert chunk == chunk.strip()
        assert segments(chunk).segments <= max_segments
    assert "".join("".join(c.split()) for c in chunks) == "".join(text.split())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_property_split_chunks_fit_and_keep_content(text: str) -> None:
    _check_split(text, 1)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tricky, st.integers(min_value=1, max_value=3))
def test_property_split_with_extension_and_surrogate_chars(text: str, max_segments: int) -> None:
    _check_split(text, max_segments)
    if text.strip() and segments(text.strip()).segments <= max_segments:
        assert split(text, max_segments=max_segments) == [text.strip()]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_property_prepare_never_adds_segments(text: str) -> None:
    normalized = normalize(text)
    assert segments(prepare(text, fallback=True)).segments <= segments(normalized).segments
