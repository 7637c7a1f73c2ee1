"""Normalisation and signatures: the same words compare equal whatever the spelling variants,
and no input breaks them or takes long."""

import time

import pytest

from amends.insight.similar import minhash
from amends.insight.similar.tests.texts import NEAR_DUPLICATES, UNRELATED
from amends.insight.similar.text import light_stem, normalise, shingles


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("שָׁלוֹם, הַחֲבִילָה", ["שלומ", "החבילה"]),  # niqqud goes, final mem folds
        ("ך ם ן ף ץ", ["כ", "מ", "נ", "פ", "צ"]),
        ("أُرِيدُ الطلبيـــة", ["اريد", "الطلبيه"]),  # harakat and tatweel go, أ → ا, ة → ه
        ("إلى آخر مستوى", ["الي", "اخر", "مستوي"]),  # إ آ → ا, ى → ي
        ("ЁЛКА Зам\u0301ок", ["елка", "замок"]),  # ё → е, stress mark goes, й stays
        ("йод", ["йод"]),
        ("Order 55120, ref AM-7K3Q9X, 3 times", ["order", "ref", "am", "3", "times"]),  # ids go
        ("رقم ١٢٣٤٥ فقط", ["رقم", "فقط"]),  # Arabic-Indic digits are numbers too
        ("\u202eevil\u202c te\u200bxt", ["evil", "text"]),  # bidi overrides and joiners go
    ],
)
def test_normalise_folds_spelling_variants(written, folded):
    assert normalise(written) == folded


@pytest.mark.parametrize(
    ("word", "stem"),
    [("והחבילה", "חבילה"), ("החבילה", "חבילה"), ("والطلب", "طلب"), ("بالطلب", "طلب"), ("посылку", "посыл")],
)
def test_light_stems_strip_prefixes_clitics_and_endings(word, stem):
    assert light_stem(word) == stem


@pytest.mark.parametrize("lang", ["he", "ar", "ru", "en"])
def test_near_duplicates_score_high_and_unrelated_texts_low(lang):
    for first, second in NEAR_DUPLICATES[lang]:
        assert minhash.similarity(minhash.signature(first), minhash.signature(second)) >= 0.45
        assert minhash.similarity(minhash.signature(first), minhash.signature(UNRELATED[lang])) < 0.2


def test_a_signature_is_stable_and_its_bands_are_distinct():
    text = NEAR_DUPLICATES["en"][0][0]
    sig = minhash.signature(text)
    assert sig == minhash.signature(text) and len(sig) == minhash.NUM_PERM * 4
    keys = minhash.band_keys(sig)
    assert len(keys) == minhash.BANDS and len(set(keys)) == minhash.BANDS
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert minhash.similarity(sig, sig) == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😡😡😡🤬🤬 👎👎👎👎 💩",
        "\x00\x01\x02\ufffd\ufffd\udcff\udcfe",
        "Help!!!",
        "55120 1234567 054-7654321",
    ],
)
def test_too_little_text_gives_no_signature(text):
    assert minhash.signature(text) is None
    assert minhash.similarity(None, minhash.signature(NEAR_DUPLICATES["en"][0][0])) == 0.0


def test_binary_looking_and_mixed_text_never_raises():
    noise = bytes(range(256)).decode("latin-1") * 40 + "שלום مرحبا привет hello \u202e" * 20
    assert minhash.signature(noise) is not None
    assert shingles(noise)


def test_a_megabyte_of_text_is_cut_and_stays_fast():
    text = (NEAR_DUPLICATES["ru"][0][0] + " ") * 5500  # over 1 MB
    assert len(text.encode()) > 1_000_000
    began = time.process_time()
    sig = minhash.signature(text)
    assert sig == minhash.signature(text[:20_000])
    assert time.process_time() - began < 1.0


def test_similarity_is_the_share_of_equal_values():
    # given two signatures that differ in 32 of their 128 values (one byte each, anywhere in it)
    a = bytes(range(256)) * 2
    b = bytearray(a)
    for lane in range(0, 128, 4):
        b[lane * 4 + lane % 4] ^= 0xFF
    # then three quarters of the values are equal
    assert minhash.similarity(a, bytes(b)) == 0.75
    assert minhash.similarity(a, a[:-4]) == 0.0  # another length: another scheme, not comparable
