"""Lexicons are data admins edit (issue 6, point 2): the defaults are seeded by a migration,
an edit in the admin changes what is detected at once, and a bad pattern is refused."""

import pytest
from django.urls import reverse

from amends.insight.models import Lexicon, LexiconEntry, SignalKind
from amends.insight.selectors import lexicon_active, text_insight
from amends.insight.services import lexicon_defaults_load, lexicon_entries_delete, lexicon_entry_save

pytestmark = pytest.mark.usefixtures("fresh_lexicon")


def _admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_migration_seeds_every_language_from_the_shipped_files(db):
    # given / when
    counts = {lexicon.language: lexicon.entries.count() for lexicon in Lexicon.objects.all()}
    # then
    assert set(counts) == {"en", "he", "ar", "ru"}
    assert all(count > 200 for count in counts.values())
    assert lexicon_defaults_load() == 0  # nothing missing


def test_adding_an_entry_in_the_admin_detects_it_at_once(
    client, admin_user, django_capture_on_commit_callbacks
):
    # given: a word no lexicon knows
    text = "You are all flibbertigibbets."
    assert not text_insight(text).signals.has("abuse")
    english = Lexicon.objects.get(language="en")
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_client(client, admin_user).post(
            reverse("admin:insight_lexiconentry_add"),
            {
                "lexicon": english.pk,
                "kind": SignalKind.ABUSE,
                "pattern": "flibbertigibbet*",
                "weight": "1.0",
                "active": "on",
            },
        )
    # then
    assert response.status_code == 302
    report = text_insight(text).signals
    assert report.has("abuse")
    assert "flibbertigibbets" in report.get("abuse").words(text)


def test_switching_an_entry_off_in_the_admin_stops_it(client, admin_user, django_capture_on_commit_callbacks):
    # given
    text = "Ich werde Sie verklagen: I will sue."
    entry = LexiconEntry.objects.get(lexicon__language="en", kind=SignalKind.LEGAL_THREAT, pattern="sue")
    assert text_insight(text).signals.has("legal_threat")
    # when: the change form is posted with "active" unticked
    with django_capture_on_commit_callbacks(execute=True):
        response = _admin_client(client, admin_user).post(
            reverse("admin:insight_lexiconentry_change", args=[entry.pk]),
            {
                "lexicon": entry.lexicon_id,
                "kind": entry.kind,
                "pattern": entry.pattern,
                "weight": "1.0",
                "note": "",
            },
        )
    # then
    assert response.status_code == 302
    assert not text_insight(text).signals.has("legal_threat")
    assert Lexicon.objects.get(language="en").version == 2


def test_a_pattern_that_cannot_match_is_refused_with_the_reason(client, admin_user):
    # given
    english = Lexicon.objects.get(language="en")
    # when
    response = _admin_client(client, admin_user).post(
        reverse("admin:insight_lexiconentry_add"),
        {
            "lexicon": english.pk,
            "kind": SignalKind.ANGER,
            "pattern": "... livid",
            "weight": "1.0",
            "active": "on",
        },
    )
    # then
    assert response.status_code == 200
    assert "cannot begin or end with" in response.content.decode()
    assert not LexiconEntry.objects.filter(pattern="... livid").exists()


def test_another_process_sees_a_change_at_its_next_version_check(db):
    """A process that did not make the change finds it through the version, not at once."""
    # given: this "process" compiled the lexicon already
    before = lexicon_active()
    entry = LexiconEntry.objects.get(lexicon__language="ru", kind=SignalKind.ABUSE, pattern="дебил*")
    # when: the change is committed elsewhere (no on-commit callback runs here)
    entry.active = False
    lexicon_entry_save(entry=entry)
    # then: the cached copy is used until the check, then the new version is compiled
    assert lexicon_active() is before
    from amends.insight import selectors

    selectors.lexicon_forget()
    after = lexicon_active()
    assert after is not before
    assert after.version != before.version
    assert "ru:2" in after.version


def test_deleting_entries_bumps_their_lexicons(db):
    # given
    entries = LexiconEntry.objects.filter(lexicon__language__in=["he", "ar"], kind=SignalKind.CHURN_THREAT)
    # when
    deleted = lexicon_entries_delete(entries=entries.select_related("lexicon"))
    # then
    assert deleted > 10
    versions = dict(Lexicon.objects.values_list("language", "version"))
    assert versions == {"en": 1, "he": 2, "ar": 2, "ru": 1}
    assert lexicon_defaults_load(languages=("he",)) > 0


def test_the_try_page_shows_the_signals_with_the_words(client, admin_user):
    # given
    client = _admin_client(client, admin_user)
    # when
    page = client.get(reverse("admin:insight_lexicon_try"))
    result = client.post(reverse("admin:insight_lexicon_try"), {"text": "Third email. See you in court!"})
    # then
    assert page.status_code == 200
    html = result.content.decode()
    assert "Legal threat" in html
    assert '<mark title="Legal threat">court</mark>' in html


def test_the_try_page_is_for_staff_only(client, agent):
    # given
    client.force_login(agent)
    # when
    response = client.get(reverse("admin:insight_lexicon_try"))
    # then
    assert response.status_code == 302


def test_an_invalid_pattern_in_the_database_is_skipped_not_fatal(db):
    """Only a hand-edited database can hold one: the admin form refuses it."""
    # given
    english = Lexicon.objects.get(language="en")
    LexiconEntry.objects.create(lexicon=english, kind=SignalKind.ANGER, pattern="...", weight=1)
    from amends.insight import selectors

    selectors.lexicon_reset()
    # when
    report = text_insight("I am livid").signals
    # then
    assert report.anger_level >= 1


def test_with_no_lexicon_rows_the_shipped_defaults_are_used(db):
    """A flushed database (transactional tests) or an emptied table still finds signals."""
    # given
    Lexicon.objects.all().delete()
    from amends.insight import selectors

    selectors.lexicon_reset()
    # when
    report = text_insight("See you in court.").signals
    # then
    assert report.has("legal_threat")
