import pytest
from aiosmtpd.controller import Controller

from amends.notify.tests.smtp_sink import Sink, free_port, smtp_mailer


@pytest.fixture
def sink(settings):
    """The outbound relay: every mail the app sends goes to this SMTP server."""
    handler = Sink()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), decode_data=False)
    controller.start()
    handler.port = controller.port
    settings.MAILERS = smtp_mailer(controller.port)
    yield handler
    controller.stop()
