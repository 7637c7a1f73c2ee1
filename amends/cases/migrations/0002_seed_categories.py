"""Seed the cause taxonomy (R-LE-2). Admins may rename, deactivate or add categories."""

from django.db import migrations

TAXONOMY = [
    ("below_expectation", "Product or service below expectation", "מוצר או שירות מתחת לציפיות",
     "منتج أو خدمة دون التوقعات", "Товар или услуга ниже ожиданий"),
    ("inflexibility", "Inflexibility", "חוסר גמישות", "عدم المرونة", "Негибкость"),
    ("errors", "Errors and mistakes", "טעויות ושגיאות", "أخطاء", "Ошибки"),
    ("external_communication", "Poor communication with the customer", "תקשורת לקויה מול הלקוח",
     "ضعف التواصل مع العميل", "Плохая связь с клиентом"),
    ("internal_communication", "Poor internal communication", "תקשורת פנימית לקויה",
     "ضعف التواصل الداخلي", "Плохая внутренняя коммуникация"),
    ("delays", "Delays", "עיכובים", "تأخير", "Задержки"),
    ("unprofessional", "Unprofessional behaviour", "התנהגות לא מקצועית", "سلوك غير مهني",
     "Непрофессиональное поведение"),
    ("other", "Other", "אחר", "أخرى", "Другое"),
]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for position, (code, en, he, ar, ru) in enumerate(TAXONOMY, start=1):
        Category.objects.update_or_create(
            code=code,
            defaults={"name_en": en, "name_he": he, "name_ar": ar, "name_ru": ru, "position": position * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
