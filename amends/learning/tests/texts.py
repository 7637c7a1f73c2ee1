"""Complaints for the learning tests, written for them: groups that report the same fault in
other words (so the similarity lookup pairs them), and texts about something else."""

ROUTER = [
    "My home internet has been down since this morning. The router shows a red light and the "
    "support line keeps me waiting for an hour. I work from home and need the connection back today.",
    "The home internet has been down since the morning. My router shows a red light and your "
    "support line kept me waiting an hour. I work from home and I need my connection back today.",
    "Our home internet is down since this morning, the router shows a red light, and the support "
    "line keeps us waiting for an hour. We work from home and need the connection back today.",
    "Home internet down since this morning again. The router shows a red light and the support "
    "line keeps me waiting for an hour. I work from home and need the connection back today!",
]

ROUTER_HE = (
    "האינטרנט בבית לא עובד מהבוקר. הנתב מראה נורה אדומה והמוקד משאיר אותי להמתין שעה. "
    "אני עובדת מהבית וצריכה את החיבור בחזרה היום."
)

INVOICE = [
    "I was charged twice for the same order on my credit card. I asked for a refund of the double "
    "charge a week ago and the money has still not come back to my account.",
    "You charged me twice for the same order on the credit card. I asked for a refund of the double "
    "charge last week and the money still has not come back to my account.",
]

UNRELATED = (
    "The courier left my parcel in the rain outside the building entrance and the box was soaked "
    "through. The shoes inside are ruined and I would like a replacement pair sent to me."
)
