"""iSymphony: the Live (and Config) REST client, its models and the event websocket."""

from .client import ISymphonyClient
from .events import ISymphonyEventSocket, ISymphonyUserStatusEvent
from .models import (
    ISymphonyConfigUser,
    ISymphonyCoreServer,
    ISymphonyStatus,
    ISymphonyUser,
    StatusType,
)

__all__ = [
    "ISymphonyClient",
    "ISymphonyConfigUser",
    "ISymphonyCoreServer",
    "ISymphonyEventSocket",
    "ISymphonyStatus",
    "ISymphonyUser",
    "ISymphonyUserStatusEvent",
    "StatusType",
]
