"""Learning from complaints (R-LE-3, R-LE-4): problems (root causes) that link many cases and
carry corrective actions, recurrences of fixed problems, and incidents (service interruptions)
whose affected customers are acknowledged and told when the service is back.

Sits above the workflow: it reads and links cases (cases), compares them (insight.similar),
tells customers and staff (notify) and writes audit events (core). Its desk pages (views.py,
urls.py, included by desk/urls.py) are an interface and fetch cases only through the cases
funnels. Only interfaces call learning: the desk (its pages, the close form's root causes, the
case page's panel) and the portal (the customer's opt-out from interruption mail).
"""
