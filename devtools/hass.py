"""Run Home Assistant and the PBX simulator as processes, and drive Home Assistant over HTTP.

Everything here talks to a real ``hass`` process the way its frontend does: the onboarding
and login REST endpoints, the config-flow REST API, ``/api/states`` and ``/api/services``.
Processes run in their own process groups, so stopping one also stops whatever it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
import time
from typing import Any

import aiohttp

from simulator.demo import ADMIN_PASSWORD, ADMIN_USERNAME

REPO_ROOT = Path(__file__).resolve().parent.parent
CONFIG_DIR = REPO_ROOT / "config"
INTEGRATION_DIR = REPO_ROOT / "custom_components" / "pbx_presence"
DOMAIN = "pbx_presence"
LOOPBACK = "127.0.0.1"
# config/configuration.yaml reads Home Assistant's HTTP port from this variable.
HASS_PORT_ENV = "PBX_PRESENCE_HASS_PORT"
# The first start in a fresh configuration directory can take a minute on a slow machine.
HASS_START_TIMEOUT = 180.0
SIMULATOR_START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
PROGRESS_INTERVAL = 10.0
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=60)

# The simulator's published demo logins (see `python -m simulator`).
KAZOO_ACCOUNT = "acme"
ISYMPHONY_USERNAME = "manager"
ISYMPHONY_PASSWORD = "manag3rpa55word"  # noqa: S105 - iSymphony's documented default
ISYMPHONY_CORE_SERVER = "default"

Progress = Callable[[str], None]


def _no_progress(_message: str) -> None:
    """Report nothing."""


class DevtoolsError(Exception):
    """What could not be done, and why, in words for the person running the tools."""


class HassApiError(DevtoolsError):
    """Home Assistant answered a request with an unexpected HTTP status."""

    def __init__(self, method: str, path: str, status: int, body: str) -> None:
        """Keep the status and the body for the caller."""
        super().__init__(f"{method} {path} answered HTTP {status}: {body[:500]}")
        self.status = status
        self.body = body


# -- ports and directories ------------------------------------------------------------


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that is free on ``host`` right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(port: int, host: str = LOOPBACK) -> bool:
    """Whether something listens on ``host:port`` (connections in TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def link_integration(config_dir: Path) -> None:
    """Make ``config_dir/custom_components`` load the integration from this repository.

    The repository's own ``config/custom_components`` is a committed symlink to
    ``../custom_components``; other directories get ``custom_components/pbx_presence``
    linked to the repository's package.
    """
    custom_components = config_dir / "custom_components"
    if (custom_components / DOMAIN / "manifest.json").is_file():
        if (custom_components / DOMAIN).resolve() != INTEGRATION_DIR:
            raise DevtoolsError(
                f"{custom_components / DOMAIN} is not this repository's integration "
                f"({INTEGRATION_DIR}); remove it"
            )
        return
    custom_components.mkdir(parents=True, exist_ok=True)
    (custom_components / DOMAIN).symlink_to(INTEGRATION_DIR, target_is_directory=True)


def prepare_config_dir(config_dir: Path) -> None:
    """Make ``config_dir`` a configuration directory like the repository's ``config/``."""
    config_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CONFIG_DIR / "configuration.yaml", config_dir / "configuration.yaml")
    link_integration(config_dir)
    ensure_automations_file(config_dir)


def ensure_automations_file(config_dir: Path) -> None:
    """Create the (empty) ``automations.yaml`` that the configuration includes."""
    automations = config_dir / "automations.yaml"
    if not automations.exists():
        automations.write_text("[]\n", encoding="utf-8")


# -- processes ------------------------------------------------------------------------


@dataclass
class ManagedProcess:
    """A child process in its own process group, its output going to a log file."""

    name: str
    process: asyncio.subprocess.Process
    log_path: Path

    @property
    def pid(self) -> int:
        """The process id, which is also its process group id."""
        return self.process.pid

    @property
    def running(self) -> bool:
        """Whether the process has not exited yet."""
        return self.process.returncode is None

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the process's output."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def exited_error(self, what: str) -> DevtoolsError:
        """The error for a process that exited while ``what`` was going on."""
        return DevtoolsError(
            f"{self.name} exited with code {self.process.returncode} {what}. "
            f"The end of its output ({self.log_path}):\n{self.log_tail()}"
        )


