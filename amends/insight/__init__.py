"""Understanding the customer: the language of a text, and signals in it (anger, abuse or
threats against staff, legal and churn threats, repeat contact, a request for a manager) in
he/ar/ru/en, from lexicons that admins edit. Later: actions, category suggestion, similar
cases and the reply coach (issue 6).

Depends on core only; cases, desk and intake call its services and selectors.
"""
