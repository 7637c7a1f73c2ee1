# ruff: noqa: E501  (regular expressions read best whole, one per line)
"""What the reply coach looks for, per language (R-WR-2). Written for Amends.

Patterns are regular expressions matched against the draft after `coach_text` (lower-cased,
Arabic letter variants and marks unified, Hebrew niqqud removed, ё → е), so write them in
lower case and the plain forms. Hebrew and Arabic words take prefixes and clitics: a pattern
starts at a word boundary only where the word cannot take one. Admins add jargon in the
lexicon admin; these are the defaults the coach always knows.
"""

# Phrases a reply must not contain, by what is wrong with them.
FORBIDDEN: dict[str, dict[str, list[str]]] = {
    # Hiding behind the rules or the bosses: the customer hears "not our fault, not my call".
    "blames_policy": {
        "en": [
            r"\b(?:it'?s|it is|that'?s|that is|this is) (?:our |the )?(?:company )?policy\b",
            r"\b(?:company|our) polic(?:y|ies) (?:does not|doesn'?t|do not|don'?t) allow\b",
            r"\bmanagement (?:has )?decided\b",
            r"\bthe rules are the rules\b",
            r"\b(?:i|we) (?:just )?follow (?:the )?(?:rules|procedures?|instructions)\b",
        ],
        "he": [
            r"זה? ה?נוהל",
            r"לפי ה?נוהל",
            r"ה?מדיניות (?:של )?ה?חברה",
            r"ה?הנהלה החליטה",
            r"אלה ה?כללים",
            r"אני (?:רק )?(?:ממלא|ממלאת) הוראות",
        ],
        "ar": [
            r"(?:هذه|هذا|ده|دي) (?:هي )?سياسه ال?شركه",
            r"حسب سياسه ال?شركه",
            r"ال?اداره قررت",
            r"قرار ال?اداره",
            r"(?:هذه|هي) ال?قوانين",
            r"انا (?:فقط )?انفذ ال?تعليمات",
        ],
        "ru": [
            r"(?:такова|такая у нас|это) политика компании",
            r"по правилам компании",
            r"руководство (?:так )?решило",
            r"правила есть правила",
            r"я (?:просто |только )?выполняю (?:инструкции|указания)",
        ],
    },
    # Passing the customer off: whoever answers owns the problem.
    "not_my_department": {
        "en": [
            r"\bnot (?:my|our) (?:department|job|responsibility|area|problem)\b",
            r"\b(?:i|we) (?:do not|don'?t) (?:deal|handle) (?:with )?(?:that|this|these)\b",
            r"\byou (?:will )?(?:have|need) to (?:contact|call|ask) (?:another|a different|the other) department\b",
        ],
        "he": [
            r"(?:זה |זו )?לא (?:ה?מחלקה|ה?תחום|ה?אחריות) שלי",
            r"(?:זה |זו )?לא (?:ה?מחלקה|ה?תחום|ה?אחריות) שלנו",
            r"אנחנו לא מטפלים ב",
            r"תפנה? ל?מחלקה אחרת",
        ],
        "ar": [
            r"(?:هذا |هذه )?ليس?ت? (?:من )?(?:قسمي|اختصاصي|مسؤوليتي|اختصاصنا|مسؤوليتنا)",
            r"ليس?ت? من (?:اختصاص|مسؤوليه) (?:قسمنا|القسم)",
            r"(?:راجع|تواصل مع|اتصل ب) قسم اخر",
        ],
        "ru": [
            r"(?:это )?не (?:мой|наш) отдел",
            r"(?:это )?не (?:моя|наша) (?:зона ответственности|обязанность|работа|проблема)",
            r"(?:это )?не в (?:моей|нашей) компетенции",
            r"обратитесь в другой отдел",
        ],
    },
    # Someone else is missing: the customer cannot wait for them.
    "supervisor_away": {
        "en": [
            r"\bmy (?:supervisor|manager|boss|team lead) (?:is|was) (?:away|out|off|on (?:holiday|vacation|leave)|not (?:here|in|available))\b",
            r"\b(?:the person|my colleague) (?:who|that) (?:handles|deals with) (?:this|that) is (?:away|out|off|not here)\b",
        ],
        "he": [
            r"ה?(?:מנהל|מנהלת|אחראי|אחראית) (?:שלי )?(?:לא נמצאת?|בחופשה|בחופש|לא זמינה?|יצאה?)",
            r"ה?(?:מנהל|מנהלת) (?:שלי )?(?:חוזרת?|יחזור|תחזור) (?:רק )?(?:ב|מחר|אחרי)",
        ],
        "ar": [
            r"(?:مديري|المدير|مسؤولي|المسؤول|مشرفي|المشرف) (?:غير موجود|في اجازه|ليس موجودا|مش موجود|غائب)",
        ],
        "ru": [
            r"(?:мой |моя )?(?:руководитель|начальник|начальница|менеджер) (?:сейчас )?(?:в отпуске|отсутствует|на больничном|нет на месте|не на месте|уехал|уехала)",
        ],
    },
    # Closing the door: there is always a next step, even if it is not the one asked for.
    "nothing_to_do": {
        "en": [
            r"\bthere (?:is|'s) nothing (?:more )?(?:i|we|anyone) can do\b",
            r"\bnothing (?:more )?(?:can|could) be done\b",
            r"\bnothing to be done\b",
            r"\b(?:i|we) can(?:not|'t) (?:do|help) (?:anything|you) (?:more|further|about (?:it|this|that))\b",
        ],
        "he": [
            r"אין (?:מה|שום דבר ש) ?(?:ל?עשות|אפשר ל?עשות|נוכל ל?עשות)",
            r"אין (?:לנו|לי) מה ל?עשות",
            r"לא (?:נוכל|אוכל|ניתן) ל?עשות (?:כלום|דבר|שום דבר)",
            r"אין מה ל?עשות",
        ],
        "ar": [
            r"لا (?:يوجد|يمكن) (?:ما|شيء) (?:يمكن )?(?:نفعله|افعله|فعله|عمله)",
            r"لا (?:نستطيع|استطيع|يمكننا|يمكنني) (?:فعل|عمل) (?:اي )?شيء",
            r"ما في(?:ش)? (?:شي|حاجه) (?:نعمله|نقدر نعمله)",
        ],
        "ru": [
            r"(?:мы |я )?ничего не (?:можем|могу|можно) (?:с этим )?(?:сделать|поделать)",
            r"ничего (?:тут |здесь )?не поделаешь",
            r"сделать ничего нельзя",
        ],
    },
}

