"""Demo reviews and kudos on the demo complaints (called by `manage.py demo_load`).

Written for this demo, in the cases' languages: replies by Omar (Arabic) and Irina (Russian),
customers' thanks in Hebrew, Arabic and Russian, a top-rated satisfaction answer in English,
three reviews, and one thank-you left unmarked so the case page suggests it as kudos.
"""

from typing import Any

from django.db import transaction

from amends.quality.models import Review

# The listening checklist, all met; each review below changes a few.
_MET = {
    code: ("met", "")
    for code in (
        "listens",
        "tests_understanding",
        "shows_listening",
        "builds_rapport",
        "diagnoses_without_arguing",
        "admits_errors",
        "looks_for_solutions",
    )
}


def _demo_cases_and_staff() -> tuple[list, dict]:
    from amends.accounts.models import User
    from amends.cases.models import Case

    staff = {u.username: u for u in User.objects.filter(username__in=["agent", "agent2", "lead", "admin"])}
    return list(Case.objects.order_by("id")[:9]), staff


@transaction.atomic
def demo_load_quality(*, cases: list | None = None, staff: dict[str, Any] | None = None) -> int:
    """Reviews and kudos on the demo cases; returns how many reviews it wrote (0 if any review
    exists already). `cases` are demo_load's complaints in its order and `staff` its users by
    username; both are looked up when not given."""
    from amends.cases.services import lifecycle
    from amends.quality.services.kudos import kudos_from_message
    from amends.quality.services.reviews import review_save
    from amends.sla.models import FollowUp, FollowUpStatus
    from amends.sla.services.followups import followup_answer, followup_send

    if Review.objects.exists():
        return 0
    if cases is None or staff is None:
        cases, staff = _demo_cases_and_staff()
    dana, omar, irina, sam = staff["agent"], staff["agent2"], staff["lead"], staff["admin"]
    fridge, washer, install, vacuum, charged = cases[0], cases[2], cases[3], cases[4], cases[6]

    # Hebrew: Noa thanks Dana for the fridge; Dana marks it, Irina reviews her.
    thanks_he = lifecycle.case_customer_message(
        case=fridge, body="תודה רבה, דנה. היית אדיבה וסבלנית, וסוף סוף מישהו חוזר אליי.", channel="web"
    )
    kudos_from_message(message=thanks_he, agent=dana, actor=dana, quote="היית אדיבה וסבלנית")
    review_save(
        case=fridge,
        agent=dana,
        reviewer=irina,
        scores={
            **_MET,
            "tests_understanding": ("partly", "לא שאלה מתי נוח ללקוחה לקבל את המשלוח."),
            "diagnoses_without_arguing": ("na", ""),
        },
        comment="התנצלות כנה ותאריך ברור. בפעם הבאה כדאי לסכם במילים שלך מה הלקוחה ביקשה.",
    )

    # Arabic: Omar answers Layla about the washing machine; she thanks him; Irina reviews him.
    lifecycle.case_reply(
        case=washer,
        actor=omar,
        body="السيدة ليلى، أعتذر عمّا حدث مع الغسالة والسائق. سنرسل غسالة جديدة يوم الأحد ونأخذ المكسورة.",
    )
    thanks_ar = lifecycle.case_customer_message(
        case=washer, body="شكرا جزيلا يا عمر، كنت لطيفا ومتعاونا جدا.", channel="web"
    )
    kudos_from_message(message=thanks_ar, agent=omar, actor=irina)
    review_save(
        case=washer,
        agent=omar,
        reviewer=irina,
        scores={
            **_MET,
            "listens": ("partly", "Answered before the photo arrived."),
            "builds_rapport": ("not_met", "No word about the driver who would not wait."),
        },
        comment="A clear fix and a date. Acknowledge the part that upset her most: the driver.",
    )
    # Khaled thanks Omar too; left unmarked, so his case page suggests it as kudos.
    lifecycle.case_assign(case=install, owner=omar, actor=omar)
    lifecycle.case_reply(case=install, actor=omar, body="السيد خالد، نقلنا موعد التركيب إلى الخميس كما طلبت.")
    lifecycle.case_customer_message(case=install, body="شكرا لك، الموعد الجديد ممتاز.", channel="web")

    # Russian: Irina answers Anna about the vacuum cleaner; Anna thanks her; Sam reviews Irina.
    lifecycle.case_assign(case=vacuum, owner=irina, actor=irina)
    lifecycle.case_reply(
        case=vacuum,
        actor=irina,
        body=(
            "Анна, простите за неудобство. Пылесос на гарантии: курьер заберёт его завтра, "
            "ремонт займёт пять дней."
        ),
    )
    thanks_ru = lifecycle.case_customer_message(
        case=vacuum, body="Спасибо, Ирина! Вы очень помогли и всё объяснили.", channel="web"
    )
    kudos_from_message(message=thanks_ru, agent=irina, actor=irina)
    review_save(
        case=vacuum,
        agent=irina,
        reviewer=sam,
        scores={**_MET, "tests_understanding": ("partly", "Did not ask whether a loan vacuum would help.")},
    )

    # English: Mary rates the refund 5 with a comment, which becomes kudos for Irina.
    check = FollowUp.objects.select_for_update().filter(case=charged, status=FollowUpStatus.SCHEDULED).first()
    if check is not None:
        followup_send(followup=check)
        check.save(update_fields=["status", "sent_at", "expires_at", "next_check_at"])
        followup_answer(
            followup=check,
            solved=True,
            rating=5,
            comment="Irina found the double charge at once and refunded it the same day. Thank you!",
        )
    return Review.objects.count()
