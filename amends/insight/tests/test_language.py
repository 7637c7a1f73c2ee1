"""Language identification (issue 6, point 1): lingua restricted to the languages served and
the ones confused with them, a word-share for mixed text, and "not enough text"."""

import pytest

from amends.insight.language import language_detect


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("My parcel was marked as delivered but it never arrived.", "en"),
        ("החבילה סומנה כנמסרה אבל לא הגיעה אליי", "he"),
        ("الشحنة مكتوب انها انسلمت بس انا ما استلمتها", "ar"),
        ("Посылка отмечена как доставленная, но я её не получала", "ru"),
    ],
)
def test_each_served_language(text, code):
    # given / when
    guess = language_detect(text)
    # then
    assert guess.code == code
    assert guess.supported
    assert guess.confidence > 0.5
    assert not guess.is_mixed


def test_short_russian_without_its_own_letters_stays_russian():
    """Lingua alone calls this Ukrainian: it has none of і ї є ґ."""
    # given / when
    guess = language_detect("хочу поговорить с начальником")
    # then
    assert guess.code == "ru"


def test_ukrainian_and_persian_are_reported_as_what_they_are():
    # given / when / then
    assert language_detect("Доброго дня, хочу скасувати підписку").code == "uk"
    assert language_detect("سلام، من می‌خواهم اشتراک را لغو کنم").code == "fa"
    assert not language_detect("Доброго дня, хочу скасувати підписку").supported


def test_mixed_text_takes_the_language_with_most_words_and_reports_shares():
    # given: a Hebrew sentence frame with English words
    text = "שלום, אני רוצה לדבר עם מנהל בבקשה, the iPhone screen is broken"
    # when
    guess = language_detect(text)
    # then
    assert guess.code == "he"
    assert guess.is_mixed
    assert [share.code for share in guess.mixed] == ["he", "en"]
    assert sum(share.share for share in guess.mixed) == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("text", ["", "   ", "ok", "👍👍👍", "12345 678", "?!?!", "\u202e\u202c", None])
def test_not_enough_text(text):
    # given / when
    guess = language_detect(text)
    # then
    assert guess.code is None
    assert not guess.enough_text
    assert guess.message == "Not enough text to tell the language."


def test_right_to_left_override_and_a_megabyte_do_not_break_it():
    # given
    override = "\u202eשלום, ההזמנה שלי לא הגיעה\u202c"
    huge = "The delivery is late again. " * 40_000
    # when / then
    assert language_detect(override).code == "he"
    assert language_detect(huge).code == "en"
