# ruff: noqa: E501
"""Short complaint texts in the four languages Amends speaks, written for the benchmark.

Each case body is built from one opening complaint plus, sometimes, a detail line, so the
100,000 generated cases are not all the same few strings (that would flatter any cache or
compression the databases do).
"""

# (subject, first message) per language.
COMPLAINTS = {
    "he": [
        (
            "המקרר לא הגיע",
            "הזמנתי מקרר לפני שלושה שבועות והובטח לי משלוח תוך חמישה ימים. עד היום לא הגיע ואף אחד לא חוזר אליי.",
        ),
        (
            "ניתקו לי את השיחה",
            "הנציג במוקד ניתק לי את השיחה באמצע, פעמיים. אני לקוח שלכם כבר עשר שנים ולא מגיע לי יחס כזה.",
        ),
        (
            "חיוב כפול",
            "חויבתי פעמיים על אותה הזמנה בכרטיס האשראי. ביקשתי זיכוי לפני שבועיים ועדיין לא קיבלתי.",
        ),
        (
            "טכנאי לא הגיע",
            "קבעתי טכנאי ליום שלישי בין 8 ל-12. חיכיתי כל הבוקר, לקחתי יום חופש, והוא פשוט לא הגיע.",
        ),
        ("מוצר פגום", "קניתי מכונת כביסה והיא מרעישה מאוד כבר מהכביסה הראשונה. בחנות אמרו לי לפנות אליכם."),
        (
            "החשבונית שגויה",
            "בחשבונית החודשית מופיע שירות שמעולם לא הזמנתי. אני רוצה שתבטלו אותו ותחזירו את הכסף.",
        ),
        ("יחס לא מכבד", "המוכרת בסניף דיברה אליי בזלזול כשביקשתי להחליף מוצר. זה לא מקובל."),
        ("האתר לא עובד", "ניסיתי לשלם באתר שלוש פעמים וכל פעם קיבלתי שגיאה, אבל הכסף ירד מהחשבון."),
        ("משלוח הגיע שבור", "הארגז הגיע קרוע והכוסות בפנים היו שבורות. צילמתי הכול ברגע שפתחתי."),
        (
            "אין מענה בטלפון",
            "אני מנסה להשיג את שירות הלקוחות כבר ארבעה ימים. ההמתנה נמשכת שעה ואז השיחה מתנתקת.",
        ),
        ("ביטול מנוי", "ביקשתי לבטל את המנוי בחודש שעבר ובכל זאת חייבו אותי שוב החודש."),
        (
            "אחריות לא כובדה",
            "המזגן התקלקל אחרי חצי שנה והטכנאי טוען שהאחריות לא מכסה את התקלה. כתוב בחוזה אחרת.",
        ),
    ],
    "ar": [
        (
            "الغسالة وصلت مكسورة",
            "وصلتني الغسالة مكسورة من الجانب، والسائق رفض أن ينتظر حتى أفحصها. أريد غسالة جديدة.",
        ),
        ("لم يُسمح بتغيير الموعد", "طلبت تغيير موعد التركيب يوماً واحداً فقط وقيل لي إن النظام لا يسمح بذلك."),
        ("خصم مرتين", "تم خصم المبلغ مرتين من بطاقتي لنفس الطلب، وما زلت أنتظر الاسترداد منذ أسبوعين."),
        ("الفني لم يحضر", "انتظرت الفني طوال الصباح كما اتفقنا، ولم يحضر ولم يتصل أحد ليعتذر."),
        ("معاملة سيئة", "الموظف في الفرع رفع صوته عليّ أمام الزبائن عندما سألت عن الفاتورة."),
        ("فاتورة غير صحيحة", "في فاتورة هذا الشهر رسوم خدمة لم أطلبها أبداً. أرجو إلغاءها وإعادة المبلغ."),
        ("تأخر التوصيل", "الطلب متأخر عشرة أيام عن الموعد، وكل مرة أتصل يقولون لي غداً."),
        ("المنتج لا يعمل", "اشتريت مكنسة كهربائية وتوقفت عن العمل بعد أسبوع واحد فقط من الاستعمال."),
        ("لا أحد يرد", "أرسلت ثلاث رسائل بالبريد الإلكتروني ولم أتلقَّ أي رد حتى الآن."),
        ("الاشتراك لم يُلغَ", "ألغيت الاشتراك الشهر الماضي وما زالوا يخصمون المبلغ من حسابي."),
    ],
    "ru": [
        (
            "Пылесос сломался",
            "Пылесос перестал работать через две недели после покупки. Гарантийный талон у меня есть.",
        ),
        (
            "Двойное списание",
            "С моей карты дважды списали оплату за один и тот же заказ. Прошу вернуть лишнее.",
        ),
        (
            "Мастер не пришёл",
            "Я отпросился с работы, чтобы дождаться мастера, но он так и не пришёл и не позвонил.",
        ),
        (
            "Грубость сотрудника",
            "Сотрудник в отделении разговаривал со мной грубо и отказался принять заявление.",
        ),
        ("Неверный счёт", "В счёте за этот месяц указана услуга, которую я не заказывал. Прошу её убрать."),
        (
            "Задержка доставки",
            "Доставку переносили уже три раза. Диван должен был приехать ещё в прошлом месяце.",
        ),
        ("Товар с браком", "Холодильник привезли с вмятиной на двери. Курьер уехал, не дождавшись проверки."),
        (
            "Не могу дозвониться",
            "Пятый день не могу дозвониться до поддержки: после часа ожидания звонок обрывается.",
        ),
        ("Подписка не отменена", "Я отменил подписку в прошлом месяце, но деньги снова списали."),
        (
            "Ошибка в заказе",
            "Заказывал синий чайник, привезли белый. На сайте заказ отмечен как выполненный.",
        ),
    ],
    "en": [
        (
            "Order never arrived",
            "I ordered a fridge three weeks ago and was promised delivery within five days. It still has not arrived and nobody calls me back.",
        ),
        (
            "Charged twice",
            "My card was charged twice for the same order. I asked for a refund two weeks ago and I am still waiting.",
        ),
        (
            "Engineer did not show up",
            "I took a day off work to wait for the engineer between 8 and 12. Nobody came and nobody called.",
        ),
        (
            "Rude staff",
            "The assistant at the branch was rude to me when I asked to exchange a faulty kettle.",
        ),
        (
            "Wrong bill",
            "This month's bill includes a service I never ordered. Please remove it and refund me.",
        ),
        (
            "Faulty product",
            "The washing machine is extremely loud from the very first wash. The shop told me to contact you.",
        ),
        (
            "Cannot reach support",
            "I have been trying to reach customer service for four days. I wait an hour and then the call drops.",
        ),
        ("Subscription not cancelled", "I cancelled my subscription last month and you charged me again."),
        (
            "Damaged delivery",
            "The box arrived torn and the glasses inside were broken. I took photos as soon as I opened it.",
        ),
        (
            "Warranty refused",
            "The air conditioner broke after six months and the technician says the warranty does not cover it. The contract says otherwise.",
        ),
        (
            "Website payment error",
            "I tried to pay on the website three times and got an error each time, but the money left my account.",
        ),
    ],
}

