"""Similar complaints on PostgreSQL: lookup time and recall over 1,000,000 case fingerprints,
and what a fingerprint costs to compute.

    python bench/similar.py [--cases 1000000] [--planted 1000] [--queries 1000] [--days 90]
                            [--workers 2] [--keep | --reuse] [--live-tree] [--label NAME]

Issue 6 point 8: "similar-case lookup ≤ 30 ms p95 over 1,000,000 cases". Like bench/sweep.py it
measures the committed HEAD, exported to a temporary folder (--live-tree: the working tree), in
a child process, on its own database (amends_bench_similar on the server of $BENCH_PG_URL,
default postgres://postgres@127.0.0.1:5432/postgres), dropped and created, then migrated.

What it loads:
  - customers and cases by INSERT … SELECT generate_series (as bench/sweep.py), the cases'
    created_at spread evenly over --days (default 90: every case is inside the default lookup
    window, the worst case), four teams, 30% of cases from a returning customer;
  - a generated complaint per case (subject and body) in he/ar/ru/en (35/20/20/25%): one fault
    sentence, one or two sentences about contact or impact, one to three sentences of free words,
    a demand, sometimes an order number — from the vocabulary below, so unrelated texts share
    phrases the way complaints about the same kind of fault do (the generated texts' background
    similarity is printed; it is harsher than the evaluation set's);
  - --planted near-duplicates: a case's text rewritten for another customer's case with about
    12% of its words replaced and about 10% given or stripped a prefix, clitic or ending;
  - the fingerprints, computed with the app's own minhash.signature (--workers processes) and
    written with COPY straight into the fingerprint and band tables. The cases have no Message
    rows: the lookup reads only the fingerprint tables and the cases' own columns, never the
    texts, so the texts live only in this script. (The drain, which reads messages, is timed
    per case here as signature computation, and its queries are the tests' business.)

What it measures, on --queries cases (every planted original first, then random cases):
  - similar_cases(case) — the lookup, without visibility — wall time p50/p95/p99, and its two
    queries; similar_panel(case, user=agent) — what the desk's case page adds — likewise;
  - recall: the share of planted originals whose rewritten twin is among the five shown, and
    the other way round;
  - band hits per lookup (rows of the band table sharing a key with the case, in the window,
    of other customers) and the results per random case;
  - signature cost per case (shingles and MinHash, one process);
  - table and index sizes; EXPLAIN (ANALYZE, BUFFERS) of the fingerprint query for one case.

Prints a table, writes JSON to bench/results/ and drops the database (--keep keeps it; --reuse
measures a kept one without loading). docs/performance.md, "Similar complaints (issue 6)", has
the method and the results.
"""

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import summary_ms
from bench.run import (
    RESULTS_DIR,
    log,
    machine_info,
    pg_settings,
    pg_url_for,
    rerun_in_snapshot,
)
from bench.sweep import QueryTimer, cpu_ms

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "amends_bench_similar"
DB_URL = pg_url_for(ADMIN_URL, DB_NAME)
TARGET_MS = 30
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
TEAMS = 4
LANG_WEIGHTS = {"he": 35, "ar": 20, "ru": 20, "en": 25}
REPLACED, REINFLECTED = 0.12, 0.10  # share of a planted twin's words changed
CHUNK = 2000  # texts per worker task


def sql(statement: str, params: dict | list | None = None) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


# --- texts -------------------------------------------------------------------------------------

