"""Run the built-in SMTP listener until stopped (`make run` starts it; AMENDS_SMTP_BIND)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand

from amends.mail.listener import listener


class Command(BaseCommand):
    help = "Receive mail over SMTP on AMENDS_SMTP_BIND (default 127.0.0.1:8025) into Amends."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=settings.AMENDS_SMTP_BIND, help="host:port")

    def handle(self, *args, **options):
        host, _, port = options["bind"].rpartition(":")
        controller = listener(host=host or "127.0.0.1", port=int(port))
        controller.start()
        self.stdout.write(f"SMTP listener on {host}:{port}")
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        stop.wait()
        controller.stop()
