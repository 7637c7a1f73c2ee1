"""The small dataset the dashboard tests count by hand."""

from decimal import Decimal

import pytest

from amends.cases.choices import Channel, Decision, ResolutionType
from amends.cases.models import Category
from amends.cases.services import lifecycle
from amends.core import clock
from amends.reports.tests.dataset import at
from amends.sla.models import Commitment, FollowUp, FollowUpStatus
from amends.sla.services.commitments import commitment_mark_done
from amends.sla.services.followups import followup_answer
from amends.sla.sweeper import sla_sweep


@pytest.fixture
def world(make_case, agent, other_agent, lead):
    """Four complaints on Sunday 8 February 2026 (working hours 08:00–17:00):

    A web/en, cause X: reply 09:30 (first response 30 min), resolved 11:00, upheld, 10 ILS.
    B email/he, cause X, vulnerable: reply 11:00 (2 h), resolved 13:00 (4 h), reopened 14:00,
      resolved again 15:00 not upheld.
    C phone/ar, cause Y: question 10:00 (1 h) with no answer yet; a promise kept.
    D web/he, no cause: reply 09:30 (30 min) with a promise for 12:00, broken.
    Satisfaction: A solved with 5; B solved with 2 (dissatisfied).
    """
    x, y = Category.objects.all()[:2]
    clock.freeze(at(8, 9))
    a = make_case(channel=Channel.WEB, language="en", email="a@example.com", category=x, subject="A")
    b = make_case(
        channel=Channel.EMAIL, language="he", email="b@example.com", category=x, vulnerable=True, subject="B"
    )
    c = make_case(channel=Channel.PHONE, language="ar", email="c@example.com", category=y, subject="C")
    d = make_case(channel=Channel.WEB, language="he", email="d@example.com", subject='=HYPERLINK("x")')
    clock.freeze(at(8, 9, 30))
    lifecycle.case_reply(case=a, actor=agent, body="Looking.")
    lifecycle.case_reply(case=d, actor=other_agent, body="Looking.", promise_due=at(8, 12))
    clock.freeze(at(8, 10))
    lifecycle.case_ask(case=c, actor=agent, body="Which order?")
    lifecycle.case_reply(case=c, actor=agent, body="Checking.", promise_due=at(8, 16))
    clock.freeze(at(8, 11))
    lifecycle.case_reply(case=b, actor=agent, body="Looking.")
    resolve = {"actor": agent, "resolution_type": ResolutionType.REFUND, "summary": "Done."}
    lifecycle.case_resolve(
        case=a, decision=Decision.UPHELD, redress_amount=Decimal("10"), redress_currency="ILS", **resolve
    )
    commitment_mark_done(commitment=Commitment.objects.get(case=c), actor=agent)
    clock.freeze(at(8, 13))
    sla_sweep()  # D's promise (due 12:00) is broken
    lifecycle.case_resolve(case=b, decision=Decision.UPHELD, **resolve)
    clock.freeze(at(8, 14))
    lifecycle.case_reopen(case=b, actor=agent, reason="The customer called again.")
    clock.freeze(at(8, 15))
    lifecycle.case_resolve(case=b, decision=Decision.NOT_UPHELD, **resolve)
    clock.freeze(at(11, 9))  # two business days later: the satisfaction checks go out
    sla_sweep()
    clock.freeze(at(11, 10))
    for case, rating in ((a, 5), (b, 2)):
        check = FollowUp.objects.get(case=case, status=FollowUpStatus.SENT)
        followup_answer(followup=check, solved=True, rating=rating, comment="")
    yield {"a": a, "b": b, "c": c, "d": d, "x": x, "y": y}
    clock.freeze(None)
