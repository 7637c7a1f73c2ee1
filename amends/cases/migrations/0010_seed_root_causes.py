"""Seed the root-cause codes (R-LE-3). Admins may rename, deactivate or add codes."""

from django.db import migrations

ROOT_CAUSES = [
    ("process", "A process that does not work", "תהליך שאינו עובד", "إجراء لا يعمل", "Неработающий процесс"),
    (
        "training",
        "Staff not trained or informed",
        "צוות שלא הודרך או עודכן",
        "موظفون لم يُدرَّبوا أو يُبلَّغوا",
        "Сотрудники не обучены или не проинформированы",
    ),
    (
        "staff_error",
        "A one-off staff mistake",
        "טעות חד־פעמית של עובד",
        "خطأ فردي من موظف",
        "Разовая ошибка сотрудника",
    ),
    (
        "system",
        "A system or software fault",
        "תקלה במערכת או בתוכנה",
        "عطل في النظام أو البرنامج",
        "Сбой системы или программы",
    ),
    (
        "supplier",
        "A supplier or partner failed",
        "כשל של ספק או שותף",
        "إخفاق مورد أو شريك",
        "Подвёл поставщик или партнёр",
    ),
    (
        "capacity",
        "Not enough people or stock",
        "חוסר בכוח אדם או במלאי",
        "نقص في الموظفين أو المخزون",
        "Не хватает людей или товара",
    ),
    (
        "policy",
        "A rule that is unclear or unfair",
        "כלל לא ברור או לא הוגן",
        "قاعدة غير واضحة أو غير عادلة",
        "Неясное или несправедливое правило",
    ),
    (
        "information",
        "Wrong or missing information given",
        "מידע שגוי או חסר",
        "معلومات خاطئة أو ناقصة",
        "Неверная или неполная информация",
    ),
    (
        "product_design",
        "Product design or quality",
        "תכנון או איכות המוצר",
        "تصميم المنتج أو جودته",
        "Конструкция или качество товара",
    ),
    (
        "no_fault",
        "No fault found on our side",
        "לא נמצא כשל מצדנו",
        "لم يُعثر على خطأ من جانبنا",
        "С нашей стороны ошибки нет",
    ),
]


def seed(apps, schema_editor):
    RootCause = apps.get_model("cases", "RootCause")
    for position, (code, en, he, ar, ru) in enumerate(ROOT_CAUSES, start=1):
        RootCause.objects.update_or_create(
            code=code,
            defaults={"name_en": en, "name_he": he, "name_ar": ar, "name_ru": ru, "position": position * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_root_cause_product")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
