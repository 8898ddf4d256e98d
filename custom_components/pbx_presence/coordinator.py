"""One coordinator for both server kinds; the adapter does the server-specific part."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .adapter import PbxAdapter
from .const import (
    ACCOUNT_REFUSALS,
    DOMAIN,
    LOGGER,
    RESET_COOLDOWN,
    UNAVAILABLE_AFTER,
    UNAVAILABLE_AFTER_FAILED_POLLS,
)
from .kazoo_adapter import NOTHING_TO_SEND
from .live import LiveUpdates
from .model import Presentity, ServerInfo, Snapshot
from .pbx import (
    PbxAccountDisabledError,
    PbxAuthenticationError,
    PbxConnectionError,
    PbxError,
    PbxForbiddenError,
    PbxLicenseError,
    PbxNotFoundError,
    PbxRateLimitError,
    PbxTimeoutError,
    PbxValidationError,
    PresenceState,
    StatusType,
)
from .selection import Selection
from .transitions import snapshot_events

type PbxConfigEntry = ConfigEntry[PbxCoordinator]


# Most specific first: PbxLicenseError is a PbxForbiddenError, PbxTimeoutError a
# PbxConnectionError.
_ACTION_ERRORS: tuple[tuple[type[PbxError], str], ...] = (
    (PbxLicenseError, "not_licensed"),
    (PbxAuthenticationError, "auth_failed"),
    (PbxForbiddenError, "forbidden"),
    (PbxNotFoundError, "not_found"),
    (PbxValidationError, "rejected"),
    (PbxRateLimitError, "rate_limited"),
    (PbxTimeoutError, "timeout_connect"),
    (PbxConnectionError, "cannot_connect"),
)


def action_error(err: PbxError) -> HomeAssistantError:
    """Turn a client error from a write into a translated error that names the cause."""
    key = next((key for kind, key in _ACTION_ERRORS if isinstance(err, kind)), "server_error")
    if isinstance(err, PbxAccountDisabledError):
        key = ACCOUNT_REFUSALS[err.reason]
    # `reason` is the server's own words; `error` our description of an odd reply.
    placeholders = (
        {"reason": err.reason} if isinstance(err, PbxValidationError) else {"error": str(err)}
    )
    return HomeAssistantError(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def pbx_action[**P, R](
    func: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Let a write raise the translated error that names the cause of a client error."""

    @wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await func(*args, **kwargs)
        except PbxError as err:
            raise action_error(err) from err

    return wrapper


@dataclass(slots=True)
class FailedPolls:
    """The current streak of failed polls, while the last known state is still shown."""

    count: int = 0
    since: datetime | None = None  # when the first poll of the streak failed
    last_error: str | None = None  # the translation key of the latest failure


