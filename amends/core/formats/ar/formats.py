# Django's Arabic formats have no DATETIME_FORMAT or SHORT_DATETIME_FORMAT, so Arabic pages fell
# back to the American defaults: "نوفمبر 29, 2026, 1:41 م" and "11/29/2026 1:41 م". Day first,
# with the Arabic comma, as in Django's own Arabic DATE_FORMAT and SHORT_DATE_FORMAT.
DATETIME_FORMAT = "j F Y، g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