# An apology: an angry or wronged customer needs one before anything else.
APOLOGY: dict[str, list[str]] = {
    "en": [r"\bsorry\b", r"\bapolog", r"\bmy (?:sincere )?regrets\b", r"\bwe regret\b", r"\bi regret\b"],
    "he": [r"מצטער", r"מתנצל", r"סליחה", r"ה?התנצלות", r"צר (?:לי|לנו)"],
    "ar": [r"اعتذر", r"نعتذر", r"اسف", r"متاسف", r"الاعتذار", r"اعتذارنا", r"اعتذاري"],
    "ru": [r"извин", r"прошу прощени", r"просим прощени", r"сожале", r"(?:мне|нам) (?:очень )?жаль"],
}

# A concrete next step in the first person: "I will call you", "we will send".
NEXT_STEP: dict[str, list[str]] = {
    "en": [
        r"\b(?:i|we) (?:will|shall|am going to|are going to)\b",
        r"\b(?:i'll|we'll|i'm going to|we're going to)\b",
        r"\b(?:i|we) have (?:already |also |just )?(?:sent|arranged|booked|asked|ordered|refunded|credited|cancelled|canceled|added)\b",
        r"\b(?:i|we) (?:am|are) (?:sending|arranging|booking|refunding|replacing|calling|ordering)\b",
    ],
    # First person future: א־ (I) and נ־ (we) verbs are too many to list; the common ones.
    "he": [
        r"(?:אני |אנחנו )?(?:א|נ)(?:בדוק|חזור|עדכן|שלח|תקשר|טפל|זמין|דאג|סדר|חזיר|זכה|תאם|העביר|עביר|חליף|שאר)",
        r"(?:הזמנתי|הזמנו|ביטלתי|ביטלנו|ביקשתי|ביקשנו|שלחתי|שלחנו|הוספתי|הוספנו|החזרתי|החזרנו)",
        r"(?:אני |אנחנו )(?:דואג|דואגת|דואגים|שולח|שולחת|שולחים|מטפל|מטפלת|מטפלים)",
    ],
    # سـ / سوف + first person (ا / ن), and the dialect حـ / ر.
    "ar": [
        r"(?<!\S)(?:س|سوف |رح )(?:ا|ن)\S{2,}",
        r"(?:قمت|قمنا) ب",
        r"(?<!\S)(?:حجزت|حجزنا|الغيت|الغينا|اضفت|اضفنا|ارسلت|ارسلنا|طلبت|طلبنا|نرسل|نستبدل)(?!\S)",
    ],
    "ru": [
        r"\b(?:я|мы) (?:сегодня |завтра |обязательно |лично |сам |сама )?(?:по)?(?:звоню|позвоним|проверю|проверим|отправлю|отправим|сообщу|сообщим|свяжусь|свяжемся|верну|вернем|вернём|оформлю|оформим|пришлю|пришлем|пришлём|закажу|закажем|организую|организуем|передам|буду|будем)",
        r"\b(?:я|мы)(?: \w+){0,2} (?:отправил|отправила|отправили|оформил|оформила|оформили|вернул|вернула|вернули|отменил|отменила|отменили|добавил|добавила|добавили|записал|записала|записали|попросил|попросила|попросили|заказал|заказала|заказали|заменим|разберусь|разберемся|займусь|займемся|перезвоню|перезвоним)\b",
    ],
}