# ruff: noqa: E501
# fmt: off
VOCAB = {
    "en": {
        "products": ["fridge", "washing machine", "kettle", "sofa", "laptop", "phone", "router", "air conditioner", "oven", "vacuum cleaner", "television", "mattress", "printer", "dishwasher", "bicycle", "heater"],
        "faults": ["The {p} I ordered arrived broken", "My {p} stopped working", "You delivered the wrong {p}", "The {p} was never delivered", "I was charged twice for the {p}", "The technician did not come to fix the {p}", "The {p} makes a terrible noise", "The warranty for my {p} was refused", "The {p} arrived with parts missing", "Installation of the {p} was cancelled without notice", "I returned the {p} and got no refund", "The {p} leaks water"],
        "when": ["two weeks ago", "last month", "three days ago", "on Monday", "after one week of use", "right after the delivery", "ten days ago", "at the start of the month"],
        "contact": ["I called customer service three times and nobody helped.", "I sent an email and got no answer.", "Your agent promised a call back that never came.", "I waited on the line for an hour.", "The chat closed every time I wrote.", "The branch told me to contact you instead.", "I filled in the form on your website twice.", "Nobody answers the phone at the store."],
        "impact": ["I had to take a day off work.", "My family has been without it for a week.", "I paid extra for express delivery.", "The food in it went bad.", "I cannot work from home without it.", "My children have nowhere to sleep.", "I lost a whole weekend waiting.", "This cost me money I do not have."],
        "demand": ["I want a full refund.", "Please replace it immediately.", "I expect compensation for the trouble.", "Send a technician this week.", "Cancel my order and return my money.", "I want to speak to a manager.", "Fix this or I will go to a competitor.", "Please call me back today."],
        "words": ["neighbour", "invoice", "receipt", "courier", "payment", "account", "balcony", "elevator", "stairs", "building", "weekend", "holiday", "morning", "evening", "daughter", "son", "wife", "husband", "mother", "office", "screen", "cable", "button", "door", "handle", "box", "package", "label", "address", "street", "city", "parking", "card", "bank", "transfer", "voucher", "coupon", "points", "store", "branch", "cashier", "shelf", "colour", "size", "model", "serial", "manual", "photo", "video", "message", "letter", "promise", "delay", "mistake", "problem", "question", "answer", "price", "discount", "contract", "plan", "upgrade", "battery", "charger", "remote", "filter", "motor", "glass", "paint", "scratch", "dent", "smell", "light", "water", "power", "noise", "week", "month", "year", "hour"],
        "glue": ["and", "the", "my", "with", "also", "then", "again", "still", "because", "after", "before", "without"],
        "subject": ["Problem with my {p}", "{p} complaint", "Broken {p}", "About my {p} order"],
    },
    "he": {
        "products": ["מקרר", "מכונת כביסה", "קומקום", "ספה", "מחשב נייד", "טלפון", "ראוטר", "מזגן", "תנור", "שואב אבק", "טלוויזיה", "מזרן", "מדפסת", "מדיח כלים", "אופניים", "תנור חימום"],
        "faults": ["ה{p} שהזמנתי הגיע שבור", "ה{p} שלי הפסיק לעבוד", "שלחתם לי {p} לא נכון", "ה{p} לא סופק בכלל", "חויבתי פעמיים על ה{p}", "הטכנאי לא הגיע לתקן את ה{p}", "ה{p} משמיע רעש נוראי", "האחריות על ה{p} נדחתה", "ה{p} הגיע בלי חלקים", "ההתקנה של ה{p} בוטלה בלי הודעה", "החזרתי את ה{p} ולא קיבלתי זיכוי", "ה{p} דולף מים"],
        "when": ["לפני שבועיים", "בחודש שעבר", "לפני שלושה ימים", "ביום שני", "אחרי שבוע של שימוש", "מיד אחרי המשלוח", "לפני עשרה ימים", "בתחילת החודש"],
        "contact": ["התקשרתי לשירות הלקוחות שלוש פעמים ואף אחד לא עזר.", "שלחתי מייל ולא קיבלתי תשובה.", "הנציג הבטיח לחזור אליי ולא חזר.", "חיכיתי על הקו שעה שלמה.", "הצ'אט נסגר בכל פעם שכתבתי.", "בסניף אמרו לי לפנות אליכם.", "מילאתי את הטופס באתר פעמיים.", "אף אחד לא עונה לטלפון בחנות."],
        "impact": ["נאלצתי לקחת יום חופש מהעבודה.", "המשפחה שלי בלי זה כבר שבוע.", "שילמתי תוספת על משלוח מהיר.", "האוכל בפנים התקלקל.", "אני לא יכול לעבוד מהבית בלי זה.", "לילדים שלי אין איפה לישון.", "הפסדתי סוף שבוע שלם בהמתנה.", "זה עלה לי כסף שאין לי."],
        "demand": ["אני רוצה החזר כספי מלא.", "תחליפו את זה מיד בבקשה.", "אני מצפה לפיצוי על הטרחה.", "תשלחו טכנאי השבוע.", "תבטלו את ההזמנה ותחזירו לי את הכסף.", "אני רוצה לדבר עם מנהל.", "תתקנו את זה או שאעבור למתחרים.", "תחזרו אליי היום בבקשה."],
        "words": ["שכן", "חשבונית", "קבלה", "שליח", "תשלום", "חשבון", "מרפסת", "מעלית", "מדרגות", "בניין", "סופש", "חג", "בוקר", "ערב", "בת", "בן", "אישה", "בעל", "אמא", "משרד", "מסך", "כבל", "כפתור", "דלת", "ידית", "קרטון", "חבילה", "מדבקה", "כתובת", "רחוב", "עיר", "חניה", "כרטיס", "בנק", "העברה", "שובר", "קופון", "נקודות", "חנות", "סניף", "קופאי", "מדף", "צבע", "מידה", "דגם", "מספר סידורי", "הוראות", "תמונה", "סרטון", "הודעה", "מכתב", "הבטחה", "עיכוב", "טעות", "בעיה", "שאלה", "תשובה", "מחיר", "הנחה", "חוזה", "מסלול", "שדרוג", "סוללה", "מטען", "שלט", "מסנן", "מנוע", "זכוכית", "צבע", "שריטה", "מכה", "ריח", "אור", "מים", "חשמל", "רעש", "שבוע", "חודש", "שנה", "שעה"],
        "glue": ["ו", "עם", "גם", "אז", "שוב", "עדיין", "כי", "אחרי", "לפני", "בלי", "של", "על"],
        "subject": ["בעיה עם ה{p}", "תלונה על {p}", "{p} תקול", "לגבי ההזמנה של ה{p}"],
    },
    "ar": {
        "products": ["ثلاجة", "غسالة", "غلاية", "كنبة", "حاسوب محمول", "هاتف", "راوتر", "مكيف", "فرن", "مكنسة كهربائية", "تلفزيون", "فرشة", "طابعة", "جلاية", "دراجة", "مدفأة"],
        "faults": ["وصلت {p} التي طلبتها مكسورة", "توقفت {p} عن العمل", "أرسلتم لي {p} خطأ", "لم يتم توصيل {p} أبدا", "تم خصم ثمن {p} مرتين", "لم يحضر الفني لإصلاح {p}", "تصدر {p} صوتا مزعجا جدا", "رفضتم الضمان على {p}", "وصلت {p} ناقصة القطع", "ألغيتم تركيب {p} دون إشعار", "أرجعت {p} ولم أسترد المبلغ", "تسرب {p} الماء"],
        "when": ["قبل أسبوعين", "في الشهر الماضي", "قبل ثلاثة أيام", "يوم الاثنين", "بعد أسبوع من الاستعمال", "بعد التوصيل مباشرة", "قبل عشرة أيام", "في بداية الشهر"],
        "contact": ["اتصلت بخدمة العملاء ثلاث مرات ولم يساعدني أحد.", "أرسلت بريدا إلكترونيا ولم أتلق أي رد.", "وعدني الموظف بالاتصال ولم يتصل.", "انتظرت على الخط ساعة كاملة.", "تغلق المحادثة كل مرة أكتب فيها.", "قالوا لي في الفرع أن أتواصل معكم.", "عبأت النموذج في موقعكم مرتين.", "لا أحد يرد على الهاتف في المتجر."],
        "impact": ["اضطررت لأخذ إجازة من العمل.", "عائلتي بدونها منذ أسبوع.", "دفعت مبلغا إضافيا للتوصيل السريع.", "فسد الطعام في الداخل.", "لا أستطيع العمل من البيت بدونه.", "أطفالي لا مكان لهم للنوم.", "خسرت عطلة نهاية الأسبوع في الانتظار.", "كلفني هذا مالا لا أملكه."],
        "demand": ["أريد استرداد المبلغ كاملا.", "أرجو الاستبدال فورا.", "أتوقع تعويضا عن هذا الإزعاج.", "أرسلوا فنيا هذا الأسبوع.", "ألغوا الطلب وأعيدوا لي أموالي.", "أريد التحدث مع المدير.", "أصلحوا هذا وإلا سأنتقل إلى شركة أخرى.", "أرجو الاتصال بي اليوم."],
        "words": ["جار", "فاتورة", "إيصال", "مندوب", "دفعة", "حساب", "شرفة", "مصعد", "درج", "عمارة", "عطلة", "عيد", "صباح", "مساء", "ابنة", "ابن", "زوجة", "زوج", "أم", "مكتب", "شاشة", "كابل", "زر", "باب", "مقبض", "صندوق", "طرد", "ملصق", "عنوان", "شارع", "مدينة", "موقف", "بطاقة", "بنك", "تحويل", "قسيمة", "كوبون", "نقاط", "متجر", "فرع", "كاشير", "رف", "لون", "مقاس", "موديل", "رقم تسلسلي", "دليل", "صورة", "فيديو", "رسالة", "خطاب", "وعد", "تأخير", "خطأ", "مشكلة", "سؤال", "جواب", "سعر", "خصم", "عقد", "باقة", "ترقية", "بطارية", "شاحن", "جهاز تحكم", "فلتر", "محرك", "زجاج", "طلاء", "خدش", "انبعاج", "رائحة", "ضوء", "ماء", "كهرباء", "ضجيج", "أسبوع", "شهر", "سنة", "ساعة"],
        "glue": ["و", "مع", "أيضا", "ثم", "مرة أخرى", "ما زال", "لأن", "بعد", "قبل", "بدون", "في", "على"],
        "subject": ["مشكلة في {p}", "شكوى بخصوص {p}", "{p} معطلة", "بخصوص طلب {p}"],
    },
    "ru": {
        "products": ["холодильник", "стиральная машина", "чайник", "диван", "ноутбук", "телефон", "роутер", "кондиционер", "духовка", "пылесос", "телевизор", "матрас", "принтер", "посудомойка", "велосипед", "обогреватель"],
        "faults": ["{p}, который я заказал, пришёл сломанным", "Мой {p} перестал работать", "Вы привезли не тот {p}", "{p} так и не доставили", "За {p} с меня списали деньги дважды", "Мастер не пришёл чинить {p}", "{p} ужасно шумит", "В гарантии на {p} отказали", "{p} пришёл без деталей", "Установку {p} отменили без предупреждения", "Я вернул {p}, а деньги не вернули", "{p} протекает"],
        "when": ["две недели назад", "в прошлом месяце", "три дня назад", "в понедельник", "через неделю после покупки", "сразу после доставки", "десять дней назад", "в начале месяца"],
        "contact": ["Я трижды звонил в поддержку, и никто не помог.", "Я написал письмо и не получил ответа.", "Оператор обещал перезвонить, но не перезвонил.", "Я час ждал на линии.", "Чат закрывался каждый раз, когда я писал.", "В магазине сказали обращаться к вам.", "Я дважды заполнял форму на сайте.", "В магазине никто не берёт трубку."],
        "impact": ["Мне пришлось взять отгул.", "Моя семья неделю живёт без него.", "Я доплатил за срочную доставку.", "Продукты внутри испортились.", "Я не могу работать из дома без него.", "Детям негде спать.", "Я потерял целые выходные в ожидании.", "Это стоило мне денег, которых у меня нет."],
        "demand": ["Требую полного возврата денег.", "Замените его немедленно.", "Жду компенсации за неудобства.", "Пришлите мастера на этой неделе.", "Отмените заказ и верните деньги.", "Хочу поговорить с руководителем.", "Исправьте это, или я уйду к конкурентам.", "Перезвоните мне сегодня."],
        "words": ["сосед", "счёт", "чек", "курьер", "платёж", "аккаунт", "балкон", "лифт", "лестница", "дом", "выходные", "праздник", "утро", "вечер", "дочь", "сын", "жена", "муж", "мама", "офис", "экран", "кабель", "кнопка", "дверь", "ручка", "коробка", "посылка", "наклейка", "адрес", "улица", "город", "парковка", "карта", "банк", "перевод", "ваучер", "купон", "баллы", "магазин", "отделение", "кассир", "полка", "цвет", "размер", "модель", "серийный номер", "инструкция", "фото", "видео", "сообщение", "письмо", "обещание", "задержка", "ошибка", "проблема", "вопрос", "ответ", "цена", "скидка", "договор", "тариф", "апгрейд", "батарея", "зарядка", "пульт", "фильтр", "мотор", "стекло", "краска", "царапина", "вмятина", "запах", "свет", "вода", "электричество", "шум", "неделя", "месяц", "год", "час"],
        "glue": ["и", "с", "тоже", "потом", "снова", "всё ещё", "потому что", "после", "до", "без", "в", "на"],
        "subject": ["Проблема: {p}", "Жалоба — {p}", "Сломан {p}", "По заказу: {p}"],
    },
}
# fmt: on

