"""One coordinator for both server kinds; the backend does the server-specific part.

It polls (riding out short blips), folds in what the push task hands it, tells each
presentity's entities when their presentity changed, and carries out writes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_SCAN_INTERVAL
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .backends import NothingToSendError, PbxBackend
from .backends.snapshot import CallState, Presentity, ServerInfo, Snapshot, StatusType
from .changes import settle, snapshot_events
from .const import (
    DOMAIN,
    LOGGER,
    UNAVAILABLE_AFTER,
    UNAVAILABLE_AFTER_FAILED_POLLS,
)
from .cooldown import ResetGuard
from .errors import error_key, pbx_action, poll_error
from .identifiers import (
    availability_signal,
    device_signal,
    presence_reset_signal,
    presentity_event_signal,
    presentity_identifier,
    presentity_signal,
)
from .import_filter import ImportFilter
from .issues import (
    async_account_accepted,
    async_account_refused,
    async_update_license_issue,
    async_update_unlit_keys_issue,
)
from .pbx import PbxAccountDisabledError, PbxError
from .push import LiveUpdates
from .stale_devices import StaleDevices

type PbxConfigEntry = ConfigEntry[PbxCoordinator]


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

    def __init__(
        self, hass: HomeAssistant, entry: PbxConfigEntry, backend: PbxBackend[Any]
    ) -> None:
        """Poll at the backend's pace; listeners hear only of real changes."""
        seconds = entry.options.get(CONF_SCAN_INTERVAL)
        # The pace while no event socket is connected (the user's choice, else the backend's).
        self.poll_interval = timedelta(seconds=seconds) if seconds else backend.scan_interval
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=self.poll_interval,
            always_update=False,
        )
        self.backend = backend
        self.live = LiveUpdates(backend, self, entry.title)
        self.import_filter = ImportFilter.from_options(entry.options)
        # The latest poll before the import filter: what the options flow previews.
        self.unfiltered = Snapshot()
        self.failed_polls = FailedPolls()
        # When a poll last got the server's answer (system health); None: not yet.
        self.last_poll_success: datetime | None = None
        self._live = False  # whether the event socket is connected (safety polls only)
        self._polled = False  # no last known state to show before the first good poll
        self._reset_guard = ResetGuard()
        # Presentities changed since listeners last heard, and whether they could read then.
        self._changed: set[str] = set()
        self._listeners_saw_success = True
        # Those the latest notification was about; None: everything (availability changed).
        self.last_changes: set[str] | None = None
        # Presentity key -> another entry's device its entities join (one person, one device).
        self.device_links: dict[str, tuple[str, str]] = {}
        self.stale_devices = StaleDevices(self)
        # Events applied while a poll runs, replayed on top of what it read (None: no poll).
        self._replay: list[Any] | None = None

    async def _async_setup(self) -> None:
        """Identify the server, and subscribe to its events before the first poll.

        The first poll then is the resync every new subscription needs.
        """
        self.server = await self._guard(self.backend.async_identify())
        await self.live.async_open()

    def _pace(self) -> timedelta:
        """How long from one poll to the next: slow while events arrive (and no reads wait)."""
        if self._live and not self.backend.catching_up:
            return max(self.poll_interval, self.backend.safety_scan_interval)
        return self.poll_interval

    async def _async_update_data(self) -> Snapshot:
        self.update_interval = self._pace()  # a tolerated rate limit waited longer once
        self._replay = []
        try:
            unfiltered = await self._guard(self.backend.async_fetch())
        except UpdateFailed as err:
            return self._tolerate(err)
        finally:
            replay, self._replay = self._replay, None
        if replay:
            # The poll read the server before these events: they are newer than its reply.
            unfiltered = self.backend.apply_events(replay).snapshot or unfiltered
        self.unfiltered = unfiltered
        self.update_interval = self._pace()  # reads may have begun or finished waiting
        snapshot = self._settle(self.import_filter.apply(unfiltered))
        if self.failed_polls.count:
            LOGGER.debug(
                "%s answered again after %d failed polls", self.name, self.failed_polls.count
            )
        self.failed_polls = FailedPolls()
        self.last_poll_success = dt_util.utcnow()
        self._polled = True
        entry = self.config_entry
        async_update_license_issue(
            self.hass, entry.entry_id, entry.title, unlicensed=snapshot.unlicensed
        )
        async_update_unlit_keys_issue(self.hass, entry.entry_id, entry.title, snapshot.unlit_keys)
        return snapshot

    def _tolerate(self, err: UpdateFailed) -> Snapshot:
        """Keep the last known state through a short blip; raise once it lasts.

        Auth failures never get here: they start re-authentication at once. While the
        event socket is up (its pings are answered, so it is found dead within a minute),
        the server is alive: failed safety polls keep the last state, which the events keep
        current.
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
                not self._live
                and streak.count >= UNAVAILABLE_AFTER_FAILED_POLLS
                and now - streak.since >= UNAVAILABLE_AFTER
            )
        ):
            raise err
        LOGGER.debug(
            "Poll %d of %s failed (%s); showing the last known state", streak.count, self.name, err
        )
        if err.retry_after is not None:
            # As the base class does after an UpdateFailed: wait as long as the server asked.
            self.update_interval = max(self._pace(), timedelta(seconds=err.retry_after))
        return self.data

    @property
    def server_reachable(self) -> bool:
        """Whether the last poll got the server's answer."""
        return self._polled and self.last_update_success and not self.failed_polls.count

    @property
    def live_vouches(self) -> bool:
        """Whether the event socket is up: proof the server is alive while polls fail."""
        return self._live

    @property
    def shows_stale_data(self) -> bool:
        """Whether entities show the last known state while the server fails to answer."""
        return self.last_update_success and self.failed_polls.count > 0

    async def _guard[T](self, call: Awaitable[T]) -> T:
        """Turn client errors into what the base class understands; nothing else escapes."""
        try:
            result = await call
        except PbxError as err:
            if isinstance(err, PbxAccountDisabledError):
                entry = self.config_entry
                async_account_refused(self.hass, entry.entry_id, entry.title, error_key(err))
            raise poll_error(err) from err
        async_account_accepted(self.hass, self.config_entry.entry_id)
        return result

    # --- push (the push task's PushTarget) ------------------------------------------------

    async def async_live_started(self, *, resync: bool) -> None:
        """Poll only as a safety net while events arrive; resync now unless just polled."""
        self._live = True
        self.update_interval = self._pace()
        if resync:
            await self.async_refresh()
        else:
            # The next poll at the safety pace, counted from now (nothing changes).
            self.async_set_updated_data(self.data)

    async def async_live_ended(self) -> None:
        """Poll at the normal pace again, starting now: events may have been missed."""
        self._live = False
        self.update_interval = self._pace()
        await self.async_request_refresh()

    @callback
    def async_apply_events(self, events: Sequence[Any]) -> None:
        """Show what a batch of pushed events changed; poll when they need more."""
        if self._replay is not None:
            self._replay.extend(events)
        result = self.backend.apply_events(events)
        if result.snapshot is not None and self._polled:
            self.unfiltered = result.snapshot
            touched = result.touched
            self._publish(self.import_filter.apply(result.snapshot, touched, self.data), touched)
        if result.resync:
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), f"{self.name} resync"
            )

    @callback
    def async_show_written(self, snapshot: Snapshot) -> None:
        """Show at once what a write left on the server (its reply is the new state)."""
        self.unfiltered = snapshot
        self._publish(self.import_filter.apply(snapshot))

    # --- change tracking ----------------------------------------------------------------

    @callback
    def _publish(self, snapshot: Snapshot, touched: frozenset[str] | None = None) -> None:
        """Show a snapshot that did not come from a poll; the poll schedule stays as it is."""
        settled = self._settle(snapshot, touched)
        if settled is not self.data:
            self.data = settled
            self.async_update_listeners()

    def _settle(self, new: Snapshot, touched: frozenset[str] | None = None) -> Snapshot:
        """Keep the objects of unchanged presentities, and note which ones changed."""
        settled, changed = settle(self.data, new, touched)
        self._changed.update(changed)
        return settled

    @callback
    def async_update_listeners(self) -> None:
        """Tell the entities of each changed presentity, then every general listener.

        Entities listen to their presentity's signal, so a change costs what it touches;
        when the server's availability changed, every entity hears of it.
        """
        changed, self._changed = self._changed, set()
        everyone = self.last_update_success != self._listeners_saw_success
        self._listeners_saw_success = self.last_update_success
        self.last_changes = None if everyone else changed
        entry_id = self.config_entry.entry_id
        if everyone:
            async_dispatcher_send(self.hass, availability_signal(entry_id))
        else:
            for key in changed:
                async_dispatcher_send(self.hass, presentity_signal(entry_id, key))
        # A presentity on another entry's device: that device's Available reads it too.
        for key in self.device_links if everyone else changed & self.device_links.keys():
            async_dispatcher_send(self.hass, device_signal(self.device_links[key]))
        super().async_update_listeners()

    def async_track_events(self) -> CALLBACK_TYPE:
        """Send each presentity's events whenever new data arrives (poll, write or push)."""
        previous = self.data

        @callback
        def send_events() -> None:
            nonlocal previous
            before, previous = previous, self.data
            if before is previous:
                return
            entry_id = self.config_entry.entry_id
            changes = snapshot_events(before, self.data, dt_util.utcnow(), self.last_changes)
            for key, events in changes.items():
                for event in events:
                    signal = presentity_event_signal(entry_id, key, event.kind)
                    async_dispatcher_send(self.hass, signal, event)

        return self.async_add_listener(send_events)

    def device_identifier(self, key: str) -> tuple[str, str]:
        """The identifier of the device a presentity's entities are on."""
        return self.device_links.get(key) or presentity_identifier(self.server, key)

    def presentity_of(self, device: dr.DeviceEntry) -> Presentity | None:
        """The presentity (of this entry) whose entities are on a device."""
        return next(
            (
                presentity
                for key, presentity in self.data.presentities.items()
                if self.device_identifier(key) in device.identifiers
            ),
            None,
        )

    # --- writes ---------------------------------------------------------------------------

    @pbx_action
    async def async_reset_presence(self, presentity: Presentity) -> None:
        """Reset a presentity's BLF state, at most once per cooldown (it alerts admins)."""
        _check_presence_target(presentity)
        with self._reset_guard(presentity.key, presentity.name), _sent_to(presentity):
            await self.backend.async_reset(presentity)
        async_dispatcher_send(
            self.hass, presence_reset_signal(self.config_entry.entry_id, presentity.key)
        )
        await self.async_request_refresh()

    @pbx_action
    async def async_set_presence(self, presentity: Presentity, state: CallState) -> None:
        """Force the BLF lamp of a user or phone; idle ends an override."""
        _check_presence_target(presentity)
        with _sent_to(presentity):
            await self.backend.async_set_state(presentity, state)

    @pbx_action
    async def async_reset_extension(self, extension: str) -> None:
        """Reset any extension, e.g. a park slot that Home Assistant does not show."""
        with self._reset_guard(f"extension_{extension.lower()}", extension):
            await self.backend.async_reset_extension(extension)
        await self.async_request_refresh()

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
        """Set a person's status and show the result at once."""
        status = await self.backend.async_set_status(
            presentity, status_type=status_type, name=name, note=note, return_time=return_time
        )
        presentities = dict(self.data.presentities)
        presentities[presentity.key] = replace(presentity, status=status, licensed=True)
        self._publish(replace(self.data, presentities=presentities), frozenset({presentity.key}))


def _check_presence_target(presentity: Presentity) -> None:
    if not presentity.presence_target:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="no_presence_id",
            translation_placeholders={"name": presentity.name},
        )


@contextmanager
def _sent_to(presentity: Presentity) -> Iterator[None]:
    """Name the presentity when the server had nothing to send a command to."""
    try:
        yield
    except NothingToSendError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="nothing_to_send",
            translation_placeholders={"name": presentity.name},
        ) from err
