"""Load demo staff and complaints in four languages, once: a second run changes nothing."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from amends.accounts.models import Role, User
from amends.accounts.services import team_create, user_create
from amends.cases.choices import Channel, Decision, ResolutionType
from amends.cases.models import Category
from amends.cases.services import lifecycle
from amends.cases.services.intake import case_open
from amends.core import clock
from amends.sla.models import Regime
from amends.sla.schedule import business_calendar
from amends.sla.services.escalations import case_manager_request
from amends.sla.sweeper import sla_sweep

DEMO_PASSWORD = "amends-demo"

STAFF = [
    ("agent", "dana@amends.localhost", "Dana Levi", Role.AGENT, ["he", "en"]),
    ("agent2", "omar@amends.localhost", "Omar Haddad", Role.AGENT, ["ar", "en"]),
    ("lead", "irina@amends.localhost", "Irina Petrova", Role.LEAD, ["ru", "en", "he"]),
    ("admin", "admin@amends.localhost", "Sam Admin", Role.ADMIN, ["en"]),
]

# (language, name, email, phone, order, outcome, category, text) — written for this demo.
COMPLAINTS = [
    (
        "he",
        "נועה כהן",
        "noa.cohen@example.com",
        "",
        "A-10233",
        "refund",
        "delays",
        "הזמנתי מקרר לפני שלושה שבועות והובטח לי משלוח תוך חמישה ימים. עד היום לא הגיע, "
        "ואף אחד לא חוזר אליי. אני רוצה את הכסף בחזרה.",
    ),
    (
        "he",
        "יוסי מזרחי",
        "",
        "052-555-0142",
        "",
        "apology",
        "unprofessional",
        "הנציג במוקד ניתק לי את השיחה באמצע, פעמיים. אני לקוח שלכם כבר עשר שנים.",
    ),
    (
        "ar",
        "ليلى حسن",
        "layla.hassan@example.com",
        "",
        "B-7781",
        "replacement",
        "errors",
        "وصلتني الغسالة مكسورة من الجانب، والسائق رفض أن ينتظر حتى أفحصها. أريد غسالة جديدة.",
    ),
    (
        "ar",
        "خالد منصور",
        "khaled.m@example.com",
        "+971 50 555 0199",
        "",
        "credit",
        "inflexibility",
        "طلبت تغيير موعد التركيب يوماً واحداً فقط وقيل لي إن النظام لا يسمح بذلك.",
    ),
    (
        "ru",
        "Анна Смирнова",
        "anna.smirnova@example.com",
        "",
        "C-5521",
        "repair",
        "below_expectation",
        "Пылесос перестал работать через две недели после покупки. Гарантийный талон у меня есть.",
    ),
    (
        "ru",
        "Игорь Волков",
        "igor.volkov@example.com",
        "",
        "",
        "record",
        "external_communication",
        "Мне трижды обещали перезвонить и ни разу не перезвонили. Просто хочу, чтобы вы это знали.",
    ),
    (
        "en",
        "Mary O'Brien",
        "mary.obrien@example.com",
        "",
        "D-0042",
        "refund",
        "errors",
        "I was charged twice for the same order. The bank statement shows both payments on 3 November.",
    ),
    (
        "en",
        "Tom Baker",
        "tom.baker@example.com",
        "+44 7700 900123",
        "",
        "other",
        "internal_communication",
        "Your shop told me to call the warehouse, and the warehouse told me to go back to the shop.",
    ),
    (
        "he",
        "Noa Cohen",
        "noa.cohen@example.com",
        "",
        "A-10987",
        "repair",
        "below_expectation",
        "גם המדיח שקניתי אצלכם דולף. Model DW-500, נקנה באוקטובר.",
    ),
]


# How long ago each demo complaint arrived (wall-clock hours).
AGES_HOURS = [30, 2, 50, 1, 20, 70, 6, 12, 4, 26]


class Command(BaseCommand):
    help = "Load demo staff and complaints (idempotent)."

    def handle(self, *args, **options):
        if User.objects.filter(username="admin").exists():
            self.stdout.write("demo data already loaded")
            return
        try:
            self._load()
        finally:
            clock.freeze(None)

    @transaction.atomic
    def _load(self):
        now = clock.now()
        # One regulator's clocks beside the SLA, as an Israeli bank would run them.
        Regime.objects.filter(code="il-boi").update(is_active=True)
        care = team_create(name="Customer care", slug="care")
        billing = team_create(name="Billing", slug="billing")
        staff = {}
        for username, email, name, role, langs in STAFF:
            staff[username] = user_create(
                username=username,
                email=email,
                full_name=name,
                password=DEMO_PASSWORD,
                role=role,
                languages=langs,
                teams=[care, billing] if role != Role.AGENT else [care],
            )
        categories = {c.code: c for c in Category.objects.all()}
        cases = []
        for n, (lang, name, email, phone, order, outcome, category, text) in enumerate(COMPLAINTS):
            # Arrivals spread over the last days, so the desk shows clocks in every state.
            clock.freeze(now - timedelta(hours=AGES_HOURS[n % len(AGES_HOURS)]))
            cases.append(
                case_open(
                    channel=Channel.WEB if email else Channel.PHONE,
                    body=text,
                    full_name=name,
                    email=email,
                    phone=phone,
                    language=lang,
                    order_number=order,
                    desired_outcome=outcome,
                    category=categories.get(category),
                )
            )
        clock.freeze(now)
        dana, omar, irina = staff["agent"], staff["agent2"], staff["lead"]
        lifecycle.case_assign(case=cases[0], owner=dana, actor=dana)
        lifecycle.case_reply(
            case=cases[0],
            actor=dana,
            body=(
                "נועה שלום, אני מצטערת מאוד על העיכוב. בדקתי מול המחסן: המקרר יוצא אלייך מחר, "
                "ואתקשר אלייך כדי לוודא שהגיע. דנה"
            ),
            promise_due=business_calendar(None).add(now, timedelta(hours=3)),
        )
        lifecycle.case_assign(case=cases[1], owner=dana, actor=dana)
        case_manager_request(
            case=cases[1], actor=dana, reason="ביקש לדבר עם מנהל: זו הפעם השלישית שהשיחה מנותקת לו."
        )
        lifecycle.case_assign(case=cases[2], owner=omar, actor=omar)
        lifecycle.case_assign(case=cases[6], owner=dana, actor=dana)
        lifecycle.case_transfer(
            case=cases[6],
            to_owner=irina,
            actor=dana,
            summary=(
                "Double charge on D-0042 confirmed in the payment log. Customer wants a refund; I promised "
                "an answer today. Needs a lead's approval for the refund."
            ),
        )
        lifecycle.case_resolve(
            case=cases[6],
            actor=irina,
            resolution_type=ResolutionType.REFUND,
            decision=Decision.UPHELD,
            redress_amount=249,
            redress_currency="EUR",
            summary=(
                "We refunded the second payment of 249 EUR; it will show on your statement "
                "within 5 working days. I am sorry for the trouble."
            ),
        )
        _demo_learning(cases=cases, staff=staff, now=now)
        _demo_quality(cases=cases, staff=staff)
        fired = sla_sweep(now=now)  # warnings and breaches of the back-dated cases, as the worker would
        self.stdout.write(f"demo data loaded: {len(staff)} staff, {len(cases)} cases, {fired} clock events")


def _demo_quality(*, cases, staff):
    """Listening reviews and kudos (docs/subsystems/quality.md), and the value of six demo
    customers with a rule that raises the priority of their new complaints
    (docs/subsystems/customer-value.md)."""
    from amends.customers.value.services import demo_load_customer_values
    from amends.quality.demo import demo_load_quality

    demo_load_quality(cases=cases, staff=staff)
    demo_load_customer_values()


def _demo_learning(*, cases, staff, now):
    """Two problems (one fixed, so new complaints like it are caught as recurrences) with
    corrective actions and a lesson, and an incident with a case linked (docs/subsystems/learning.md)."""
    from amends.cases.models import RootCause
    from amends.learning.services.incidents import incident_cases_link, incident_declare
    from amends.learning.services.problems import action_add, action_update, problem_create, problem_update

    irina, admin = staff["lead"], staff["admin"]
    codes = {r.code: r for r in RootCause.objects.all()}
    charges = problem_create(
        actor=irina,
        title="Double charges when the payment page times out",
        description="The card is charged again when a customer presses Pay a second time after a timeout.",
        root_cause=codes.get("system"),
        owner=irina,
        cases=[cases[6]],
    )
    problem_update(
        problem=charges,
        actor=irina,
        lessons_learned=(
            "Check the payment log for a second charge before asking the customer for a bank "
            "statement, and refund it the same day."
        ),
    )
    fix = action_add(
        problem=charges,
        actor=irina,
        title="Charge each order number once, however often Pay is pressed",
        owner=admin,
        due_date=(now + timedelta(days=10)).date(),
    )
    action_update(action=fix, actor=irina, status="in_progress")
    brief = action_add(
        problem=charges, actor=irina, title="Brief the billing team on the payment log", owner=irina
    )
    action_update(action=brief, actor=irina, status="done")
    calls = problem_create(
        actor=irina,
        title="Calls dropped when they are transferred between desks",
        root_cause=codes.get("process"),
        owner=irina,
        cases=[cases[1]],
    )
    action_add(
        problem=calls, actor=irina, title="Warm transfers only: stay on the line until the next desk answers"
    )
    problem_update(problem=calls, actor=irina, status="fixed")
    outage = incident_declare(
        actor=irina,
        title="Delivery scheduling down in the central warehouse",
        status="identified",
        started_at=now - timedelta(days=2),
        owner=irina,
        keywords="delivery, משלוח, доставка, توصيل",
        public_text_en=(
            "Our delivery scheduling system failed; some deliveries are late. New dates are being set."
        ),
        public_text_he="מערכת תיאום המשלוחים שלנו קרסה, וחלק מהמשלוחים מתעכבים. אנחנו קובעים מועדים חדשים.",
        public_text_ar="تعطّل نظام جدولة التوصيل لدينا وتأخرت بعض الطلبات. نحدد الآن مواعيد جديدة.",
        public_text_ru=(
            "Наша система планирования доставки дала сбой, часть доставок задерживается. "
            "Мы назначаем новые даты."
        ),
    )
    incident_cases_link(incident=outage, case_ids=[cases[0].pk], actor=irina)
