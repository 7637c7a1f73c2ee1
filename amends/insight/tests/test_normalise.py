"""Morphology-aware matching keys (amends.insight.normalise): prefixes, clitics, letter
variants, stems, and offsets that point into the original text."""

import pytest

from amends.insight.normalise import fold, script_of, tokenise, word_keys


def _keys(word: str) -> frozenset[str]:
    return word_keys(word, script_of(word)).keys


@pytest.mark.parametrize(
    ("word", "reading"),
    [
        ("ולעורך", "עורכ"),  # ו + ל
        ("המנהל", "מנהל"),  # ה
        ("ובמשרד", "משרד"),  # ו + ב
        ("שהמנהלת", "מנהלת"),  # ש + ה
        ("ומהמשרד", "משרד"),  # ו + מ + ה
        ("כשהמנהל", "מנהל"),  # כש + ה
        ("לממונה", "ממונה"),  # ל
    ],
)
def test_hebrew_prefixes_are_taken_off(word, reading):
    # given / when
    keys = _keys(word)
    # then
    assert reading in keys
    assert "=" + fold(word, "he") in keys  # the exact form is kept as well


def test_hebrew_final_letters_and_niqqud_fold():
    # given: final letters, and the same word with niqqud
    # when / then
    assert fold("עורך", "he") == fold("עורכ", "he") == "עורכ"
    assert fold("שָׁלוֹם", "he") == fold("שלום", "he")
    assert fold("ץףןםך", "he") == "צפנמכ"


def test_hebrew_gershayim_are_one_quote():
    # given: עו"ד typed with an ASCII quote and with a gershayim
    # when / then
    assert fold("עו״ד", "he") == fold('עו"ד', "he")


def test_a_short_word_is_not_stripped_to_nothing():
    # given: ולא would leave one letter once ו and ל are taken off
    # when / then
    assert all(len(key.strip("=")) >= 2 for key in _keys("ולא"))


@pytest.mark.parametrize(
    ("word", "reading"),
    [
        ("والمدير", "مدير"),  # و + ال
        ("بالمحكمة", "محكمه"),  # ب + ال, ة → ه
        ("فالمسؤول", "مسءول"),  # ف + ال, ؤ → ء
        ("للمدير", "مدير"),  # ل + ال (alef dropped)
        ("للمدير", "المدير"),
        ("وبالمحامي", "محامي"),  # و + ب + ال
        ("سأشتكي", "اشتكي"),  # س, أ → ا
        ("عالفرع", "فرع"),  # على + ال
        ("هالشركة", "شركه"),  # the dialect demonstrative + ال
        ("هالشركة", "الشركه"),
    ],
)
def test_arabic_clitics_are_taken_off(word, reading):
    # given / when / then
    assert reading in _keys(word)


def test_arabic_letter_variants_fold():
    # given / when / then
    assert fold("أإآ", "ar") == "ااا"
    assert fold("مدرسة", "ar") == fold("مدرسه", "ar")
    assert fold("مستشفى", "ar") == fold("مستشفي", "ar")
    assert fold("المسئول", "ar") == fold("المسؤول", "ar")


def test_arabic_harakat_and_tatweel_are_removed():
    # given: harakat, a shadda and a tatweel
    # when / then
    assert fold("مُحَامِيّ", "ar") == "محامي"
    assert fold("مـــدير", "ar") == "مدير"


@pytest.mark.parametrize("form", ["суд", "суда", "суду", "судом", "суде"])
def test_russian_forms_share_a_stem(form):
    # given / when / then
    assert "~суд" in _keys(form)


def test_russian_yo_is_read_as_ye_and_short_i_is_kept():
    # given: ё and й (й must not become и, as stripping all combining marks would do)
    # when / then
    assert fold("счёт", "ru") == "счет"
    assert fold("мой", "ru") == "мой"


@pytest.mark.parametrize(
    ("form", "stem"), [("lawyers", "~lawyer"), ("Cancelled", "~cancel"), ("SUING", "~su")]
)
def test_english_is_lower_cased_and_stemmed(form, stem):
    # given / when / then
    assert stem in _keys(form)


def test_elongated_words_are_read_once_and_marked():
    # given
    found = word_keys("sooooo", "en")
    # then
    assert "=so" in found.keys
    assert found.elongated


def test_full_width_and_bold_letters_fold():
    # given: full-width and mathematical bold "idiot"
    # when / then
    assert fold("ｉｄｉｏｔ", "en") == "idiot"
    assert fold("𝐢𝐝𝐢𝐨𝐭", "en") == "idiot"


def test_token_offsets_point_into_the_original_text():
    # given: niqqud, a zero-width space and a bidi override inside the text
    text = "שָׁלוֹם \u202eעו״ד\u202c and lawy\u200ber, судом!"
    # when
    tokens, cut = tokenise(text)
    # then
    assert not cut
    pieces = [text[t.start : t.end] for t in tokens]
    assert pieces[0] == "שָׁלוֹם"
    assert "lawy\u200ber" in pieces
    assert pieces[-1] == "судом"
    assert "=lawyer" in tokens[pieces.index("lawy\u200ber")].keys


def test_quoted_history_is_not_tokenised():
    # given
    text = "Thanks for nothing.\n> On Monday you wrote:\n> we will call you back\nStill waiting."
    # when
    tokens, _cut = tokenise(text)
    # then
    words = [text[t.start : t.end] for t in tokens]
    assert "wrote" not in words
    assert words[-2:] == ["Still", "waiting"]


def test_sentences_and_clauses_are_numbered():
    # given
    text = "I am not angry, I am furious. Really"
    # when
    tokens, _cut = tokenise(text)
    # then
    assert [t.clause for t in tokens] == [0, 0, 0, 0, 1, 1, 1, 2]
    assert [t.sentence for t in tokens] == [0, 0, 0, 0, 0, 0, 0, 1]


def test_a_hebrew_quotation_mark_after_a_prefix_opens_a_quoted_word():
    # given: ב"ידיעות is ב + a quoted word; עו"ד and ש"ח are abbreviations
    # when / then
    assert "ידיעות" in _keys('ב"ידיעות')
    assert "טכנאי" in _keys('ה"טכנאי')
    assert '"ד' not in _keys('עו"ד') and "ד" not in _keys('עו"ד')