# A second sentence added to some bodies, so texts vary in length and content.
DETAILS = {
    "he": [
        "מספר ההזמנה מופיע למעלה.",
        "צירפתי את כל הפרטים בשיחה הקודמת.",
        "אני מבקש שמישהו יחזור אליי עוד היום.",
        "זו הפעם השלישית שאני פונה בנושא.",
    ],
    "ar": [
        "رقم الطلب مذكور أعلاه.",
        "أرجو أن يتصل بي أحد اليوم.",
        "هذه المرة الثالثة التي أتواصل فيها بخصوص هذا الموضوع.",
    ],
    "ru": [
        "Номер заказа указан выше.",
        "Прошу перезвонить мне сегодня.",
        "Обращаюсь по этому вопросу уже третий раз.",
    ],
    "en": [
        "My order number is above.",
        "Please call me back today.",
        "This is the third time I have contacted you about this.",
        "I have kept the receipt.",
    ],
}

# The customer writing again.
FOLLOW_UPS = {
    "he": [
        "יש עדכון? עבר כבר שבוע.",
        "קיבלתי את ההודעה, אבל הבעיה עדיין לא נפתרה.",
        "תודה, אני מחכה לתשובה.",
    ],
    "ar": ["هل من جديد؟ مر أسبوع كامل.", "وصلتني رسالتكم لكن المشكلة لم تُحل بعد.", "شكراً، أنتظر ردكم."],
    "ru": [
        "Есть новости? Прошла уже неделя.",
        "Ваше письмо получил, но проблема не решена.",
        "Спасибо, жду ответа.",
    ],
    "en": [
        "Any update? It has been a week.",
        "I got your message but the problem is still there.",
        "Thank you, I am waiting for your answer.",
    ],
}

