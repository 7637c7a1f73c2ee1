"""The classifier alone: suggestions for clear texts in each language, confidences, bad input.
The texts here are written for these tests, apart from the seed set and the evaluation set."""

import time

import pytest

from amends.insight.suggest import classifier


@pytest.fixture(scope="module")
def seed_model():
    return classifier.fit(classifier.seed_samples())


CLEAR = [
    ("en", "I was billed two times for one pair of trainers, the same amount taken twice.", "errors"),
    ("en", "Three weeks and my refund for the returned jacket still has not arrived.", "delays"),
    ("en", "The courier was rude and shouted at my wife at the door.", "unprofessional"),
    ("he", "חויבתי פעמיים על אותו תשלום, אותו סכום ירד פעמיים מהכרטיס.", "errors"),
    ("he", "אני מחכה כבר חודש להחזר הכספי ועדיין לא קיבלתי כלום.", "delays"),
    ("he", "הנציג היה גס רוח וצעק עליי בטלפון.", "unprofessional"),
    ("ar", "انخصم مني نفس المبلغ مرتين على نفس الفاتورة.", "errors"),
    ("ar", "صار لي شهر أنتظر استرداد المبلغ ولسا ما وصل.", "delays"),
    ("ar", "الموظف كان قليل أدب وصرخ علي بالتلفون.", "unprofessional"),
    ("ru", "С карты дважды списали одну и ту же сумму за один заказ.", "errors"),
    ("ru", "Уже месяц жду возврат денег, до сих пор ничего не пришло.", "delays"),
    ("ru", "Оператор нахамил и накричал на меня по телефону.", "unprofessional"),
]


@pytest.mark.parametrize(("language", "text", "expected"), CLEAR)
def test_a_clear_complaint_gets_its_category_in_each_language(seed_model, language, text, expected):
    # given a clear complaint in one of the four languages
    # when it is classified by the model trained on the seed set
    prediction = classifier.predict(seed_model, [text])[0]
    # then its category comes first, with a probability and a different runner-up
    assert prediction.category == expected, (language, prediction)
    assert 0.0 <= prediction.runner_up_confidence <= prediction.confidence <= 1.0
    assert prediction.runner_up != prediction.category


def test_confidences_are_probabilities_over_the_allowed_categories(seed_model):
    # given only some categories are active
    allowed = {"delays", "errors", "other"}
    # when texts are classified
    predictions = classifier.predict(
        seed_model, ["My parcel is two weeks late.", "Wrong size sent.", "Thanks!"], allowed=allowed
    )
    # then every suggestion is an active category and the probabilities stay in [0, 1]
    for p in predictions:
        assert p.category in allowed
        assert p.runner_up in allowed
        assert 0.0 <= p.runner_up_confidence <= p.confidence <= 1.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😡😡😡🤬🤬",
        "12345 678 !!! ???",
        "\x00\x01\x02\ufffd\ufffd",
        "\u202e\u202d\u200f",  # right-to-left override marks only
    ],
)
def test_text_without_words_gets_no_suggestion(seed_model, text):
    # given a text with no letters to learn from
    # when it is classified
    prediction = classifier.predict(seed_model, [classifier.case_text("", text)])[0]
    # then there is no suggestion (the page says there is not enough text) and nothing raised
    assert prediction == classifier.NO_PREDICTION


def test_an_enormous_or_odd_text_is_classified_without_error(seed_model):
    # given a 1 MB message, binary-looking bytes decoded as text and a right-to-left override
    texts = [
        classifier.case_text("Refund", "my refund is late " * 60_000),
        classifier.case_text("", "\u202eהחזר כספי שלא הגיע\u202c" + "\x00\xff" * 1000),
        classifier.case_text("", "A" * 1_000_000),
    ]
    # when they are classified
    began = time.process_time()
    predictions = classifier.predict(seed_model, texts)
    # then each gets a suggestion, quickly: only the first MAX_CHARS are read
    assert all(p.category for p in predictions)
    assert time.process_time() - began < 5
    assert all(len(t) <= classifier.MAX_CHARS for t in texts)


def test_case_text_leaves_quoted_history_out_unless_nothing_else_is_left():
    # given a message with our quoted reply below and one that is only a quote
    body = "Still no refund.\n> We will refund you within 5 days.\n> Customer care"
    # then the quote is left out, and kept when it is all there is
    assert classifier.case_text("Refund", body) == "Refund\nStill no refund."
    assert "refund you" in classifier.case_text("", "> We will refund you")


def test_preparation_folds_letter_variants_and_numbers():
    assert classifier.prepare("أإآ ى ة ё 2026 ABC") == "ااا ي ه е 0000 abc"
    assert classifier.prepare("שָׁלוֹם") == "שלום"


def test_a_stored_model_predicts_like_the_one_trained(seed_model):
    # given the model pickled for its database row
    restored = classifier.loads(classifier.dumps(seed_model))
    # then it gives the same suggestions
    texts = [text for _language, text, _expected in CLEAR]
    assert classifier.predict(restored, texts) == classifier.predict(seed_model, texts)


def test_cross_validation_measures_top1_accuracy_on_labelled_samples():
    # given two categories with distinct words, six texts each
    samples = [classifier.Sample(f"late parcel waiting {i}", "en", "delays") for i in range(6)] + [
        classifier.Sample(f"charged twice wrong amount {i}", "en", "errors") for i in range(6)
    ]
    # when they are cross-validated in three folds
    accuracy, used = classifier.cross_validate(samples, folds=3)
    # then every text is predicted once, and these are easy
    assert used == 12
    assert accuracy == 1.0


def test_cross_validation_is_skipped_when_a_category_has_too_few_samples():
    samples = [classifier.Sample("late", "en", "delays")] * 5 + [classifier.Sample("wrong", "en", "errors")]
    assert classifier.cross_validate(samples, folds=5) == (None, 6)


def test_the_seed_set_covers_every_category_in_every_language():
    # the task's floor: at least ~10 texts per category and language, written for the project
    counts: dict[tuple[str, str], int] = {}
    for sample in classifier.seed_samples():
        counts[sample.language, sample.category] = counts.get((sample.language, sample.category), 0) + 1
    categories = {category for _language, category in counts}
    assert len(categories) == 8
    assert all(counts.get((language, c), 0) >= 10 for language in classifier.LANGUAGES for c in categories)


def test_noisy_copies_wrap_a_text_in_neutral_sentences_at_a_lower_weight():
    # given
    sample = classifier.Sample("The parcel arrived crushed.", "en", "below_expectation")
    # when
    copies = classifier.noisy_copies([sample])
    # then
    assert len(copies) == classifier.NOISY_COPIES
    assert all(copy.text != sample.text and sample.text in copy.text for copy in copies)
    assert all(copy.category == sample.category and copy.language == "en" for copy in copies)
    assert all(copy.weight == sample.weight * classifier.NOISY_WEIGHT for copy in copies)
    assert classifier.noisy_copies([sample]) == copies  # seeded by the text


def test_noisy_copies_skip_a_language_without_a_noise_pool():
    # given / when / then
    assert classifier.noisy_copies([classifier.Sample("Bonjour", "fr", "other")]) == []
