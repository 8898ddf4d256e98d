"""Demo and scaled data sets; both are deterministic for a given seed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
import random
from typing import Any, Literal

from .isymphony import STATUS_TYPES, ISymphonyState
from .kazoo import CALL_FORWARD_DEFAULTS, KazooState
from .kazoo_features import park_callflow

DEMO_SEED = 2024
# The demo core server's stable (Config API) id: what its entries and entities are keyed by.
DEMO_CORE_SERVER_ID = "4c0f9d1e-7a2b-4e5f-9c3d-2b1a0e9f8d7c"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "admin-secret"  # noqa: S105 - published demo credentials
PARK_SLOTS = ("*3101", "*3102", "*3103")
# Scaled users are user<extension> / user<extension>-secret, extensions from 1000.
SCALED_FIRST_USERNAME = "user1000"
SCALED_FIRST_PASSWORD = "user1000-secret"  # noqa: S105 - published demo credentials
PREDEFINED_STATUSES = (
    ("Available", "available"),
    ("Out to lunch", "away"),
    ("In a meeting", "dnd"),
    ("On vacation", "xa"),
)
# Fixed (future) return times keep the demo data identical from run to run.
LUNCH_RETURN_MS = int(datetime(2030, 6, 3, 12, 45, tzinfo=UTC).timestamp() * 1000)
VACATION_RETURN_MS = int(datetime(2030, 6, 10, 8, 0, tzinfo=UTC).timestamp() * 1000)
FIRST_NAMES = ("Anna", "Ben", "Carla", "David", "Emma", "Felix", "Hannah", "Jonas")
LAST_NAMES = ("Schmidt", "Carter", "Rossi", "Kim", "Johnson", "Wagner", "Becker")


@dataclass(frozen=True)
class DemoUser:
    """A demo Kazoo user; ``presence_on`` says who has the extension as presence_id."""

    username: str
    first_name: str
    last_name: str
    extension: str
    presence_on: Literal["user", "desk phone", "both", "none"]
    phones: int

    @property
    def user_presence_id(self) -> str | None:
        """The user's presence_id."""
        return self.extension if self.presence_on in {"user", "both"} else None

    @property
    def desk_presence_id(self) -> str | None:
        """The desk phone's presence_id."""
        return self.extension if self.presence_on in {"desk phone", "both"} else None

    @property
    def password(self) -> str:
        """The user's demo password."""
        return f"{self.username}-secret-1"


DEMO_USERS = (
    DemoUser("anna", "Anna", "Schmidt", "1001", "both", 2),
    DemoUser("ben", "Ben", "Carter", "1002", "user", 1),
    DemoUser("carla", "Carla", "Rossi", "1003", "both", 2),
    DemoUser("felix", "Felix", "Wagner", "1004", "desk phone", 1),
    DemoUser("david", "David", "Kim", "1005", "user", 1),
    DemoUser("emma", "Emma", "Johnson", "1006", "user", 2),
    DemoUser("hannah", "Hannah", "Müller", "1007", "desk phone", 2),
    DemoUser("jonas", "Jonas", "Becker", "1008", "user", 1),
    DemoUser("lukas", "Lukas", "Novak", "1009", "none", 1),
    DemoUser("lena", "Lena", "Fischer", "1010", "user", 1),
    DemoUser("sofia", "Sofia", "García", "1011", "none", 2),
    DemoUser("max", "Max", "Weber", "1012", "user", 1),
)
UNREGISTERED = {"user_1007b", "user_1011b", "conf_room"}
# watcher SIP username -> extensions it has BLF keys for
BLF_KEYS = {
    "user_1006a": (
        *(u.extension for u in DEMO_USERS if u.username != "emma"),
        *PARK_SLOTS,
    ),
    "user_1001a": ("1002", "1003", "*3101", "*3102"),
    "user_1002a": ("1001", "*3101", "user_1009a"),
    "user_1003a": ("1001", "1002"),
    "lobby": ("1006",),
}
DEMO_BY_USERNAME = {demo.username: demo for demo in DEMO_USERS}
# Demo Kazoo username -> the same person's iSymphony username, where they differ.
ISYMPHONY_USERNAMES = {"lena": "lena fischer", "sofia": "sofia@acme"}
# voicemail boxes: owner, new messages, saved messages
VOICEMAIL = (("anna", 2, 1), ("ben", 0, 3), ("carla", 1, 0))
# voicemail lamps: watcher SIP username -> mailbox
MWI = {"user_1001a": "1001", "user_1002a": "1002", "user_1003a": "1003"}