# A date or time the customer can hold us to.
WHEN: dict[str, list[str]] = {
    "common": [
        r"\b\d{1,2}[./-]\d{1,2}(?:[./-]\d{2,4})?\b",  # 12.03, 12/03/2026
        r"\b\d{1,2}:\d{2}\b",  # 14:00
        r"\b\d{4}-\d{2}-\d{2}\b",
    ],
    "en": [
        r"\b(?:today|tonight|tomorrow)\b",
        r"\b(?:by|on|before|until|next) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week)\b",
        r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
        r"\bwithin (?:\d+|one|two|three|four|five|a|an) (?:hours?|days?|working days?|business days?|weeks?)\b",
        r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december) \d{1,2}\b",
        r"\b\d{1,2} (?:january|february|march|april|may|june|july|august|september|october|november|december)\b",
    ],
    "he": [
        r"(?:ה?יום|מחר|מחרתיים|ה?ערב)",
        r"יום (?:ראשון|שני|שלישי|רביעי|חמישי|שישי)",
        r"(?:תוך|בתוך|עד) (?:\d+|יום|יומיים|שבוע|שעה|שעתיים|שלושה|ארבעה|חמישה)",
        r"עד (?:סוף )?ה?(?:יום|שבוע|חודש)",
    ],
    "ar": [
        r"(?:ال?يوم|غدا|بكره|بكرا|الليله)",
        r"(?:يوم )?(?:الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت)",
        r"(?:خلال|في غضون|قبل|حتى) (?:\d+|يوم|يومين|ساعه|ساعتين|اسبوع|ثلاثه|اربعه|خمسه)",
    ],
    "ru": [
        r"\b(?:сегодня|завтра|послезавтра)\b",
        r"\bв (?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)\b",
        r"\b(?:до|к) (?:понедельника|вторника|среды|четверга|пятницы|субботы|воскресенья|концу (?:дня|недели))\b",
        r"\b(?:в течение|через|за) (?:\d+|одного|двух|трех|трёх|пяти|час|часа|день|дня|дней|неделю|недели)\b",
    ],
}

# Words only staff understand. Admins add their own (lexicon kind "jargon").
JARGON: dict[str, list[str]] = {
    "en": [
        r"\bticket\b",
        r"\bsla\b",
        r"\bescalat(?:e|ed|ion)\b",
        r"\bback ?end\b",
        r"\brma\b",
        r"\bas per\b",
        r"\bpursuant to\b",
        r"\bkindly revert\b",
        r"\bp[1-4]\b",
        r"\btat\b",
    ],
    "he": [r"טיקט", r"קריאה פתוחה", r"אסקלציה", r"sla", r"תקלה מערכתית", r"בק ?אנד"],
    "ar": [r"تذكره", r"تصعيد", r"sla", r"الباك ?اند", r"تيكت"],
    "ru": [r"тикет", r"эскалаци", r"sla", r"бэкенд", r"заявка в статусе", r"тех ?поддержк[аи] второй линии"],
}
