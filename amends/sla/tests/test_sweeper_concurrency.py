"""Two workers sweeping at the same moment never fire the same threshold twice (PostgreSQL:
SKIP LOCKED splits the due rows; SQLite serialises the two write transactions)."""

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connections

from amends.cases.services import lifecycle
from amends.core import clock
from amends.sla.models import CaseClock, Escalation
from amends.sla.sweeper import clocks_sweep

JLM = ZoneInfo("Asia/Jerusalem")


@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_fire_each_threshold_once(make_case, agent):
    clock.freeze(datetime(2026, 11, 26, 16, 0, tzinfo=JLM))
    for n in range(40):
        lifecycle.case_assign(case=make_case(email=f"c{n}@example.com"), owner=agent, actor=agent)
    now = datetime(2026, 11, 29, 8, 30, tzinfo=JLM)  # every first-response clock past 80 %
    barrier = threading.Barrier(2)
    handled: list[int] = []
    errors: list[BaseException] = []

    def sweep():
        try:
            barrier.wait(timeout=10)
            handled.append(clocks_sweep(now=now, batch=25))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    while clocks_sweep(now=now, batch=25):  # whatever neither took in its one batch
        pass
    warnings = Escalation.objects.filter(reason="clock_warning", percent=80)
    assert warnings.count() == 40
    assert warnings.values("clock_id").distinct().count() == 40
    assert sum(handled) <= 50 and not CaseClock.objects.filter(next_check_at__lte=now).exists()