async def start_process(
    name: str,
    args: list[str],
    *,
    log_path: Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> ManagedProcess:
    """Start ``args`` in a new session (its own process group), its output in ``log_path``.

    The log starts empty: it holds what this process printed, for the error when it fails.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:  # the child keeps its own descriptor
        process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    return ManagedProcess(name, process, log_path)


def _signal_group(pgid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


async def stop_process(
    managed: ManagedProcess,
    *,
    signum: signal.Signals = signal.SIGTERM,
    timeout: float = STOP_TIMEOUT,
) -> int:
    """Stop a process and its group: ``signum``, then SIGKILL after ``timeout`` seconds.

    Returns the exit code (negative: the signal that ended it).
    """
    if managed.running:
        _signal_group(managed.pid, signum)
        try:
            await asyncio.wait_for(managed.process.wait(), timeout)
        except TimeoutError:
            _signal_group(managed.pid, signal.SIGKILL)
            await managed.process.wait()
    # Whatever the process started and left behind in its group goes too.
    _signal_group(managed.pid, signal.SIGKILL)
    returncode = managed.process.returncode
    assert returncode is not None  # noqa: S101 - waited for above
    return returncode


async def start_hass(config_dir: Path, port: int, *, log_path: Path) -> ManagedProcess:
    """Start ``hass`` on ``config_dir``, serving HTTP on 127.0.0.1:``port``.

    ``--skip-pip``: Home Assistant never installs anything; the dev requirements provide
    all it needs.
    """
    return await start_process(
        "Home Assistant",
        [
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(config_dir),
            "--skip-pip",
            "--log-no-color",
        ],
        log_path=log_path,
        cwd=config_dir,
        env={**os.environ, HASS_PORT_ENV: str(port)},
    )


async def start_simulator(port: int, *, log_path: Path, activity: bool = True) -> ManagedProcess:
    """Start ``python -m simulator`` with the demo data on 127.0.0.1:``port``."""
    return await start_process(
        "The PBX simulator",
        [
            sys.executable,
            "-m",
            "simulator",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            "--activity" if activity else "--no-activity",
        ],
        log_path=log_path,
        cwd=REPO_ROOT,
    )


async def wait_for_http(
    session: aiohttp.ClientSession,
    url: str,
    *,
    timeout: float,
    what: str,
    process: ManagedProcess | None = None,
    progress: Progress = _no_progress,
) -> None:
    """Wait until ``url`` answers with any HTTP status below 500.

    Fails at once when ``process`` (what serves the URL) exits, and after ``timeout``.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    next_report = start + PROGRESS_INTERVAL
    last_error = "no answer yet"
    while True:
        if process is not None and not process.running:
            raise process.exited_error(f"before {url} answered")
        try:
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=5)) as response:
                if response.status < 500:
                    return
                last_error = f"HTTP {response.status}"
        except (aiohttp.ClientError, TimeoutError) as err:
            last_error = str(err) or type(err).__name__
        now = loop.time()
        if now - start > timeout:
            message = f"{what} did not answer at {url} within {timeout:g} s ({last_error})."
            if process is not None:
                message += f"\nThe end of its output ({process.log_path}):\n{process.log_tail()}"
            raise DevtoolsError(message)
        if now >= next_report:
            progress(f"still waiting for {what} ({now - start:.0f} s)")
            next_report = now + PROGRESS_INTERVAL
        await asyncio.sleep(0.5)


async def wait_for_hass(
    session: aiohttp.ClientSession,
    url: str,
    process: ManagedProcess,
    *,
    timeout: float = HASS_START_TIMEOUT,
    progress: Progress = _no_progress,
) -> None:
    """Wait until the Home Assistant at ``url`` serves its frontend (and so its API)."""
    # Home Assistant opens its HTTP port only once the frontend is set up.
    await wait_for_http(
        session,
        f"{url}/manifest.json",
        timeout=timeout,
        what="Home Assistant",
        process=process,
        progress=progress,
    )


# -- Home Assistant's REST API --------------------------------------------------------


@dataclass(frozen=True)
class Tokens:
    """An access token and the refresh token it came with."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    obtained_at: float = field(default_factory=time.time)

    def local_storage(self, hass_url: str, client_id: str) -> dict[str, Any]:
        """The frontend's ``hassTokens`` localStorage value: a browser logged in as us."""
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "hassUrl": hass_url,
            "clientId": client_id,
            "expires": int((self.obtained_at + self.expires_in) * 1000),
        }


@dataclass(frozen=True)
class EntrySpec:
    """A config entry to add through the config flow: the menu option and the form."""

    menu_option: str
    user_input: dict[str, Any]
    title: str  # the title the entry gets, to tell whether it exists


def demo_entries(simulator_url: str) -> list[EntrySpec]:
    """The simulator's demo Kazoo account and iSymphony core server, as config flow input."""
    return [
        EntrySpec(
            "flex_uc",
            {
                "url": simulator_url,
                "username": ADMIN_USERNAME,
                "password": ADMIN_PASSWORD,
                "account_name": KAZOO_ACCOUNT,
                "verify_ssl": True,
            },
            KAZOO_ACCOUNT,
        ),
        EntrySpec(
            "isymphony",
            {
                "url": simulator_url,
                "username": ISYMPHONY_USERNAME,
                "password": ISYMPHONY_PASSWORD,
                "core_server": ISYMPHONY_CORE_SERVER,
                "verify_ssl": True,
            },
            f"iSymphony {ISYMPHONY_CORE_SERVER}",
        ),
    ]


