"""A text-message channel for the tests: what an SMS adapter would look like."""

from typing import Any, ClassVar

from amends.customers.selectors import customer_contact
from amends.notify.channels import PermanentFailure


class FakeSmsChannel:
    code = "sms"
    label = "Text message"
    sent: ClassVar[list[tuple[str, str]]] = []
    refused: ClassVar[set[str]] = set()
    opened: ClassVar[int] = 0

    def address(self, customer: Any) -> str:
        phones = customer_contact(customer)["phone"]
        return phones[0] if phones else ""

    def can_reach(self, customer: Any) -> bool:
        return bool(self.address(customer))

    def open(self) -> None:
        FakeSmsChannel.opened += 1

    def send(self, notification: Any) -> None:
        if notification.to_address in self.refused:
            raise PermanentFailure("no such number")
        self.sent.append((notification.to_address, notification.body))

    def close(self) -> None:
        pass
