"""Complaints for the tests, written for them: pairs that say the same thing in other words
(a few words changed, other prefixes and clitics, other order numbers), and unrelated texts in
the same language. Jaccard similarity of the pairs' shingles: 0.56-0.77."""

# language: [(first report, the same complaint from someone else), ...]
NEAR_DUPLICATES = {
    "he": [
        (
            "הזמנתי מקרר לפני שבועיים והוא הגיע עם דלת שבורה. שלחתי תמונות לשירות הלקוחות ועד היום לא "
            "חזרו אליי. אני מבקש החלפה מיידית של המקרר.",
            "הזמנתי את המקרר לפני שבועיים, והמקרר הגיע עם הדלת שבורה! שלחתי תמונות לשירות לקוחות ועד "
            "היום אף אחד לא חזר אליי. מבקש החלפה מיידית של המקרר.",
        ),
        (
            "חויבתי פעמיים על אותה עסקה בכרטיס האשראי בתאריך 12.3. ביקשתי החזר של החיוב הכפול כבר לפני "
            "שבוע ועדיין לא קיבלתי את הכסף.",
            "חייבו אותי פעמיים על אותה העסקה בכרטיס אשראי ב-14.3. ביקשתי החזר על החיוב הכפול לפני שבוע "
            "ועדיין לא קיבלתי את הכסף בחזרה.",
        ),
    ],
    "ar": [
        (
            "طلبت ثلاجة قبل أسبوعين ووصلت بباب مكسور. أرسلت صوراً لخدمة العملاء وحتى اليوم لم يرد علي أحد. "
            "أطلب استبدال الثلاجة فوراً.",
            "طلبت الثلاجة قبل اسبوعين ووصلت والباب مكسور. ارسلت الصور لخدمة العملاء وحتى الان لم يرد علي "
            "احد. اطلب استبدال الثلاجة فورا.",
        ),
        (
            "تم خصم المبلغ مرتين من بطاقتي الائتمانية على نفس العملية. طلبت استرداد الخصم المكرر منذ أسبوع "
            "ولم يصلني المال حتى الآن.",
            "تم خصم المبلغ مرتين من البطاقة الائتمانية على نفس العملية! طلبت استرداد الخصم المكرر من اسبوع "
            "وما وصلني المال حتى الان.",
        ),
    ],
    "ru": [
        (
            "Заказал холодильник две недели назад, он пришёл со сломанной дверцей. Отправил фотографии в "
            "службу поддержки, но до сих пор никто не ответил. Требую немедленной замены холодильника.",
            "Заказал холодильник две недели назад, и он пришел со сломанной дверью. Отправил фото в вашу "
            "службу поддержки, но до сих пор мне никто не ответил. Требую немедленную замену холодильника.",
        ),
        (
            "С моей карты дважды списали деньги за один и тот же заказ. Неделю назад я попросил вернуть "
            "двойное списание, но деньги так и не вернулись.",
            "С карты дважды списали деньги за один и тот же заказ номер 558812. Неделю назад попросил "
            "вернуть двойное списание, но деньги мне так и не вернули.",
        ),
    ],
    "en": [
        (
            "I ordered a fridge two weeks ago and it arrived with a broken door. I sent photos to customer "
            "service and nobody has replied to me until today. I want the fridge replaced immediately.",
            "I ordered the fridge two weeks ago, and it was delivered with a broken door! I sent the photos "
            "to your customer service and until today nobody has replied. I want my fridge replaced "
            "immediately.",
        ),
        (
            "My credit card was charged twice for the same transaction. I asked for a refund of the double "
            "charge a week ago and I still have not received the money.",
            "You charged my credit card twice for the same transaction (order 55120). A week ago I asked "
            "for a refund of the double charge and I still haven't received my money.",
        ),
    ],
}

# language: a complaint about something else entirely.
UNRELATED = {
    "he": "הנציגה בסניף דיברה אליי בזלזול כשביקשתי לשנות את מסלול החבילה הסלולרית שלי. זה לא מקובל עליי "
    "ואני שוקל לעזוב את החברה.",
    "ar": "الموظف في الفرع رفع صوته علي أمام الزبائن عندما سألت عن تغيير باقة الإنترنت. هذا غير مقبول "
    "وأفكر في ترك الشركة.",
    "ru": "Сотрудница в отделении разговаривала со мной грубо, когда я попросил сменить тариф мобильной "
    "связи. Это недопустимо, и я думаю уйти к другому оператору.",
    "en": "The assistant at your branch was rude to me when I asked to change my mobile plan. This is not "
    "acceptable and I am thinking of leaving your company.",
}
