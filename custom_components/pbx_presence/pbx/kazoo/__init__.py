"""Flex UC / Kazoo: the Crossbar REST client, its models and the Blackhole websocket."""

from .blackhole import (
    BlackholeEvent,
    BlackholeSocket,
    KazooCallEvent,
    KazooMwiEvent,
    KazooObjectEvent,
)
from .client import (
    ApiKeyCredentials,
    KazooClient,
    KazooCredentials,
    UserCredentials,
    credentials_hash,
)
from .extensions import MAX_EXTENSION_LENGTH, is_resettable_extension
from .models import (
    AccountIdentifier,
    CredentialsMethod,
    KazooAccount,
    KazooAuth,
    KazooCallForward,
    KazooChannel,
    KazooDevice,
    KazooDeviceStatus,
    KazooPresenceList,
    KazooPresentity,
    KazooSubscription,
    KazooUser,
    KazooVoicemailBox,
    PresenceState,
    gregorian_to_datetime,
)

__all__ = [
    "MAX_EXTENSION_LENGTH",
    "AccountIdentifier",
    "ApiKeyCredentials",
    "BlackholeEvent",
    "BlackholeSocket",
    "CredentialsMethod",
    "KazooAccount",
    "KazooAuth",
    "KazooCallEvent",
    "KazooCallForward",
    "KazooChannel",
    "KazooClient",
    "KazooCredentials",
    "KazooDevice",
    "KazooDeviceStatus",
    "KazooMwiEvent",
    "KazooObjectEvent",
    "KazooPresenceList",
    "KazooPresentity",
    "KazooSubscription",
    "KazooUser",
    "KazooVoicemailBox",
    "PresenceState",
    "UserCredentials",
    "credentials_hash",
    "gregorian_to_datetime",
    "is_resettable_extension",
]