HE_PREFIXES = "והבלמש"
AR_PREFIXES = ("و", "ف", "ب", "ال", "وال")
EN_SWAPS = {"the": "my", "my": "the", "and": "but", "I": "we", "was": "is", "it": "this"}


def complaint(rng: random.Random, lang: str) -> str:
    """A subject line and a body, as a case's text for the fingerprint."""
    v = VOCAB[lang]
    product = rng.choice(v["products"])
    parts = [f"{rng.choice(v['faults']).format(p=product)} {rng.choice(v['when'])}."]
    for pool in rng.sample(["contact", "impact"], k=rng.randint(1, 2)):
        parts.append(rng.choice(v[pool]))
    for _ in range(rng.randint(1, 3)):
        words = [
            rng.choice(v["words"] if rng.random() < 0.7 else v["glue"]) for _ in range(rng.randint(5, 10))
        ]
        parts.append(" ".join(words) + ".")
    parts.append(rng.choice(v["demand"]))
    if rng.random() < 0.5:
        parts.append(f"#{rng.randint(10_000, 999_999)}")
    return rng.choice(v["subject"]).format(p=product) + "\\n" + " ".join(parts)


def rewritten(rng: random.Random, lang: str, text: str) -> str:
    """The same complaint from someone else: some words replaced, some with another prefix,
    clitic or ending, another order number."""
    words = text.split(" ")
    for i, word in enumerate(words):
        r = rng.random()
        if r < REPLACED:
            words[i] = rng.choice(VOCAB[lang]["words"])
        elif r < REPLACED + REINFLECTED:
            if lang == "he":
                words[i] = (
                    word[1:] if word[:1] in HE_PREFIXES and len(word) > 3 else rng.choice(HE_PREFIXES) + word
                )
            elif lang == "ar":
                words[i] = word[2:] if word.startswith("ال") else rng.choice(AR_PREFIXES) + word
            elif lang == "ru":
                words[i] = word[:-1] + rng.choice("уаеы") if len(word) > 4 else word
            else:
                words[i] = EN_SWAPS.get(word, word)
    return " ".join(words).replace("#", "№ ")