def build_demo_kazoo(seed: int = DEMO_SEED) -> KazooState:
    """The demo Kazoo account "acme": a dozen staff, phones, park slots, two calls."""
    kazoo = KazooState(seed=seed)
    kazoo.add_user(ADMIN_USERNAME, ADMIN_PASSWORD, "Site", "Admin", priv_level="admin")
    desks: dict[str, str] = {}
    for demo in DEMO_USERS:
        user = kazoo.add_user(
            demo.username,
            demo.password,
            demo.first_name,
            demo.last_name,
            demo.user_presence_id,
        )
        full_name = f"{demo.first_name} {demo.last_name}"
        desk = kazoo.add_device(
            f"{full_name} desk phone",
            user["id"],
            sip_username=f"user_{demo.extension}a",
            presence_id=demo.desk_presence_id,
        )
        desks[demo.username] = desk["id"]
        if demo.phones > 1:
            kazoo.add_device(
                f"{full_name} softphone",
                user["id"],
                sip_username=f"user_{demo.extension}b",
                device_type="softphone",
                mac_address="",
            )
    # Jonas forwards his calls to his mobile (users list: feature `call_forward`).
    jonas = next(user for user in kazoo.users.values() if user["username"] == "jonas")
    jonas["call_forward"] |= {"enabled": True, "number": "+4915112345678"}
    # Two phones with settings of their own: the lobby phone forwards to reception when it
    # is offline (failover, off for now), the conference room has its own DND (off).
    kazoo.add_device(
        "Lobby phone",
        sip_username="lobby",
        presence_id="1099",
        own_settings={"call_forward": {**CALL_FORWARD_DEFAULTS, "number": "1006"}},
    )
    kazoo.add_device(
        "Conference room",
        sip_username="conf_room",
        own_settings={"do_not_disturb": {"enabled": False}},
    )
    for device_id, device in kazoo.devices.items():
        if device["sip"]["username"] not in UNREGISTERED:
            kazoo.register(device_id)
    for watcher, extensions in BLF_KEYS.items():
        for extension in extensions:
            kazoo.watch(extension, watcher)
    for watcher, mailbox in MWI.items():
        kazoo.watch(mailbox, watcher, event="message-summary")
    # Calls from outside: the switch's legs to Ben's phone (answered) and Carla's (ringing).
    kazoo.answer(kazoo.start_call(device_id=desks["ben"], destination="1002", direction="outbound"))
    kazoo.start_call(device_id=desks["carla"], destination="1003", direction="outbound")
    users_by_name = {user["username"]: user["id"] for user in kazoo.users.values()}
    for username, new, saved in VOICEMAIL:
        box = kazoo.add_vmbox(users_by_name[username], DEMO_BY_USERNAME[username].extension)
        for index in range(new + saved):
            kazoo.leave_voicemail(
                box, f"+1555555{index:04d}", "Caller", folder="new" if index < new else "saved"
            )
    kazoo.add_api_key()
    # The park feature code (`*3<slot>`), after everything else: the ids above stay as they are.
    park_callflow(kazoo)
    return kazoo


def build_demo_isymphony(seed: int = DEMO_SEED) -> ISymphonyState:
    """The demo iSymphony server: core server "default" with varied statuses."""
    isymphony = ISymphonyState(seed=seed)
    isymphony.add_core_server("default", DEMO_CORE_SERVER_ID)
    for name, status_type in PREDEFINED_STATUSES:
        isymphony.add_predefined_status(name, status_type)
    users: tuple[tuple[str, str, bool, dict[str, Any]], ...] = (
        ("anna", "Anna Schmidt", True, {"type": "available"}),
        (
            "ben",
            "Ben Carter",
            True,
            {"name": "Out to lunch", "type": "away", "returnTime": LUNCH_RETURN_MS},
        ),
        (
            "carla",
            "Carla Rossi",
            True,
            {"name": "In a meeting", "type": "dnd", "note": "Quarterly review"},
        ),
        (
            "david",
            "David Kim",
            True,
            {
                "name": "On vacation",
                "type": "xa",
                "note": "Back on Monday",
                "returnTime": VACATION_RETURN_MS,
            },
        ),
        ("emma", "Emma Johnson", True, {"name": "Chatting", "type": "chat"}),
        ("felix", "Felix Wagner", True, {"name": "Working from home", "type": "altblue"}),
        ("hannah", "Hannah Müller", True, {"name": "Focus time", "type": "altgreen"}),
        ("jonas", "Jonas Becker", True, {"name": "Unavailable", "type": "unavailable"}),
        ("lena fischer", "Lena Fischer", True, {"name": "Training", "type": "altpink"}),
        ("sofia@acme", "Sofia García", True, {"name": "Support", "type": "altpurple"}),
        ("max", "Max Weber", True, {"name": "On air", "type": "altred"}),
        ("lukas", "Lukas Novak", False, {"type": "available"}),
        ("front desk/2", "Front desk 2", False, {"type": "available"}),
    )
    for username, displayed_name, licensed, status in users:
        isymphony.add_user(username, displayed_name, licensed=licensed, status=status)
    isymphony.add_login("anna", "192.168.10.21", 52110)
    isymphony.add_login("carla", "192.168.10.23", 52344)
    isymphony.add_login("emma", "192.168.10.26", 50122)
    isymphony.add_login("emma", "10.8.0.14", 61004)
    panel_users = {username for username, *_ in users}
    for demo in DEMO_USERS:
        owner = ISYMPHONY_USERNAMES.get(demo.username, demo.username)
        isymphony.add_extension(
            demo.extension,
            f"{demo.first_name} {demo.last_name}",
            user=owner if owner in panel_users else None,
        )
    # Ben talks to a customer (as on the Kazoo demo); Carla called out and has them on hold.
    isymphony.start_call(
        "1002",
        incoming=True,
        caller_name="Acme Supplies",
        caller_number="+15557654321",
        external=True,
        did="+15550100",
    )
    held = isymphony.start_call(
        "1003",
        incoming=False,
        caller_name="Rossi Logistics",
        caller_number="+15559876543",
        external=True,
    )
    isymphony.hold(held["id"])
    isymphony.add_queue("support", "Support")
    isymphony.add_queue("sales", "Sales")
    isymphony.agent_login("support", "Anna Schmidt", "1001")
    isymphony.agent_login("support", "Emma Johnson", "1006", dynamic=False, state="INUSE")
    sales = isymphony.agent_login("sales", "Ben Carter", "1002", state="INUSE")
    isymphony.set_agent("sales", sales["id"], paused=True)
    return isymphony


