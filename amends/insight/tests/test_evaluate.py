"""`make eval` as a regression guard: the development part of the evaluation set must keep its
scores. The held-out part is reported by `make eval`, never asserted here (docs/insight.md)."""

import pytest

from amends.insight.evaluate import DEV, DEV_FLOORS, HELD_OUT, LANGUAGES, TARGETS, eval_part, evaluate, main


@pytest.fixture(scope="module")
def dev_result():
    return evaluate(DEV)


@pytest.mark.parametrize("signal", sorted(TARGETS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_development_part_keeps_its_scores(dev_result, signal, language):
    # given: the floor is the target, or the score reached when it was first written if lower
    floor = DEV_FLOORS.get((signal, language), TARGETS[signal])
    # when
    f1 = dev_result.f1(signal, language)
    # then
    assert f1 >= floor, f"{signal} {language}: F1 {f1:.2f} fell below {floor:.2f}"


def test_language_identification_on_the_development_part(dev_result):
    # given / when / then
    assert dev_result.language_id_accuracy() >= 0.99


def test_the_split_is_fixed_and_about_a_third():
    # given / when
    dev = [n for n in range(1, 166) if eval_part(f"he-{n:03d}") == DEV]
    # then
    assert eval_part("en-009") == eval_part("ru-009") == DEV
    assert eval_part("en-001") == HELD_OUT
    assert 45 <= len(dev) <= 65


def test_make_eval_prints_both_parts_and_a_line_per_target(capsys):
    # given / when
    code = main(["--part", "both"])
    out = capsys.readouterr().out
    # then
    assert code == 0
    assert "DEVELOPMENT part" in out and "HELD-OUT part" in out
    assert out.count("legal_threat he: F1") == 2
    assert "language id" in out
    assert out.count("category top-1 he:") == 1  # the suggester's target line (amends.insight.suggest)
    assert "CROSS-VALIDATED" in out


def test_dev_extra_texts_are_always_development_and_leave_the_held_out_part_alone():
    # given
    from amends.insight.evaluate import dev_extra_rows, eval_rows, part_rows

    for language in LANGUAGES:
        extra = dev_extra_rows(language)
        # when
        held_out = part_rows(language, HELD_OUT)
        dev = part_rows(language, DEV)
        # then
        assert len(extra) >= 100
        assert all(eval_part(row["id"]) == DEV for row in extra)
        assert held_out == [row for row in eval_rows(language) if eval_part(row["id"]) == HELD_OUT]
        assert not {row["id"] for row in extra} & {row["id"] for row in held_out}
        assert len(dev) == len(eval_rows(language)) - len(held_out) + len(extra)