def texts_plan(cases: list[tuple[int, int]], *, planted: int, seed: int) -> tuple[dict, list]:
    """A text per case id (cases: (id, customer id) in id order), and `planted` (original,
    twin) pairs of ids: the twin's text is the original's rewritten, for another customer."""
    rng = random.Random(seed)
    langs = rng.choices(list(LANG_WEIGHTS), weights=list(LANG_WEIGHTS.values()), k=len(cases))
    lang_of = {pk: lang for (pk, _c), lang in zip(cases, langs, strict=True)}
    texts = {pk: complaint(rng, lang_of[pk]) for pk, _c in cases}
    customer = dict(cases)
    ids = [pk for pk, _c in cases]
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    while len(pairs) < planted and len(used) < len(ids) - 1:
        original, twin = rng.sample(ids, 2)
        if original in used or twin in used or customer[original] == customer[twin]:
            continue
        used.update((original, twin))
        lang_of[twin] = lang_of[original]
        texts[twin] = rewritten(rng, lang_of[original], texts[original])
        pairs.append((original, twin))
    return texts, pairs


def _signatures(chunk: list[tuple[int, str]]) -> list[tuple[int, bytes | None, list[int]]]:
    """Signatures and band keys of a chunk of texts, in a worker process."""
    from amends.insight.similar import minhash

    out = []
    for pk, text in chunk:
        sig = minhash.signature(text)
        out.append((pk, sig, minhash.band_keys(sig) if sig is not None else []))
    return out


