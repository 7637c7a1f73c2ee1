"""The demo's reviews and kudos load on the demo complaints, once."""

from io import StringIO

from django.core.management import call_command

from amends.quality.demo import demo_load_quality
from amends.quality.models import Kudos, KudosSource, Review


def test_the_demo_has_reviews_and_kudos_in_four_languages(db):
    # given the demo complaints (demo_load may already call demo_load_quality)
    call_command("demo_load", stdout=StringIO())
    # when
    demo_load_quality()
    # then
    assert Review.objects.count() == 3
    assert set(Kudos.objects.values_list("case__language", flat=True)) == {"he", "ar", "ru", "en"}
    assert Kudos.objects.filter(source=KudosSource.SATISFACTION, agent__username="lead").count() == 1
    # and another run adds nothing
    assert demo_load_quality() == 0
    assert Kudos.objects.count() == 4