# An agent answering the customer, in the customer's language.
REPLIES = {
    "he": [
        "שלום, אנחנו מצטערים על אי הנוחות. בדקנו את ההזמנה ונחזור אלייך עד מחר.",
        "בדקנו את החיוב ואכן נפלה טעות. הזיכוי יופיע בחשבון תוך חמישה ימי עסקים.",
        "קבענו לך ביקור טכנאי חדש ליום ראשון בבוקר. נשלח תזכורת יום קודם.",
    ],
    "ar": [
        "مرحباً، نعتذر عن الإزعاج. راجعنا طلبك وسنعود إليك غداً.",
        "تحققنا من الخصم وكان هناك خطأ بالفعل. سيظهر المبلغ في حسابك خلال خمسة أيام عمل.",
        "حددنا لك موعداً جديداً مع الفني صباح الأحد، وسنرسل تذكيراً قبل يوم.",
    ],
    "ru": [
        "Здравствуйте, приносим извинения. Мы проверили заказ и ответим вам до завтра.",
        "Мы проверили списание: это была ошибка. Деньги вернутся в течение пяти рабочих дней.",
        "Мы назначили новый визит мастера на воскресенье утром и напомним вам накануне.",
    ],
    "en": [
        "Hello, we are sorry for the trouble. We have checked your order and will come back to you by tomorrow.",
        "We checked the charge and it was indeed a mistake. The refund will reach your account within five working days.",
        "We have booked a new engineer visit for Sunday morning and will send a reminder the day before.",
    ],
}

# Internal notes between agents (English: the team's working language).
NOTES = [
    "Called the warehouse: the order is stuck at the depot, they promise dispatch tomorrow.",
    "Checked billing: duplicate charge confirmed, refund requested from finance.",
    "Customer sounded very upset on the phone; keep an eye on this one.",
    "Technician's calendar shows the visit was cancelled by dispatch without telling the customer.",
    "Same issue as last month's complaint from this customer.",
]

RESOLUTIONS = {
    "he": "הבעיה טופלה: ביצענו זיכוי מלא ונתנו הנחה על ההזמנה הבאה.",
    "ar": "تمت معالجة المشكلة: أعدنا المبلغ كاملاً ومنحناك خصماً على طلبك القادم.",
    "ru": "Проблема решена: мы полностью вернули деньги и дали скидку на следующий заказ.",
    "en": "Resolved: we refunded the full amount and added a discount to your next order.",
}

# (name, Latin spelling for the email address) per language.
FIRST_NAMES = {
    "he": [
        ("נועה", "noa"),
        ("יוסי", "yossi"),
        ("מיכל", "michal"),
        ("אבי", "avi"),
        ("שירה", "shira"),
        ("דוד", "david"),
        ("תמר", "tamar"),
        ("רון", "ron"),
    ],
    "ar": [
        ("ليلى", "layla"),
        ("خالد", "khaled"),
        ("سارة", "sara"),
        ("أحمد", "ahmad"),
        ("مريم", "maryam"),
        ("يوسف", "yousef"),
        ("نور", "nour"),
    ],
    "ru": [
        ("Анна", "anna"),
        ("Игорь", "igor"),
        ("Ольга", "olga"),
        ("Дмитрий", "dmitry"),
        ("Елена", "elena"),
        ("Сергей", "sergey"),
        ("Мария", "maria"),
    ],
    "en": [
        ("Emma", "emma"),
        ("James", "james"),
        ("Olivia", "olivia"),
        ("Noah", "noah"),
        ("Grace", "grace"),
        ("Liam", "liam"),
        ("Chloe", "chloe"),
    ],
}
LAST_NAMES = {
    "he": [
        ("כהן", "cohen"),
        ("לוי", "levi"),
        ("מזרחי", "mizrahi"),
        ("פרץ", "peretz"),
        ("ביטון", "biton"),
        ("אברהם", "avraham"),
        ("פרידמן", "friedman"),
    ],
    "ar": [
        ("حسن", "hassan"),
        ("منصور", "mansour"),
        ("خوري", "khoury"),
        ("عباس", "abbas"),
        ("حداد", "haddad"),
        ("صالح", "saleh"),
    ],
    "ru": [
        ("Смирнова", "smirnova"),
        ("Волков", "volkov"),
        ("Петрова", "petrova"),
        ("Козлов", "kozlov"),
        ("Иванова", "ivanova"),
        ("Соколов", "sokolov"),
    ],
    "en": [
        ("Smith", "smith"),
        ("Jones", "jones"),
        ("Taylor", "taylor"),
        ("Brown", "brown"),
        ("Wilson", "wilson"),
        ("Evans", "evans"),
    ],
}
PHONE_PREFIXES = {"he": "+97250", "ar": "+97150", "ru": "+7916", "en": "+44770"}