# --- loading -----------------------------------------------------------------------------------


def staff_create() -> dict:
    from amends.accounts.models import Role
    from amends.accounts.services import team_create, user_create

    teams = [team_create(name=f"Bench team {t}", slug=f"bench-team-{t}") for t in range(1, TEAMS + 1)]
    agent = user_create(
        username="agent1", email="agent1@bench.example", full_name="Agent 1", teams=[teams[0]]
    )
    lead = user_create(
        username="lead1", email="lead1@bench.example", full_name="Lead 1", role=Role.LEAD, teams=[teams[0]]
    )
    return {"teams": [t.pk for t in teams], "agent": agent.pk, "lead": lead.pk}


@contextmanager
def column_defaults(models: list) -> Iterator[None]:
    """For the load, give each NOT NULL column its model default in the database (an empty
    string for text fields without one, as the ORM would save), so a field added after this
    script was written is filled in rather than failing the INSERT."""
    from django.db import connection

    changed = []
    with connection.schema_editor() as editor:
        for model in models:
            for field in model._meta.concrete_fields:
                if field.null or field.primary_key or (field.has_default() and callable(field.default)):
                    continue
                if field.has_default():
                    default = field.default
                elif field.empty_strings_allowed and field.get_internal_type() in ("CharField", "TextField"):
                    default = ""
                else:
                    continue
                table, column = editor.quote_name(model._meta.db_table), editor.quote_name(field.column)
                value = editor.quote_value(field.get_db_prep_save(default, connection))
                editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {value}")
                changed.append((table, column))
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            for table, column in changed:
                editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT")


