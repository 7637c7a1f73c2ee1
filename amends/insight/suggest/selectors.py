from amends.insight.suggest.models import SuggesterModel, Suggestion


def suggestion_for_case(*, case_id: int) -> Suggestion | None:
    """The case's suggestion with its categories and who settled it, in one query; None when
    the case has none (it predates the suggester)."""
    return (
        Suggestion.objects.filter(case_id=case_id)
        .select_related("category", "runner_up", "chosen", "settled_by")
        .first()
    )


def suggester_model_latest() -> SuggesterModel | None:
    """The newest stored model's row without its pickle (for the command and the docs' numbers)."""
    return SuggesterModel.objects.defer("blob").order_by("-pk").first()