class HassClient:
    """Home Assistant's REST API, as a logged-in user (see :meth:`onboard`)."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Talk to the Home Assistant at ``url`` (e.g. ``http://127.0.0.1:8123``)."""
        self.session = session
        self.url = url.rstrip("/")
        self.tokens: Tokens | None = None
        # Adding an entry waits for its setup, which a large account makes long.
        self.request_timeout = REQUEST_TIMEOUT

    @property
    def client_id(self) -> str:
        """The OAuth client id we log in as: Home Assistant's own URL, as the frontend."""
        return f"{self.url}/"

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        auth: bool = True,
        expect: tuple[int, ...] = (200, 201),
    ) -> Any:
        """Send a request; the parsed JSON answer (None when empty), else HassApiError."""
        headers = {}
        if auth:
            if self.tokens is None:
                raise DevtoolsError("not logged in to Home Assistant")
            headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        async with self.session.request(
            method,
            self.url + path,
            json=json,
            data=form,
            headers=headers,
            timeout=self.request_timeout,
        ) as response:
            body = await response.text()
            if response.status not in expect:
                raise HassApiError(method, path, response.status, body)
            if not body:
                return None
            if response.content_type == "application/json":
                return await response.json()
            return body

    # -- onboarding and login ---------------------------------------------------------

    async def onboarding_status(self) -> dict[str, bool]:
        """Each onboarding step and whether it is done (empty: onboarding is over)."""
        # Once onboarding is over, Home Assistant no longer serves its endpoints.
        steps = await self.request("GET", "/api/onboarding", auth=False, expect=(200, 404))
        if not isinstance(steps, list):
            return {}
        return {step["step"]: bool(step["done"]) for step in steps}

    async def onboard(
        self, *, name: str, username: str, password: str, language: str = "en"
    ) -> bool:
        """Log in as the owner, creating it and finishing onboarding when not done yet.

        The steps are those the frontend's onboarding goes through: the owner account,
        then ``core_config``, ``analytics`` (nothing is shared) and ``integration``.
        Returns whether anything was left to onboard.
        """
        status = await self.onboarding_status()
        if not status:
            await self.login(username, password)
            return False
        if status.get("user"):
            await self.login(username, password)
        else:
            result = await self.request(
                "POST",
                "/api/onboarding/users",
                auth=False,
                json={
                    "client_id": self.client_id,
                    "name": name,
                    "username": username,
                    "password": password,
                    "language": language,
                },
            )
            await self._exchange_code(result["auth_code"])
        if not status.get("core_config"):
            await self.request("POST", "/api/onboarding/core_config", json={})
        if not status.get("analytics"):
            await self.request("POST", "/api/onboarding/analytics", json={})
        if not status.get("integration"):
            await self.request(
                "POST",
                "/api/onboarding/integration",
                json={"client_id": self.client_id, "redirect_uri": f"{self.url}/?auth_callback=1"},
            )
        return not all(status.values())

    async def login(self, username: str, password: str) -> Tokens:
        """Log in through the login flow, as the frontend's login page does."""
        flow = await self.request(
            "POST",
            "/auth/login_flow",
            auth=False,
            json={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{self.url}/?auth_callback=1",
            },
        )
        result = await self.request(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            auth=False,
            json={"client_id": self.client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise DevtoolsError(
                f"Home Assistant refused the login of {username!r}: {result.get('errors')}"
            )
        return await self._exchange_code(result["result"])

    async def _exchange_code(self, code: str) -> Tokens:
        answer = await self.request(
            "POST",
            "/auth/token",
            auth=False,
            form={"grant_type": "authorization_code", "code": code, "client_id": self.client_id},
        )
        self.tokens = Tokens(
            access_token=answer["access_token"],
            refresh_token=answer.get("refresh_token"),
            expires_in=int(answer["expires_in"]),
        )
        return self.tokens

    async def revoke(self) -> None:
        """Log out: revoke the refresh token and with it every access token it gave."""
        if self.tokens is not None and self.tokens.refresh_token is not None:
            await self.request(
                "POST", "/auth/revoke", auth=False, form={"token": self.tokens.refresh_token}
            )
        self.tokens = None

    async def wait_until_running(self, timeout: float = HASS_START_TIMEOUT) -> None:
        """Wait until Home Assistant has finished starting (``/api/config`` says RUNNING)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            config = await self.request("GET", "/api/config")
            if config.get("state") == "RUNNING":
                return
            if asyncio.get_running_loop().time() > deadline:
                raise DevtoolsError(
                    f"Home Assistant is still {config.get('state')} after {timeout:g} s"
                )
            await asyncio.sleep(0.5)

    # -- config entries and flows -------------------------------------------------------

    async def config_entries(self, domain: str | None = DOMAIN) -> list[dict[str, Any]]:
        """The config entries of ``domain`` (None: of every integration)."""
        query = f"?domain={domain}" if domain is not None else ""
        entries: list[dict[str, Any]] = await self.request(
            "GET", f"/api/config/config_entries/entry{query}"
        )
        return entries

    async def remove_entry(self, entry_id: str) -> None:
        """Delete a config entry."""
        await self.request("DELETE", f"/api/config/config_entries/entry/{entry_id}")

    async def start_flow(self, handler: str = DOMAIN) -> dict[str, Any]:
        """Start a config flow; its first step."""
        result: dict[str, Any] = await self.request(
            "POST",
            "/api/config/config_entries/flow",
            json={"handler": handler, "show_advanced_options": False},
        )
        return result

    async def flow_step(self, flow_id: str, user_input: Mapping[str, Any]) -> dict[str, Any]:
        """Answer a config flow's current step (a form's input, or a menu's next_step_id)."""
        result: dict[str, Any] = await self.request(
            "POST", f"/api/config/config_entries/flow/{flow_id}", json=dict(user_input)
        )
        return result

    async def abort_flow(self, flow_id: str) -> None:
        """Abandon a config flow in progress."""
        await self.request("DELETE", f"/api/config/config_entries/flow/{flow_id}")

    async def add_entry(self, spec: EntrySpec, handler: str = DOMAIN) -> dict[str, Any]:
        """Go through the flow: menu option, then the form; the flow's last result."""
        menu = await self.start_flow(handler)
        if menu.get("type") != "menu":
            raise DevtoolsError(f"the {handler} config flow did not start with a menu: {menu}")
        form = await self.flow_step(menu["flow_id"], {"next_step_id": spec.menu_option})
        if form.get("type") != "form":
            raise DevtoolsError(f"menu option {spec.menu_option!r} gave no form: {form}")
        result = await self.flow_step(form["flow_id"], spec.user_input)
        if result.get("type") == "form":  # an error: do not leave the flow behind
            await self.abort_flow(result["flow_id"])
        return result

    # -- states and services ------------------------------------------------------------

    async def states(self) -> dict[str, dict[str, Any]]:
        """Every entity's state object, by entity id."""
        states: list[dict[str, Any]] = await self.request("GET", "/api/states")
        return {state["entity_id"]: state for state in states}

    async def call_service(
        self, domain: str, service: str, data: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """Call a service (an action); the states it changed."""
        changed: list[dict[str, Any]] = await self.request(
            "POST", f"/api/services/{domain}/{service}", json=dict(data)
        )
        return changed

    async def render_template(self, template: str) -> str:
        """Render a template, e.g. ``{{ device_id('sensor.anna_schmidt_call_state') }}``."""
        rendered: str = await self.request("POST", "/api/template", json={"template": template})
        return rendered

    async def ws_command(self, command: str, **data: Any) -> Any:
        """Send one websocket API command (for what REST does not offer); its result."""
        if self.tokens is None:
            raise DevtoolsError("not logged in to Home Assistant")
        async with self.session.ws_connect(
            f"{self.url}/api/websocket", timeout=aiohttp.ClientWSTimeout(ws_close=10)
        ) as websocket:
            await websocket.receive_json(timeout=30)  # auth_required
            await websocket.send_json({"type": "auth", "access_token": self.tokens.access_token})
            answer = await websocket.receive_json(timeout=30)
            if answer.get("type") != "auth_ok":
                raise DevtoolsError(f"the websocket API refused our token: {answer}")
            await websocket.send_json({"id": 1, "type": command, **data})
            while (answer := await websocket.receive_json(timeout=60)).get("id") != 1:
                pass
        if not answer.get("success"):
            raise DevtoolsError(f"websocket command {command} failed: {answer.get('error')}")
        return answer.get("result")

    async def wait_for_states(
        self,
        expected: Mapping[str, str],
        *,
        timeout: float,
        interval: float = 0.5,
    ) -> dict[str, dict[str, Any]]:
        """Poll ``/api/states`` until every entity in ``expected`` has its expected state."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            states = await self.states()
            actual = {
                entity_id: states[entity_id]["state"] if entity_id in states else None
                for entity_id in expected
            }
            if actual == dict(expected):
                return states
            if loop.time() > deadline:
                raise DevtoolsError(
                    f"after {timeout:g} s the states are {actual}, not {dict(expected)}"
                )
            await asyncio.sleep(interval)