def load_cases(*, cases: int, days: int, staff: dict) -> dict:
    from amends.cases.models import Case
    from amends.customers.models import Customer

    customers = max(cases * 7 // 10, 1)
    params = {"now": NOW, "cases": cases, "customers": customers, "teams": staff["teams"], "days": days}
    steps = {
        "customers": """
            INSERT INTO customers_customer (public_id, full_name, language, address, created_at)
            SELECT gen_random_uuid(), 'Bench customer ' || g, (ARRAY['he','ar','ru','en'])[1 + g %% 4], '',
                   %(now)s - interval '400 days'
            FROM generate_series(1, %(customers)s) g""",
        # Arrivals evenly over the last --days, in id order; a team each (a quarter in the
        # bench agent's); open or closed.
        "cases": """
            WITH c AS (SELECT min(id) AS c0 FROM customers_customer)
            INSERT INTO cases_case (
                public_id, reference, customer_id, channel, language, subject, summary, priority,
                status, team_id, order_number, desired_outcome, desired_outcome_detail, vulnerable,
                decision, resolution_type, redress_currency, created_at, updated_at, sla_breached)
            SELECT gen_random_uuid(), 'SM-' || lpad(g::text, 8, '0'), c0 + (g * 7919::bigint) %% %(customers)s,
                   'web', 'en', 'Bench complaint ' || g, '', 'normal',
                   CASE WHEN g %% 3 = 0 THEN 'open' ELSE 'closed' END,
                   (%(teams)s::bigint[])[1 + g %% cardinality(%(teams)s::bigint[])],
                   '', '', '', false, '', '', '',
                   %(now)s - interval '1 minute' - (%(cases)s - g) * (%(days)s * interval '1 day' / %(cases)s),
                   %(now)s - interval '1 minute', false
            FROM generate_series(1, %(cases)s) g, c""",
    }
    seconds = {}
    with column_defaults([Customer, Case]):
        for table, statement in steps.items():
            began = time.perf_counter()
            sql(statement, params)
            seconds[table] = round(time.perf_counter() - began, 1)
            log(f"  {table}: {seconds[table]} s")
    return seconds


def load_fingerprints(texts: dict, *, workers: int) -> dict:
    """Signatures in `workers` processes, then COPY into both tables with the band lookup index
    dropped and built afterwards (as a bulk load would), foreign-key triggers off (the rows are
    consistent by construction)."""
    from django.db import connection

    from amends.insight.similar import minhash
    from amends.insight.similar.models import Fingerprint, FingerprintBand

    seconds: dict = {}
    began = time.perf_counter()
    items = sorted(texts.items())
    chunks = [items[i : i + CHUNK] for i in range(0, len(items), CHUNK)]
    signatures: dict[int, bytes | None] = {}
    keys: dict[int, list[int]] = {}
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for n, result in enumerate(pool.imap_unordered(_signatures, chunks), 1):
            for pk, sig, band_keys in result:
                signatures[pk], keys[pk] = sig, band_keys
            if n % 50 == 0:
                log(f"  signatures: {len(signatures):,}/{len(items):,}")
    seconds["signatures"] = round(time.perf_counter() - began, 1)
    log(f"  signatures: {seconds['signatures']} s with {workers} processes")

    cases = sql("SELECT id, customer_id, created_at FROM cases_case ORDER BY id")
    lookup = FingerprintBand._meta.indexes[0]
    with connection.schema_editor() as editor:
        editor.remove_index(FingerprintBand, lookup)
    began = time.perf_counter()
    computed = NOW.isoformat()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        fp_table, band_table = Fingerprint._meta.db_table, FingerprintBand._meta.db_table
        with raw.copy(
            f"COPY {fp_table} (case_id, customer_id, created_at, signature, scheme, computed_at) FROM STDIN"
        ) as copy:
            for pk, customer_id, created_at in cases:
                sig = signatures.get(pk)
                copy.write_row((pk, customer_id, created_at, sig, minhash.SCHEME, computed))
        seconds["copy_fingerprints"] = round(time.perf_counter() - began, 1)
        began = time.perf_counter()
        with raw.copy(
            f"COPY {band_table} (fingerprint_id, band, key, created_at, customer_id) FROM STDIN"
        ) as copy:
            for pk, customer_id, created_at in cases:  # COPY's text format, a case at a time
                tail = f"\t{created_at.isoformat()}\t{customer_id}\n"
                copy.write("".join(f"{pk}\t{band}\t{key}{tail}" for band, key in enumerate(keys.get(pk, ()))))
        cursor.execute("SET session_replication_role = DEFAULT")
    seconds["copy_bands"] = round(time.perf_counter() - began, 1)
    log(f"  COPY: fingerprints {seconds['copy_fingerprints']} s, bands {seconds['copy_bands']} s")
    began = time.perf_counter()
    with connection.schema_editor() as editor:
        editor.add_index(FingerprintBand, lookup)
    seconds["band_index"] = round(time.perf_counter() - began, 1)
    began = time.perf_counter()
    sql("VACUUM ANALYZE")  # what autovacuum does soon after a load; sets the visibility map
    seconds["vacuum_analyze"] = round(time.perf_counter() - began, 1)
    log(f"  band index {seconds['band_index']} s, VACUUM ANALYZE {seconds['vacuum_analyze']} s")
    seconds["too_short"] = sum(1 for s in signatures.values() if s is None)
    return seconds


# --- measuring ---------------------------------------------------------------------------------


def signature_cost(texts: dict, sample: int = 3000) -> dict:
    """Per case, in this process: shingling, and the whole signature (shingles + MinHash)."""
    from amends.insight.similar import minhash
    from amends.insight.similar.text import shingles

    chosen = list(texts.values())[:sample]
    minhash.signature(chosen[0])  # datasketch imported, permutations built
    out = {"texts": len(chosen), "mean_chars": round(sum(map(len, chosen)) / len(chosen))}
    for name, call in (("shingles", shingles), ("signature", minhash.signature)):
        began, cpu = time.perf_counter(), time.process_time()
        for text in chosen:
            call(text)
        out[f"{name}_ms"] = round((time.perf_counter() - began) * 1000 / len(chosen), 3)
        out[f"{name}_cpu_ms"] = round((time.process_time() - cpu) * 1000 / len(chosen), 3)
    return out


def background(texts: dict, pairs: list, sample: int = 20_000, seed: int = 3) -> dict:
    """Jaccard similarity of shingles: random pairs of different cases, and the planted pairs."""
    from amends.insight.similar.text import shingles

    def jaccard(a: str, b: str) -> float:
        x, y = shingles(a), shingles(b)
        return len(x & y) / len(x | y) if x | y else 0.0

    rng = random.Random(seed)
    ids = list(texts)
    values = sorted(jaccard(texts[a], texts[b]) for a, b in (rng.sample(ids, 2) for _ in range(sample)))
    planted = sorted(jaccard(texts[a], texts[b]) for a, b in pairs)

    def q(v: list, p: float) -> float:
        return round(v[min(len(v) - 1, int(p * len(v)))], 3) if v else 0.0

    return {
        "random_pairs": {"p50": q(values, 0.5), "p99": q(values, 0.99), "p999": q(values, 0.999)},
        "planted_pairs": {"min": q(planted, 0), "p10": q(planted, 0.1), "p50": q(planted, 0.5)},
    }


def band_hits(case) -> int:
    from django.conf import settings

    window = timedelta(days=settings.AMENDS_SIMILAR_DAYS)
    [(n,)] = sql(
        """SELECT count(*) FROM insight_similar_fingerprintband b
           WHERE b.key IN (SELECT key FROM insight_similar_fingerprintband WHERE fingerprint_id = %s)
             AND b.created_at BETWEEN %s AND %s AND b.customer_id <> %s""",
        [case.pk, case.created_at - window, case.created_at + window, case.customer_id],
    )
    return n


def measure(pairs: list, *, queries: int, staff: dict, seed: int) -> dict:
    from django.db import connection

    from amends.accounts.models import User
    from amends.cases.models import Case
    from amends.insight.similar.selectors import similar_cases, similar_panel

    rng = random.Random(seed)
    twin_of = dict(pairs) | {b: a for a, b in pairs}
    originals = [a for a, _b in pairs]
    all_ids = [pk for (pk,) in sql("SELECT id FROM cases_case")]
    planted_ids = set(twin_of)
    randoms = [pk for pk in rng.sample(all_ids, min(len(all_ids), queries * 2)) if pk not in planted_ids]
    chosen = (originals + randoms)[:queries]
    twins = [b for _a, b in pairs][: max(0, queries - len(originals))]
    cases = {c.pk: c for c in Case.objects.filter(pk__in=[*chosen, *twins])}
    agent = User.objects.get(pk=staff["agent"])

    connection.ensure_connection()
    backend = connection.connection.info.backend_pid

    def timed(call):
        """Wall seconds, the result, and the CPU of this process and of its PostgreSQL backend
        (the machine is shared: CPU time is the steadier figure) and the SQL time."""
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            cpu = (cpu_ms(os.getpid()), cpu_ms(backend))
            began = time.perf_counter()
            result = call()
            wall = time.perf_counter() - began
            cpu = (cpu_ms(os.getpid()) - cpu[0], cpu_ms(backend) - cpu[1])
        costs = {"python_cpu": cpu[0] / 1000, "postgres_cpu": cpu[1] / 1000}
        costs |= {"sql": sum(ms for ms, _sql in timer.queries) / 1000, "queries": len(timer.queries)}
        return wall, result, costs

    similar_cases(cases[chosen[0]])  # a warm connection, as a serving process has
    runs: dict[str, dict[str, list]] = {"similar_cases": {}, "similar_panel_agent": {}}
    found_forward, found_back, results = 0, 0, []
    for pk in chosen:
        for name, call in (
            ("similar_cases", lambda case=cases[pk]: similar_cases(case)),
            ("similar_panel_agent", lambda case=cases[pk]: similar_panel(case, user=agent)),
        ):
            wall, result, costs = timed(call)
            for key, value in (("wall", wall), *costs.items()):
                runs[name].setdefault(key, []).append(value)
            if name == "similar_cases":
                shown = [s.case.pk for s in result]
                if pk in twin_of:
                    found_forward += twin_of[pk] in shown
                else:
                    results.append(len(result))
    for pk in twins:
        found_back += twin_of[pk] in [s.case.pk for s in similar_cases(cases[pk])]
    hits = sorted(band_hits(cases[pk]) for pk in chosen[: min(len(chosen), 300)])
    explain = sql(
        "EXPLAIN (ANALYZE, BUFFERS) " + _lookup_sql(cases[chosen[0]]),
    )
    n_orig = len([pk for pk in chosen if pk in twin_of])
    return {
        "queries_timed": len(chosen),
        **{
            name: summary_ms(r["wall"])
            | {"queries_max": max(r["queries"])}
            | {f"{key}_ms": summary_ms(r[key]) for key in ("python_cpu", "postgres_cpu", "sql")}
            for name, r in runs.items()
        },
        "recall_original_finds_twin": round(found_forward / n_orig, 4) if n_orig else None,
        "recall_twin_finds_original": round(found_back / len(twins), 4) if twins else None,
        "planted_queried": n_orig,
        "results_per_random_case": {
            "mean": round(sum(results) / len(results), 2) if results else None,
            "share_with_any": round(sum(1 for r in results if r) / len(results), 3) if results else None,
        },
        "band_hits": {
            "p50": hits[len(hits) // 2],
            "p95": hits[int(0.95 * (len(hits) - 1))],
            "max": hits[-1],
        },
        "explain": [row[0] for row in explain],
    }


def _lookup_sql(case) -> str:
    """The fingerprint query of similar_panel for one case, with its parameters inlined."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from amends.insight.similar.selectors import _fingerprint_rows

    with CaptureQueriesContext(connection) as ctx:
        _fingerprint_rows(case, window=timedelta(days=settings.AMENDS_SIMILAR_DAYS))
    return ctx.captured_queries[-1]["sql"]


def sizes() -> dict:
    rows = sql(
        """SELECT c.relname, pg_total_relation_size(c.oid), pg_relation_size(c.oid)
           FROM pg_class c WHERE c.relname LIKE 'insight_similar_%%' OR c.relname LIKE 'similar_%%'
           ORDER BY 1"""
    )
    return {
        name: {"total_mb": round(total / 2**20, 1), "own_mb": round(own / 2**20, 1)}
        for name, total, own in rows
    }


def print_table(report: dict) -> None:
    m = report["measured"]
    print()
    print(
        f"{report['cases']:,} cases over {report['days']} days, {report['planted']:,} planted near-duplicates; "
        f"code {report['git_commit']}"
    )
    before, after = report["loadavg_before"], report["loadavg_after"]
    print(
        "load average 1/5/15 min before → after: "
        + ", ".join(f"{a:.1f} → {b:.1f}" for a, b in zip(before, after, strict=True))
    )
    for name in ("similar_cases", "similar_panel_agent"):
        r = m[name]
        verdict = "OK" if r["p95"] <= TARGET_MS else "OVER"
        print(
            f"{name:<20} wall p50 {r['p50']:>7.2f}  p95 {r['p95']:>7.2f}  p99 {r['p99']:>7.2f}  max {r['max']:>7.2f} ms"
            f"  (≤ {r['queries_max']} queries; target p95 ≤ {TARGET_MS} ms: {verdict})"
        )
        cpu = " ".join(
            f"{label} p50/p95 {r[key]['p50']:.2f}/{r[key]['p95']:.2f}"
            for key, label in (
                ("python_cpu_ms", "Python CPU"),
                ("postgres_cpu_ms", "PG CPU"),
                ("sql_ms", "SQL"),
            )
        )
        print(f"{'':<20} {cpu} ms")
    print(
        f"recall: original → twin {m['recall_original_finds_twin']}, twin → original {m['recall_twin_finds_original']}"
        f" (of {m['planted_queried']} planted)"
    )
    print(
        f"band hits per lookup p50/p95/max: {m['band_hits']['p50']}/{m['band_hits']['p95']}/{m['band_hits']['max']}"
    )
    print(f"results per random case: {m['results_per_random_case']}")
    s = report["signature_cost"]
    print(
        f"signature per case ({s['mean_chars']} chars): {s['signature_ms']:.3f} ms "
        f"(shingles {s['shingles_ms']:.3f} ms), CPU {s['signature_cpu_ms']:.3f} ms"
    )
    print(f"background Jaccard: {report['background']}")
    print("sizes (MB): " + ", ".join(f"{k} {v['total_mb']}" for k, v in report["sizes"].items()))


def child_main(opts: argparse.Namespace) -> None:
    import djangosetup  # noqa: F401  (sys.path and django.setup(); must come before amends imports)
    from django.core.management import call_command
    from django.db import connection

    from amends.core import clock

    clock.freeze(NOW)
    started = datetime.now(UTC)
    report: dict = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "bench/similar.py", *sys.argv[1:]]),
        "git_commit": os.environ["BENCH_COMMIT"],
        "machine": machine_info(),
        "database": DB_NAME,
        "cases": opts.cases,
        "days": opts.days,
        "planted": opts.planted,
        "target_ms": TARGET_MS,
    }
    state_file = RESULTS_DIR / f".similar-{DB_NAME}.json"
    if not opts.reuse:
        call_command("migrate", verbosity=0, interactive=False)
        staff = staff_create()
        log(f"loading {opts.cases:,} cases over {opts.days} days")
        report["load_seconds"] = load_cases(cases=opts.cases, days=opts.days, staff=staff)
        cases = sql("SELECT id, customer_id FROM cases_case ORDER BY id")
        texts, pairs = texts_plan(cases, planted=opts.planted, seed=opts.seed)
        report["load_seconds"] |= load_fingerprints(texts, workers=opts.workers)
        report["signature_cost"] = signature_cost(texts)
        report["background"] = background(texts, pairs)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        state_file.write_text(
            json.dumps(
                {
                    "staff": staff,
                    "pairs": pairs,
                    "extra": {k: report[k] for k in ("signature_cost", "background", "load_seconds")},
                }
            )
        )
    else:
        state = json.loads(state_file.read_text())
        staff, pairs = state["staff"], [tuple(p) for p in state["pairs"]]
        report |= state["extra"]
    report["postgres"] = pg_settings(DB_URL)
    report["sizes"] = sizes()
    report["loadavg_before"] = os.getloadavg()
    report["measured"] = measure(pairs, queries=opts.queries, staff=staff, seed=opts.seed)
    report["loadavg_after"] = os.getloadavg()
    connection.close()
    report["seconds"] = round((datetime.now(UTC) - started).total_seconds())
    name = f"{started:%Y%m%dT%H%M%SZ}-similar-{opts.cases}{'-' + opts.label if opts.label else ''}.json"
    (RESULTS_DIR / name).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    print_table(report)
    print(f"results: {RESULTS_DIR / name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--planted", type=int, default=1000, help="near-duplicate pairs planted")
    parser.add_argument("--queries", type=int, default=1000, help="lookups timed (planted originals first)")
    parser.add_argument("--days", type=int, default=90, help="the cases arrive over this many days")
    parser.add_argument("--workers", type=int, default=2, help="processes computing signatures")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a kept database, no reload")
    parser.add_argument("--live-tree", action="store_true", help="measure the working tree, not HEAD")
    parser.add_argument("--label", default="")
    opts = parser.parse_args()
    if os.environ.get("BENCH_APP_ROOT"):
        child_main(opts)
        return
    rerun_in_snapshot(__file__, opts, db_name=DB_NAME, db_url=DB_URL, admin_url=ADMIN_URL)


if __name__ == "__main__":
    main()
