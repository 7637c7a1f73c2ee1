"""Suggestions on cases: computed by the drain when a case opens, confirmed or corrected on the
desk, learned from by retraining."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from amends.accounts.services import team_create, user_create
from amends.cases.models import Case, Category
from amends.cases.services import lifecycle
from amends.core import clock
from amends.core.models import AuditEvent
from amends.insight.suggest import classifier, events, services
from amends.insight.suggest.models import Outcome, SuggesterModel, Suggestion
from amends.insight.suggest.queue import suggestions_queue

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LATE_REFUND = "I returned the coat a month ago and I am still waiting for my refund."


@pytest.fixture(autouse=True)
def _fresh_model_cache(settings):
    # Each test's database starts without a stored model: forget the one a previous test loaded.
    services._current = None
    settings.AMENDS_SUGGEST_RETRAIN_MINUTES = 60


def _suggestion(case) -> Suggestion:
    return Suggestion.objects.select_related("category", "runner_up", "chosen").get(case_id=case.pk)


def _category(code: str) -> Category:
    return Category.objects.get(code=code)


def _confirm(client, case, category):
    url = reverse("desk:case-action", args=[case.public_id, "category-confirm"])
    return client.post(url, {"category": category.pk}, **HTMX)


def _triage(client, case, category):
    url = reverse("desk:case-action", args=[case.public_id, "update"])
    data = {"category": category.pk if category else "", "priority": case.priority, "summary": ""}
    return client.post(url, data, **HTMX)


def test_opening_a_case_suggests_its_category_off_the_request(make_case):
    # when a complaint about a late refund comes in (the drain runs inline in tests)
    case = make_case(subject="Refund", body=LATE_REFUND)
    # then its suggestion is computed with the seed model: a category, a confidence, a runner-up
    suggestion = _suggestion(case)
    assert suggestion.computed_at is not None
    assert suggestion.category.code == "delays"
    assert 0 < suggestion.confidence <= 1
    assert suggestion.runner_up is not None and suggestion.runner_up != suggestion.category
    assert suggestion.model_version == f"seed-{classifier.seed_digest()}"
    assert suggestion.outcome == Outcome.OPEN


@pytest.mark.parametrize(
    ("language", "body", "expected"),
    [
        ("he", "הנציגה צעקה עליי וטרקה את הטלפון באמצע השיחה.", "unprofessional"),
        ("ar", "انخصم مني المبلغ مرتين على نفس الطلب، رجعوا الفرق.", "errors"),
        ("ru", "Третью неделю жду доставку заказа, курьера всё нет.", "delays"),
    ],
)
def test_cases_in_each_language_get_a_suggestion(make_case, language, body, expected):
    case = make_case(body=body, language=language)
    assert _suggestion(case).category.code == expected


@pytest.mark.parametrize("body", ["😡😡😡", "!!!!!!!!", "\u202e\u202e"])
def test_a_case_without_words_is_computed_with_no_suggestion(make_case, client, agent, body):
    # given a case whose message has no words
    case = make_case(body=body)
    # then the drain marks it done without a category, and the page says so
    suggestion = _suggestion(case)
    assert suggestion.computed_at is not None and suggestion.category is None
    client.force_login(agent)
    page = client.get(reverse("desk:case", args=[case.public_id]))
    assert "Not enough text to suggest a category." in page.content.decode()


def test_an_enormous_message_is_suggested_for_without_error(make_case):
    case = make_case(body="The washing machine leaks and the drum is broken. " * 20_000)  # ~1 MB
    assert _suggestion(case).category is not None


def test_the_case_page_shows_the_suggestion_with_a_confirm_button(make_case, client, agent):
    # given a case with a suggestion
    case = make_case(body=LATE_REFUND)
    suggestion = _suggestion(case)
    # when the agent opens it
    client.force_login(agent)
    page = client.get(reverse("desk:case", args=[case.public_id])).content.decode()
    # then the suggestion and its confidence are beside the category select, with Confirm
    assert f"Suggested: {suggestion.category.name} ({suggestion.percent}%)" in page
    assert 'id="category-confirm"' in page


def test_confirming_sets_the_category_and_records_the_event(make_case, client, agent):
    # given a case with a suggested category
    case = make_case(body=LATE_REFUND)
    suggested = _suggestion(case).category
    client.force_login(agent)
    # when the agent clicks Confirm (HTMX)
    response = _confirm(client, case, suggested)
    # then the case takes the category, the suggestion is confirmed by them, and the timeline says so
    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).category == suggested
    suggestion = _suggestion(case)
    assert suggestion.outcome == Outcome.CONFIRMED
    assert (suggestion.chosen, suggestion.settled_by) == (suggested, agent)
    confirmed = AuditEvent.objects.get(target_type="case", target_id=case.pk, name=events.CATEGORY_CONFIRMED)
    assert confirmed.actor == agent
    assert confirmed.data["suggested"] == suggested.code and confirmed.data["how"] == "button"
    assert AuditEvent.objects.filter(target_id=case.pk, name="cases.updated").exists()
    body = response.content.decode()
    assert "Suggested category confirmed" in body
    assert 'id="category-confirm"' not in body  # nothing left to confirm


def test_choosing_another_category_in_the_form_is_a_correction(make_case, client, agent):
    # given a case suggested as delays
    case = make_case(body=LATE_REFUND)
    assert _suggestion(case).category.code == "delays"
    client.force_login(agent)
    # when the agent picks "errors" in the triage form
    response = _triage(client, case, _category("errors"))
    # then the case is "errors" and the suggestion says it was corrected, by whom, to what
    assert response.status_code == 200
    suggestion = _suggestion(case)
    assert suggestion.outcome == Outcome.CORRECTED
    assert suggestion.chosen.code == "errors" and suggestion.settled_by == agent
    corrected = AuditEvent.objects.get(target_id=case.pk, name=events.CATEGORY_CORRECTED)
    assert (corrected.data["suggested"], corrected.data["chosen"]) == ("delays", "errors")
    assert "Suggested category corrected" in response.content.decode()


def test_choosing_the_suggested_category_in_the_form_confirms_it(make_case, client, agent):
    case = make_case(body=LATE_REFUND)
    client.force_login(agent)
    _triage(client, case, _category("delays"))
    suggestion = _suggestion(case)
    assert suggestion.outcome == Outcome.CONFIRMED
    event = AuditEvent.objects.get(target_id=case.pk, name=events.CATEGORY_CONFIRMED)
    assert event.data["how"] == "form"


def test_saving_the_form_without_changing_the_category_settles_nothing(make_case, client, agent):
    # given a case whose category an agent already corrected
    case = make_case(body=LATE_REFUND)
    client.force_login(agent)
    _triage(client, case, _category("errors"))
    # when the form is saved again with the same category (another field changed)
    url = reverse("desk:case-action", args=[case.public_id, "update"])
    client.post(url, {"category": _category("errors").pk, "priority": "high", "summary": ""}, **HTMX)
    # then there is still one correction event
    assert AuditEvent.objects.filter(target_id=case.pk, name=events.CATEGORY_CORRECTED).count() == 1


def test_clearing_the_category_withdraws_the_label(make_case, agent):
    case = make_case(body=LATE_REFUND)
    services.case_triage_update(case=case, actor=agent, category=_category("errors"))
    services.case_triage_update(case=Case.objects.get(pk=case.pk), actor=agent, category=None)
    suggestion = _suggestion(case)
    assert (suggestion.outcome, suggestion.chosen) == (Outcome.OPEN, None)


def test_a_stale_confirm_changes_nothing_and_says_why(make_case, client, agent):
    # given the page showed "delays" but the suggestion is now something else
    case = make_case(body=LATE_REFUND)
    client.force_login(agent)
    # when Confirm is posted for a category that is not the suggestion
    response = _confirm(client, case, _category("errors"))
    # then the category is not set, and the agent is told to look again
    assert Case.objects.get(pk=case.pk).category is None
    assert "The suggestion changed while the page was open" in response.content.decode()
    assert _suggestion(case).outcome == Outcome.OPEN


def test_confirm_without_a_suggestion_is_refused(make_case, client, agent):
    case = make_case(body="😡😡😡")
    client.force_login(agent)
    response = _confirm(client, case, _category("other"))
    assert "There is no suggested category to confirm." in response.content.decode()
    assert Case.objects.get(pk=case.pk).category is None


def test_an_agent_outside_the_team_cannot_confirm(make_case, client, agent):
    # given a case handed to a team the other agent is not in
    case = make_case(body=LATE_REFUND)
    team_x, team_y = team_create(name="Team X", slug="x"), team_create(name="Team Y", slug="y")

    def staff(name, team):
        return user_create(
            username=name, email=f"{name}@amends.test", full_name=name, password="pw-1", teams=[team]
        )

    lifecycle.case_transfer(
        case=case,
        to_owner=staff("olga", team_x),
        to_team=team_x,
        actor=agent,
        summary="A late refund for a returned coat; nothing promised yet.",
    )
    outsider = staff("yael", team_y)
    client.force_login(outsider)
    # when they post Confirm
    response = _confirm(client, case, _suggestion(case).category)
    # then the case is not found for them, and nothing changed
    assert response.status_code == 404
    assert _suggestion(case).outcome == Outcome.OPEN


def test_a_category_chosen_on_a_case_without_a_suggestion_is_still_a_label(make_case, agent):
    # given a case from before the suggester (no suggestion row)
    case = make_case(body=LATE_REFUND)
    Suggestion.objects.filter(case_id=case.pk).delete()
    # when an agent sets its category
    services.case_triage_update(case=case, actor=agent, category=_category("delays"))
    # then the choice is kept as a label, with no event of its own
    suggestion = _suggestion(case)
    assert (suggestion.outcome, suggestion.chosen.code) == (Outcome.LABELLED, "delays")
    assert not AuditEvent.objects.filter(target_id=case.pk, name__startswith="insight.category").exists()


PLUMBUS = "The plumbus fleeb from your plumbus shop grumbos every time, plumbus number {n}."


def test_retraining_learns_a_confirmed_pattern_and_changes_the_version(make_case, agent, settings):
    settings.AMENDS_SUGGEST_CV_FOLDS = 0  # cross-validation has its own test; keep this one quick
    # given the seed model does not call plumbus complaints "inflexibility"
    before = services.suggest_text(PLUMBUS.format(n=99))
    assert before.category != "inflexibility"
    version_before = services.suggester_current()[0]
    # and agents corrected five plumbus cases to "inflexibility"
    for n in range(5):
        case = make_case(body=PLUMBUS.format(n=n), email=f"p{n}@example.com")
        services.case_triage_update(case=case, actor=agent, category=_category("inflexibility"))
    # when the suggester is retrained
    row = services.suggester_train()
    # then it is stored with its counts, the workers switch to it, and it learned the pattern
    assert row is not None and row.label_samples == 5 and row.seed_samples == len(classifier.seed_samples())
    assert row.samples_by_language["en"] == row.seed_samples // 4 + 5
    version, _model = services.suggester_current()
    assert version == row.version != version_before
    assert services.suggest_text(PLUMBUS.format(n=100)).category == "inflexibility"
    # and a case opened now is suggested by the new model
    case = make_case(body=PLUMBUS.format(n=101), email="p101@example.com")
    suggestion = _suggestion(case)
    assert (suggestion.model_version, suggestion.category.code) == (row.version, "inflexibility")


def test_retraining_is_due_only_for_new_labels_and_not_too_often(make_case, agent, settings):
    settings.AMENDS_SUGGEST_CV_FOLDS = 0
    # given no stored model: training is due, and the periodic job queues it (it runs inline)
    assert services.suggester_retrain_if_due() == 1
    assert SuggesterModel.objects.count() == 1
    # with no new label, nothing is due
    assert services.suggester_retrain_if_due() == 0
    assert services.suggester_train() is None
    # a new label within the hour waits
    case = make_case(body=LATE_REFUND)
    services.case_triage_update(case=case, actor=agent, category=_category("delays"))
    assert services.suggester_retrain_if_due() == 0
    # an hour later it is trained on
    clock.freeze(clock.now() + timedelta(minutes=61))
    case2 = make_case(body=LATE_REFUND, email="later@example.com")
    services.case_triage_update(case=case2, actor=agent, category=_category("delays"))
    assert services.suggester_retrain_if_due() == 1
    newest = SuggesterModel.objects.order_by("-pk").first()
    assert newest.label_samples == 2


def test_only_the_newest_models_are_kept(settings, monkeypatch):
    settings.AMENDS_SUGGEST_CV_FOLDS = 0
    monkeypatch.setattr(services, "KEEP_MODELS", 1)
    rows = [services.suggester_train(force=True) for _ in range(2)]
    kept = list(SuggesterModel.objects.order_by("pk").values_list("pk", flat=True))
    assert kept == [r.pk for r in rows[1:]]


def test_a_model_row_that_cannot_be_loaded_falls_back_to_the_seed_model(settings):
    # given a stored model written by some other version of the code
    SuggesterModel.objects.create(
        trained_at=clock.now(),
        scheme=classifier.SCHEME,
        library_version=classifier.LIBRARY_VERSION,
        blob=b"not a pickle",
        seed_samples=0,
        label_samples=0,
    )
    # then suggestions go on with the seed model
    version, _model = services.suggester_current()
    assert version.startswith("seed-")
    assert services.suggest_text(LATE_REFUND).category == "delays"


def test_a_model_of_another_scheme_is_not_loaded_and_is_retrained(settings):
    settings.AMENDS_SUGGEST_CV_FOLDS = 0
    SuggesterModel.objects.create(
        trained_at=clock.now(),
        scheme=classifier.SCHEME + 1,
        library_version=classifier.LIBRARY_VERSION,
        blob=b"",
        seed_samples=0,
        label_samples=0,
    )
    assert services.suggester_current()[0].startswith("seed-")
    assert services.suggester_retrain_if_due() == 1


def test_the_command_trains_and_reports_the_cross_validated_accuracy(settings, capsys):
    settings.AMENDS_SUGGEST_CV_FOLDS = 2
    call_command("suggester_train")
    row = SuggesterModel.objects.get()
    assert row.cv_accuracy is not None and 0 < row.cv_accuracy <= 1
    assert row.cv_samples == row.seed_samples
    out = capsys.readouterr().out
    assert f"Model {row.version}" in out and "cross-validated accuracy" in out


def test_pending_suggestions_are_computed_by_the_drain_in_batches(make_case, settings):
    # given cases queued while no drain ran (as after a worker died)
    cases = [make_case(body=LATE_REFUND, email=f"c{n}@example.com") for n in range(5)]
    Suggestion.objects.all().update(computed_at=None, category=None)
    settings.AMENDS_SUGGEST_BATCH = 2
    # when the drain runs
    done = services.suggestions_compute_pending()
    # then every one is computed, two per transaction
    assert done == 5
    assert all(_suggestion(c).category is not None for c in cases)


def test_the_periodic_job_kicks_the_drain_for_old_pending_suggestions(make_case):
    case = make_case(body=LATE_REFUND)
    Suggestion.objects.filter(case_id=case.pk).update(computed_at=None, category=None)
    assert services.suggestions_retry_pending() == 0  # too fresh: a drain run is on its way
    clock.freeze(clock.now() + timedelta(minutes=2))
    assert services.suggestions_retry_pending() == 1
    assert _suggestion(case).category is not None  # the kicked drain ran inline


def test_queueing_twice_keeps_one_suggestion(make_case):
    case = make_case(body=LATE_REFUND)
    suggestions_queue([case])
    assert Suggestion.objects.filter(case_id=case.pk).count() == 1


def test_forgetting_drops_the_label_but_keeps_the_suggestion(make_case, agent):
    case = make_case(body=LATE_REFUND)
    services.case_triage_update(case=case, actor=agent, category=_category("delays"))
    assert services.suggestions_forget(case_ids=[case.pk]) == 1
    suggestion = _suggestion(case)
    assert suggestion.chosen is None and suggestion.category is not None