def build_scaled_kazoo(users: int, seed: int = DEMO_SEED, devices: int | None = None) -> KazooState:
    """An account with ``users`` users, one phone each, many BLF keys, some calls.

    Users without a presence_id (every tenth) have it on their phone instead. With
    ``devices`` above ``users`` the rest are shared phones (no owner, every other one
    with a presence_id of its own) and second phones of the first users.
    """
    rng = random.Random(seed)
    kazoo = KazooState(seed=seed)
    kazoo.add_user(ADMIN_USERNAME, ADMIN_PASSWORD, "Site", "Admin", priv_level="admin")
    extensions = [str(1000 + index) for index in range(users)]
    device_ids: list[str] = []
    for index, extension in enumerate(extensions):
        user = kazoo.add_user(
            f"user{extension}",
            f"user{extension}-secret",
            FIRST_NAMES[index % len(FIRST_NAMES)],
            LAST_NAMES[index % len(LAST_NAMES)],
            extension if index % 10 else None,
        )
        device = kazoo.add_device(
            f"Phone {extension}",
            user["id"],
            sip_username=f"user_{extension}a",
            presence_id=None if index % 10 else extension,
        )
        device_ids.append(device["id"])
        if index % 10 != 9:
            kazoo.register(device["id"])
        for watched in rng.sample(extensions, min(3, users)):
            kazoo.watch(watched, f"user_{extension}a")
        if index % 10 == 0:
            for slot in PARK_SLOTS:
                kazoo.watch(slot, f"user_{extension}a")
    for index in range(max(0, (devices or users) - users)):
        if index % 2:
            owner = kazoo.users[kazoo.devices[device_ids[index % users]]["owner_id"]]
            extra = kazoo.add_device(
                f"Softphone {owner['username']}",
                owner["id"],
                sip_username=f"soft_{index}",
                device_type="softphone",
            )
        else:
            extra = kazoo.add_device(
                f"Shared phone {index}",
                sip_username=f"shared_{index}",
                presence_id=str(8000 + index) if index % 4 == 0 else None,
            )
        kazoo.register(extra["id"])
    for index in range(users // 50):
        call = kazoo.start_call(
            device_id=device_ids[rng.randrange(users)],
            destination=rng.choice(extensions),
        )
        if index % 2:
            kazoo.answer(call)
    kazoo.add_api_key()
    return kazoo


def build_scaled_isymphony(
    users: int, seed: int = DEMO_SEED, *, extensions: bool = False
) -> ISymphonyState:
    """A core server "default" with ``users`` users (every 20th unlicensed).

    With ``extensions`` each user has one (``1000`` on), every 25th of them on a call.
    """
    rng = random.Random(seed)
    isymphony = ISymphonyState(seed=seed)
    isymphony.add_core_server("default", DEMO_CORE_SERVER_ID)
    for name, status_type in PREDEFINED_STATUSES:
        isymphony.add_predefined_status(name, status_type)
    for index in range(users):
        extension = str(1000 + index)
        isymphony.add_user(
            f"user{extension}",
            f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {extension}",
            licensed=index % 20 != 19,
            status=rng.choice(STATUS_TYPES),
        )
        if extensions:
            isymphony.add_extension(extension, f"Phone {extension}", user=f"user{extension}")
            if index % 25 == 0:
                isymphony.start_call(extension, incoming=True, caller_number="+15550000")
    return isymphony