class PbxCoordinator(DataUpdateCoordinator[Snapshot]):
    """Keeps the snapshot of one server current and carries out writes to it."""

    config_entry: PbxConfigEntry
    server: ServerInfo

    def __init__(self, hass: HomeAssistant, entry: PbxConfigEntry, adapter: PbxAdapter) -> None:
        """Poll at the adapter's pace; listeners hear only of real changes."""
        seconds = entry.options.get(CONF_SCAN_INTERVAL)
        # The pace while no event socket is connected (the user's choice, else the adapter's).
        self.poll_interval = timedelta(seconds=seconds) if seconds else adapter.scan_interval
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=self.poll_interval,
            always_update=False,
        )
        self.adapter = adapter
        self.live = LiveUpdates(self)
        self.selection = Selection.from_options(entry.options)
        # The latest poll before the selection: what the options flow previews.
        self.everything = Snapshot()
        self.failed_polls = FailedPolls()
        self._polled = False  # no last known state to show before the first good poll
        self._last_reset: dict[str, datetime] = {}
        # Presentities changed since listeners last heard, and whether they could read then.
        self._changed: set[str] = set()
        self._listeners_saw_success = True
        # Those the latest notification was about; None: everything (availability changed).
        self.last_changes: set[str] | None = None
        # Presentity key -> another entry's device its entities join (one person, one device).
        self.device_links: dict[str, tuple[str, str]] = {}
        # The presentities whose devices were last checked for leavers.
        self._checked_keys: set[str] | None = None
        # Events applied while a poll runs, replayed on top of what it read (None: no poll).
        self._replay: list[Any] | None = None

    async def _async_setup(self) -> None:
        """Identify the server, and subscribe to its events before the first poll.

        The first poll then is the resync every new subscription needs.
        """
        self.server = await self._guard(self.adapter.async_identify())
        await self.live.async_open()

    async def _async_update_data(self) -> Snapshot:
        self._replay = []
        try:
            everything = await self._guard(self.adapter.async_fetch())
        except UpdateFailed as err:
            return self._tolerate(err)
        finally:
            replay, self._replay = self._replay, None
        if replay:
            # The poll read the server before these events: they are newer than its reply.
            everything = self.adapter.apply_events(replay).snapshot or everything
        self.everything = everything
        snapshot = self._settle(self.selection.apply(everything))
        if self.failed_polls.count:
            LOGGER.debug(
                "%s answered again after %d failed polls", self.name, self.failed_polls.count
            )
        self.failed_polls = FailedPolls()
        self._polled = True
        self._update_license_issue(snapshot)
        return snapshot

    def _tolerate(self, err: UpdateFailed) -> Snapshot:
        """Keep the last known state through a short blip; raise once it lasts.

        Auth failures never get here: they start re-authentication at once.
        """
        now = dt_util.utcnow()
        streak = self.failed_polls
        streak.count += 1
        streak.since = streak.since or now
        streak.last_error = err.translation_key
        if (
            not self._polled
            or not self.last_update_success
            or (
                streak.count >= UNAVAILABLE_AFTER_FAILED_POLLS
                and now - streak.since >= UNAVAILABLE_AFTER
            )
        ):
            raise err
        LOGGER.debug(
            "Poll %d of %s failed (%s); showing the last known state", streak.count, self.name, err
        )
        if err.retry_after is not None:
            # The base class waits this long before the next poll after an UpdateFailed;
            # keep that for a tolerated rate limit too.
            self._retry_after = err.retry_after
        return self.data

    @property
    def shows_stale_data(self) -> bool:
        """Whether entities show the last known state while the server fails to answer."""
        return self.last_update_success and self.failed_polls.count > 0

    async def _guard[T](self, call: Awaitable[T]) -> T:
        """Map client errors to what the coordinator understands; nothing else escapes."""
        try:
            result = await call
        except PbxAccountDisabledError as err:
            key = ACCOUNT_REFUSALS[err.reason]
            self._raise_account_issue(key)
            raise UpdateFailed(translation_domain=DOMAIN, translation_key=key) from err
        except PbxAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except PbxRateLimitError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                retry_after=err.retry_after,
            ) from err
        except PbxTimeoutError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN, translation_key="timeout_connect"
            ) from err
        except PbxConnectionError as err:
            raise UpdateFailed(translation_domain=DOMAIN, translation_key="cannot_connect") from err
        except PbxError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="server_error",
                translation_placeholders={"error": str(err)},
            ) from err
        for key in ACCOUNT_REFUSALS.values():
            ir.async_delete_issue(self.hass, DOMAIN, f"{key}_{self.config_entry.entry_id}")
        return result

    def _raise_account_issue(self, key: str) -> None:
        """Say in Repairs that the provider disabled the account: no re-login helps."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{key}_{self.config_entry.entry_id}",
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=key,
            translation_placeholders={"server": self.config_entry.title},
        )

    def _update_license_issue(self, snapshot: Snapshot) -> None:
        issue_id = f"no_license_{self.config_entry.entry_id}"
        if snapshot.unlicensed:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="no_license",
                translation_placeholders={"server": self.config_entry.title},
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    # --- push and change tracking ----------------------------------------------------------

    @callback
    def async_set_live(self, *, connected: bool) -> None:
        """Poll only as a safety net while events arrive, at the normal pace otherwise."""
        self.update_interval = (
            max(self.poll_interval, self.adapter.safety_scan_interval)
            if connected
            else self.poll_interval
        )

    @callback
    def async_schedule_poll(self) -> None:
        """Schedule the next poll at the current pace, counted from now."""
        if self._listeners:
            self._schedule_refresh()

    @callback
    def async_apply_events(self, events: Sequence[Any]) -> None:
        """Show what a batch of pushed events changed; poll when they need more."""
        if self._replay is not None:
            self._replay.extend(events)
        result = self.adapter.apply_events(events)
        if result.snapshot is not None and self._polled:
            self.everything = result.snapshot
            self._publish(self.selection.apply(result.snapshot))
        if result.resync:
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), f"{self.name} resync"
            )

    @callback
    def _publish(self, snapshot: Snapshot) -> None:
        """Show a snapshot that did not come from a poll; the poll schedule stays as it is."""
        settled = self._settle(snapshot)
        if settled is not self.data:
            self.data = settled
            self.async_update_listeners()

    def _settle(self, new: Snapshot) -> Snapshot:
        """Keep the objects of unchanged presentities, and note which ones changed.

        Unchanged data stays the same objects, so a quiet poll leaves nothing new alive
        (no garbage for full collections) and listeners compare by identity.
        """
        old: Snapshot | None = self.data  # None before the first poll
        if old is None:
            self._changed.update(new.presentities)
            return new
        before = old.presentities
        presentities: dict[str, Presentity] = {}
        changed: list[str] = []
        for key, presentity in new.presentities.items():
            previous = before.get(key)
            if previous is not None and previous == presentity:
                presentities[key] = previous
            else:
                presentities[key] = presentity
                changed.append(key)
        gone = before.keys() - presentities.keys()
        flags_same = (new.partial, new.unlicensed) == (old.partial, old.unlicensed)
        if not changed and not gone and flags_same:
            return old
        self._changed.update(changed, gone)
        return Snapshot(presentities, partial=new.partial, unlicensed=new.unlicensed)

    @callback
    def async_update_listeners(self) -> None:
        """Update the entities of the presentities that changed, and every general listener.

        All entities hear of a change of availability; otherwise an entity (whose context
        is its presentity's key) hears only of its own presentity.
        """
        changed, self._changed = self._changed, set()
        everyone = self.last_update_success != self._listeners_saw_success
        self._listeners_saw_success = self.last_update_success
        self.last_changes = None if everyone else changed
        for update_callback, context in list(self._listeners.values()):
            if everyone or context is None or context in changed:
                update_callback()

    def async_track_events(self) -> CALLBACK_TYPE:
        """Send each presentity's events whenever new data arrives (poll, write or push)."""
        previous = self.data

        @callback
        def send_events() -> None:
            # Listeners run only when the data changed (always_update=False).
            nonlocal previous
            before, previous = previous, self.data
            entry_id = self.config_entry.entry_id
            for key, events in snapshot_events(before, self.data, dt_util.utcnow()).items():
                for event in events:
                    signal = presentity_event_signal(entry_id, key, event.kind)
                    async_dispatcher_send(self.hass, signal, event)

        return self.async_add_listener(send_events)

    def remove_stale_devices(self, *, everything: bool = False) -> None:
        """Detach devices of presentities that no longer exist on the server.

        Unless `everything`, only when someone left since the devices were last checked.
        """
        if self.data.partial:  # a partial presence reply is not proof that anything left
            return
        presentities = self.data.presentities
        if (
            not everything
            and self._checked_keys is not None
            and self._checked_keys <= presentities.keys()
        ):
            return
        self._checked_keys = set(presentities)
        registry = dr.async_get(self.hass)
        current = {self.device_identifier(key) for key in presentities}
        server_identifier = (DOMAIN, self.server.unique_id)
        for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id):
            identifiers = device.identifiers
            if server_identifier in identifiers or identifiers & current:
                continue
            registry.async_update_device(
                device.id, remove_config_entry_id=self.config_entry.entry_id
            )

    # --- writes ---------------------------------------------------------------------------

    @pbx_action
    async def async_reset_presence(self, presentity: Presentity) -> None:
        """Reset a presentity's BLF state, at most once per cooldown (it alerts admins)."""
        self._check_presence_target(presentity)
        with self._reset_guard(presentity.key, presentity.name):
            message = await self.adapter.async_reset(presentity)
        self._check_reply(presentity, message)
        async_dispatcher_send(
            self.hass, presence_reset_signal(self.config_entry.entry_id, presentity.key)
        )
        await self.async_request_refresh()

    @pbx_action
    async def async_set_presence(self, presentity: Presentity, state: PresenceState) -> None:
        """Override the BLF state of a user or phone."""
        self._check_presence_target(presentity)
        message = await self.adapter.async_set_state(presentity, state)
        self._check_reply(presentity, message)

    @staticmethod
    def _check_presence_target(presentity: Presentity) -> None:
        if not presentity.presence_target:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="no_presence_id",
                translation_placeholders={"name": presentity.name},
            )

    @staticmethod
    def _check_reply(presentity: Presentity, message: str) -> None:
        if message.strip().lower() == NOTHING_TO_SEND:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="nothing_to_send",
                translation_placeholders={"name": presentity.name},
            )

    @pbx_action
    async def async_reset_extension(self, extension: str) -> None:
        """Reset any extension, e.g. a park slot that Home Assistant does not show."""
        with self._reset_guard(f"extension_{extension.lower()}", extension):
            await self.adapter.async_reset_extension(extension)
        await self.async_request_refresh()

    @contextmanager
    def _reset_guard(self, key: str, name: str) -> Iterator[None]:
        """Refuse a reset within the cooldown of the last successful one for `key`."""
        now = dt_util.utcnow()
        last = self._last_reset.get(key)
        if last is not None and now - last < RESET_COOLDOWN:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="reset_cooldown",
                translation_placeholders={
                    "name": name,
                    "seconds": str(int(RESET_COOLDOWN.total_seconds())),
                },
            )
        yield
        self._last_reset[key] = now

    @pbx_action
    async def async_set_status(
        self,
        presentity: Presentity,
        *,
        status_type: StatusType,
        name: str | None = None,
        note: str = "",
        return_time: datetime | None = None,
    ) -> None:
        """Set an iSymphony user's status and show the result at once."""
        status = await self.adapter.async_set_status(
            presentity.server_id,
            status_type=status_type,
            name=name,
            note=note,
            return_time=return_time,
        )
        presentities = dict(self.data.presentities)
        presentities[presentity.key] = replace(presentity, status=status, licensed=True)
        self._publish(replace(self.data, presentities=presentities))

    def device_identifier(self, key: str) -> tuple[str, str]:
        """The identifier of the device a presentity's entities are on."""
        return self.device_links.get(key) or presentity_identifier(self.server, key)


def presence_reset_signal(entry_id: str, key: str) -> str:
    """The dispatcher signal sent once a presentity's presence was reset (no override left)."""
    return f"{DOMAIN}_presence_reset_{entry_id}_{key}"


def presentity_event_signal(entry_id: str, key: str, kind: str) -> str:
    """The dispatcher signal that carries one kind of a presentity's events to its entity."""
    return f"{DOMAIN}_event_{entry_id}_{key}_{kind}"


def presentity_identifier(server: ServerInfo, key: str) -> tuple[str, str]:
    """The device registry identifier of a presentity."""
    return (DOMAIN, f"{server.unique_id}_{key}")
