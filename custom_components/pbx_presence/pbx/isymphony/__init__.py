"""iSymphony: the Live (and Config) REST client, its models and the event websocket."""

from .client import ISymphonyClient
from .events import (
    EVENT_TYPES,
    ISymphonyAgentEvent,
    ISymphonyEvent,
    ISymphonyEventSocket,
    ISymphonyLoginEvent,
    ISymphonyUserStatusEvent,
)
from .models import (
    ISymphonyAgent,
    ISymphonyCallSegment,
    ISymphonyConfigUser,
    ISymphonyCoreServer,
    ISymphonyExtension,
    ISymphonyLogin,
    ISymphonyQueue,
    ISymphonyStatus,
    ISymphonyUser,
    StatusType,
)

__all__ = [
    "EVENT_TYPES",
    "ISymphonyAgent",
    "ISymphonyAgentEvent",
    "ISymphonyCallSegment",
    "ISymphonyClient",
    "ISymphonyConfigUser",
    "ISymphonyCoreServer",
    "ISymphonyEvent",
    "ISymphonyEventSocket",
    "ISymphonyExtension",
    "ISymphonyLogin",
    "ISymphonyLoginEvent",
    "ISymphonyQueue",
    "ISymphonyStatus",
    "ISymphonyUser",
    "ISymphonyUserStatusEvent",
    "StatusType",
]
